//! Go's `filepath.Match` for one path element: how BuildKit expands wildcards in `COPY`/`ADD`
//! sources, one `/`-separated element at a time.
//!
//! Unlike `.dockerignore` patterns there is no `**` (it behaves like `*`), and `*` matches
//! names starting with `.` too.

/// A compiled single-element wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `*`: any run of characters.
    Star,
    /// `?`: exactly one character.
    One,
    Literal(char),
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// `true` when BuildKit treats a source as a wildcard: it contains `*`, `?` or `[` that is not
/// escaped with `\`.
pub(crate) fn contains_wildcards(source: &str) -> bool {
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

impl Glob {
    /// Parses a pattern, rejecting what `filepath.Match` rejects (unclosed or empty classes, a
    /// bare `-` or `]` as a class item, a trailing `\`).
    pub(crate) fn new(pattern: &str) -> Result<Glob, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                    i += 1;
                }
                '?' => {
                    tokens.push(Token::One);
                    i += 1;
                }
                '\\' => {
                    let Some(&c) = chars.get(i + 1) else {
                        return Err("a trailing `\\` escapes nothing".to_owned());
                    };
                    tokens.push(Token::Literal(c));
                    i += 2;
                }
                '[' => {
                    let (token, end) = parse_class(&chars, i + 1)?;
                    tokens.push(token);
                    i = end;
                }
                c => {
                    tokens.push(Token::Literal(c));
                    i += 1;
                }
            }
        }
        Ok(Glob { tokens })
    }

    /// Whether the whole `name` matches. Backtracks only to the most recent `*`, which is
    /// enough for globs and keeps the work at most `pattern × name`.
    pub(crate) fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        let (mut t, mut n) = (0, 0);
        let mut resume: Option<(usize, usize)> = None;
        while n < name.len() {
            match self.tokens.get(t) {
                Some(Token::Star) => {
                    resume = Some((t, n));
                    t += 1;
                    continue;
                }
                Some(token) if token_matches(token, name[n]) => {
                    t += 1;
                    n += 1;
                    continue;
                }
                _ => {}
            }
            match resume {
                Some((star, from)) => {
                    t = star + 1;
                    n = from + 1;
                    resume = Some((star, from + 1));
                }
                None => return false,
            }
        }
        self.tokens[t..].iter().all(|token| *token == Token::Star)
    }
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Star => true,
        Token::One => c != '/',
        Token::Literal(l) => *l == c,
        Token::Class { negated, ranges } => {
            let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
            inside != *negated && c != '/'
        }
    }
}

fn parse_class(chars: &[char], mut i: usize) -> Result<(Token, usize), String> {
    let unclosed = || "unclosed character class `[`".to_owned();
    let mut negated = false;
    if chars.get(i) == Some(&'^') {
        negated = true;
        i += 1;
    }
    let mut ranges = Vec::new();
    loop {
        match chars.get(i) {
            None => return Err(unclosed()),
            Some(']') if !ranges.is_empty() => {
                return Ok((Token::Class { negated, ranges }, i + 1))
            }
            Some(_) => {}
        }
        let (lo, next) = class_char(chars, i)?;
        let (hi, next) = if chars.get(next) == Some(&'-') {
            class_char(chars, next + 1)?
        } else {
            (lo, next)
        };
        ranges.push((lo, hi));
        i = next;
    }
}

fn class_char(chars: &[char], i: usize) -> Result<(char, usize), String> {
    let (c, next) = match chars.get(i) {
        None => return Err("unclosed character class `[`".to_owned()),
        Some('-') | Some(']') => {
            return Err("a character class item cannot be a bare `-` or `]`".to_owned())
        }
        Some('\\') => match chars.get(i + 1) {
            Some(&c) => (c, i + 2),
            None => return Err("unclosed character class `[`".to_owned()),
        },
        Some(&c) => (c, i + 1),
    };
    if next >= chars.len() {
        return Err("unclosed character class `[`".to_owned());
    }
    Ok((c, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_filepath_match() {
        let cases = [
            ("*", "abc", true),
            ("*", ".hidden", true),
            ("*.json", "package.json", true),
            ("*.json", ".eslintrc.json", true),
            ("*.json", "package.json5", false),
            ("package*.json", "package.json", true),
            ("package*.json", "package-lock.json", true),
            ("package*.json", "pnpm-lock.yaml", false),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("a*b*c*d*e*", "axbxcxdxexxx", true),
            ("**", "anything", true),
            ("?", "a", true),
            ("?", "", false),
            ("??", "a", false),
            ("[abc]", "b", true),
            ("[^abc]", "b", false),
            ("[^abc]", "d", true),
            ("[a-z]*", "go.mod", true),
            ("[!a]", "!", true),
            ("\\*", "*", true),
            ("\\*", "x", false),
            ("*.go", "main.go", true),
            ("*.go", "main.go.orig", false),
            ("", "", true),
            ("", "a", false),
            ("é?", "éa", true),
        ];
        for (pattern, name, want) in cases {
            let glob = Glob::new(pattern).expect(pattern);
            assert_eq!(glob.matches(name), want, "{pattern:?} vs {name:?}");
        }
    }

    #[test]
    fn rejects_what_filepath_match_rejects() {
        for bad in ["[", "[]", "[^]", "[a", "[a-", "[a-]", "[-a]", "\\", "[\\"] {
            assert!(Glob::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn wildcard_detection_skips_escapes() {
        assert!(contains_wildcards("*.go"));
        assert!(contains_wildcards("src/[ab]"));
        assert!(contains_wildcards("a?"));
        assert!(!contains_wildcards("src/main.go"));
        assert!(!contains_wildcards("a\\*b"));
        assert!(!contains_wildcards("trailing\\"));
    }
}
