//! Conversions between byte offsets (used everywhere inside) and LSP positions in the
//! negotiated encoding. Out-of-range positions clamp to the line or document end; a position
//! in the middle of a UTF-16 surrogate pair or a UTF-8 sequence rounds down to the character.

use ropey::Rope;

use crate::types::{Position, PositionEncodingKind, Range};
use layerwise_syntax::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    /// The first encoding the client offers that we speak (UTF-16 when it offers none).
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        for kind in offered.unwrap_or(&[]) {
            match kind.as_str() {
                "utf-8" => return Self::Utf8,
                "utf-32" => return Self::Utf32,
                "utf-16" => return Self::Utf16,
                _ => {}
            }
        }
        Self::Utf16
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
            Self::Utf32 => PositionEncodingKind::UTF32,
        }
    }
}

/// Length in bytes of line `line` without its line break.
fn line_content_bytes(rope: &Rope, line: usize) -> usize {
    let slice = rope.line(line);
    let mut len = slice.len_bytes();
    let mut chars = slice.chars_at(slice.len_chars());
    // strip one trailing "\n", "\r\n" or "\r"
    if let Some(c) = chars.prev() {
        if c == '\n' {
            len -= 1;
            if chars.prev() == Some('\r') {
                len -= 1;
            }
        } else if c == '\r' {
            len -= 1;
        }
    }
    len
}

pub fn offset_to_position(rope: &Rope, offset: u32, enc: Encoding) -> Position {
    let offset = (offset as usize).min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let line_start = rope.line_to_byte(line);
    let character = match enc {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 => {
            let c = rope.byte_to_char(offset);
            rope.char_to_utf16_cu(c) - rope.char_to_utf16_cu(rope.line_to_char(line))
        }
        Encoding::Utf32 => rope.byte_to_char(offset) - rope.line_to_char(line),
    };
    Position {
        line: line as u32,
        character: character as u32,
    }
}

pub fn position_to_offset(rope: &Rope, pos: Position, enc: Encoding) -> u32 {
    let line = pos.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes() as u32;
    }
    let line_start = rope.line_to_byte(line);
    let content = line_content_bytes(rope, line);
    let slice = rope.byte_slice(line_start..line_start + content);
    let col = pos.character as usize;
    let byte_in_line = match enc {
        Encoding::Utf8 => {
            let mut b = col.min(content);
            // round down to a character boundary
            while b > 0
                && slice.byte_to_char(b) == slice.byte_to_char(b - 1)
                && slice.char_to_byte(slice.byte_to_char(b)) != b
            {
                b -= 1;
            }
            slice.char_to_byte(slice.byte_to_char(b))
        }
        Encoding::Utf16 => {
            let cu = col.min(slice.len_utf16_cu());
            slice.char_to_byte(slice.utf16_cu_to_char(cu))
        }
        Encoding::Utf32 => slice.char_to_byte(col.min(slice.len_chars())),
    };
    (line_start + byte_in_line) as u32
}

pub fn to_lsp_range(rope: &Rope, r: TextRange, enc: Encoding) -> Range {
    Range {
        start: offset_to_position(rope, r.start, enc),
        end: offset_to_position(rope, r.end, enc),
    }
}

pub fn from_lsp_range(rope: &Rope, r: Range, enc: Encoding) -> TextRange {
    let a = position_to_offset(rope, r.start, enc);
    let b = position_to_offset(rope, r.end, enc);
    TextRange::new(a.min(b), a.max(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_in_every_encoding() {
        let text = "FROM a\r\nRUN echo \u{1F600} é\rCMD x\nlast";
        let rope = Rope::from_str(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (i, _) in text
                .char_indices()
                .chain(std::iter::once((text.len(), ' ')))
            {
                if text[..i].ends_with('\r') && text[i..].starts_with('\n') {
                    continue; // between CR and LF is not a position
                }
                let p = offset_to_position(&rope, i as u32, enc);
                assert_eq!(
                    position_to_offset(&rope, p, enc),
                    i as u32,
                    "{enc:?} at {i}"
                );
            }
        }
    }

    #[test]
    fn utf16_columns_and_clamping() {
        let rope = Rope::from_str("RUN \u{1F600}x\nB\n");
        // the emoji is 2 UTF-16 code units, 4 bytes
        assert_eq!(
            offset_to_position(&rope, 8, Encoding::Utf16),
            Position {
                line: 0,
                character: 6
            }
        );
        // middle of the surrogate pair rounds down to the emoji
        assert_eq!(
            position_to_offset(
                &rope,
                Position {
                    line: 0,
                    character: 5
                },
                Encoding::Utf16
            ),
            4
        );
        // past the end of a line clamps to the line end; past the last line to the end
        assert_eq!(
            position_to_offset(
                &rope,
                Position {
                    line: 0,
                    character: 99
                },
                Encoding::Utf16
            ),
            9
        );
        assert_eq!(
            position_to_offset(
                &rope,
                Position {
                    line: 9,
                    character: 0
                },
                Encoding::Utf16
            ),
            12
        );
        // CR-only line breaks count, as in LSP
        let rope = Rope::from_str("a\rb");
        assert_eq!(
            offset_to_position(&rope, 2, Encoding::Utf16),
            Position {
                line: 1,
                character: 0
            }
        );
    }
}
