use layerwise_syntax::{Args, TextRange};

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{has_expansion, run_scripts_with};

declare_rule! {
    /// `RUN` starts with `cd`; use `WORKDIR`.
    ///
    /// ## What it does
    /// Reports a shell-form `RUN` whose first command is `cd <absolute path>`, and a `RUN` that
    /// does nothing but `cd`. Unlike hadolint's DL3003 it leaves `cd` in the middle of a
    /// script alone (`cd /tmp/src && make && cd / && rm -rf /tmp/src` is fine).
    ///
    /// ## Why is this bad?
    /// `WORKDIR` says where the following instructions run, for every later `RUN`, `COPY` and
    /// `CMD`, and shows in the image's config. A `cd` at the start of each `RUN` repeats that
    /// by hand, and a `RUN cd /app` alone does nothing at all: the next instruction starts in
    /// the old directory again.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY . /app
    /// RUN cd /app && npm ci
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// COPY . /app
    /// WORKDIR /app
    /// RUN npm ci
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix turns `RUN cd /dir && rest` into `WORKDIR /dir` and `RUN rest`, which
    /// also changes the directory of every later instruction of the stage.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3003](https://github.com/hadolint/hadolint/wiki/DL3003)
    /// - [Docker: WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
    pub struct CdInRun {
        name: "cd-instead-of-workdir",
        group: Nursery,
        severity: Info,
        fix: Sometimes,
        default_enabled: false,
        hadolint: ["DL3003"],
        buildkit: None,
    }
}

impl RuleCheck for CdInRun {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, &["cd"]) {
            let Args::Text(_) = &script.inst.inst.args else {
                continue;
            };
            let Some(first) = script.commands.first() else {
                continue;
            };
            if first.program() != Some("cd") {
                continue;
            }
            let Some(dir) = first
                .argv()
                .get(1)
                .filter(|d| d.text.starts_with('/') && !has_expansion(&d.text))
            else {
                continue;
            };
            let alone = script.commands.len() == 1;
            let message = if alone {
                "`RUN cd` alone does nothing: the next instruction starts in the old directory"
            } else {
                "This RUN starts with `cd`: use `WORKDIR`"
            };
            let mut d = Diagnostic::new(meta, to_range(&first.range), message).note(format!(
                "`WORKDIR {}` sets the directory for every later instruction.",
                dir.text
            ));
            // `cd /x && rest` on one logical line, no heredocs: WORKDIR line + RUN rest
            let second = script.commands.get(1);
            if first.terminator == "&&" && script.inst.inst.heredocs.is_empty() && !script.onbuild {
                if let Some(rest) = second {
                    let keyword = script.inst.keyword_range();
                    let flags_end = script
                        .inst
                        .inst
                        .flags
                        .last()
                        .map_or(keyword.end, |f| script.inst.abs(f.range).end);
                    let line_start = cx.text[..keyword.start as usize]
                        .rfind('\n')
                        .map_or(0, |k| k + 1);
                    let indent = &cx.text[line_start..keyword.start as usize];
                    let indent = if indent.trim().is_empty() { indent } else { "" };
                    let head = &cx.text[keyword.start as usize..flags_end as usize];
                    let replacement = format!("WORKDIR {}\n{indent}{head} ", dir.text);
                    let range = TextRange::new(keyword.start, rest.range.start as u32);
                    d = d.fix(Fix::replace(
                        format!("Use `WORKDIR {}`", dir.text),
                        range,
                        replacement,
                        Applicability::Unsafe,
                    ));
                }
            }
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nRUN --mount=type=cache,target=/root/.npm cd /app && \\\n    npm ci\n";
        assert_eq!(flagged(&CdInRun, t), ["cd /app"]);
        assert_eq!(
            fixed(&CdInRun, t),
            "FROM a\nWORKDIR /app\nRUN --mount=type=cache,target=/root/.npm npm ci\n"
        );
        assert!(findings(&CdInRun, &fixed(&CdInRun, t)).is_empty());
        let d = findings(&CdInRun, "FROM a\nRUN cd /app\n");
        assert!(d[0].message.contains("does nothing") && d[0].fixes.is_empty());
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nRUN curl -o /tmp/x.tgz https://x && cd /tmp && tar xzf x.tgz\n",
            "FROM a\nRUN cd src && make\n",
            "FROM a\nRUN cd \"$HOME\" && ls\n",
            "FROM a\nRUN [\"sh\", \"-c\", \"cd /x && make\"]\n",
        ] {
            assert!(findings(&CdInRun, t).is_empty(), "{t}");
        }
    }
}
