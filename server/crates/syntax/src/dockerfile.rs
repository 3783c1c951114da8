//! The parsed file and its incremental reparse.
//!
//! A [`Dockerfile`] is a sequence of items with their start offsets. Parsing is lexing items
//! one after another from the start. After an edit, items are re-lexed from the first item the
//! edit touches until an item boundary in the new text lines up with an old boundary after the
//! edit; the old items from there on are reused (only their start offsets move). Because item
//! boundaries depend only on the escape character and on the directive header, that result is
//! the same as a full parse (invariant 2). An edit in the directive header or the item after it
//! re-lexes from the start of the file through the old header's end, and is kept only when the
//! header still ends inside that region with the same escape character; else the whole file
//! is parsed again.

use std::sync::Arc;

use crate::ast::Instruction;
use crate::full_parse::{lex_file, two_threads_allowed, Lexed, TWO_THREADS_FROM};
use crate::item::{lex_item, Item, ItemKind, LexState};
use crate::{SyntaxError, TextRange};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    items: Vec<Arc<Item>>,
    starts: Vec<u32>,
    len: u32,
    escape: u8,
    /// Number of leading directive items.
    header_len: usize,
}

/// An item together with where it starts in the file.
#[derive(Debug, Clone, Copy)]
pub struct ItemRef<'a> {
    pub index: usize,
    pub start: u32,
    pub item: &'a Item,
}

impl<'a> ItemRef<'a> {
    /// The item's range in the file.
    pub fn range(&self) -> TextRange {
        TextRange::new(self.start, self.start + self.item.len())
    }

    /// Converts a range relative to this item into a file range.
    pub fn abs(&self, r: TextRange) -> TextRange {
        r.shifted(self.start)
    }

    /// Converts a file offset into one relative to this item (saturating).
    pub fn rel(&self, offset: u32) -> u32 {
        offset.saturating_sub(self.start)
    }

    pub fn text(&self) -> &'a str {
        self.item.text()
    }

    /// The text of a relative range.
    pub fn slice(&self, r: TextRange) -> &'a str {
        self.item.text().get(r.as_usize()).unwrap_or("")
    }

    pub fn instruction(&self) -> Option<&'a Instruction> {
        self.item.instruction()
    }
}

/// How big a file may grow before the parser stops at an item boundary: the protocol and the
/// CLI cap documents well below this; the cap keeps offsets inside `u32`.
pub const MAX_LEN: usize = (u32::MAX / 2) as usize;

impl Dockerfile {
    /// Parses a whole file. Never fails: problems are recorded as [`SyntaxError`]s.
    pub fn parse(text: &str) -> Self {
        let two_threads_from = if two_threads_allowed() {
            TWO_THREADS_FROM
        } else {
            usize::MAX
        };
        Self::parse_with(text, two_threads_from)
    }

    /// [`Dockerfile::parse`] with the second lexing thread used from any size, for tests:
    /// the tree must equal [`Dockerfile::parse_on_one_thread`]'s.
    #[doc(hidden)]
    pub fn parse_on_two_threads(text: &str) -> Self {
        Self::parse_with(text, 0)
    }

    /// [`Dockerfile::parse`] without the second lexing thread, for tests and benchmarks.
    #[doc(hidden)]
    pub fn parse_on_one_thread(text: &str) -> Self {
        Self::parse_with(text, usize::MAX)
    }

    fn parse_with(text: &str, two_threads_from: usize) -> Self {
        let text = truncate_to_max(text);
        let Lexed {
            items,
            starts,
            escape,
        } = lex_file(text, two_threads_from);
        let header_len = items
            .iter()
            .take_while(|i| i.kind == ItemKind::Directive)
            .count();
        Self {
            items,
            starts,
            len: text.len() as u32,
            escape,
            header_len,
        }
    }

    /// The length of the text in bytes.
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The escape character in force (`\` or `` ` ``).
    pub fn escape(&self) -> char {
        self.escape as char
    }

    /// The whole text, rebuilt from the items.
    pub fn text(&self) -> String {
        let mut s = String::with_capacity(self.len as usize);
        for i in &self.items {
            s.push_str(i.text());
        }
        s
    }

    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    pub fn items(&self) -> impl DoubleEndedIterator<Item = ItemRef<'_>> + ExactSizeIterator + '_ {
        self.items
            .iter()
            .zip(&self.starts)
            .enumerate()
            .map(|(index, (item, &start))| ItemRef { index, start, item })
    }

