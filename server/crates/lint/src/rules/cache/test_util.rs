//! Runs one rule directly, whether or not it is in the rule table: rules that need facts
//! (a build context, a `.dockerignore`) are tested this way until the docs test can give
//! their examples facts.

use layerwise_analysis::{Model, ModelOptions};
use layerwise_syntax::Dockerfile;

use crate::context::{Facts, LintContext};
use crate::diagnostic::Diagnostic;
use crate::rule::Rule;

pub(crate) fn run(rule: &dyn Rule, text: &str, facts: &Facts) -> Vec<Diagnostic> {
    let file = Dockerfile::parse(text);
    let model = Model::build(&file, ModelOptions::default());
    let cx = LintContext::new(&file, text, &model, facts);
    let mut out = Vec::new();
    rule.check(&cx, &mut out);
    out
}
