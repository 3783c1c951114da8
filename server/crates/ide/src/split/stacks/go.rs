//! Go: `go mod download` cached before the sources, a static binary (`CGO_ENABLED=0`,
//! `-ldflags="-s -w"`), and a runtime stage on distroless static (or `scratch` with CA
//! certificates and time zone data copied, or Alpine) holding only the binary.

use layerwise_analysis::shell::ShellCommand;
use layerwise_lint::package_managers::project_install;
use layerwise_syntax::{InstructionKind, TextRange};

use super::super::images::{builder_is_alpine, Flavor};
use super::super::plan::{Entry, Plan};
use super::super::text::absolute;
use super::{output_flag, replace_command, runs_build_tool, runtime_path, units_with};

const LDFLAGS: &str = "-ldflags=\"-s -w\"";

fn is_build(c: &ShellCommand) -> bool {
    c.program() == Some("go") && matches!(c.subcommand(), Some("build" | "install"))
}

/// Whether the stage already decides `CGO_ENABLED` (an `ENV` or an assignment in the command).
fn sets_cgo(p: &Plan<'_, '_>) -> bool {
    p.v.units.iter().any(|u| {
        (u.kind == InstructionKind::Env
            && p.v
                .instruction(u)
                .is_some_and(|i| i.pairs().iter().any(|kv| &*kv.key.text == "CGO_ENABLED")))
            || p.v
                .commands(u)
                .iter()
                .any(|c| c.words.iter().any(|w| w.text.starts_with("CGO_ENABLED=")))
    })
}

pub(super) fn builder(p: &mut Plan<'_, '_>) {
    let builds = units_with(p, &is_build);
    let cgo = !sets_cgo(p);
    for &i in &builds {
        for c in p.v.commands(p.unit(i)) {
            if !is_build(&c) {
                continue;
            }
            if cgo {
                // `CGO_ENABLED=0 go build`: a static binary that runs without libc
                if let Some(first) = c.words.first() {
                    let at = TextRange::empty(first.range.start as u32);
                    p.edit_unit(i, at, "CGO_ENABLED=0 ");
                }
            }
            if c.subcommand() != Some("build") {
                continue;
            }
            if c.argv().iter().any(|w| w.text.starts_with("-ldflags")) {
                continue;
            }
            if let Some(w) = c.argv().iter().skip(1).find(|w| w.text == "build") {
                let at = TextRange::empty(w.range.end as u32);
                p.edit_unit(i, at, format!(" {LDFLAGS}"));
            }
        }
    }
    binary(p, &builds);
    cache_modules(p);
    if p.rt.flavor == Flavor::Scratch {
        let line = if builder_is_alpine(&p.v.base) {
            "RUN apk add --no-cache ca-certificates tzdata".to_string()
        } else {
            p.style.continued(&[
                "RUN apt-get update".into(),
                "&& apt-get install -y --no-install-recommends ca-certificates tzdata".into(),
                "&& rm -rf /var/lib/apt/lists/*".into(),
            ])
        };
        // before anything that changes often, so it stays cached
        p.b.insert(0, Entry::Gen(line));
    }
}

/// `COPY go.mod go.sum ./` and `go mod download` before the sources, so module downloads
/// stay cached until the dependencies change.
fn cache_modules(p: &mut Plan<'_, '_>) {
    let Some((copy_pos, _, _)) = p.broad_copy() else {
        return;
    };
    let build_after = p.b.iter().skip(copy_pos + 1).any(|e| match e {
        Entry::Unit(i) => p.v.commands(p.unit(*i)).iter().any(is_build),
        Entry::Gen(t) => t.contains(" go build "),
        _ => false,
    });
    if !build_after || p.copies_before(copy_pos, &["go.mod"]) {
        return;
    }
    if p.v.context_has("go.mod") == Some(false) {
        return;
    }
    let mut m = vec!["go.mod".to_string()];
    if p.v.context_has("go.sum") != Some(false) {
        m.push("go.sum".into());
    }
    let moved = p.move_install(
        &|c| project_install(c).is_some_and(|i| i.manager.name == "go"),
        &m,
    );
    if !moved {
        p.before_broad_copy(vec![
            format!("COPY {} ./", m.join(" ")),
            "RUN go mod download".into(),
        ]);
    }
}

