//! The `# check=` parser directive: `skip=Rule1,Rule2` or `skip=all`, `experimental=...` and
//! `error=true`, read exactly as BuildKit reads it (`linter.ParseLintOptions`), because a
//! directive BuildKit cannot read fails the build and one it reads differently silences
//! different checks.

use std::ops::Range;

use layerwise_syntax::{Dockerfile, TextRange};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckDirective {
    /// BuildKit check names to skip, as written (BuildKit compares them exactly).
    pub skip: Vec<String>,
    pub skip_all: bool,
    /// Experimental checks turned on.
    pub experimental: Vec<String>,
    pub experimental_all: bool,
    /// `error=true`: warnings fail the build.
    pub error: bool,
    /// The directive's value in the file, when there is one.
    pub range: Option<TextRange>,
    /// Why BuildKit rejects the value (`failed to parse check options`, the build stops).
    /// The other fields are then empty: BuildKit applies none of it.
    pub problem: Option<CheckProblem>,
}

/// A `# check=` value BuildKit cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckProblem {
    /// Bytes of the value the problem is about.
    pub span: Range<usize>,
    pub message: String,
}

impl CheckDirective {
    pub fn from_file(file: &Dockerfile) -> Self {
        let Some((r, d)) = file.directives().find(|(_, d)| &*d.name == "check") else {
            return Self::default();
        };
        let mut out = Self::parse(&d.value);
        out.range = Some(r.abs(d.value_range));
        out
    }

    /// Parses a value like `skip=A,B;error=true`. As BuildKit: the value is trimmed and cut
    /// into at most three `;`-separated parts (a fourth `;` stays inside the third part's
    /// value); each part must be `key=value` with the key (trimmed) exactly `skip`,
    /// `experimental` or `error`; `skip`/`experimental` take `all` or a comma list (a later
    /// part replaces an earlier list); `error` takes what Go's `strconv.ParseBool` accepts.
    pub fn parse(value: &str) -> Self {
        let mut out = Self::default();
        let lead = value.len() - value.trim_start().len();
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return out;
        }
        let mut at = lead;
        for part in trimmed.splitn(3, ';') {
            let here = at;
            at += part.len() + 1;
            let fail = |span: Range<usize>, message: String| Self {
                problem: Some(CheckProblem { span, message }),
                ..Self::default()
            };
            let Some((k, v)) = part.split_once('=') else {
                return fail(
                    here..here + part.len(),
                    format!("invalid check option {part:?}: expected key=value"),
                );
            };
            let v_at = here + k.len() + 1;
            match k.trim() {
                "skip" => {
                    let (all, list) = name_list(v);
                    out.skip_all |= all;
                    if !all {
                        out.skip = list;
                    }
                }
                "experimental" => {
                    let (all, list) = name_list(v);
                    out.experimental_all |= all;
                    if !all {
                        out.experimental = list;
                    }
                }
                "error" => match parse_go_bool(v.trim()) {
                    Some(b) => out.error = b,
                    None => {
                        return fail(
                            v_at..v_at + v.len(),
                            format!("failed to parse check option {part:?}: `error` takes true or false (or 1, 0, t, f)"),
                        )
                    }
                },
                other => {
                    let k_at = here + (k.len() - k.trim_start().len());
                    return fail(
                        k_at..k_at + other.len(),
                        format!("invalid check option {other:?}: the options are skip, experimental and error"),
                    );
                }
            }
        }
        out
    }

    /// Whether the directive skips the BuildKit check `buildkit_name` (exact name, as
    /// BuildKit's table lookup).
    pub fn skips(&self, buildkit_name: &str) -> bool {
        self.skip_all || self.skip.iter().any(|s| s == buildkit_name)
    }
}

/// `all`, or the trimmed names of a comma list (empty names kept, as BuildKit keeps them).
fn name_list(v: &str) -> (bool, Vec<String>) {
    let v = v.trim();
    if v == "all" {
        return (true, Vec::new());
    }
    (false, v.split(',').map(|n| n.trim().to_string()).collect())
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(v: &str) -> Option<(String, String)> {
        CheckDirective::parse(v)
            .problem
            .map(|p| (v[p.span.clone()].to_string(), p.message))
    }

    #[test]
    fn reads_what_buildkit_reads() {
        let d = CheckDirective::parse(" skip=A, B ;error=1");
        assert_eq!(
            (d.skip.clone(), d.skip_all, d.error),
            (vec!["A".to_string(), "B".to_string()], false, true)
        );
        assert!(d.skips("A") && !d.skips("a"), "names are exact");
        for v in ["t", "T", "TRUE", "true", "True", "1"] {
            assert!(CheckDirective::parse(&format!("error={v}")).error, "{v}");
        }
        for v in ["f", "F", "FALSE", "false", "False", "0"] {
            let d = CheckDirective::parse(&format!("error={v}"));
            assert!(!d.error && d.problem.is_none(), "{v}");
        }
        assert!(CheckDirective::parse("skip=all").skip_all);
        // `all` only alone; in a list it is a (non-existent) check name
        let d = CheckDirective::parse("skip=A,all");
        assert!(!d.skip_all && d.skip == ["A", "all"]);
        assert!(!CheckDirective::parse("skip=All").skip_all);
        // a later list replaces an earlier one
        assert_eq!(CheckDirective::parse("skip=A;skip=B").skip, ["B"]);
        // at most three parts: a fourth stays in the third value
        let d = CheckDirective::parse("skip=A;error=false;experimental=B;x");
        assert!(d.problem.is_none());
        assert_eq!(d.experimental, ["B;x"]);
        assert_eq!(CheckDirective::parse("  "), CheckDirective::default());
    }

    #[test]
    fn reports_what_buildkit_rejects() {
        for (v, at) in [
            ("error=yes", "yes"),
            ("error=tRUE", "tRUE"),
            ("error=", ""),
            ("skip=A;error=on", "on"),
        ] {
            let (span, message) = problem(v).unwrap_or_else(|| panic!("{v}"));
            assert_eq!(span, at, "{v}");
            assert!(
                message.starts_with("failed to parse check option"),
                "{message}"
            );
        }
        assert_eq!(problem("skips=A").map(|p| p.0).as_deref(), Some("skips"));
        assert_eq!(
            problem("SKIP=A").map(|p| p.0).as_deref(),
            Some("SKIP"),
            "keys are exact"
        );
        assert_eq!(problem("skip=A;oops").map(|p| p.0).as_deref(), Some("oops"));
        assert_eq!(problem(" x ").map(|p| p.0).as_deref(), Some("x"));
        // a rejected directive applies nothing
        let d = CheckDirective::parse("skip=A;error=maybe");
        assert!(d.skip.is_empty() && !d.error);
    }
}
