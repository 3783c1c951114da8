use layerwise_syntax::{Args, InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// `ENV key value` or `LABEL key value` without `=`.
    ///
    /// ## What it does
    /// Reports the legacy whitespace-separated form of `ENV` and `LABEL`, where everything
    /// after the first word is the value.
    ///
    /// ## Why is this bad?
    /// The legacy form is deprecated. It sets a single variable per instruction and its
    /// quoting differs from the `key=value` form, so `ENV A B=1` sets `A` to `B=1`, which is
    /// rarely what the reader expects.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME /srv/app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/srv/app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix writes `key=value`, quoting a value that contains spaces. It is offered
    /// only when that keeps the value byte for byte: no quotes or escape characters in a
    /// value with spaces, and no comment lines between key and value. A key with a Unicode
    /// space in it (U+3000, U+00A0...) gets no fix: BuildKit splits `key=value` words there.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit LegacyKeyValueFormat](https://docs.docker.com/reference/build-checks/legacy-key-value-format/)
    pub struct LegacyKeyValueFormat {
        name: "legacy-key-value-format",
        group: Style,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: Some("LegacyKeyValueFormat"),
    }
}

impl RuleCheck for LegacyKeyValueFormat {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for i in cx.instructions() {
            if !matches!(i.inst.kind, InstructionKind::Env | InstructionKind::Label) {
                continue;
            }
            let Args::Pairs {
                legacy: true,
                pairs,
            } = &i.inst.args
            else {
                continue;
            };
            let Some(pair) = pairs.first() else { continue };
            let kw = i.inst.kind.keyword();
            let mut d = Diagnostic::new(
                meta,
                i.abs(pair.key.range),
                format!(
                    "\"{kw} key=value\" should be used instead of legacy \"{kw} key value\" format"
                ),
            )
            .note("The whitespace form is deprecated and sets a single key per line.");
            if let Some(f) = fix(cx, &i) {
                d = d.fix(f);
            }
            out.push(d);
        }
    }
}

fn fix(cx: &LintContext<'_>, i: &InstRef<'_>) -> Option<Fix> {
    let pair = i.inst.pairs().first()?;
    let value = pair.value.as_ref()?;
    // BuildKit reads `key=value` words split at every Unicode space (Go's `unicode.IsSpace`,
    // the same set as `char::is_whitespace`), while the legacy form splits only at ASCII
    // blanks: a key with a wide space in it (`K\u{3000}`) is one word here but two there,
    // and `ENV K\u{3000}=v` fails to build. No fix can keep such a key.
    if cx
        .slice(i.abs(pair.key.range))
        .contains(char::is_whitespace)
        || pair.key.text.contains(char::is_whitespace)
    {
        return None;
    }
    let gap = TextRange::new(i.abs(pair.key.range).end, i.abs(value.range).start);
    if cx.slice(gap).contains('#') {
        return None;
    }
    let text = &*value.text;
    let escape = cx.model.escape;
    let edits = if !text.contains(char::is_whitespace) {
        vec![Edit {
            range: gap,
            text: "=".into(),
        }]
    } else if !text.contains(['"', '\'', escape]) {
        let end = i.abs(value.range).end;
        vec![
            Edit {
                range: gap,
                text: "=\"".into(),
            },
            Edit {
                range: TextRange::empty(end),
                text: "\"".into(),
            },
        ]
    } else {
        return None;
    };
    Some(Fix {
        title: "Use key=value".into(),
        applicability: Applicability::Safe,
        edits: edits.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "FROM a\nENV APP_HOME /srv/app\nLABEL description A small app\nENV DEPS \\\n    curl \\\n    git\n";
        assert_eq!(
            flagged(&LegacyKeyValueFormat, t),
            ["APP_HOME", "description", "DEPS"]
        );
        assert_eq!(
            fixed(&LegacyKeyValueFormat, t),
            "FROM a\nENV APP_HOME=/srv/app\nLABEL description=\"A small app\"\nENV DEPS=\"curl \\\n    git\"\n"
        );
        // quotes in a value with spaces: reported, no fix
        let d = findings(&LegacyKeyValueFormat, "FROM a\nENV MSG \"hello\" world\n");
        assert!(d[0].fixes.is_empty());
    }

    #[test]
    fn fix_keeps_the_value() {
        use layerwise_analysis::{Model, ModelOptions};
        use layerwise_syntax::Dockerfile;
        let t = "FROM a\nENV A \"quoted\"\nENV B two  spaces $X\n";
        let after = fixed(&LegacyKeyValueFormat, t);
        let value = |text: &str, name: &str| {
            let f = Dockerfile::parse(text);
            let m = Model::build(&f, ModelOptions::default());
            m.scope_after_stage(&f, 0).value(name)
        };
        assert_eq!(value(t, "A"), value(&after, "A"));
        assert_eq!(value(t, "B"), value(&after, "B"));
        assert_eq!(value(&after, "B").as_deref(), Some("two  spaces "));
        assert!(findings(&LegacyKeyValueFormat, &after).is_empty());
    }

    #[test]
    fn no_fix_for_a_key_with_a_unicode_space() {
        // BuildKit: the legacy key is `NAME\u{3000}`, but `NAME\u{3000}=value` is read as the
        // words `NAME` and `=value`, which fails the build
        for t in [
            "FROM alpine\nENV NAME\u{3000} value\n",
            "FROM alpine\nENV \0\u{2000} ]",
            "FROM alpine\nLABEL a\u{a0}b some value\n",
        ] {
            let d = findings(&LegacyKeyValueFormat, t);
            assert_eq!(d.len(), 1, "{t:?}");
            assert!(d[0].fixes.is_empty(), "{t:?}: {:?}", d[0].fixes);
        }
        // a wide space in the value is quoted, as any space
        assert_eq!(
            fixed(&LegacyKeyValueFormat, "FROM a\nENV K a\u{3000}b\n"),
            "FROM a\nENV K=\"a\u{3000}b\"\n"
        );
    }

    #[test]
    fn near_miss() {
        assert!(findings(
            &LegacyKeyValueFormat,
            "FROM a\nENV A=1 B=\"x y\"\nLABEL a=b\nARG X Y\n"
        )
        .is_empty());
    }
}