/// Where the binary is built and where the runtime puts it; a command that runs `go run`
/// gets a build step and is replaced by the binary.
fn binary(p: &mut Plan<'_, '_>, builds: &[usize]) {
    let app = p.app_dir.clone();
    let (ep, cmd) = p.entry_words();
    let entry: Vec<String> = ep
        .as_ref()
        .or(cmd.as_ref())
        .map(|(_, w)| w.clone())
        .unwrap_or_default();
    let go_run = runs_build_tool(&entry);
    let named = (!go_run).then(|| entry.first().cloned()).flatten();
    // the last build decides
    let last = builds.iter().rev().find_map(|&i| {
        let u = p.unit(i);
        let wd = p.v.workdir_before(u);
        p.v.commands(u)
            .into_iter()
            .rev()
            .find(is_build)
            .map(|c| (i, wd, c))
    });
    let Some((unit, wd, c)) = last else {
        if go_run {
            let (pkg, args) = run_target(&entry);
            let cgo = if sets_cgo(p) { "" } else { "CGO_ENABLED=0 " };
            p.b.push(Entry::Gen(format!(
                "RUN {cgo}go build {LDFLAGS} -o /usr/local/bin/app {pkg}"
            )));
            p.artifacts
                .push(("/usr/local/bin/app".into(), "/usr/local/bin/app".into()));
            let mut words = vec!["/usr/local/bin/app".to_string()];
            words.extend(args);
            p.new_command = Some((words, "`go run` needs the Go toolchain".into()));
        } else {
            p.notes
                .push("no `go build` found: the runtime copies the app directory".into());
            p.artifacts.push((app.clone(), app));
        }
        return;
    };
    let install = c.subcommand() == Some("install");
    let src = match output_flag(&c) {
        Some(o) => absolute(&wd, &o),
        None if install => match &named {
            Some(n) => format!("/go/bin/{}", base_name(n)),
            None => "/go/bin/".into(),
        },
        None => match &named {
            Some(n) => absolute(&wd, base_name(n)),
            None => {
                if let Some(w) = c.argv().iter().skip(1).find(|w| w.text == "build") {
                    p.edit_unit(
                        unit,
                        TextRange::empty(w.range.end as u32),
                        " -o /usr/local/bin/app",
                    );
                }
                "/usr/local/bin/app".into()
            }
        },
    };
    let dest = if src.ends_with('/') {
        match &named {
            Some(n) if !n.contains('/') => "/usr/local/bin/".into(),
            _ => src.clone(),
        }
    } else if go_run {
        format!("/usr/local/bin/{}", base_name(&src))
    } else {
        match &named {
            Some(n) => runtime_path(&app, n),
            None => src.clone(),
        }
    };
    p.artifacts.push((src, dest.clone()));
    if go_run {
        let (_, args) = run_target(&entry);
        let mut words = vec![dest];
        words.extend(args);
        p.new_command = Some((words, "`go run` needs the Go toolchain".into()));
    }
}

fn base_name(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// `go run [flags] <pkg> [args]`: the package and the program's arguments.
fn run_target(words: &[String]) -> (String, Vec<String>) {
    let rest: Vec<&String> = words.iter().skip(2).collect();
    let at = rest.iter().position(|w| !w.starts_with('-'));
    match at {
        Some(k) => (
            rest[k].clone(),
            rest[k + 1..].iter().map(|s| s.to_string()).collect(),
        ),
        None => (".".into(), Vec::new()),
    }
}

pub(super) fn runtime(p: &mut Plan<'_, '_>) {
    let from = format!("--from={}", p.builder_name);
    if p.rt.flavor == Flavor::Scratch {
        p.rt_copies.push(Entry::Gen(format!(
            "COPY {from} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/"
        )));
        p.rt_copies.push(Entry::Gen(format!(
            "COPY {from} /usr/share/zoneinfo /usr/share/zoneinfo"
        )));
    }
    p.copy_artifacts();
    p.rt_copies.push(Entry::Gen(
        "# Copy anything else the program reads at run time (templates, static files, config) here."
            .into(),
    ));
    if let Some((words, why)) = p.new_command.clone() {
        replace_command(p, &words, &why);
    }
}
