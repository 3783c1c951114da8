use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::packages::package_name;
use layerwise_analysis::RefTarget;
use layerwise_syntax::InstructionKind;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{
    is_glibc_image, is_musl_image, positionals, root_image, run_scripts_with,
};

declare_rule! {
    /// Native modules cross between musl (Alpine) and glibc images.
    ///
    /// ## What it does
    /// Reports two ways compiled dependencies end up on the wrong C library:
    /// - `COPY --from` of installed dependencies (`node_modules`, `site-packages`, a
    ///   virtualenv, `vendor/bundle`) between a stage on an Alpine (musl) image and one on a
    ///   glibc image (Debian, Ubuntu, the default and `-slim` language images), either way;
    /// - installing, on an Alpine image, packages that ship glibc-only binaries:
    ///   `puppeteer` and `playwright` (they download a glibc browser), `@tensorflow/tfjs-node`,
    ///   `electron`; for pip `tensorflow`, `torch`, `onnxruntime`, `jaxlib` (no musl wheels).
    ///
    /// ## Why is this bad?
    /// Native modules are compiled against one C library. A module built on Debian and copied
    /// to Alpine fails when loaded ("Error loading shared library ld-linux-x86-64.so.2"), and
    /// glibc-only downloads do not start on Alpine at all — at run time, not at build time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20 AS deps
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    ///
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY --from=deps /app/node_modules ./node_modules
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-alpine AS deps
    /// WORKDIR /app
    /// COPY package.json package-lock.json ./
    /// RUN npm ci
    ///
    /// FROM node:20-alpine
    /// WORKDIR /app
    /// COPY --from=deps /app/node_modules ./node_modules
    /// COPY . .
    /// CMD ["node", "server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: use the same image family for the install and the runtime stage.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Alpine: running glibc programs](https://wiki.alpinelinux.org/wiki/Running_glibc_programs)
    /// - [Node.js images: Alpine variant](https://hub.docker.com/_/node)
    pub struct MuslGlibcMismatch {
        name: "musl-glibc-mismatch",
        group: Nursery,
        severity: Warning,
        fix: None,
        default_enabled: false,
        hadolint: [],
        buildkit: None,
    }
}

const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "site-packages",
    "dist-packages",
    "venv",
    ".venv",
    "vendor/bundle",
    "/usr/local/bundle",
    "/opt/venv",
];
const GLIBC_ONLY_NPM: &[&str] = &[
    "puppeteer",
    "playwright",
    "@tensorflow/tfjs-node",
    "electron",
];
const GLIBC_ONLY_PIP: &[&str] = &["tensorflow", "torch", "onnxruntime", "jaxlib"];

fn family(image: Option<&ImageRef>) -> Option<&'static str> {
    let image = image?;
    if is_musl_image(image) {
        Some("musl (Alpine)")
    } else if is_glibc_image(image) {
        Some("glibc")
    } else {
        None
    }
}

impl RuleCheck for MuslGlibcMismatch {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for r in &cx.model.refs {
            let RefTarget::Stage(from) = r.target else {
                continue;
            };
            let Some(i) = cx
                .instructions()
                .nth(r.instruction)
                .filter(|i| i.inst.kind == InstructionKind::Copy)
            else {
                continue;
            };
            let Some((sources, _)) = i.inst.copy_parts() else {
                continue;
            };
            let Some(dep) = sources
                .iter()
                .find(|s| DEPENDENCY_DIRS.iter().any(|d| s.text.contains(d)))
            else {
                continue;
            };
            let (src, dst) = (
                family(root_image(cx, from)),
                family(root_image(cx, r.stage)),
            );
            if let (Some(a), Some(b)) = (src, dst) {
                if a != b {
                    out.push(
                        Diagnostic::new(meta, i.abs(dep.range), format!("`{}` was installed on a {a} image and is copied to a {b} image", dep.text))
                            .note("Native modules built against one C library fail to load on the other: install on the same image family as the runtime stage.")
                            .related(r.range, "the stage it comes from"),
                    );
                }
            }
        }
        for script in run_scripts_with(cx, &["npm", "pip", "yarn", "pnpm"]) {
            let Some(stage) = script.inst.stage else {
                continue;
            };
            if !root_image(cx, stage).is_some_and(is_musl_image) {
                continue;
            }
            for cmd in script.commands {
                let (list, args) = match (cmd.program(), cmd.subcommand()) {
                    (Some("npm"), Some("install" | "i" | "add"))
                    | (Some("yarn" | "pnpm"), Some("add")) => {
                        (GLIBC_ONLY_NPM, positionals(cmd.argv(), &[]))
                    }
                    (Some(p), Some("install")) if p.starts_with("pip") => (
                        GLIBC_ONLY_PIP,
                        positionals(
                            cmd.argv(),
                            &[
                                "-i",
                                "--index-url",
                                "--extra-index-url",
                                "-f",
                                "--find-links",
                            ],
                        ),
                    ),
                    _ => continue,
                };
                for w in args
                    .skip(1)
                    .filter(|w| list.contains(&package_name(&w.text)))
                {
                    out.push(
                        Diagnostic::new(meta, to_range(&w.range), format!("`{}` ships glibc-only binaries, and this stage is on Alpine (musl)", package_name(&w.text)))
                            .note("Use a Debian-based image (`-slim`) for this stage, or the Alpine package of the native part."),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_on_crossing_copies() {
        let t = "FROM python:3.12 AS build\nRUN python -m venv /opt/venv\nFROM python:3.12-alpine\nCOPY --from=build /opt/venv /opt/venv\n";
        assert_eq!(flagged(&MuslGlibcMismatch, t), ["/opt/venv"]);
        let t = "FROM node:20-alpine AS deps\nRUN npm ci\nFROM node:20-slim\nCOPY --from=deps /app/node_modules /app/node_modules\n";
        assert_eq!(flagged(&MuslGlibcMismatch, t).len(), 1);
    }

    #[test]
    fn fires_on_glibc_only_packages() {
        let t = "FROM node:20-alpine\nRUN npm install puppeteer@22 express && pip install --no-cache-dir torch==2.3.0\n";
        assert_eq!(
            flagged(&MuslGlibcMismatch, t),
            ["puppeteer@22", "torch==2.3.0"]
        );
        // scoped npm packages and pip extras name the package before the `@` / `[`
        let t = "FROM node:20-alpine\nRUN npm install @tensorflow/tfjs-node@4 sharp@0.33 && pip install 'onnxruntime[gpu]>=1.17'\n";
        let msgs: Vec<String> = findings(&MuslGlibcMismatch, t)
            .into_iter()
            .map(|d| d.message.into_owned())
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("`@tensorflow/tfjs-node`"), "{msgs:?}");
        assert!(msgs[1].starts_with("`onnxruntime`"), "{msgs:?}");
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM node:20-alpine AS deps\nRUN npm ci\nFROM node:20-alpine\nCOPY --from=deps /app/node_modules ./node_modules\n",
            "FROM node:20 AS build\nRUN npm run build\nFROM node:20-alpine\nCOPY --from=build /app/dist ./dist\n",
            "FROM acme/base AS deps\nFROM node:20-alpine\nCOPY --from=deps /app/node_modules ./node_modules\n",
            "FROM node:20-slim\nRUN npm install puppeteer\n",
        ] {
            assert!(findings(&MuslGlibcMismatch, t).is_empty(), "{t}");
        }
    }
}
