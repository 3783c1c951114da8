//! One version of one document, analysed: text, syntax tree, model, facts, settings, and the
//! diagnostics (computed once, on first use). Immutable and shareable across requests.

use std::sync::{Mutex, OnceLock};

use layerwise_analysis::{Model, ModelOptions};
use layerwise_lint::{Config, Diagnostic, Facts, LintContext};
use layerwise_syntax::{Dockerfile, ItemRef, TextRange};

pub struct Analysis {
    /// The document version this analysis is of (0 outside an editor).
    pub version: i32,
    /// The language server's generation of settings and facts this analysis was made with
    /// (0 outside the server): a newer one (a build context walked, settings changed) makes
    /// it stale although the text is the same.
    pub generation: u64,
    pub text: String,
    pub file: Dockerfile,
    pub model: Model,
    pub facts: Facts,
    pub config: Config,
    diagnostics: OnceLock<Vec<Diagnostic>>,
    /// Held while the diagnostics are being computed by either path, so a request that needs
    /// them waits for the lint already running (the stoppable one runs outside the `OnceLock`)
    /// instead of running a second one beside it on the other core.
    lint_gate: Mutex<()>,
}

impl Analysis {
    pub fn new(
        text: String,
        file: Dockerfile,
        options: ModelOptions,
        facts: Facts,
        config: Config,
    ) -> Self {
        let model = Model::build(&file, options);
        Self {
            version: 0,
            generation: 0,
            text,
            file,
            model,
            facts,
            config,
            diagnostics: OnceLock::new(),
            lint_gate: Mutex::new(()),
        }
    }

    /// Parses `text` from scratch (tests, the CLI).
    pub fn from_text(text: &str) -> Self {
        Self::new(
            text.to_string(),
            Dockerfile::parse(text),
            ModelOptions::default(),
            Facts::default(),
            Config::default(),
        )
    }

    pub fn lint_context(&self) -> LintContext<'_> {
        LintContext::new(&self.file, &self.text, &self.model, &self.facts)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        if let Some(d) = self.diagnostics.get() {
            return d;
        }
        let _gate = self.lint_gate.lock().unwrap_or_else(|p| p.into_inner());
        self.diagnostics
            .get_or_init(|| layerwise_lint::lint(&self.lint_context(), &self.config))
    }

    /// [`diagnostics`](Self::diagnostics), unless `stop` says to give up first (between two
    /// rules): then `None`, and nothing is cached, so a later call lints in full.
    pub fn diagnostics_unless(&self, stop: &(dyn Fn() -> bool + Sync)) -> Option<&[Diagnostic]> {
        if let Some(d) = self.diagnostics.get() {
            return Some(d);
        }
        let _gate = self.lint_gate.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(d) = self.diagnostics.get() {
            return Some(d); // another caller finished while this one waited
        }
        let found = layerwise_lint::engine::lint_unless(&self.lint_context(), &self.config, stop)?;
        Some(self.diagnostics.get_or_init(|| found))
    }

    pub fn slice(&self, r: TextRange) -> &str {
        self.text.get(r.as_usize()).unwrap_or("")
    }

    /// The item under `offset` (the previous one when `offset` is at the very end of a line
    /// that ends the item, so a cursor after the last character still counts).
    pub fn item_at(&self, offset: u32) -> Option<ItemRef<'_>> {
        let r = self.file.item_at(offset)?;
        if r.start == offset && offset > 0 {
            if let Some(prev) = self.file.item_at(offset - 1) {
                if !prev.text().ends_with('\n') {
                    return Some(prev);
                }
            }
        }
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopped_diagnostics_are_not_cached() {
        let a = Analysis::from_text("FROM scratch as base\nRUN sudo make\n");
        assert!(a.diagnostics_unless(&|| true).is_none());
        let full = format!("{:?}", a.diagnostics());
        assert!(a.diagnostics().len() >= 2, "{full}");
        // once computed, a stop request no longer matters
        let again = a.diagnostics_unless(&|| true);
        assert_eq!(format!("{:?}", again.unwrap_or_default()), full);
        let b = Analysis::from_text("FROM scratch as base\nRUN sudo make\n");
        let fresh = b.diagnostics_unless(&|| false);
        assert_eq!(format!("{:?}", fresh.unwrap_or_default()), full);
    }
}
