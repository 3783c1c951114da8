use layerwise_analysis::shell::{ShellCommand, ShellWord};

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::size::os_packages::{package_name, PkgCommand};
use crate::rules::size::shipped::{runs_an_app, Shipped};

declare_rule! {
    /// Compilers or `-dev` packages installed in the final image.
    ///
    /// ## What it does
    /// Reports system package installs (`apt-get`, `apk`, `yum`, `dnf`, `zypper`) of build
    /// tools — `build-essential`, `build-base`, `gcc`, `g++`, `clang`, `make`, `cmake`,
    /// `autoconf`, `pkg-config`, `*-dev`, `*-devel`... — in the final stage or a stage it is
    /// built on, unless the same `RUN` removes packages again (`apt-get purge --auto-remove`,
    /// `apk del .build-deps`), the usual way official images compile and clean up in one
    /// layer. Builder stages that are only copied from are not reported: that is where build
    /// tools belong. Nor are images that run no app of their own (no `CMD`/`ENTRYPOINT`, or
    /// one that starts a shell, a REPL or a build tool): build environments, CI and
    /// development images need their compilers.
    ///
    /// ## Why is this bad?
    /// Compilers and headers are hundreds of megabytes the running app never uses, and more
    /// software for scanners to flag. Removing them in a later `RUN` does not make the image
    /// smaller: the layer that installed them is still there.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && rm -rf /var/lib/apt/lists/*
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// CMD ["python", "-m", "app"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && rm -rf /var/lib/apt/lists/*
    /// COPY requirements.txt .
    /// RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \
    ///     && rm -rf /var/lib/apt/lists/*
    /// COPY --from=build /opt/venv /opt/venv
    /// ENV PATH=/opt/venv/bin:$PATH
    /// CMD ["python", "-m", "app"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: use the "Split into build and runtime stages" action, which moves
    /// the build into a builder stage and keeps the runtime libraries.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: multi-stage builds](https://docs.docker.com/build/building/multi-stage/)
    pub struct BuildToolsInFinalStage {
        name: "build-tools-in-final-stage",
        group: Size,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for BuildToolsInFinalStage {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // Build environments and tool images (no app command of their own) need their tools.
        if !runs_an_app(cx) {
            return;
        }
        let shipped = Shipped::collect(cx, &["apt", "apk", "yum", "dnf", "zypper"]);
        for run in &shipped.runs {
            for (pos, cmd) in run.commands.iter().enumerate() {
                let Some(p) = PkgCommand::parse(cmd).filter(|p| p.is_install()) else {
                    continue;
                };
                // Installed and removed again in the same layer: nothing ships.
                let removed_later = run.commands[pos + 1..].iter().any(|c| {
                    PkgCommand::parse(c).is_some_and(|q| q.tool == p.tool && q.is_removal())
                        // `apt-mark auto '.*'`, also through `xargs apt-mark auto`
                        || c.argv().windows(2).any(|w| w[0].text.ends_with("apt-mark") && w[1].text == "auto")
                });
                if removed_later {
                    continue;
                }
                let tools: Vec<(String, &ShellWord)> = packages_expanded(&run.commands[..pos], &p)
                    .into_iter()
                    .filter(|(name, _)| is_build_tool(name))
                    .collect();
                let Some((_, first)) = tools.first() else {
                    continue;
                };
                let names: Vec<String> = tools.iter().map(|(n, _)| format!("`{n}`")).collect();
                let what = if names.len() > 3 {
                    format!("{} and {} more", names[..3].join(", "), names.len() - 3)
                } else {
                    names.join(", ")
                };
                let where_ = if cx.model.stages.len() > 1 {
                    "the final image"
                } else {
                    "the image (single-stage build)"
                };
                out.push(
                    Diagnostic::new(meta, to_range(&first.range), format!("build tools installed in {where_}: {what}"))
                        .note(
                            "Compilers and headers ship with the app. Build in a builder stage and copy only the result \
                             (use the 'Split into build and runtime stages' action), or remove them in the same `RUN`.",
                        ),
                );
            }
        }
    }
}

/// The package names of an install, with `$var`/`${var}` words expanded from shell
/// assignments earlier in the same `RUN` (`buildDeps='gcc make'; apt-get install $buildDeps`).
fn packages_expanded<'a>(
    before: &[ShellCommand],
    p: &PkgCommand<'a>,
) -> Vec<(String, &'a ShellWord)> {
    let mut out = Vec::new();
    for w in p.packages() {
        let text = w.text.as_str();
        let var = text
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .or_else(|| text.strip_prefix('$'));
        match var.filter(|v| v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')) {
            Some(name) => {
                if let Some(value) = assignment(before, name) {
                    out.extend(
                        value
                            .split_whitespace()
                            .map(|v| (package_name(v).to_string(), w)),
                    );
                }
            }
            None => out.push((package_name(text).to_string(), w)),
        }
    }
    out
}

