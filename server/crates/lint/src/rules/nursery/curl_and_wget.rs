use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{final_chain, run_scripts_with};

declare_rule! {
    /// Both `curl` and `wget` are used in the image.
    ///
    /// ## What it does
    /// Reports the first use of the second download tool in the stages that make up the final
    /// image (the final stage and the stages it is built `FROM`), pointing at the first use of
    /// the other. Builder stages are not checked: their tools do not ship.
    ///
    /// ## Why is this bad?
    /// Two tools that do the same job both end up installed in the image, with their
    /// dependencies and their security updates to follow. One is enough.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN wget -qO /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz
    /// RUN curl -fsSLo /tmp/b.tgz https://example.com/b.tgz
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the two tools take different options.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL4001](https://github.com/hadolint/hadolint/wiki/DL4001)
    pub struct CurlAndWget {
        name: "curl-and-wget",
        group: Nursery,
        severity: Info,
        fix: None,
        default_enabled: false,
        hadolint: ["DL4001"],
        buildkit: None,
    }
}

impl RuleCheck for CurlAndWget {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let shipped = final_chain(cx);
        let mut first: [Option<std::ops::Range<usize>>; 2] = [None, None];
        let mut scripts = run_scripts_with(cx, &["curl", "wget"]);
        scripts.retain(|s| !s.onbuild && s.inst.stage.is_some_and(|st| shipped.contains(&st)));
        // base stages first, as they run first
        scripts.sort_by_key(|s| {
            shipped.len()
                - shipped
                    .iter()
                    .position(|&st| Some(st) == s.inst.stage)
                    .unwrap_or(0)
        });
        for script in &scripts {
            for cmd in script.commands {
                let k = match cmd.program() {
                    Some("curl") => 0,
                    Some("wget") => 1,
                    _ => continue,
                };
                let Some(word) = cmd.argv().first() else {
                    continue;
                };
                if first[k].is_some() {
                    continue;
                }
                first[k] = Some(word.range.clone());
                if let Some(other) = first[1 - k].clone() {
                    let (this, that) = if k == 0 {
                        ("curl", "wget")
                    } else {
                        ("wget", "curl")
                    };
                    out.push(
                        Diagnostic::new(
                            meta,
                            to_range(&word.range),
                            format!("The image uses both `{that}` and `{this}`"),
                        )
                        .note(format!(
                            "Use one download tool throughout; `{that}` is already used."
                        ))
                        .related(to_range(&other), format!("`{that}` is used here")),
                    );
                    return;
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
    fn fires_once_with_related() {
        let t = "FROM a\nRUN wget -q https://x\nRUN curl -O https://y && curl -O https://z && wget https://w\n";
        let d = findings(&CurlAndWget, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "curl");
        assert_eq!(&t[d[0].related[0].range.as_usize()], "wget");
    }

    #[test]
    fn near_misses() {
        // a builder stage's tools do not ship
        assert!(findings(
            &CurlAndWget,
            "FROM a AS dl\nRUN wget https://x\nFROM b\nRUN curl https://y\n"
        )
        .is_empty());
        assert!(findings(&CurlAndWget, "FROM a\nRUN apt-get install -y curl wget\n").is_empty());
    }
}
