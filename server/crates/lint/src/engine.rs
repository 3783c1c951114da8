//! Runs the enabled rules, applies configured severities and suppressions, and reports
//! suppressions that silenced nothing.

use crate::config::Config;
use crate::context::LintContext;
use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::suppress::{self, Suppression};

/// All findings for one file, sorted by position.
pub fn lint(cx: &LintContext<'_>, config: &Config) -> Vec<Diagnostic> {
    let mut raw = Vec::new();
    for rule in rules::all() {
        let Some(severity) = config.severity_of(rule.meta()) else {
            continue;
        };
        let start = raw.len();
        rule.check(cx, &mut raw);
        for d in &mut raw[start..] {
            d.severity = severity;
        }
    }
    let suppressions = suppress::collect(cx.file, cx.model);
    let mut used = vec![false; suppressions.len()];
    raw.retain(|d| {
        let hit = suppressions.iter().position(|s| {
            let by_directive_ok = !s.from_directive
                || d.rule.buildkit.is_some()
                || s.codes.iter().any(|c| c == "all");
            by_directive_ok && s.covers(d.rule, d.range)
        });
        if let Some(i) = hit {
            used[i] = true;
        }
        hit.is_none()
    });
    if let Some(severity) =
        config.severity_of(&crate::rules::nursery::unused_suppression::UnusedSuppression::META)
    {
        for (s, used) in suppressions.iter().zip(used) {
            if !used && !s.from_directive && !s.codes.iter().any(|c| c == "all") {
                raw.push(unused(s, severity));
            }
        }
    }
    raw.sort_by_key(|d| (d.range.start, d.range.end, d.rule.name));
    raw
}

fn unused(s: &Suppression, severity: crate::diagnostic::Severity) -> Diagnostic {
    static META: crate::rule::RuleMeta =
        crate::rules::nursery::unused_suppression::UnusedSuppression::META;
    let mut d = Diagnostic::new(
        &META,
        s.comment,
        format!("This suppression silences nothing ({})", s.codes.join(", ")),
    )
    .note("Remove it, or check the rule names: a stale suppression hides the next real problem.")
    .fix(crate::diagnostic::Fix::safe(
        "Remove the unused suppression",
        vec![crate::diagnostic::Edit {
            range: s.comment,
            text: String::new(),
        }],
    ));
    d.severity = severity;
    d
}
