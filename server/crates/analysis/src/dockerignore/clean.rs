//! Lexical path cleaning with the rules of Go's `path.Clean`.
//!
//! Docker cleans every `.dockerignore` pattern (and BuildKit cleans every `COPY` source) before
//! matching, so `./src/`, `src//` and `a/../src` all mean `src`. Reproducing the exact rules keeps
//! our answers equal to Docker's on odd inputs such as `!/`, `..` or `a/../..`.

/// Cleans a `/`-separated path: collapses repeated separators, drops `.` elements, resolves `..`
/// against the preceding element (dropping it at the root of a rooted path), removes a trailing
/// `/`, and turns an empty result into `.` (or `/` for a rooted path).
pub(crate) fn clean(path: &str) -> String {
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // How many leading `..` elements are in `parts` (only possible for relative paths); they
    // cannot be cancelled by a later `..`.
    let mut fixed = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.len() > fixed {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    fixed += 1;
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Cleans a path given relative to a build context (as in `COPY` or a path the editor asks
/// about) into the form stored in a snapshot: no leading `/` or `./`, `..` clamped at the
/// context root (BuildKit resolves sources inside the context), and `""` for the root itself.
pub(crate) fn clean_in_context(path: &str) -> String {
    let cleaned = clean(&format!("/{path}"));
    cleaned.trim_start_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go_path_clean() {
        let cases = [
            ("", "."),
            (".", "."),
            ("/", "/"),
            ("//", "/"),
            ("a", "a"),
            ("a/", "a"),
            ("./a", "a"),
            ("a//b", "a/b"),
            ("a/./b", "a/b"),
            ("a/../b", "b"),
            ("a/..", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../a/..", ".."),
            ("a/../..", ".."),
            ("a/b/../../..", ".."),
            ("/..", "/"),
            ("/../a", "/a"),
            ("/a/b/../c/", "/a/c"),
            ("!/", "!"),
            ("**/", "**"),
            ("abc/**/", "abc/**"),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }

    #[test]
    fn context_paths_never_escape_the_root() {
        let cases = [
            (".", ""),
            ("./", ""),
            ("/", ""),
            ("../x", "x"),
            ("/src/../../etc", "etc"),
            ("./src/", "src"),
            ("a//b/./c", "a/b/c"),
        ];
        for (input, want) in cases {
            assert_eq!(clean_in_context(input), want, "clean_in_context({input:?})");
        }
    }
}
