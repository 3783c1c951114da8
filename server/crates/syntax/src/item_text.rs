//! The text an item owns, in two machine words. A blank line, a bare keyword or `FROM a` fits in
//! the item itself; longer text is one exact allocation. A `Box<str>` alone took a 32-byte
//! heap block for every 2-byte line, and a 24-byte inline string (`CompactString`) made every
//! item 8 bytes larger, which cost more than it saved on files of ordinary line lengths.

/// Up to [`INLINE`] bytes inline, else boxed. The layout relies on the box's non-null pointer:
/// the inline form lives in the bytes beside it, so the enum is as small as the box.
#[derive(Clone)]
pub(crate) enum ItemText {
    Heap(Box<str>),
    Inline { len: u8, bytes: [u8; INLINE] },
}

/// The most bytes kept inline (`FROM a\n` is seven).
const INLINE: usize = 7;

impl ItemText {
    pub fn new(text: &str) -> Self {
        let mut bytes = [0; INLINE];
        match bytes.get_mut(..text.len()) {
            Some(inline) => {
                inline.copy_from_slice(text.as_bytes());
                Self::Inline {
                    len: text.len() as u8,
                    bytes,
                }
            }
            None => Self::Heap(text.into()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Self::Heap(s) => s.len(),
            Self::Inline { len, .. } => usize::from(*len),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Heap(s) => s,
            // made from a whole `str` in `new`, so always valid UTF-8
            Self::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for ItemText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl PartialEq for ItemText {
    fn eq(&self, o: &Self) -> bool {
        self.as_str() == o.as_str()
    }
}

impl Eq for ItemText {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_round_trips_in_either_form() {
        for text in [
            "",
            "\n",
            "A\n",
            "FROM a\n",
            "FROM ab\n",
            "é\u{1F600}\n",
            "RUN echo hello\n",
        ] {
            let t = ItemText::new(text);
            assert_eq!(t.as_str(), text);
            assert_eq!(
                matches!(t, ItemText::Inline { .. }),
                text.len() <= INLINE,
                "{text:?}"
            );
        }
        assert_eq!(ItemText::new("A\n"), ItemText::new("A\n"));
        assert_ne!(ItemText::new("A\n"), ItemText::new("B\n"));
        assert_eq!(format!("{:?}", ItemText::new("A\n")), "\"A\\n\"");
    }
}
