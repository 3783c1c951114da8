//! Suppression comments, so users keep the comments they already have:
//! - `# hadolint ignore=DL3006,DL3008` (the next instruction), `# hadolint global ignore=...`;
//! - BuildKit's `# check=skip=Rule1,Rule2|all` directive (the file) and the same comment right
//!   above an instruction (that instruction);
//! - ours: `# layerwise: ignore[rule-a, rule-b]` (next instruction), `ignore-stage[...]` (the
//!   rest of the stage), `ignore-file[...]` (the file); `all` silences every rule.

use layerwise_analysis::Model;
use layerwise_syntax::{Dockerfile, ItemKind, TextRange};

use crate::rule::RuleMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// File offsets the suppression covers.
    Range(TextRange),
    File,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    /// The comment itself.
    pub comment: TextRange,
    pub codes: Vec<String>,
    pub scope: Scope,
    /// BuildKit's directive: only BuildKit check names count, and it is never "unused".
    pub from_directive: bool,
}

impl Suppression {
    pub fn covers(&self, meta: &RuleMeta, range: TextRange) -> bool {
        let in_scope = match self.scope {
            Scope::File => true,
            Scope::Range(r) => r.contains(range.start) || r.start == range.start,
        };
        in_scope
            && self
                .codes
                .iter()
                .any(|c| c.eq_ignore_ascii_case("all") || meta.answers_to(c))
    }
}

/// Every suppression in the file.
pub fn collect(file: &Dockerfile, model: &Model) -> Vec<Suppression> {
    let mut out = Vec::new();
    if let Some(r) = model.check.range {
        let mut codes = model.check.skip.clone();
        if model.check.skip_all {
            codes.push("all".into());
        }
        out.push(Suppression {
            comment: r,
            codes,
            scope: Scope::File,
            from_directive: true,
        });
    }
    let mut pending: Vec<(TextRange, Vec<String>, &'static str)> = Vec::new();
    for r in file.items() {
        match r.item.kind {
            ItemKind::Comment => {
                let text = r.text().trim();
                let comment = r.range();
                let Some(body) = text.strip_prefix('#').map(str::trim) else {
                    continue;
                };
                if let Some(rest) = body.strip_prefix("hadolint") {
                    let rest = rest.trim();
                    if let Some(codes) = rest
                        .strip_prefix("global")
                        .map(str::trim)
                        .and_then(|r| r.strip_prefix("ignore="))
                    {
                        out.push(Suppression {
                            comment,
                            codes: split_codes(codes),
                            scope: Scope::File,
                            from_directive: false,
                        });
                    } else if let Some(codes) = rest.strip_prefix("ignore=") {
                        pending.push((comment, split_codes(codes), "instruction"));
                    }
                } else if let Some(codes) = body
                    .strip_prefix("check=")
                    .and_then(|b| b.trim().strip_prefix("skip="))
                {
                    pending.push((
                        comment,
                        split_codes(codes.split(';').next().unwrap_or("")),
                        "instruction",
                    ));
                } else if let Some(rest) = body.strip_prefix("layerwise:") {
                    let rest = rest.trim();
                    for (prefix, scope) in [
                        ("ignore-file[", "file"),
                        ("ignore-stage[", "stage"),
                        ("ignore[", "instruction"),
                    ] {
                        if let Some(codes) = rest
                            .strip_prefix(prefix)
                            .and_then(|c| c.split_once(']'))
                            .map(|(c, _)| c)
                        {
                            if scope == "file" {
                                out.push(Suppression {
                                    comment,
                                    codes: split_codes(codes),
                                    scope: Scope::File,
                                    from_directive: false,
                                });
                            } else {
                                pending.push((comment, split_codes(codes), scope));
                            }
                            break;
                        }
                    }
                }
            }
            ItemKind::Instruction => {
                for (comment, codes, scope) in pending.drain(..) {
                    let range = if scope == "stage" {
                        let end = model.stage_at(r.start).map_or(file.len(), |s| s.range.end);
                        TextRange::new(r.start, end.max(r.range().end))
                    } else {
                        r.range()
                    };
                    out.push(Suppression {
                        comment,
                        codes,
                        scope: Scope::Range(range),
                        from_directive: false,
                    });
                }
            }
            ItemKind::Blank | ItemKind::Directive => pending.clear(),
        }
    }
    out
}

fn split_codes(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}
