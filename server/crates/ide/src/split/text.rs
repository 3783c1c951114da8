//! Small text helpers for writing Dockerfile lines: the file's line ending, continuation
//! lines, JSON-quoted exec forms, and the variables a piece of text refers to.

/// How generated lines end: as the file's own lines do (CRLF files stay CRLF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Style {
    pub crlf: bool,
}

impl Style {
    /// The file's first line break decides (found without scanning the whole file).
    pub fn of(text: &str) -> Style {
        let crlf = match text.find('\n') {
            Some(i) => text[..i].ends_with('\r'),
            None => false,
        };
        Style { crlf }
    }

    pub fn nl(self) -> &'static str {
        if self.crlf {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// Joins the parts of one instruction with `\` continuations, each next part indented
    /// four spaces (the usual hand-written layout of a long `RUN`).
    pub fn continued(self, parts: &[String]) -> String {
        let sep = format!(" \\{}    ", self.nl());
        parts.join(&sep)
    }
}

/// `["a", "b"]`: the exec form of `words`, each one a JSON string.
pub(crate) fn exec_form(words: &[String]) -> String {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| serde_json::to_string(w).unwrap_or_else(|_| "\"\"".into()))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// Names of the variables `text` refers to (`$NAME`, `${NAME}`, `${NAME:-x}`), skipping
/// escaped dollars. Order of first appearance, no duplicates.
pub(crate) fn referenced_vars(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let braced = b.get(j) == Some(&b'{');
        if braced {
            j += 1;
        }
        let start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        if j > start && !b[start].is_ascii_digit() {
            let name = &text[start..j];
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
        i = j.max(i + 1);
    }
    out
}

/// Whether `s` is a plain word the shell would pass through unchanged (no quoting,
/// expansion, globbing, redirection or control operators).
pub(crate) fn is_plain_shell_word(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b'-' | b'_' | b'.' | b'/' | b':' | b'=' | b',' | b'+' | b'@' | b'%'
                )
        })
}

/// The absolute form of `path` when the working directory is `workdir`.
pub(crate) fn absolute(workdir: &str, path: &str) -> String {
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{}", workdir.trim_end_matches('/'), path)
    };
    normalize(&joined)
}

/// Removes `.` and `..` elements and duplicate slashes; keeps a trailing slash.
pub(crate) fn normalize(path: &str) -> String {
    let mut out = format!("/{}", crate::clean_path::clean(path));
    if path.ends_with('/') && out != "/" {
        out.push('/');
    }
    out
}

/// Approximate bytes with two significant figures, as in a code action title: `1.1 GB`,
/// `190 MB`, `7.5 MB`.
pub(crate) fn approx_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 999.5 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if v >= 10.0 {
        // two significant figures: 190, 45
        let digits = v.log10().floor() as i32;
        let scale = 10f64.powi(digits - 1);
        let r = (v / scale).round() * scale;
        if r >= 999.5 && unit + 1 < UNITS.len() {
            return format!("1.0 {}", UNITS[unit + 1]);
        }
        format!("{r:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_are_found_once_and_escapes_skipped() {
        assert_eq!(
            referenced_vars("a=$A ${B:-x} \\$C $A ${1} $_D"),
            vec!["A", "B", "_D"]
        );
    }

    #[test]
    fn paths_join_and_normalize() {
        assert_eq!(absolute("/app", "dist"), "/app/dist");
        assert_eq!(absolute("/app/", "./x/../y/"), "/app/y/");
        assert_eq!(absolute("/app", "/out/bin"), "/out/bin");
        assert_eq!(absolute("/", "."), "/");
    }

    #[test]
    fn sizes_have_two_significant_figures() {
        assert_eq!(approx_bytes(1_120_000_000), "1.1 GB");
        assert_eq!(approx_bytes(192_000_000), "190 MB");
        assert_eq!(approx_bytes(7_460_000), "7.5 MB");
        assert_eq!(approx_bytes(45_300_000), "45 MB");
        assert_eq!(approx_bytes(999_900_000), "1.0 GB");
        assert_eq!(approx_bytes(12), "12 B");
    }

    #[test]
    fn exec_form_quotes_json() {
        assert_eq!(
            exec_form(&["node".into(), "a \"b\".js".into()]),
            r#"["node", "a \"b\".js"]"#
        );
    }
}
