//! Converting many byte offsets to LSP positions at once: sort them, walk the text once. An
//! answer with thousands of ranges (the outline, folds, formatting edits of a 10,000-line
//! file) then costs one pass instead of a rope lookup per offset.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as in the rope used everywhere else.

use crate::position::Encoding;
use crate::types::{Position, Range};
use layerwise_syntax::TextRange;

pub struct Positions {
    offsets: Vec<u32>,
    positions: Vec<Position>,
}

impl Positions {
    /// Positions of `offsets` (any order, duplicates allowed) in `text`.
    pub fn new(text: &str, mut offsets: Vec<u32>, enc: Encoding) -> Self {
        offsets.sort_unstable();
        offsets.dedup();
        let b = text.as_bytes();
        let mut positions = Vec::with_capacity(offsets.len());
        let (mut line, mut line_start, mut scanned) = (0u32, 0usize, 0usize);
        // a known (byte, column) on the current line
        let mut anchor = (0usize, 0u32);
        for &o in &offsets {
            let mut o = (o as usize).min(b.len());
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            while scanned < o {
                let breaks = match b[scanned] {
                    b'\n' => true,
                    b'\r' => b.get(scanned + 1) != Some(&b'\n'),
                    _ => false,
                };
                scanned += 1;
                if breaks {
                    line += 1;
                    line_start = scanned;
                    anchor = (line_start, 0);
                }
            }
            let from = anchor.0.max(line_start).min(o);
            let col = anchor.1 + width(&text[from..o], enc);
            anchor = (o, col);
            positions.push(Position {
                line,
                character: col,
            });
        }
        Self { offsets, positions }
    }

    pub fn get(&self, offset: u32) -> Position {
        match self.offsets.binary_search(&offset) {
            Ok(i) => self.positions[i],
            // not asked for: the nearest known position before it (never happens in use)
            Err(i) => self
                .positions
                .get(i.saturating_sub(1))
                .copied()
                .unwrap_or_default(),
        }
    }

    pub fn range(&self, r: TextRange) -> Range {
        Range {
            start: self.get(r.start),
            end: self.get(r.end),
        }
    }
}

fn width(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(|c| c.len_utf16() as u32).sum(),
        Encoding::Utf32 => s.chars().count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::position::offset_to_position;

    #[test]
    fn agrees_with_the_rope_everywhere() {
        let text = "FROM a\r\nRUN \u{1F600} é\rCMD x\n\nlast\u{10000}";
        let rope = ropey::Rope::from_str(text);
        let all: Vec<u32> = (0..=text.len() as u32)
            .filter(|&o| text.is_char_boundary(o as usize))
            .collect();
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let p = Positions::new(text, all.iter().rev().copied().collect(), enc);
            for &o in &all {
                assert_eq!(
                    p.get(o),
                    offset_to_position(&rope, o, enc),
                    "{enc:?} at {o}"
                );
            }
        }
    }
}
