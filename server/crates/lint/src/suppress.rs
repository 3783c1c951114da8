//! Suppression comments, so users keep the comments they already have:
//! - `# hadolint ignore=DL3006,DL3008` (the next instruction), `# hadolint global ignore=...`;
//! - BuildKit's `# check=skip=Rule1,Rule2|all` directive (the file) and the same comment above
//!   an instruction (that instruction), both read as BuildKit reads them: only BuildKit check
//!   names, matched exactly, and `all` means every BuildKit check;
//! - ours: `# layerwise: ignore[rule-a, rule-b]` (next instruction), `ignore-stage[...]` (the
//!   rest of the stage), `ignore-file[...]` (the file); `all` silences every rule.

use layerwise_analysis::directives::CheckDirective;
use layerwise_analysis::Model;
use layerwise_syntax::{Dockerfile, ItemKind, TextRange};

use crate::rule::RuleMeta;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// File offsets the suppression covers.
    Range(TextRange),
    File,
}

/// Where a suppression comes from, which decides what its names match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// BuildKit's `# check=` directive: never reported unused (it also configures
    /// `error=` and `experimental=`, and one file-wide list is normal).
    CheckDirective,
    /// A `# check=` comment above an instruction.
    CheckComment,
    /// `# hadolint ...` and `# layerwise: ...` comments: any name a rule answers to (our
    /// name, hadolint code, BuildKit name), in any case.
    Comment,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    /// The comment itself.
    pub comment: TextRange,
    pub codes: Vec<String>,
    pub scope: Scope,
    pub source: Source,
}

impl Suppression {
    pub fn covers(&self, meta: &RuleMeta, range: TextRange) -> bool {
        let in_scope = match self.scope {
            Scope::File => true,
            Scope::Range(r) => r.contains(range.start) || r.start == range.start,
        };
        in_scope && self.codes.iter().any(|c| self.names(meta, c))
    }

    /// Whether `code` names the rule. BuildKit looks skip names up exactly in its table of
    /// checks, and `all` is its every check: a `# check=` suppression silences BuildKit
    /// checks only, so `skip=all` keeps layerwise's own rules running.
    fn names(&self, meta: &RuleMeta, code: &str) -> bool {
        match self.source {
            Source::CheckDirective | Source::CheckComment => {
                meta.buildkit.is_some_and(|b| code == "all" || code == b)
            }
            Source::Comment => code.eq_ignore_ascii_case("all") || meta.answers_to(code),
        }
    }

    /// Whether silencing nothing is worth reporting: not for the directive, and not for
    /// `all`, which is written on purpose and rarely stale.
    pub fn reportable(&self) -> bool {
        self.source != Source::CheckDirective && !self.codes.iter().any(|c| c == "all")
    }
}

/// A `# check=` comment as BuildKit reads the comments above an instruction: the line
/// starts with `#` (an indented one is kept as `# ...` and matches no directive), then
/// `check` in any case, `=`, and a value that BuildKit cuts at the first space (so
/// `skip=A // why` skips `A`). Returns the value and its offset in `line`.
pub(crate) fn check_comment(line: &str) -> Option<(&str, usize)> {
    let body = line.strip_prefix('#')?;
    let lead = body.len() - body.trim_start().len();
    let body = body.trim();
    let name_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = &body[..name_len];
    if !name.eq_ignore_ascii_case("check") {
        return None;
    }
    let rest = body[name_len..].trim_start().strip_prefix('=')?;
    let value = rest.trim_start();
    if value.is_empty() {
        return None;
    }
    let at = 1 + lead + (body.len() - value.len());
    Some((value.split(' ').next().unwrap_or(value), at))
}

