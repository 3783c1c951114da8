//! `RUN --mount=...` values: a comma-separated list of `key=value` fields (Go's CSV rules:
//! a field may be double-quoted), with byte ranges inside the flag value.

use std::borrow::Cow;
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountField {
    pub key: String,
    pub value: Option<String>,
    pub key_range: Range<usize>,
    pub value_range: Option<Range<usize>>,
    /// The whole field.
    pub range: Range<usize>,
}

/// Splits a mount value into fields. Never fails: an unterminated quote runs to the end.
pub fn mount_fields(value: &str) -> Vec<MountField> {
    let b = value.as_bytes();
    let mut out = Vec::with_capacity(1 + b.iter().filter(|&&c| c == b',').count());
    let mut i = 0;
    while i <= b.len() {
        let start = i;
        // a field without quotes (nearly all) is its source text
        let plain_end = b[start..]
            .iter()
            .position(|&c| c == b',' || c == b'"')
            .map_or(b.len(), |n| start + n);
        let (text, j) = if b.get(plain_end) == Some(&b'"') {
            let (text, j) = field_with_quotes(value, start);
            (Cow::Owned(text), j)
        } else {
            (Cow::Borrowed(&value[start..plain_end]), plain_end)
        };
        let raw = &value[start..j];
        if !raw.is_empty() {
            let (key, val) = match text.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), Some(v.to_string())),
                None => (text.trim().to_string(), None),
            };
            let eq = raw.find('=');
            out.push(MountField {
                key,
                value: val,
                key_range: start..eq.map_or(j, |e| start + e),
                value_range: eq.map(|e| start + e + 1..j),
                range: start..j,
            });
        }
        i = j + 1;
    }
    out
}

/// The text of the field at `start` that has a double quote, with Go's CSV rules: a quote at
/// the start of the field opens a quoted part where `""` is a quote and commas are text;
/// elsewhere a quote is a character. Returns the text and where the field ends.
fn field_with_quotes(value: &str, start: usize) -> (String, usize) {
    let b = value.as_bytes();
    let mut text = String::new();
    let mut in_quote = false;
    let mut j = start;
    while j < b.len() {
        let c = b[j];
        if in_quote {
            if c == b'"' {
                if b.get(j + 1) == Some(&b'"') {
                    text.push('"');
                    j += 2;
                    continue;
                }
                in_quote = false;
                j += 1;
                continue;
            }
        } else if c == b',' {
            break;
        } else if c == b'"' && j == start {
            in_quote = true;
            j += 1;
            continue;
        }
        let ch = value[j..].chars().next().unwrap_or('\u{FFFD}');
        text.push(ch);
        j += ch.len_utf8();
    }
    (text, j)
}

impl MountField {
    /// The value of `key` among `fields` (keys compare case-insensitively).
    pub fn get<'a>(fields: &'a [MountField], key: &str) -> Option<&'a str> {
        fields
            .iter()
            .find(|f| f.key.eq_ignore_ascii_case(key))
            .and_then(|f| f.value.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fields() {
        let v = "type=cache,target=/root/.cache,\"id=a,b\",sharing=locked,ro";
        let f = mount_fields(v);
        let kv: Vec<_> = f
            .iter()
            .map(|f| (f.key.as_str(), f.value.as_deref()))
            .collect();
        assert_eq!(
            kv,
            [
                ("type", Some("cache")),
                ("target", Some("/root/.cache")),
                ("id", Some("a,b")),
                ("sharing", Some("locked")),
                ("ro", None)
            ]
        );
        assert_eq!(&v[f[1].value_range.clone().unwrap()], "/root/.cache");
        assert_eq!(MountField::get(&f, "TYPE"), Some("cache"));
        assert!(mount_fields("").is_empty());
        assert_eq!(mount_fields("\"unterminated").len(), 1);
    }

    /// Every field is what the character-by-character reading of Go's CSV rules gives (the
    /// fast path for fields without quotes must not change a thing).
    #[test]
    fn plain_fields_read_as_quoted_ones_would() {
        let pieces = [
            "type=cache",
            ",",
            "\"",
            "\"\"",
            "=",
            "é",
            " ",
            "a",
            "x=\"y\"",
        ];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
        }
        for text in &texts {
            let got: Vec<_> = mount_fields(text)
                .into_iter()
                .map(|f| (f.key, f.value, f.range))
                .collect();
            assert_eq!(got, slow_fields(text), "{text:?}");
        }
    }

    /// The fields as every character is read through the quoted-field reader.
    fn slow_fields(value: &str) -> Vec<(String, Option<String>, Range<usize>)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i <= value.len() {
            let (text, j) = field_with_quotes(value, i);
            if j > i {
                let (key, val) = match text.split_once('=') {
                    Some((k, v)) => (k.trim().to_string(), Some(v.to_string())),
                    None => (text.trim().to_string(), None),
                };
                out.push((key, val, i..j));
            }
            i = j + 1;
        }
        out
    }
}
