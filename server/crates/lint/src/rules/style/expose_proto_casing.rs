use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::{has_var, word_sub_range};

declare_rule! {
    /// An `EXPOSE` protocol in upper case.
    ///
    /// ## What it does
    /// Reports `EXPOSE 80/TCP` and other protocols that are not lower-case.
    ///
    /// ## Why is this bad?
    /// Docker lower-cases the protocol anyway; writing it lower-case keeps the file consistent
    /// with what `docker inspect` shows.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80/TcP
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80/tcp
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the exposed port is the same.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit ExposeProtoCasing](https://docs.docker.com/reference/build-checks/expose-proto-casing/)
    pub struct ExposeProtoCasing {
        name: "expose-proto-casing",
        group: Style,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("ExposeProtoCasing"),
    }
}

impl RuleCheck for ExposeProtoCasing {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Expose) {
            for w in i.inst.arg_words() {
                if has_var(&w.text, cx.model.escape) {
                    continue;
                }
                let Some(slash) = w.text.find('/') else {
                    continue;
                };
                let proto = &w.text[slash + 1..];
                if proto == proto.to_ascii_lowercase() {
                    continue;
                }
                let range = word_sub_range(&i, w, &(slash + 1..w.text.len()), true);
                let lower = proto.to_ascii_lowercase();
                out.push(
                    Diagnostic::new(
                        meta,
                        range,
                        format!(
                            "Defined protocol '{}' in EXPOSE instruction should be lowercase",
                            w.text
                        ),
                    )
                    .note(format!("Write `{lower}`."))
                    .fix(Fix::replace(
                        format!("Write `{lower}`"),
                        range,
                        lower,
                        Applicability::Safe,
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nEXPOSE 80/TcP 53/UDP 8080\n";
        assert_eq!(flagged(&ExposeProtoCasing, t), ["TcP", "UDP"]);
        assert_eq!(
            fixed(&ExposeProtoCasing, t),
            "FROM a\nEXPOSE 80/tcp 53/udp 8080\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &ExposeProtoCasing,
            "FROM a\nEXPOSE 80/tcp 443 ${PORT}/${PROTO}\n"
        )
        .is_empty());
    }
}