    pub fn item(&self, index: usize) -> Option<ItemRef<'_>> {
        Some(ItemRef {
            index,
            start: *self.starts.get(index)?,
            item: self.items.get(index)?,
        })
    }

    /// The item containing `offset`; the last item for the end of the file.
    pub fn item_at(&self, offset: u32) -> Option<ItemRef<'_>> {
        if self.items.is_empty() {
            return None;
        }
        let i = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        self.item(i)
    }

    /// Instructions in order, with their items.
    pub fn instructions(&self) -> impl Iterator<Item = (ItemRef<'_>, &Instruction)> + '_ {
        self.items()
            .filter_map(|r| r.item.instruction().map(|i| (r, i)))
    }

    /// Parser directives at the top of the file.
    pub fn directives(&self) -> impl Iterator<Item = (ItemRef<'_>, &crate::Directive)> + '_ {
        self.items()
            .take(self.header_len)
            .filter_map(|r| r.item.directive().map(|d| (r, d)))
    }

    /// Every syntax error, with file ranges, in order.
    pub fn errors(&self) -> Vec<SyntaxError> {
        let mut out: Vec<SyntaxError> = self
            .items()
            .flat_map(|r| {
                r.item.errors().iter().map(move |e| SyntaxError {
                    range: r.abs(e.range),
                    message: e.message.clone(),
                })
            })
            .collect();
        if !self.items.iter().any(|i| i.kind == ItemKind::Instruction) {
            out.push(SyntaxError {
                range: TextRange::empty(self.len),
                message: "file with no instructions".into(),
            });
        }
        out
    }

    /// Applies an edit (replace `range` of the old text with `insert`) and re-parses only what
    /// it affects. The result equals `Dockerfile::parse` of the new text.
    pub fn edit(&mut self, range: TextRange, insert: &str) {
        match self.relex(range, insert) {
            Relexed::Whole(text) => *self = Self::parse(&text),
            Relexed::Splice(splice) => self.splice(splice),
        }
    }

    /// What [`Dockerfile::edit`] would change, without changing the tree: the old items it
    /// replaces and the new ones, lexed as the edit would lex them. A check of one edit
    /// (does this quick fix add a syntax error?) then looks at those items only, instead of
    /// copying and walking the whole tree (each a pass over up to two million items at the
    /// server's size cap).
    pub fn preview_edit(&self, range: TextRange, insert: &str) -> EditPreview<'_> {
        match self.relex(range, insert) {
            Relexed::Whole(text) => EditPreview::Whole(Box::new(Self::parse(&text))),
            Relexed::Splice(splice) => EditPreview::Items {
                at: splice.first,
                old: &self.items[splice.first..splice.next_old],
                new: splice.new_items.into_iter().map(|(_, item)| item).collect(),
            },
        }
    }

    /// Re-lexes what an edit affects: the new items and which old ones they replace, or the
    /// whole new text when the edit changes how the whole file reads.
    fn relex(&self, range: TextRange, insert: &str) -> Relexed {
        let start = range.start.min(self.len);
        let end = range.end.clamp(start, self.len);
        if self.len as usize - (end - start) as usize + insert.len() > MAX_LEN {
            let mut text = self.text();
            text.replace_range(start as usize..end as usize, insert);
            return Relexed::Whole(text);
        }
        // The first item whose lexing the edit can change.
        let mut first = self
            .starts
            .partition_point(|&s| s <= start)
            .saturating_sub(1);
        if first > 0 && self.starts[first] == start && !self.items[first - 1].text().ends_with('\n')
        {
            first -= 1;
        }
        if self.items.is_empty() {
            return Relexed::Whole(insert.to_string());
        }
        // An edit in the parser directives or the item after them (typing in the first line)
        // re-lexes from the start of the file through the old header's end, and is kept only
        // if the header still ends inside that region with the same escape character: the
        // items after it were lexed with that escape, outside the header. Else a full parse.
        let from_file_start = first <= self.header_len;
        if from_file_start {
            first = 0;
        }
        let mut last = if end > start {
            self.starts
                .partition_point(|&s| s < end)
                .saturating_sub(1)
                .max(first)
        } else {
            first
        };
        if from_file_start {
            last = last.max(self.header_len).min(self.items.len() - 1);
        }

        let region_start = self.starts[first] as usize;
        let mut region = String::new();
        for item in &self.items[first..=last] {
            region.push_str(item.text());
        }
        let old_region_len = region.len();
        region.replace_range(
            start as usize - region_start..end as usize - region_start,
            insert,
        );
        let new_len_of_edit = region.len() as i64 - old_region_len as i64;

        let mut next_old = last + 1;
        let mut new_items: Vec<(u32, Arc<Item>)> = Vec::new();
        let mut pos = 0usize;
        let mut extensions = 0;
        // escape and "still in the header" after re-lexing from the start of the file
        let mut header_after: Option<(u8, bool)> = None;
        let mut st = if from_file_start {
            LexState::default()
        } else {
            LexState {
                escape: self.escape,
                in_header: false,
                seen_directives: Vec::new(),
                // mid-file: a U+FEFF here is no byte-order mark
                at_file_start: false,
            }
        };
        // the state before the last item lexed: an item reopened with more text is lexed
        // again from it (in the header too, where it may be a directive)
        let mut before_last = st.clone();
        loop {
            while pos < region.len() {
                before_last = st.clone();
                let (item, e) = lex_item(&region, pos, &mut st);
                new_items.push(((region_start + pos) as u32, Arc::new(item)));
                pos = e;
            }
            if from_file_start {
                header_after = Some((st.escape, st.in_header));
            }
            let open = new_items.last().is_some_and(|(_, i)| i.open_end);
            if !open || next_old >= self.items.len() {
                break;
            }
            // The last item ran into the end of the region while it wanted more (an open
            // continuation or heredoc): give it the following old item(s) and lex it again.
            // After a few rounds take everything, so an unterminated heredoc stays linear.
            if let Some((reopen_at, _)) = new_items.pop() {
                pos = reopen_at as usize - region_start;
                st = before_last.clone();
            }
            extensions += 1;
            let take = if extensions > 8 {
                self.items.len() - next_old
            } else {
                1
            };
            for item in &self.items[next_old..next_old + take] {
                region.push_str(item.text());
            }
            next_old += take;
        }

        if let Some((escape, in_header)) = header_after {
            if escape != self.escape || in_header {
                let mut text = self.text();
                text.replace_range(start as usize..end as usize, insert);
                return Relexed::Whole(text);
            }
        }
        Relexed::Splice(Splice {
            first,
            next_old,
            new_items,
            // items appended to the region keep their length: the tail moves by the edit's delta
            delta: new_len_of_edit,
            from_file_start,
        })
    }

    /// Puts re-lexed items in place of the old ones they replace.
    fn splice(&mut self, splice: Splice) {
        let Splice {
            first,
            next_old,
            new_items,
            delta,
            from_file_start,
        } = splice;
        let tail_shift = |s: u32| (s as i64 + delta) as u32;
        let mut starts: Vec<u32> = Vec::with_capacity(self.starts.len() + new_items.len());
        let mut items: Vec<Arc<Item>> = Vec::with_capacity(starts.capacity());
        // Reuse the vectors: splice the middle, shift the tail.
        starts.extend_from_slice(&self.starts[..first]);
        items.extend(self.items.drain(..first));
        for (s, i) in new_items {
            starts.push(s);
            items.push(i);
        }
        let tail_from = next_old - first; // index into the drained remainder
        items.extend(self.items.drain(..).skip(tail_from));
        starts.extend(self.starts[next_old..].iter().map(|&s| tail_shift(s)));
        self.items = items;
        self.starts = starts;
        self.len = (self.len as i64 + delta) as u32;
        if from_file_start {
            self.header_len = self
                .items
                .iter()
                .take_while(|i| i.kind == ItemKind::Directive)
                .count();
        }
    }
}

