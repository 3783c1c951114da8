use std::collections::HashSet;

use layerwise_analysis::vars::AUTOMATIC_PLATFORM_ARGS;
use layerwise_syntax::expand::{references, Op};
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::{suggest, word_sub_range};

declare_rule! {
    /// `FROM` uses a build arg that no global `ARG` declares.
    ///
    /// ## What it does
    /// Reports `$NAME` in a `FROM` image or `--platform` when no `ARG NAME` comes before the
    /// first `FROM` and `NAME` is not one of the automatic platform args (`BUILDPLATFORM`,
    /// `TARGETARCH`...). Misspellings of declared or automatic args get a suggestion.
    ///
    /// ## Why is this bad?
    /// `FROM` only sees global `ARG`s: an undeclared one is always empty, even with
    /// `--build-arg`, so `FROM node:22${VARIANT}` always pulls `node:22`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22${VARIANT} AS jsbuilder
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// ARG VARIANT="-alpine3.20"
    /// FROM node:22${VARIANT} AS jsbuilder
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a misspelt name is replaced with the declared one, which changes the image.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit UndefinedArgInFrom](https://docs.docker.com/reference/build-checks/undefined-arg-in-from/)
    pub struct UndefinedArgInFrom {
        name: "undefined-arg-in-from",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: Some("UndefinedArgInFrom"),
    }
}

/// Maps a byte range of a piece of text to its file range.
type MapRange<'a> = Box<dyn Fn(&std::ops::Range<usize>) -> TextRange + 'a>;

impl RuleCheck for UndefinedArgInFrom {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let known: Vec<&str> = cx
            .model
            .global_args
            .iter()
            .map(|g| g.name.as_str())
            .chain(AUTOMATIC_PLATFORM_ARGS.iter().map(|(n, _)| *n))
            .collect();
        let escape = cx.model.escape;
        // Texts whose references are all declared (most `FROM image:${TAG}` lines repeat
        // a few bases): they are lexed once, not once per stage.
        let mut clean: HashSet<String> = HashSet::new();
        let mut is_clean = |text: &str| {
            clean.contains(text) || {
                let ok = references(text, escape)
                    .iter()
                    .all(|r| known.contains(&r.name.as_str()));
                if ok {
                    clean.insert(text.to_owned());
                }
                ok
            }
        };
        for i in cx.of_kind(InstructionKind::From) {
            let mut pieces: Vec<(&str, MapRange<'_>)> = Vec::new();
            if let Some(parts) = i.inst.from_parts() {
                let w = parts.image;
                if !is_clean(&w.text) {
                    pieces.push((&w.text, Box::new(move |r| word_sub_range(&i, w, r, true))));
                }
            }
            if let Some(f) = i.inst.flag("platform") {
                let value = f.value().filter(|v| !is_clean(v));
                if let (Some(v), Some(vr)) = (value, f.value_range) {
                    let exact = i.item.slice(vr) == v;
                    let base = i.abs(vr);
                    pieces.push((
                        v,
                        Box::new(move |r| {
                            if exact {
                                TextRange::new(
                                    base.start + r.start as u32,
                                    base.start + r.end as u32,
                                )
                            } else {
                                base
                            }
                        }),
                    ));
                }
            }
            for (text, map) in &pieces {
                let refs = references(text, escape);
                let mut seen: Vec<&str> = Vec::new();
                for r in &refs {
                    if known.contains(&r.name.as_str()) || seen.contains(&r.name.as_str()) {
                        continue;
                    }
                    seen.push(&r.name);
                    let range = map(&r.name_range);
                    let guess = suggest(&r.name, known.iter().copied(), true);
                    let mut message = format!("FROM argument '{}' is not declared", r.name);
                    if let Some(g) = &guess {
                        message.push_str(&format!(" (did you mean {g}?)"));
                    }
                    let defaulted = matches!(r.op, Some(Op::Default { .. }));
                    let mut d = Diagnostic::new(meta, range, message).note(if defaulted {
                        format!("Without `ARG {}` before the first FROM the default is always used, even with --build-arg.", r.name)
                    } else {
                        format!("FROM only sees ARGs declared before the first FROM: add `ARG {}` there, or this is always empty.", r.name)
                    });
                    if let Some(g) = guess {
                        d = d.fix(Fix::replace(
                            format!("Replace with `{g}`"),
                            range,
                            g,
                            Applicability::Unsafe,
                        ));
                    }
                    out.push(d);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_and_fixes() {
        let t = "ARG VERSION=1\nFROM node:22${VARIANT} AS js\nFROM --platform=$BUILDPLATFOM alpine:$VERSOIN\n";
        assert_eq!(
            flagged(&UndefinedArgInFrom, t),
            ["VARIANT", "BUILDPLATFOM", "VERSOIN"]
        );
        assert_eq!(fixed(&UndefinedArgInFrom, t), "ARG VERSION=1\nFROM node:22${VARIANT} AS js\nFROM --platform=$BUILDPLATFORM alpine:$VERSION\n");
    }

    #[test]
    fn near_miss() {
        let ok = "ARG VARIANT\nARG TAG=1\nFROM node:22${VARIANT}\nFROM --platform=$BUILDPLATFORM alpine:${TAG:-3} AS b\nARG INSIDE\nFROM b\n";
        assert!(findings(&UndefinedArgInFrom, ok).is_empty());
    }
}
