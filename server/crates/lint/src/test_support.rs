//! Helpers for rule tests: lint a snippet with every rule enabled, look at one rule's findings,
//! apply its fixes.

use layerwise_analysis::{Model, ModelOptions};
use layerwise_syntax::Dockerfile;

use crate::config::{Config, Level};
use crate::context::{Facts, LintContext};
use crate::diagnostic::Diagnostic;
use crate::fixes::apply_fixes;
use crate::rule::Rule;

/// A config with every rule on at its default severity.
pub fn all_on() -> Config {
    let mut c = Config::default();
    for r in crate::rules::all() {
        c.rules
            .insert(r.meta().name.to_string(), Level::On(r.meta().severity));
    }
    c
}

pub fn lint_with(text: &str, facts: &Facts) -> Vec<Diagnostic> {
    let file = Dockerfile::parse(text);
    let model = Model::build(&file, ModelOptions::default());
    let cx = LintContext::new(&file, text, &model, facts);
    crate::engine::lint(&cx, &all_on())
}

/// Findings of one rule on `text` (all rules run, so suppressions behave as in real use).
pub fn findings(rule: &dyn Rule, text: &str) -> Vec<Diagnostic> {
    findings_with(rule, text, &Facts::default())
}

pub fn findings_with(rule: &dyn Rule, text: &str, facts: &Facts) -> Vec<Diagnostic> {
    lint_with(text, facts)
        .into_iter()
        .filter(|d| d.rule.name == rule.meta().name)
        .collect()
}

/// The text of each finding's range.
pub fn flagged<'a>(rule: &dyn Rule, text: &'a str) -> Vec<&'a str> {
    findings(rule, text)
        .iter()
        .map(|d| &text[d.range.as_usize()])
        .collect()
}

/// Applies the first fix of every finding of `rule` (unsafe ones too).
pub fn fixed(rule: &dyn Rule, text: &str) -> String {
    let ds = findings(rule, text);
    apply_fixes(text, ds.iter().filter_map(|d| d.fixes.first()), true).0
}
