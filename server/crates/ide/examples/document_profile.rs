//! Times each whole-document answer the server gives after an open, on one file, so a size
//! that grows faster than linearly shows which answer causes it:
//! `document_profile FILE [ONLY]` prints the wall time of the analysis, diagnostics, size
//! estimate, outline, semantic tokens, code lenses, inlay hints, folding, document links,
//! code actions over the whole file and formatting. With ONLY (one of those names) it runs just that answer, for callgrind
//! (`diagnostics` alone is what an open costs: the analysis and the lint, no size estimate).

mod support;

use std::time::Instant;

use layerwise_ide::code_actions::code_actions;
use layerwise_ide::code_lens::code_lenses;
use layerwise_ide::document_links::document_links;
use layerwise_ide::folding::folding_ranges;
use layerwise_ide::formatting::format_document;
use layerwise_ide::inlay_hints::inlay_hints;
use layerwise_ide::outline::document_symbols;
use layerwise_ide::semantic_tokens::semantic_tokens;
use layerwise_ide::sizes::{estimate, SizeInputs};
use layerwise_ide::Analysis;
use layerwise_syntax::TextRange;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        support::usage_exit("usage: document_profile FILE [ONLY]");
    };
    let text = support::read_text(path);
    let only = args.get(1).map(String::as_str);
    let run = |name: &str| only.is_none_or(|o| o == name);
    let all = TextRange::new(0, text.len() as u32);
    let timed = |name: &str, f: &mut dyn FnMut() -> usize| {
        let t = Instant::now();
        let n = f();
        println!("{name:>12} {:>12.3?} ({n} items)", t.elapsed());
    };
    let mut a = None;
    timed("analysis", &mut || {
        a = Some(Analysis::from_text(&text));
        1
    });
    let Some(a) = a else { return };
    if run("diagnostics") {
        timed("diagnostics", &mut || a.diagnostics().len());
    }
    if only == Some("diagnostics") {
        return; // what an open costs: no size estimate
    }
    let mut sizes = None;
    timed("sizes", &mut || {
        sizes = Some(estimate(&a, &SizeInputs::default()));
        1
    });
    let Some(sizes) = sizes else { return };
    if run("outline") {
        timed("outline", &mut || document_symbols(&a).len());
    }
    if run("tokens") {
        timed("tokens", &mut || semantic_tokens(&a, None).len());
    }
    if run("lenses") {
        timed("lenses", &mut || code_lenses(&a, &sizes).len());
    }
    if run("hints") {
        timed("hints", &mut || inlay_hints(&a, &sizes, all).len());
    }
    if run("folding") {
        timed("folding", &mut || folding_ranges(&a).len());
    }
    if run("links") {
        timed("links", &mut || document_links(&a).len());
    }
    if run("actions") {
        // the server has the findings from the open before any code action is asked for
        let _ = a.diagnostics();
        timed("actions", &mut || code_actions(&a, all).len());
    }
    if run("format") {
        timed("format", &mut || format_document(&a).len());
    }
}
