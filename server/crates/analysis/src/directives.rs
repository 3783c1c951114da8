//! The `# check=` parser directive: `skip=Rule1,Rule2` or `skip=all`, and `error=true`.

use layerwise_syntax::{Dockerfile, TextRange};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckDirective {
    /// BuildKit check names to skip (as written).
    pub skip: Vec<String>,
    pub skip_all: bool,
    /// `error=true`: warnings fail the build.
    pub error: bool,
    pub range: Option<TextRange>,
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

    /// Parses `skip=A,B;error=true` (BuildKit splits on `;`, then on `=`).
    pub fn parse(value: &str) -> Self {
        let mut out = Self::default();
        for part in value.split(';') {
            let Some((k, v)) = part.split_once('=') else {
                continue;
            };
            match k.trim().to_ascii_lowercase().as_str() {
                "skip" => {
                    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                        if name.eq_ignore_ascii_case("all") {
                            out.skip_all = true;
                        } else {
                            out.skip.push(name.to_string());
                        }
                    }
                }
                "error" => out.error = v.trim().eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        out
    }

    pub fn skips(&self, buildkit_name: &str) -> bool {
        self.skip_all
            || self
                .skip
                .iter()
                .any(|s| s.eq_ignore_ascii_case(buildkit_name))
    }
}
