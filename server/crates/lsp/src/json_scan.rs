//! What a `serde_json::Value` decode of a JSON text would refuse, found without decoding it.
//!
//! The stdin filter keeps a message's `params` as a borrowed slice (see `message_shape`), and
//! skipping a value checks its syntax, string characters and escape letters, but not three
//! things the framework's decode into a `Value` fails on: a surrogate `\u` escape that is not a
//! leading one followed by a trailing one, a number too large for an `f64` (`1e400`), and
//! nesting deeper than serde_json's recursion limit. A failed decode would end the framework's
//! reader, so these are checked here, jumping from quote to backslash inside strings (where a
//! document's text is) with `memchr`.

/// Whether `json`, a text serde_json already skipped as valid, also decodes into a `Value`
/// nested at most `max_depth` arrays and objects deep (the outermost counts as 1).
/// (Outside strings a valid JSON text is ASCII, so stepping by bytes stays on characters.)
pub fn decodes_within(json: &str, max_depth: usize) -> bool {
    let b = json.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return false;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let len = b[i..]
                    .iter()
                    .take_while(|c| matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .count();
                // the few numbers of a message, each judged by the decoder itself
                let number = json.get(i..i + len).unwrap_or_default();
                if serde_json::from_str::<serde_json::Value>(number).is_err() {
                    return false;
                }
                i += len;
                continue;
            }
            b'"' => match string_end(b, i + 1) {
                Some(end) => i = end,
                None => return false,
            },
            _ => {}
        }
        i += 1;
    }
    true
}

/// The index of the quote closing the string whose text starts at `from`, or `None` when an
/// escape in it does not decode.
fn string_end(b: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let at = from + memchr::memchr2(b'"', b'\\', b.get(from..)?)?;
        if b[at] == b'"' {
            return Some(at);
        }
        from = at + 2;
        if b.get(at + 1) == Some(&b'u') {
            from = at + 6;
            match unit(b, at + 2)? {
                0xD800..=0xDBFF => {
                    let trailing = (b.get(from..from + 2) == Some(b"\\u"))
                        .then(|| unit(b, from + 2))
                        .flatten();
                    if !matches!(trailing, Some(0xDC00..=0xDFFF)) {
                        return None;
                    }
                    from += 6;
                }
                0xDC00..=0xDFFF => return None,
                _ => {}
            }
        }
    }
}

/// The four hex digits at `at`.
fn unit(b: &[u8], at: usize) -> Option<u32> {
    let digits = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(digits, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value_decodes(json: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(json).is_ok()
    }

    #[test]
    fn escapes_decode_exactly_when_a_value_does() {
        let pieces = [
            r"\ud800",
            r"\udbff",
            r"\udc00",
            r"\udfff",
            r"\u0041",
            r"\ud7ff",
            r"\ue000",
            r"\\",
            r"\\u",
            r"\n",
            r#"\""#,
            r"\u00e9",
            "a",
            r"\ud83d\ude00",
            "u",
            "[",
            "}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let json = format!(r#"["{a}{b}{c}",{{"{c}{b}":"{a}"}}]"#);
                    assert_eq!(decodes_within(&json, 100), value_decodes(&json), "{json}");
                }
            }
        }
    }

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert!(decodes_within(r#"[[["[[[[{{{"]]]"#, 3));
        assert!(!decodes_within("[[[[]]]]", 3));
        assert!(decodes_within(r#"{"a":[{"b":[]}]}"#, 4));
        assert!(!decodes_within(r#"{"a":[{"b":[]}]}"#, 3));
        assert!(decodes_within(r#""no brackets \" [[[[""#, 0));
        assert!(decodes_within("[],[],[],[]", 1));
    }
}
