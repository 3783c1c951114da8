use layerwise_syntax::{Args, InstructionKind};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::{has_var, suggest};
use crate::rules::correctness::values::{signal_names, signal_ok};

declare_rule! {
    /// A `STOPSIGNAL` that is not a signal.
    ///
    /// ## What it does
    /// Checks `STOPSIGNAL` (without variables) against the Linux signals Docker knows: a name
    /// such as `SIGTERM`, `SIGQUIT` or `SIGRTMIN+3` (with or without `SIG`, any case), or a
    /// non-zero number. Windows Dockerfiles (backtick escape) are skipped: Windows has no
    /// stop signals.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `invalid signal`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// STOPSIGNAL SIGQUITT
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM nginx:1.27
    /// STOPSIGNAL SIGQUIT
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix uses the closest signal name, which may not be the one meant.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: STOPSIGNAL](https://docs.docker.com/reference/dockerfile/#stopsignal)
    pub struct InvalidStopSignal {
        name: "invalid-stop-signal",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for InvalidStopSignal {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        if cx.file.escape() == '`' {
            return;
        }
        for i in cx.of_kind(InstructionKind::Stopsignal) {
            let Args::Text(w) = &i.inst.args else {
                continue;
            };
            if has_var(&w.text, cx.model.escape) || signal_ok(&w.text) {
                continue;
            }
            let range = i.abs(w.range);
            let mut d = Diagnostic::new(meta, range, format!("invalid signal: {}", w.text))
                .note("Use a signal name such as SIGTERM or SIGQUIT, or its number.");
            let names: Vec<String> = signal_names().collect();
            let wanted = if w.text.to_ascii_uppercase().starts_with("SIG") {
                w.text.to_string()
            } else {
                format!("SIG{}", w.text)
            };
            if let Some(m) = suggest(&wanted, names.iter().map(String::as_str), false) {
                let m = m.to_ascii_uppercase();
                d = d.fix(Fix::replace(
                    format!("Replace with `{m}`"),
                    range,
                    m,
                    Applicability::Unsafe,
                ));
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
        let t = "FROM a\nSTOPSIGNAL SIGQUITT\n";
        assert_eq!(flagged(&InvalidStopSignal, t), ["SIGQUITT"]);
        assert_eq!(fixed(&InvalidStopSignal, t), "FROM a\nSTOPSIGNAL SIGQUIT\n");
        assert_eq!(flagged(&InvalidStopSignal, "FROM a\nSTOPSIGNAL 0\n"), ["0"]);
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &InvalidStopSignal,
            "FROM a\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL quit\nSTOPSIGNAL 9\nSTOPSIGNAL $SIG\n"
        )
        .is_empty());
    }
}
