use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// An instruction with missing, extra or malformed arguments.
    ///
    /// ## What it does
    /// Checks each instruction's arguments the way BuildKit's instruction parser does:
    /// `FROM` takes an image and optionally `AS name` (a valid stage name); `COPY`/`ADD` need
    /// a source and a destination (which cannot be a heredoc); `WORKDIR`, `USER`,
    /// `STOPSIGNAL` and `MAINTAINER` need their argument; `ENV`, `LABEL`, `ARG`, `EXPOSE`,
    /// `VOLUME`, `ONBUILD` and `SHELL` need at least one (with non-blank names, and no empty
    /// volume path); `HEALTHCHECK` is `NONE` alone or `CMD` with a command.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with an error before running anything.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS 1st-stage
    /// COPY app.tar.gz
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS first-stage
    /// COPY app.tar.gz /tmp/
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: what was meant is not known.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct InvalidArguments {
        name: "invalid-arguments",
        group: Correctness,
        severity: Error,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

/// BuildKit's stage-name pattern `^[a-z][a-z0-9-_.]*$`, applied to the lower-cased name:
/// either case of a letter passes, so the name is read as it is (no lower-cased copy).
pub(crate) fn valid_stage_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl RuleCheck for InvalidArguments {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            if !i.item.item.errors().is_empty() {
                continue; // syntax-error reports these
            }
            if let Some((range, message)) = problem(&i) {
                out.push(
                    Diagnostic::new(meta, range, message)
                        .note("docker build stops at this instruction."),
                );
            }
        }
    }
}

fn problem(i: &InstRef<'_>) -> Option<(TextRange, String)> {
    use InstructionKind as K;
    let inst = i.inst;
    let kw = inst.kind.keyword();
    let head = i.keyword_range();
    let all_args = inst.args_range.map_or(head, |r| i.abs(r));
    match inst.kind {
        K::From => {
            let words = inst.arg_words();
            let three = words.len() == 3 && words[1].text.eq_ignore_ascii_case("as");
            if words.len() != 1 && !three {
                let range = if words.len() > 1 {
                    i.abs(words[1].range)
                        .cover(i.abs(words[words.len() - 1].range))
                } else {
                    head
                };
                return Some((
                    range,
                    "FROM requires either one or three arguments (`FROM image [AS name]`)".into(),
                ));
            }
            if three && !valid_stage_name(&words[2].text) {
                return Some((i.abs(words[2].range), format!("invalid name for build stage: {:?}, name can't start with a number or contain symbols", &*words[2].text)));
            }
        }
        K::Copy | K::Add => {
            let words = inst.arg_words();
            if words.len() < 2 {
                return Some((
                    all_args,
                    format!("{kw} requires at least two arguments (sources and a destination)"),
                ));
            }
            let dest = &words[words.len() - 1];
            if inst.heredocs.iter().any(|h| h.opener == dest.range) {
                return Some((
                    i.abs(dest.range),
                    format!("{kw} cannot accept a heredoc as a destination"),
                ));
            }
        }
        K::Workdir | K::User | K::Stopsignal | K::Maintainer if matches!(inst.args, Args::None) => {
            return Some((head, format!("{kw} requires exactly one argument")));
        }
        K::Env | K::Label | K::Arg => {
            let pairs = inst.pairs();
            if pairs.is_empty() {
                return Some((head, format!("{kw} requires at least one argument")));
            }
            if let Some(p) = pairs.iter().find(|p| p.key.text.is_empty()) {
                return Some((i.abs(p.range), format!("{kw} names can not be blank")));
            }
        }
        K::Expose | K::Onbuild | K::Shell | K::Volume => {
            let empty = match &inst.args {
                Args::None => true,
                Args::Exec { items, .. } => items.is_empty(),
                _ => false,
            };
            if empty {
                return Some((all_args, format!("{kw} requires at least one argument")));
            }
            if inst.kind == K::Volume {
                if let Some(w) = inst.arg_words().iter().find(|w| w.text.trim().is_empty()) {
                    return Some((
                        i.abs(w.range),
                        "VOLUME specified can not be an empty string".into(),
                    ));
                }
            }
        }
        K::Healthcheck => return healthcheck_problem(i, head),
        _ => {}
    }
    None
}

