//! Lexing a whole file into items, on two threads when the file is big.
//!
//! Once the directive header is behind, the lexer's state no longer changes (the escape
//! character is fixed, directives are no longer recognised, a U+FEFF is no longer a byte-order
//! mark), so the item that starts at a given offset is the same whoever lexes it. A big file
//! is therefore lexed from the front on the calling thread while a second thread lexes from a
//! line start near the middle. The second thread may have started inside an item (a
//! continuation line, a here-document body): its items are used only from the first offset
//! the front reaches exactly, and the front keeps lexing until it does — to the end of the
//! file if it never does (an unterminated here-document). The result is the same item list as
//! lexing from the start on one thread, which the tests check on the corpus and on random text.

use std::sync::Arc;

use crate::item::{lex_item, Item, LexState};

/// Files below this size are lexed on one thread: the second thread costs tens of
/// microseconds to start, and a 64 KiB file lexes in about a quarter of a millisecond.
pub(crate) const TWO_THREADS_FROM: usize = 64 * 1024;

static TWO_THREADS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether big files may be lexed on two threads (default yes). A caller that already runs
/// one parse per core (`layerwise check` on many files, or `--jobs 1`) turns it off, so the
/// process uses the threads it was asked for.
pub fn allow_two_threads(allowed: bool) {
    TWO_THREADS.store(allowed, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn two_threads_allowed() -> bool {
    TWO_THREADS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Items of the whole `text` with their start offsets, and the escape character in force.
pub(crate) struct Lexed {
    pub items: Vec<Arc<Item>>,
    pub starts: Vec<u32>,
    pub escape: u8,
}

/// Lexes `text`, using a second thread when it is at least `two_threads_from` bytes long.
pub(crate) fn lex_file(text: &str, two_threads_from: usize) -> Lexed {
    lex_split(text, |pos| {
        (text.len() - pos >= two_threads_from.max(1))
            .then(|| line_start_after(text, pos + (text.len() - pos) / 2))
            .flatten()
    })
}

/// Lexes `text`; `split` picks, from the end of the header, where a second thread starts
/// (`None`: one thread).
fn lex_split(text: &str, split: impl FnOnce(usize) -> Option<usize>) -> Lexed {
    let mut front = Run::default();
    let mut st = LexState::default();
    let mut pos = 0;
    // The header (directives, then the first other item) decides the state for the rest.
    while pos < text.len() && st.in_header {
        pos = front.lex_one(text, pos, &mut st);
    }
    // only directives change it, and they are behind
    let escape = st.escape;
    match split(pos).filter(|&mid| mid < text.len() && text.is_char_boundary(mid)) {
        Some(mid) => {
            let tail_state = LexState {
                escape: st.escape,
                in_header: false,
                seen_directives: Vec::new(),
                at_file_start: false,
            };
            std::thread::scope(|scope| {
                let tail = std::thread::Builder::new()
                    .name("layerwise-lex".into())
                    .spawn_scoped(scope, move || {
                        let mut run = Run::default();
                        run.lex_to_end(text, mid, tail_state);
                        run
                    });
                while pos < mid {
                    pos = front.lex_one(text, pos, &mut st);
                }
                // A thread that cannot start, or that panicked, leaves the front to finish.
                let tail = tail.ok().and_then(|t| t.join().ok()).unwrap_or_default();
                front.join(text, pos, st, tail);
            });
        }
        None => front.lex_to_end(text, pos, st),
    }
    // the tree lives as long as the document: drop the growth slack (up to half)
    front.items.shrink_to_fit();
    front.starts.shrink_to_fit();
    Lexed {
        items: front.items,
        starts: front.starts,
        escape,
    }
}

/// The offset just after the first line break at or after `at`, if it is inside the text.
fn line_start_after(text: &str, at: usize) -> Option<usize> {
    let rest = text.as_bytes().get(at..)?;
    let newline = rest.iter().position(|&b| b == b'\n')?;
    let start = at + newline + 1;
    (start < text.len()).then_some(start)
}

/// Items lexed one after another from some offset.
#[derive(Default)]
struct Run {
    items: Vec<Arc<Item>>,
    starts: Vec<u32>,
}

impl Run {
    /// Lexes the item at `pos` and returns where the next one starts.
    fn lex_one(&mut self, text: &str, pos: usize, st: &mut LexState) -> usize {
        let (item, end) = lex_item(text, pos, st);
        self.starts.push(pos as u32);
        self.items.push(Arc::new(item));
        end
    }

    fn lex_to_end(&mut self, text: &str, mut pos: usize, mut st: LexState) {
        while pos < text.len() {
            pos = self.lex_one(text, pos, &mut st);
        }
    }

    /// Continues from `pos` until an item of `tail` starts exactly where the next item
    /// would; from there on `tail`'s items are the ones this run would lex, so they are
    /// taken as they are.
    fn join(&mut self, text: &str, mut pos: usize, mut st: LexState, tail: Run) {
        let mut next = 0;
        while pos < text.len() {
            while tail.starts.get(next).is_some_and(|&s| (s as usize) < pos) {
                next += 1;
            }
            if tail.starts.get(next).is_some_and(|&s| s as usize == pos) {
                self.starts.extend_from_slice(&tail.starts[next..]);
                self.items.extend(tail.items.into_iter().skip(next));
                return;
            }
            pos = self.lex_one(text, pos, &mut st);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_as_one_thread(text: &str) {
        let one = lex_file(text, usize::MAX);
        let two = lex_file(text, 0);
        assert_eq!(one.starts, two.starts, "{text:?}");
        assert_eq!(one.escape, two.escape, "{text:?}");
        assert!(
            one.items.iter().zip(&two.items).all(|(a, b)| a == b),
            "{text:?}"
        );
    }

    #[test]
    fn the_middle_may_fall_anywhere() {
        for text in [
            "",
            "FROM a\n",
            "# escape=`\nFROM a\nRUN a `\n  b `\n  c\nRUN d\n",
            "FROM a\nRUN a \\\n b \\\n c \\\n d \\\n e\nRUN f\n",
            "FROM a\nRUN <<EOF\n1\n2\n3\n4\n5\n6\nEOF\nRUN b\n",
            "FROM a\nRUN <<EOF\nnever\nends\nat\nall\n",
            "FROM a\nRUN a \\",
            "FROM a\rRUN b\r\rCMD c\n",
            "\u{feff}FROM a\nRUN b\n\u{feff}RUN c\n",
            "# syntax=x\n# escape=\\\n\n",
            "FROM \u{e9}\u{a0}x\nRUN echo \u{1F600}\nRUN \u{1F600}\n",
        ] {
            same_as_one_thread(text);
            // and with the middle moved along by repeating the start
            same_as_one_thread(&format!("FROM z\n{}", text.replace('\u{feff}', "")));
        }
    }

    /// The second thread started at every line start in turn (and inside the header).
    #[test]
    fn the_second_thread_may_start_at_any_line() {
        let text =
            "# escape=`\nFROM a\nRUN a `\n  b\nRUN <<EOF\nx\nEOF\n\n# c\nRUN <<A <<B\n1\nA\n2\n\
                    B\nCOPY x `\n\n  y\nRUN \u{feff}z\rRUN w\r\nRUN <<EOF\nnever ends\n";
        let one = lex_file(text, usize::MAX);
        for (mid, _) in text.match_indices('\n') {
            let two = lex_split(text, |_| Some(mid + 1));
            assert_eq!(one.starts, two.starts, "second thread from {}", mid + 1);
            assert!(
                one.items.iter().zip(&two.items).all(|(a, b)| a == b),
                "second thread from {}",
                mid + 1
            );
        }
    }

    #[test]
    fn a_here_document_over_the_middle_is_lexed_by_the_front() {
        let mut text = String::from("FROM a\nRUN <<EOF\n");
        for i in 0..200 {
            text.push_str(&format!("RUN not an instruction {i}\n"));
        }
        text.push_str("EOF\nRUN after\n");
        same_as_one_thread(&text);
        let lexed = lex_file(&text, 0);
        assert_eq!(
            lexed.items.len(),
            3,
            "FROM, the RUN with its body, RUN after"
        );
    }

    #[test]
    fn the_split_is_a_line_start_inside_the_text() {
        assert!(line_start_after("FROM a", 0).is_none());
        assert_eq!(line_start_after("a\nb", 0), Some(2));
        assert_eq!(
            line_start_after("a\n", 0),
            None,
            "nothing after the last line"
        );
    }
}
