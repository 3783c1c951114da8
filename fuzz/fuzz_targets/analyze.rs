//! The model, every rule (all enabled), and their fixes never panic; fixes keep the file free
//! of new syntax errors; hover and completion at every position never panic.
#![no_main]

use layerwise_ide::completion::{complete, NoImages};
use layerwise_ide::{hover::hover, Analysis};
use layerwise_lint::{fixes::apply_fixes, Config, Level};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    if text.len() > 4096 {
        return;
    }
    let mut analysis = Analysis::from_text(&text);
    let mut config = Config::default();
    for r in layerwise_lint::rules::all() {
        config.rules.insert(r.meta().name.to_string(), Level::On(r.meta().severity));
    }
    analysis.config = config;
    let diags = analysis.diagnostics();
    let before = analysis.file.errors().len();
    let (fixed, _) = apply_fixes(&text, diags.iter().flat_map(|d| d.fixes.first()), true);
    let after = layerwise_syntax::Dockerfile::parse(&fixed).errors().len();
    assert!(after <= before, "fixes introduced syntax errors");
    for offset in (0..=text.len() as u32).step_by(7) {
        let _ = hover(&analysis, offset);
        let _ = complete(&analysis, offset, true, &NoImages);
    }
});