/// What [`Dockerfile::preview_edit`] found an edit would change.
#[derive(Debug)]
pub enum EditPreview<'a> {
    /// The edit changes how the whole file reads (the parser directives' escape character,
    /// or the size limit): the whole new tree.
    Whole(Box<Dockerfile>),
    /// The edit replaces the `old` items (consecutive from index `at`, possibly none) with
    /// the `new` ones; every other item stays as it is.
    Items {
        at: usize,
        old: &'a [Arc<Item>],
        new: Vec<Arc<Item>>,
    },
}

/// The result of re-lexing for an edit.
enum Relexed {
    /// Parse this new text whole.
    Whole(String),
    Splice(Splice),
}

/// New items for old items `first..next_old`, the later items' shift, and whether the
/// header was re-lexed (its length is then counted again).
struct Splice {
    first: usize,
    next_old: usize,
    new_items: Vec<(u32, Arc<Item>)>,
    delta: i64,
    from_file_start: bool,
}

fn truncate_to_max(text: &str) -> &str {
    if text.len() <= MAX_LEN {
        return text;
    }
    let mut end = MAX_LEN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Typing in the first line (most files begin with `FROM`) keeps the rest of the tree:
    /// only a change of the parser directives' escape character re-lexes everything.
    #[test]
    fn an_edit_in_the_first_line_relexes_only_the_start() {
        let text = "FROM a\nRUN b \\\n  c\n".repeat(50);
        let mut file = Dockerfile::parse(&text);
        let before: Vec<*const Item> = file.items.iter().map(Arc::as_ptr).collect();
        file.edit(TextRange::new(6, 6), ":1");
        let after: Vec<*const Item> = file.items.iter().map(Arc::as_ptr).collect();
        assert_eq!(before.len(), after.len());
        assert_ne!(before[0], after[0]);
        assert_eq!(
            before[2..],
            after[2..],
            "items after the first were lexed again"
        );
        // a new escape directive changes every item after it
        file.edit(TextRange::new(0, 0), "# escape=`\n");
        let mut expected = text.clone();
        expected.replace_range(6..6, ":1");
        expected.insert_str(0, "# escape=`\n");
        assert_eq!(file, Dockerfile::parse(&expected));
        assert_eq!(file.escape(), '`');
    }

    /// A preview names exactly the items the edit then replaces, and what replaces them.
    #[test]
    fn a_preview_is_what_the_edit_does() {
        let texts = [
            "FROM a\nRUN b \\\n  c\nENV x=1\n",
            "# escape=`\nFROM a\nRUN b `\n  c\n",
            "FROM a\nRUN <<EOF\nx\nEOF\nCOPY . .\n",
            "",
        ];
        let inserts = [
            "",
            "x",
            "\n",
            " \\\n",
            "<<E\n",
            "# escape=`\n",
            "EOF\n",
            "FROM b\n",
        ];
        for text in texts {
            let file = Dockerfile::parse(text);
            for start in 0..=text.len() {
                for end in start..=text.len().min(start + 3) {
                    for insert in inserts {
                        let range = TextRange::from_usize(start, end);
                        let mut edited = file.clone();
                        edited.edit(range, insert);
                        match file.preview_edit(range, insert) {
                            EditPreview::Whole(whole) => assert_eq!(*whole, edited),
                            EditPreview::Items { at, old, new } => {
                                let mut expected = file.items[..at].to_vec();
                                expected.extend(new);
                                expected.extend_from_slice(&file.items[at + old.len()..]);
                                assert_eq!(expected, edited.items, "{text:?} {range:?} {insert:?}");
                                assert!(std::ptr::eq(old.as_ptr(), file.items[at..].as_ptr()));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Reliability finding F1: an item after the first that starts with U+FEFF was re-lexed as
    /// if it began the file, and the character was taken for a byte-order mark.
    #[test]
    fn feff_after_the_start_is_not_a_bom_when_relexed() {
        for (text, at, insert) in [
            ("\n\u{feff}", 4, ""),
            ("\n\u{feff}", 4, "x"),
            ("FROM a\n\u{feff}", 10, "RUN x"),
            ("FROM a\n\u{feff}RUN b\n", 10, " "),
        ] {
            let mut file = Dockerfile::parse(text);
            file.edit(TextRange::empty(at), insert);
            let mut new_text = text.to_string();
            new_text.insert_str(at as usize, insert);
            let full = Dockerfile::parse(&new_text);
            assert_eq!(file, full, "{text:?} + {insert:?} at {at}");
            // the U+FEFF stays part of an instruction word, as BuildKit reads it
            let last = full.item(full.item_count() - 1).unwrap();
            assert_eq!(last.item.kind, ItemKind::Instruction, "{new_text:?}");
        }
        // at the very start it is still the byte-order mark
        let file = Dockerfile::parse("\u{feff}FROM a\n");
        assert_eq!(
            file.instructions().next().unwrap().1.keyword.text.as_str(),
            "FROM"
        );
    }
}
