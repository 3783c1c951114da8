//! How many items one answer about a whole document may list (outline symbols, inlay hints,
//! code lenses), and the outline's cut.
//!
//! The framework turns every answer into a `serde_json::Value` tree before writing it, about
//! 4 KB per item here (18 times the item's JSON text): 80,000 outline symbols took the
//! server from 280 MB to 620 MB, 160,000 inlay hints to 740 MB (release build, F16). A real
//! Dockerfile has a few hundred instructions at most, and an editor's outline, hint or lens
//! list is not read past a few thousand, so answers stop at [`MAX_ITEMS`] and end with one
//! item that says how many were left out — never a silent cut.

use layerwise_ide::outline::OutlineSymbol;

/// Most items one answer lists (about 20 MB of server memory at the figure above).
pub const MAX_ITEMS: usize = 5_000;

/// What [`cut_outline`] left out: how many symbols, and where the first of them starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub symbols: usize,
    pub from: u32,
}

/// Keeps the first `max` symbols of `syms` in outline order (a stage, then its instructions,
/// then the next stage); `None` when nothing had to go. A stage whose instructions do not
/// all fit keeps those that do.
pub fn cut_outline(syms: &mut Vec<OutlineSymbol>, max: usize) -> Option<Cut> {
    let mut budget = max;
    let mut first = None;
    let symbols = cut(syms, &mut budget, &mut first);
    first.map(|from| Cut { symbols, from })
}

fn cut(syms: &mut Vec<OutlineSymbol>, budget: &mut usize, first: &mut Option<u32>) -> usize {
    let mut cut_count = 0;
    let mut keep = syms.len();
    for (i, s) in syms.iter_mut().enumerate() {
        if *budget == 0 {
            keep = keep.min(i);
            first.get_or_insert(s.range.start);
            cut_count += count(s);
            continue;
        }
        *budget -= 1;
        cut_count += cut(&mut s.children, budget, first);
    }
    syms.truncate(keep);
    cut_count
}

/// A symbol and all it contains.
fn count(s: &OutlineSymbol) -> usize {
    1 + s.children.iter().map(count).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(syms: &[OutlineSymbol]) -> Vec<String> {
        syms.iter()
            .flat_map(|s| std::iter::once(s.name.clone()).chain(names(&s.children)))
            .collect()
    }

    #[test]
    fn the_outline_is_cut_in_outline_order() {
        let text = "ARG V=1\nFROM a AS one\nRUN x\nRUN y\nFROM b AS two\nRUN z\n";
        let a = layerwise_ide::Analysis::from_text(text);
        let all = layerwise_ide::outline::document_symbols(&a);
        let every = names(&all);
        assert_eq!(every.len(), 6, "{every:?}");
        for max in 0..=7 {
            let mut syms = all.clone();
            let cut = cut_outline(&mut syms, max);
            let kept = names(&syms);
            assert_eq!(kept, every[..max.min(6)], "max {max}");
            assert_eq!(cut.map_or(0, |c| c.symbols), 6 - max.min(6), "max {max}");
        }
        // the cut starts where the first symbol left out does: `RUN y` after 3 symbols
        let mut syms = all.clone();
        let cut = cut_outline(&mut syms, 3);
        assert_eq!(cut.map(|c| c.from), text.find("RUN y").map(|o| o as u32));
        let mut syms = all;
        assert_eq!(cut_outline(&mut syms, 6), None);
    }
}