fn healthcheck_problem(i: &InstRef<'_>, head: TextRange) -> Option<(TextRange, String)> {
    let Args::Healthcheck { kind, cmd } = &i.inst.args else {
        return Some((head, "HEALTHCHECK requires at least one argument".into()));
    };
    let kind_range = i.abs(kind.range);
    let cmd_empty = match &**cmd {
        Args::None => true,
        Args::Exec { items, .. } => items.is_empty(),
        _ => false,
    };
    if kind.text.eq_ignore_ascii_case("none") {
        if !cmd_empty || matches!(&**cmd, Args::Exec { .. }) {
            let range = i
                .inst
                .args_range
                .map_or(kind_range, |r| TextRange::new(kind_range.end, i.abs(r).end));
            return Some((range, "HEALTHCHECK NONE takes no arguments".into()));
        }
    } else if kind.text.eq_ignore_ascii_case("cmd") {
        if cmd_empty {
            return Some((kind_range, "Missing command after HEALTHCHECK CMD".into()));
        }
    } else {
        return Some((
            kind_range,
            format!(
                "Unknown type {:?} in HEALTHCHECK (try CMD)",
                kind.text.to_ascii_uppercase()
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn msgs(t: &str) -> Vec<String> {
        findings(&InvalidArguments, t)
            .into_iter()
            .map(|d| d.message.into_owned())
            .collect()
    }

    /// BuildKit lower-cases the name, then matches `^[a-z][a-z0-9-_.]*$`.
    #[test]
    fn stage_names() {
        for ok in ["a", "Build", "BUILD-2", "a-b_c.d9", "x."] {
            assert!(valid_stage_name(ok), "{ok}");
        }
        for bad in [
            "",
            "9a",
            "_a",
            "-a",
            ".a",
            "a b",
            "a/b",
            "é",
            "aé",
            "a:b",
            "K\u{212A}",
        ] {
            assert!(!valid_stage_name(bad), "{bad}");
        }
    }

    #[test]
    fn fires() {
        assert_eq!(flagged(&InvalidArguments, "FROM a b\n"), ["b"]);
        assert_eq!(flagged(&InvalidArguments, "FROM a AS b c\n"), ["AS b c"]);
        assert_eq!(flagged(&InvalidArguments, "FROM a AS 1x\n"), ["1x"]);
        assert_eq!(
            flagged(&InvalidArguments, "FROM a AS my/stage\n"),
            ["my/stage"]
        );
        assert_eq!(
            flagged(&InvalidArguments, "FROM a\nCOPY onlyone\n"),
            ["onlyone"]
        );
        assert_eq!(
            flagged(&InvalidArguments, "FROM a\nCOPY x <<EOF\nhi\nEOF\n"),
            ["<<EOF"]
        );
        assert_eq!(flagged(&InvalidArguments, "FROM a\nWORKDIR\n"), ["WORKDIR"]);
        assert_eq!(
            msgs("FROM a\nENV\n"),
            ["ENV requires at least one argument"]
        );
        assert_eq!(msgs("FROM a\nARG =x\n"), ["ARG names can not be blank"]);
        assert_eq!(
            msgs("FROM a\nVOLUME [\" \"]\n"),
            ["VOLUME specified can not be an empty string"]
        );
        assert_eq!(
            msgs("FROM a\nVOLUME []\n"),
            ["VOLUME requires at least one argument"]
        );
        assert_eq!(
            msgs("FROM a\nEXPOSE\n"),
            ["EXPOSE requires at least one argument"]
        );
        assert_eq!(
            msgs("FROM a\nONBUILD\n"),
            ["ONBUILD requires at least one argument"]
        );
        assert_eq!(
            msgs("FROM a\nHEALTHCHECK NONE curl x\n"),
            ["HEALTHCHECK NONE takes no arguments"]
        );
        assert_eq!(
            msgs("FROM a\nHEALTHCHECK CMD\n"),
            ["Missing command after HEALTHCHECK CMD"]
        );
        assert_eq!(
            msgs("FROM a\nHEALTHCHECK curl x\n"),
            ["Unknown type \"CURL\" in HEALTHCHECK (try CMD)"]
        );
    }

    #[test]
    fn near_miss() {
        let ok = "ARG V\nFROM a:${V} as Build.Stage_1\nCOPY <<EOF /x\nhi\nEOF\nCOPY [\"a\", \"b\"]\nUSER a b\nVOLUME /a /b\n\
                  HEALTHCHECK NONE\nHEALTHCHECK --interval=5s cmd [\"curl\", \"x\"]\nENV A=1 B=2\nLABEL a b c\nONBUILD RUN x\nCMD\nRUN\nENTRYPOINT []\n";
        assert!(findings(&InvalidArguments, ok).is_empty(), "{:?}", msgs(ok));
        // syntax errors are reported once, by syntax-error
        assert!(findings(&InvalidArguments, "FROM a\nENV PATH\n").is_empty());
    }
}
