use layerwise_analysis::Base;
use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;
use crate::rules::suspicious::build_env::walk;

declare_rule! {
    /// A relative `WORKDIR` before any absolute one.
    ///
    /// ## What it does
    /// Reports the first `WORKDIR` of a stage when it is a relative path and neither this
    /// stage nor a stage it is built on set a `WORKDIR` before. Variables are expanded first;
    /// a path that starts with a variable whose value is not known is not reported.
    ///
    /// ## Why is this bad?
    /// A relative `WORKDIR` is joined to the base image's working directory, which can change
    /// with any new version of that image and move your files with it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27 AS web
    /// WORKDIR usr/share/nginx/html
    /// COPY public .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27 AS web
    /// WORKDIR /usr/share/nginx/html
    /// COPY public .
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix adds a leading `/`, which is the same directory only while the base
    /// image works in `/`.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit WorkdirRelativePath](https://docs.docker.com/reference/build-checks/workdir-relative-path/)
    /// - [hadolint DL3000](https://github.com/hadolint/hadolint/wiki/DL3000)
    pub struct WorkdirRelativePath {
        name: "workdir-relative-path",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: ["DL3000"],
        buildkit: Some("WorkdirRelativePath"),
    }
}

/// Absolute on Linux (`/x`) or Windows (`C:\x`, `C:/x`, `\x`).
fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with('/')
        || p.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

impl RuleCheck for WorkdirRelativePath {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // whether a WORKDIR was set by the end of each stage (inherited through `FROM <stage>`)
        let mut set_at_end: Vec<bool> = Vec::with_capacity(cx.model.stages.len());
        for stage in &cx.model.stages {
            let inherited =
                matches!(stage.base, Base::Stage(b) if set_at_end.get(b).copied().unwrap_or(false));
            let own = stage.instructions.iter().any(|&n| {
                cx.model
                    .instructions
                    .get(n)
                    .is_some_and(|i| i.kind == InstructionKind::Workdir)
            });
            set_at_end.push(inherited || own);
        }
        // nothing to look at unless some WORKDIR is not plainly absolute
        let candidates = cx
            .of_kind(InstructionKind::Workdir)
            .any(|i| matches!(&i.inst.args, Args::Text(w) if !is_absolute(&w.text)));
        if !candidates {
            return;
        }
        let mut seen_in_stage: Vec<bool> = vec![false; cx.model.stages.len()];
        walk(cx, |i, env| {
            let Some(s) = i.stage else { return };
            if i.inst.kind != InstructionKind::Workdir {
                return;
            }
            let inherited = matches!(cx.model.stages[s].base, Base::Stage(b) if set_at_end.get(b).copied().unwrap_or(false));
            let first = !inherited && !seen_in_stage[s];
            seen_in_stage[s] = true;
            let Args::Text(w) = &i.inst.args else { return };
            if !first {
                return;
            }
            let expanded = env.expand(&w.text, cx.model.escape);
            if is_absolute(&expanded.value)
                || (!expanded.unset.is_empty() && w.text.trim_start().starts_with('$'))
            {
                return;
            }
            let range = i.abs(w.range);
            let mut d = Diagnostic::new(meta, range, format!("Relative workdir {:?} can have unexpected results if the base image changes", expanded.value))
                .note("It is joined to the base image's working directory. Start with `/` to say where you want to be.");
            if !has_var(&w.text, cx.model.escape) && !w.text.starts_with('"') {
                d = d.fix(Fix {
                    title: format!("Make it absolute: `/{}`", w.text.trim_start_matches("./"))
                        .into(),
                    applicability: Applicability::Unsafe,
                    edits: vec![edit(range, &w.text)].into(),
                });
            }
            out.push(d);
        });
    }
}

fn edit(range: TextRange, text: &str) -> Edit {
    let stripped = text.strip_prefix("./").unwrap_or(text);
    Edit {
        range,
        text: format!("/{stripped}").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM nginx AS web\nWORKDIR usr/share/nginx/html\nWORKDIR more\nFROM alpine\nWORKDIR ./app\n";
        assert_eq!(
            flagged(&WorkdirRelativePath, t),
            ["usr/share/nginx/html", "./app"]
        );
        assert_eq!(fixed(&WorkdirRelativePath, t), "FROM nginx AS web\nWORKDIR /usr/share/nginx/html\nWORKDIR more\nFROM alpine\nWORKDIR /app\n");
        assert_eq!(
            flagged(
                &WorkdirRelativePath,
                "FROM scratch\nARG D=app\nWORKDIR $D\n"
            ),
            ["$D"]
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM a AS base\nWORKDIR /src\nFROM base\nWORKDIR sub\nFROM b\nWORKDIR $HOME/app\nFROM c\nWORKDIR C:\\\\app\nFROM d\nARG D=/x\nWORKDIR $D/y\nFROM e\nWORKDIR ${UNKNOWN}\n";
        assert!(
            findings(&WorkdirRelativePath, ok).is_empty(),
            "{:?}",
            flagged(&WorkdirRelativePath, ok)
        );
    }
}
