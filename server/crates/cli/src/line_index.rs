//! Byte offsets to 1-based line and column (columns count characters), for CLI output.
//! Lines end at `\n` only (a lone `\r` does not end one), as in the snippet renderer.

pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self { starts }
    }

    /// The 0-based line that holds byte `offset` (offsets past the end are on the last line).
    pub fn line_of(&self, offset: usize) -> usize {
        // `starts[0]` is 0, so at least one start is `<= offset`.
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Where 0-based `line` starts; `None` past the last line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// `(line, column)`, both 1-based.
    pub fn position(&self, text: &str, offset: u32) -> (usize, usize) {
        let offset = (offset as usize).min(text.len());
        let line = self.line_of(offset);
        let start = self.line_start(line).unwrap_or(0);
        let col = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}