/// A comment BuildKit keeps as "no comment" and that forgets the comments above it: `#`
/// alone at the start of the line.
fn empty_comment(line: &str) -> bool {
    line.strip_prefix('#').is_some_and(|b| b.trim().is_empty())
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
            source: Source::CheckDirective,
        });
    }
    let mut pending: Vec<(TextRange, Vec<String>, &'static str)> = Vec::new();
    // BuildKit reads the first `# check=` comment above an instruction (`None` inside:
    // one it could not read, which it ignores) and keeps looking past blank lines.
    let mut check: Option<(TextRange, Option<CheckDirective>)> = None;
    for r in file.items() {
        match r.item.kind {
            ItemKind::Comment => {
                let line = r.text().trim_end();
                if empty_comment(line) {
                    check = None;
                }
                if let Some((value, _)) = check_comment(line) {
                    if check.is_none() {
                        let d = CheckDirective::parse(value);
                        check = Some((r.range(), d.problem.is_none().then_some(d)));
                    }
                    continue;
                }
                let text = line.trim();
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
                            source: Source::Comment,
                        });
                    } else if let Some(codes) = rest.strip_prefix("ignore=") {
                        pending.push((comment, split_codes(codes), "instruction"));
                    }
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
                                    source: Source::Comment,
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
                if let Some((comment, Some(d))) = check.take() {
                    let mut codes = d.skip;
                    if d.skip_all {
                        codes.push("all".into());
                    }
                    out.push(Suppression {
                        comment,
                        codes,
                        scope: Scope::Range(r.range()),
                        source: Source::CheckComment,
                    });
                }
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
                        source: Source::Comment,
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

#[cfg(test)]
mod tests {
    use super::check_comment;
    use crate::context::Facts;
    use crate::test_support::lint_with;

    /// Lines (1-based) where the BuildKit check `name` has a finding.
    fn lines(text: &str, name: &str) -> Vec<usize> {
        lint_with(text, &Facts::default())
            .iter()
            .filter(|d| d.rule.buildkit == Some(name))
            .map(|d| text[..d.range.start as usize].matches('\n').count() + 1)
            .collect()
    }

    /// BuildKit's `testSecretsUsedInArgOrEnv` (dockerfile_check_test.go): the comment's value
    /// ends at the first space and skips its instruction only.
    #[test]
    fn buildkit_comment_cases() {
        let t = "FROM scratch\nENV password=bar\n# check=skip=SecretsUsedInArgOrEnv // allow secret in environment\nENV password=bar\n# check=skip=all // is local to only this instruction\nENV alternate_password=bar\nARG alternate_password\n";
        assert_eq!(lines(t, "SecretsUsedInArgOrEnv"), [2, 7]);
    }

    #[test]
    fn comments_read_as_buildkit_reads_them() {
        let cmd = |comments: &str| {
            lines(
                &format!("FROM scratch\n{comments}CMD run\n"),
                "JSONArgsRecommended",
            )
            .len()
        };
        // skipped: skip= anywhere in the value, the directive name in any case, blank
        // lines between the comment and the instruction
        for c in [
            "# check=skip=JSONArgsRecommended\n",
            "# check=error=false;skip=JSONArgsRecommended\n",
            "#check=experimental=all;skip=A,JSONArgsRecommended\n",
            "# CHECK = skip=JSONArgsRecommended\n",
            "# check= skip=JSONArgsRecommended\n",
            "# check=skip=JSONArgsRecommended\n\n\n",
            "# other words\n# check=skip=JSONArgsRecommended\n",
        ] {
            assert_eq!(cmd(c), 0, "{c:?}");
        }
        // not skipped: names are exact, our names and hadolint codes are not BuildKit's,
        // a comment BuildKit cannot read is ignored, only the first check comment counts,
        // `#` alone forgets the comments above it, an indented comment is no directive
        for c in [
            "# check=skip=jsonargsrecommended\n",
            "# check=skip=json-args-recommended\n",
            "# check=skip=DL3025\n",
            "# check=skip=JSONArgsRecommended;error=maybe\n",
            "# check=skip=MaintainerDeprecated\n# check=skip=JSONArgsRecommended\n",
            "# check=skip=JSONArgsRecommended\n#\n",
            "  # check=skip=JSONArgsRecommended\n",
            "# check=skip=All\n",
        ] {
            assert_eq!(cmd(c), 1, "{c:?}");
        }
    }

    #[test]
    fn directive_and_comment_lists_merge() {
        let t = "# check=skip=FromAsCasing\nFROM scratch as base\n# check=skip=JSONArgsRecommended\nCMD run\nENTRYPOINT run\n";
        assert_eq!(lines(t, "FromAsCasing"), [] as [usize; 0]);
        assert_eq!(lines(t, "JSONArgsRecommended"), [5]);
    }

    #[test]
    fn check_skips_only_buildkit_checks() {
        for t in [
            "# check=skip=all\nFROM scratch\nRUN sudo make\n",
            "FROM scratch\n# check=skip=all\nRUN sudo make\n",
        ] {
            let ds = lint_with(t, &Facts::default());
            assert!(ds.iter().any(|d| d.rule.name == "sudo-in-run"), "{t}");
        }
        // our own comments still take any name a rule answers to
        let t = "FROM scratch\n# hadolint ignore=dl3004\nRUN sudo make\n";
        let ds = lint_with(t, &Facts::default());
        assert!(!ds.iter().any(|d| d.rule.name == "sudo-in-run"));
    }

    #[test]
    fn check_comment_value() {
        let value = |l| check_comment(l).map(|(v, at)| (v, &l[at..at + v.len()]));
        assert_eq!(value("# check=skip=A x"), Some(("skip=A", "skip=A")));
        assert_eq!(value("#CHECK  =  skip=A"), Some(("skip=A", "skip=A")));
        assert_eq!(value("# check="), None);
        assert_eq!(value("# checks=skip=A"), None);
        assert_eq!(value(" # check=skip=A"), None);
        assert_eq!(value("# not check=skip=A"), None);
    }
}
