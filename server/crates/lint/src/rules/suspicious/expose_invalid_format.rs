use layerwise_syntax::InstructionKind;

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::has_var;

declare_rule! {
    /// `EXPOSE` with an IP address or a host port.
    ///
    /// ## What it does
    /// Reports `EXPOSE 8080:80` and `EXPOSE 127.0.0.1:80:80`.
    ///
    /// ## Why is this bad?
    /// `EXPOSE` documents the ports the container listens on; publishing to a host port or
    /// address happens at `docker run -p`. Docker keeps only the container port and ignores
    /// the rest, and BuildKit will turn this into an error in a future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 127.0.0.1:8080:80
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// EXPOSE 80
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix keeps only the container port, which is all Docker records.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit ExposeInvalidFormat](https://docs.docker.com/reference/build-checks/expose-invalid-format/)
    pub struct ExposeInvalidFormat {
        name: "expose-invalid-format",
        group: Suspicious,
        severity: Warning,
        fix: Always,
        hadolint: [],
        buildkit: Some("ExposeInvalidFormat"),
    }
}

impl RuleCheck for ExposeInvalidFormat {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.of_kind(InstructionKind::Expose) {
            for w in i.inst.arg_words() {
                if has_var(&w.text, cx.model.escape) {
                    continue;
                }
                let Some((_, container)) = w.text.rsplit_once(':') else {
                    continue;
                };
                let range = i.abs(w.range);
                let mut d = Diagnostic::new(meta, range, format!("EXPOSE instruction should not define an IP address or host-port mapping, found '{}'", w.text))
                    .note("Only the container port is recorded; publish host ports with `docker run -p`.");
                if !container.is_empty() && cx.slice(range) == &*w.text {
                    d = d.fix(Fix::replace(
                        format!("Keep only `{container}`"),
                        range,
                        container.to_string(),
                        Applicability::Safe,
                    ));
                }
                out.push(d);
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
        let t = "FROM a\nEXPOSE 127.0.0.1:80:80 8080:80/udp 443\n";
        assert_eq!(
            flagged(&ExposeInvalidFormat, t),
            ["127.0.0.1:80:80", "8080:80/udp"]
        );
        assert_eq!(
            fixed(&ExposeInvalidFormat, t),
            "FROM a\nEXPOSE 80 80/udp 443\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &ExposeInvalidFormat,
            "FROM a\nEXPOSE 80 443/tcp 8000-8010 ${HOST}:${PORT}\n"
        )
        .is_empty());
    }
}
