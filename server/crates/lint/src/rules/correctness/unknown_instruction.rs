use std::collections::HashMap;

use layerwise_syntax::{Dockerfile, InstructionKind};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Text};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::suggest;

declare_rule! {
    /// An instruction Docker does not know.
    ///
    /// ## What it does
    /// Reports a line whose first word is not a Dockerfile instruction, and suggests the
    /// closest one when the word looks like a typo.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with `unknown instruction`. A common cause is a line that was
    /// meant to continue the previous one but lost its trailing `\`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUNN apk add --no-cache curl
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix replaces the word with the closest instruction (edit distance below 3),
    /// which is usually but not surely what was meant. It is not offered when the line would
    /// not parse as that instruction (`N --# s` is no valid `ENV`).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference](https://docs.docker.com/reference/dockerfile/)
    pub struct UnknownInstruction {
        name: "unknown-instruction",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for UnknownInstruction {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let mut budget = Budget(REST_BUDGET);
        // A file of junk repeats its lines. The suggestion depends on the word and the
        // syntax check (outside here-documents) on the line's text, which holds the word:
        // each is worked out once per distinct line, up to `MEMO_LINES` of them. (Two
        // million lines of `A` at the server's size cap took 12 s, most of it in these.)
        let mut memo: HashMap<&str, (Option<String>, bool)> = HashMap::new();
        for i in cx.of_kind(InstructionKind::Unknown) {
            let word = &i.inst.keyword.text;
            let range = i.keyword_range();
            let mut d = Diagnostic::new(meta, range, format!("unknown instruction: {word}"));
            let line = i.item.text();
            let remembered = memo.get(line).cloned();
            let (suggestion, keeps) = match remembered {
                Some(seen) => seen,
                None => {
                    let m = suggest(
                        word,
                        InstructionKind::ALL.iter().map(|k| k.keyword()),
                        false,
                    );
                    let keeps = m.as_ref().is_some_and(|m| budget.keeps_syntax(cx, &i, m));
                    // the file's first line reads a leading U+FEFF as a byte-order mark,
                    // the same text anywhere else as part of the word: not remembered
                    let first_line = i.item.start == 0;
                    if !first_line && !line.contains("<<") && memo.len() < MEMO_LINES {
                        memo.insert(line, (m.clone(), keeps));
                    }
                    (m, keeps)
                }
            };
            match suggestion {
                Some(m) => {
                    d = d.note(did_you_mean(&m));
                    if keeps {
                        let (title, text) = match replacement(&m) {
                            Some((title, keyword)) => (Text::from(title), Text::from(keyword)),
                            None => (format!("Replace with `{m}`").into(), m.into()),
                        };
                        d = d.fix(Fix::replace(title, range, text, Applicability::Unsafe));
                    }
                }
                None => {
                    d = d.note("docker build stops here. If this line continues the previous instruction, end that line with the escape character.");
                }
            }
            out.push(d);
        }
    }
}

/// Writes [`did_you_mean`] and [`replacement`]: fixed texts per keyword, in the two cases
/// a suggestion comes in (`suggest` answers upper case for an upper-case word, else lower).
macro_rules! keyword_texts {
    ($($upper:literal $lower:literal),*) => {
        /// The note for a suggested keyword. Fixed text for every instruction keyword (the
        /// only suggestions there are), so a file of two million unknown lines at the
        /// server's size cap does not keep two million copies of eighteen notes (F16).
        fn did_you_mean(keyword: &str) -> Text {
            match keyword {
                $($upper => Text::Borrowed(concat!("docker build stops here. Did you mean `", $upper, "`?")),
                $lower => Text::Borrowed(concat!("docker build stops here. Did you mean `", $lower, "`?")),)*
                other => Text::Owned(format!("docker build stops here. Did you mean `{other}`?")),
            }
        }

        /// The fix's title and replacement for a suggested keyword, as fixed texts: the fix
        /// is kept as long as the finding (F16). `None` for a word outside the table.
        fn replacement(keyword: &str) -> Option<(&'static str, &'static str)> {
            match keyword {
                $($upper => Some((concat!("Replace with `", $upper, "`"), $upper)),
                $lower => Some((concat!("Replace with `", $lower, "`"), $lower)),)*
                _ => None,
            }
        }
    };
}

crate::keyword_table::with_instruction_keywords!(keyword_texts);

/// Distinct lines whose suggestion and syntax check are remembered, per file.
const MEMO_LINES: usize = 4096;

/// Bytes the check below may parse, per file, for lines whose fix must be checked against
/// the rest of the file (a line with `<<`): a file of junk lines costs a bounded amount.
const REST_BUDGET: usize = 4 << 20;

/// What is left of [`REST_BUDGET`].
struct Budget(usize);

impl Budget {
    /// Whether the line with its keyword replaced by `keyword` parses without new syntax
    /// errors. The arguments were read as an unknown instruction's, and the right keyword can
    /// read them differently: `N --# s` becomes `ENV --# s`, which is not a valid `ENV`.
    ///
    /// The line is parsed alone (under the file's escape character) before and after. A line
    /// with `<<` is parsed together with the rest of the file, since a keyword that takes
    /// here-documents makes the following lines its body; when that would cost more than is
    /// left of the budget, no fix is offered.
    fn keeps_syntax(&mut self, cx: &LintContext<'_>, i: &InstRef<'_>, keyword: &str) -> bool {
        let item = i.item.text();
        let kw = i.inst.keyword.range.as_usize();
        let (Some(head), Some(tail)) = (item.get(..kw.start), item.get(kw.end..)) else {
            return false;
        };
        let prefix = if cx.file.escape() == '`' {
            "# escape=`\n"
        } else {
            ""
        };
        let rest = if item.contains("<<") {
            let rest = cx.text.get(i.range().end as usize..).unwrap_or("");
            let cost = 2 * (prefix.len() + item.len() + rest.len());
            if cost > self.0 {
                return false;
            }
            self.0 -= cost;
            rest
        } else {
            ""
        };
        let errors = |line: &str| {
            Dockerfile::parse(&format!("{prefix}{line}{rest}"))
                .errors()
                .len()
        };
        errors(&format!("{head}{keyword}{tail}")) <= errors(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn every_keyword_has_its_fixed_note_and_fix() {
        for k in InstructionKind::ALL {
            for keyword in [k.keyword().to_string(), k.keyword().to_ascii_lowercase()] {
                let note = did_you_mean(&keyword);
                assert!(matches!(note, Text::Borrowed(_)), "{k:?}");
                assert_eq!(
                    note,
                    format!("docker build stops here. Did you mean `{keyword}`?")
                );
                assert_eq!(
                    replacement(&keyword),
                    Some((&*format!("Replace with `{keyword}`"), &*keyword)),
                );
            }
        }
        assert_eq!(replacement("Add"), None);
        assert_eq!(
            did_you_mean("X"),
            "docker build stops here. Did you mean `X`?"
        );
    }

    #[test]
    fn fires_with_suggestion_and_fix() {
        let t = "FROM a\nRUNN echo\ncopyy a b\n";
        assert_eq!(flagged(&UnknownInstruction, t), ["RUNN", "copyy"]);
        assert_eq!(
            fixed(&UnknownInstruction, t),
            "FROM a\nRUN echo\ncopy a b\n"
        );
        // both fixes come from the fixed table: nothing allocated for them
        let d = findings(&UnknownInstruction, t);
        let fixes: Vec<&Fix> = d.iter().flat_map(|d| d.fixes.iter()).collect();
        assert_eq!(fixes.len(), 2);
        for f in fixes {
            assert!(matches!(f.title, Text::Borrowed(_)), "{f:?}");
            assert!(matches!(f.edits[0].text, Text::Borrowed(_)), "{f:?}");
        }
        let d = findings(&UnknownInstruction, "FROM a\napt-get install x\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].fixes.is_empty());
    }

    /// Repeated lines reuse the first one's suggestion and check: each finding is what the
    /// line alone gets, fix or none, and past the memo's size too.
    #[test]
    fn repeated_lines_get_what_each_alone_gets() {
        let lines = ["RUNN x\n", "N --# s\n", "apt-get y\n", "RUNN <<E\n"];
        let mut text = String::from("FROM a\n");
        for k in 0..(MEMO_LINES + 50) {
            text.push_str(lines[k % 3]);
            if k % 1000 == 0 {
                text.push_str(&format!("RUNN {k}\n"));
            }
        }
        text.push_str(lines[3]);
        let all = findings(&UnknownInstruction, &text);
        assert_eq!(
            all.len(),
            MEMO_LINES + 50 + 1 + (MEMO_LINES + 49) / 1000 + 1
        );
        // a sample through the file, past the memo's size included, and the last lines
        let sample = all.iter().step_by(41).chain(all.iter().rev().take(8));
        for d in sample {
            let start = d.range.start as usize;
            let line_end = text[start..]
                .find('\n')
                .map_or(text.len(), |e| start + e + 1);
            let alone = findings(
                &UnknownInstruction,
                &format!("FROM a\n{}", &text[start..line_end]),
            );
            let fixes = |d: &Diagnostic| {
                d.fixes
                    .iter()
                    .map(|f| f.title.to_string())
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                (&d.message, &d.note, fixes(d)),
                (&alone[0].message, &alone[0].note, fixes(&alone[0]))
            );
        }
    }

    /// From review: a byte-order mark is one only at the start of the file, so the first
    /// line's suggestion is not the same text's anywhere else.
    #[test]
    fn a_leading_bom_line_is_not_remembered_for_later_lines() {
        let t = "\u{feff}RUNXX y\nFROM a\n\u{feff}RUNXX y\n";
        let d = findings(&UnknownInstruction, t);
        assert_eq!(d.len(), 2);
        let alone = findings(&UnknownInstruction, "FROM a\n\u{feff}RUNXX y\n");
        assert_eq!(
            (&d[1].note, d[1].fixes.len()),
            (&alone[0].note, alone[0].fixes.len())
        );
    }

    #[test]
    fn no_fix_when_the_suggestion_does_not_parse() {
        // `--#` is not a flag `ENV` can take: the replaced line would be a syntax error
        let d = findings(&UnknownInstruction, "N --# s");
        assert_eq!(d.len(), 1);
        assert!(d[0].note.as_deref().unwrap_or("").contains("`ENV`"));
        assert!(d[0].fixes.is_empty(), "{:?}", d[0].fixes);
        // a typo of a heredoc-taking instruction is fixed when the heredoc is closed (the
        // `EOF` line's own fix, to `ENV`, is left out then: it is the terminator now)...
        let t = "FROM a\nRUNN <<EOF\necho hi\nEOF\n";
        assert_eq!(d_fixes(t), 1);
        assert_eq!(
            fixed(&UnknownInstruction, t),
            "FROM a\nRUN <<EOF\necho hi\nEOF\n"
        );
        // ...and not when the heredoc would swallow the rest of the file
        assert_eq!(d_fixes("FROM a\nRUNN <<EOF\necho hi\n"), 0);
        // the file's escape character is the one the line is read with
        let t = "# escape=`\nFROM a\nRUNN echo `\n  hi\n";
        assert_eq!(d_fixes(t), 1);
    }

    /// How many "Replace with `RUN`" fixes are offered.
    fn d_fixes(t: &str) -> usize {
        findings(&UnknownInstruction, t)
            .iter()
            .flat_map(|d| &d.fixes)
            .filter(|f| f.title == "Replace with `RUN`")
            .count()
    }

    #[test]
    fn near_miss() {
        // every real instruction, any case; continuation lines are not instructions
        let t =
            "FROM a\nrun echo \\\n  hello\nOnBuild RUN x\nhealthcheck NONE\nSTOPSIGNAL SIGTERM\n";
        assert!(findings(&UnknownInstruction, t).is_empty());
    }
}
