//! Lexical path cleaning, the one way the editor features read a slash-separated path: as the
//! builder does, `.` and empty elements are dropped and `..` removes the element before it
//! (never climbing above the root). It looks at text only: no file system, no symlinks.
//!
//! The result has no leading or trailing slash, so it is a build-context path as it stands
//! (`./src/` → `src`, `/a` → `a`, the root → ``) and an image path with a `/` in front.

/// `path` cleaned to its elements joined by `/` (see the module doc).
pub(crate) fn clean(path: &str) -> String {
    // Built in place rather than through a list of elements: this runs for every COPY source
    // and destination of every analysis.
    let mut out = String::with_capacity(path.len());
    for element in path.split('/') {
        match element {
            "" | "." => {}
            ".." => {
                let cut = out.rfind('/').unwrap_or(0);
                out.truncate(cut);
            }
            name => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_the_builder() {
        for (input, want) in [
            ("", ""),
            ("/", ""),
            (".", ""),
            ("./src/", "src"),
            ("/a", "a"),
            ("a//b/./c/", "a/b/c"),
            ("/a/./b/../c/", "a/c"),
            ("../..", ""),
            ("a/../../b", "b"),
            ("a/b/..", "a"),
            ("...", "..."),
            ("a/.../b", "a/.../b"),
            ("..a/b..", "..a/b.."),
            ("é/ü/../ß", "é/ß"),
        ] {
            assert_eq!(clean(input), want, "{input:?}");
        }
    }

    /// The meaning spelled out as a stack of elements, the shape the copies this replaced had.
    fn by_stack(path: &str) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for p in path.split('/') {
            match p {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        parts.join("/")
    }

    /// Every string of up to 8 characters over `/`, `.`, `a`, `b` (87,381 of them, "" included).
    #[test]
    fn agrees_with_the_stack_on_every_short_path() {
        const ALPHABET: [char; 4] = ['/', '.', 'a', 'b'];
        let mut checked = 0;
        for len in 0..=8u32 {
            for n in 0..ALPHABET.len().pow(len) {
                let mut rest = n;
                let path: String = (0..len)
                    .map(|_| {
                        let c = ALPHABET[rest % ALPHABET.len()];
                        rest /= ALPHABET.len();
                        c
                    })
                    .collect();
                assert_eq!(clean(&path), by_stack(&path), "{path:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 87_381);
    }
}