/// The last `NAME=value` (or `export NAME=value`) among `commands`.
fn assignment<'c>(commands: &'c [ShellCommand], name: &str) -> Option<&'c str> {
    commands.iter().rev().find_map(|c| {
        c.words
            .iter()
            .find_map(|w| w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
            .filter(|_| {
                let argv = c.argv();
                argv.is_empty()
                    || matches!(
                        argv[0].text.as_str(),
                        "export" | "readonly" | "local" | "declare"
                    )
            })
    })
}

/// Compilers, build systems and headers: what a build needs and a running app does not.
pub(crate) fn is_build_tool(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "build-essential",
        "build-base",
        "alpine-sdk",
        "gcc",
        "g++",
        "gcc-c++",
        "clang",
        "make",
        "cmake",
        "ninja-build",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "gfortran",
        "linux-headers",
        "rustc",
        "cargo",
        "golang",
        "golang-go",
        "ccache",
    ];
    let versioned = |prefix: &str| {
        name.strip_prefix(prefix)
            .is_some_and(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    EXACT.contains(&name)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
        || name.starts_with("linux-headers-")
        || versioned("gcc-")
        || versioned("g++-")
        || versioned("clang-")
        || versioned("golang-1.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_in_the_final_image() {
        let t = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=4:12 curl libpq-dev\nCMD [\"python\", \"app.py\"]\n";
        let d = findings(&BuildToolsInFinalStage, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "gcc=4:12");
        assert!(
            d[0].message.contains("`gcc`, `libpq-dev`"),
            "{}",
            d[0].message
        );
        assert!(!d[0].message.contains("curl"));
        // packages named through a shell variable of the same RUN
        let t = "FROM alpine\nRUN deps='build-base musl-dev'; apk add --no-cache $deps\nCMD [\"/app\"]\n";
        assert_eq!(flagged(&BuildToolsInFinalStage, t), ["$deps"]);
        // a base stage of the final one ships too; removal in a later RUN does not help
        let t = "FROM debian AS base\nRUN apt-get install -y make\nFROM base\nRUN apt-get purge -y make\nENTRYPOINT [\"/app\"]\n";
        assert_eq!(flagged(&BuildToolsInFinalStage, t), ["make"]);
    }

    #[test]
    fn near_misses() {
        for ok in [
            // builder stage, only copied from
            "FROM golang AS build\nRUN apt-get install -y gcc\nFROM scratch\nCOPY --from=build /app /app\n",
            // installed and purged in the same RUN (the official-image idiom)
            "FROM debian\nRUN apt-get install -y gcc make && make && apt-get purge -y --auto-remove gcc make\n",
            "FROM debian\nRUN savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y gcc; apt-mark auto '.*' > /dev/null\n",
            "FROM alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install x && apk del .build-deps\n",
            // runtime libraries and look-alikes
            "FROM debian\nRUN apt-get install -y libpq5 udev makedev curl\n",
            // an unknown variable: say nothing
            "FROM debian\nRUN apt-get install -y $PHPIZE_DEPS\n",
        ] {
            let ok = format!("{ok}CMD [\"/app\"]\n");
            assert!(findings(&BuildToolsInFinalStage, &ok).is_empty(), "{ok}");
        }
        // build environments: no app command of their own
        for ok in [
            "FROM debian\nRUN apt-get install -y build-essential cmake\n",
            "FROM python:3.12\nRUN apt-get install -y libbluetooth-dev\nCMD [\"python3\"]\n",
        ] {
            assert!(findings(&BuildToolsInFinalStage, ok).is_empty(), "{ok}");
        }
    }
}
