use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::flag_table::{accepted_flags, parsed_flags, FlagType};

declare_rule! {
    /// The same flag given twice.
    ///
    /// ## What it does
    /// Reports a second `--chown`, `--from`, `--platform`, `--network`, `--interval`... on one
    /// instruction. Flags that may repeat (`--mount`, `--exclude`, `--device`) are fine.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `duplicate flag specified`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chown=app --chown=root config /etc/app/
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY --chown=app config /etc/app/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which of the two was meant is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct DuplicateFlag {
        name: "duplicate-flag",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for DuplicateFlag {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            let Some(table) = accepted_flags(i.inst) else {
                continue;
            };
            // the parsed flags are a prefix of the instruction's: a slice, not a new list
            let flags = &i.inst.flags[..parsed_flags(i.inst).count()];
            for (n, f) in flags.iter().enumerate() {
                let name = f.name();
                let Some((_, ty)) = table.iter().find(|(k, _)| *k == name) else {
                    continue;
                };
                if *ty == FlagType::Strings {
                    continue;
                }
                if let Some(first) = flags[..n].iter().find(|g| g.name() == name) {
                    out.push(
                        Diagnostic::new(
                            meta,
                            i.abs(f.range),
                            format!("duplicate flag specified: --{name}"),
                        )
                        .note("Give the flag once; docker build stops here.")
                        .related(i.abs(first.range), "first given here"),
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
    fn fires() {
        let t = "FROM --platform=a --platform=b x\nCOPY --link --link=false a b\n";
        assert_eq!(flagged(&DuplicateFlag, t), ["--platform=b", "--link=false"]);
        assert_eq!(
            &t[findings(&DuplicateFlag, t)[0].related[0].range.as_usize()],
            "--platform=a"
        );
    }

    #[test]
    fn near_miss() {
        let ok = "FROM x\nRUN --mount=type=cache,target=/a --mount=type=cache,target=/b true\nCOPY --exclude=a --exclude=b . /\nARG --a --a x\n";
        assert!(findings(&DuplicateFlag, ok).is_empty());
    }
}
