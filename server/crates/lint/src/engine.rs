//! Runs the enabled rules, applies configured severities and suppressions, raises BuildKit
//! checks to errors under `# check=error=true`, and reports suppressions that silenced nothing.

use crate::config::Config;
use crate::context::LintContext;
use layerwise_analysis::directives::CheckDirective;

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules;
use crate::suppress::{self, Suppression};

/// All findings for one file, sorted by position.
pub fn lint(cx: &LintContext<'_>, config: &Config) -> Vec<Diagnostic> {
    lint_unless(cx, config, &|| false).unwrap_or_default()
}

/// Files with at least this many instructions are linted on two threads: below it, starting
/// a thread costs more than the rules it would take over.
const PARALLEL_FROM: usize = 500;

static TWO_THREADS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Whether big files may be linted on two threads (default yes). A caller that already runs
/// one lint per core (`layerwise check` on many files, or `--jobs 1`) turns it off, so the
/// process uses the threads it was asked for.
pub fn allow_two_threads(allowed: bool) {
    TWO_THREADS.store(allowed, std::sync::atomic::Ordering::Relaxed);
}

/// [`lint`], giving up between two rules as soon as `stop` says so (`None` then). The
/// language server stops linting a version that a newer edit has replaced: its findings
/// would be dropped unpublished, and the rules of the new version need the core.
///
/// On a big file the rules are shared between this thread and one more (each takes the next
/// rule not yet taken), and the findings are put back in rule order, so the result is the
/// same as one thread's. The shared per-file caches of the context are `OnceLock`s: a rule
/// that needs a split `RUN` the other thread is splitting waits for it.
pub fn lint_unless(
    cx: &LintContext<'_>,
    config: &Config,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<Diagnostic>> {
    let parallel = cx.model.instructions.len() >= PARALLEL_FROM
        && TWO_THREADS.load(std::sync::atomic::Ordering::Relaxed);
    lint_with(cx, config, stop, parallel)
}

/// [`lint_unless`] with the choice of threads made.
fn lint_with(
    cx: &LintContext<'_>,
    config: &Config,
    stop: &(dyn Fn() -> bool + Sync),
    parallel: bool,
) -> Option<Vec<Diagnostic>> {
    let mut raw = run_rules(cx, config, stop, parallel)?;
    let suppressions = suppress::collect(cx.file, cx.model);
    let mut used = vec![false; suppressions.len()];
    raw.retain(|d| {
        let hit = suppressions.iter().position(|s| s.covers(d.rule, d.range));
        if let Some(i) = hit {
            used[i] = true;
        }
        hit.is_none()
    });
    if cx.model.check.error {
        for d in &mut raw {
            fail_under_check_error(&cx.model.check, d);
        }
    }
    if let Some(severity) =
        config.severity_of(&crate::rules::nursery::unused_suppression::UnusedSuppression::META)
    {
        for (s, used) in suppressions.iter().zip(used) {
            if !used && s.reportable() {
                raw.push(unused(s, severity));
            }
        }
    }
    sort_by_position(&mut raw);
    // no spare room: the findings are kept as long as the document is open
    raw.shrink_to_fit();
    Some(raw)
}

/// Every enabled rule's findings with its configured severity, in rule order; on two threads
/// when `parallel` (see [`lint_unless`]).
fn run_rules(
    cx: &LintContext<'_>,
    config: &Config,
    stop: &(dyn Fn() -> bool + Sync),
    parallel: bool,
) -> Option<Vec<Diagnostic>> {
    let rules: Vec<&'static dyn crate::rule::Rule> = rules::all()
        .filter(|r| config.severity_of(r.meta()).is_some())
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // one worker: takes rules until none is left; findings of each rule with its index
    let work = || -> Option<Vec<(usize, Vec<Diagnostic>)>> {
        let mut done = Vec::new();
        loop {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = rules.get(k) else {
                return Some(done);
            };
            if stop() {
                return None;
            }
            let mut found = Vec::new();
            rule.check(cx, &mut found);
            if let Some(severity) = config.severity_of(rule.meta()) {
                for d in &mut found {
                    d.severity = severity;
                }
            }
            done.push((k, found));
        }
    };
    let mut parts = if parallel {
        std::thread::scope(|s| {
            let other = s.spawn(work);
            let mine = work();
            // a panicking rule on the other thread is re-raised here, as on one thread
            let theirs = other
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            // moved, not `concat`ed: that cloned every finding (a quarter of the lint time
            // on a file with 200,000 findings, and twice their memory for a moment)
            let mut all = mine?;
            all.extend(theirs?);
            Some(all)
        })?
    } else {
        work()?
    };
    parts.sort_by_key(|(k, _)| *k);
    Some(concat_in_place(
        parts.into_iter().map(|(_, found)| found).collect(),
    ))
}

/// Sorts findings by position (start, end, rule name), keeping the order of equal ones, like
/// a stable `sort_by_key`, without its buffer of half the findings (60 MB at the peak of a 1 MB
/// file of unknown instructions, F16): positions are sorted and the findings then moved along
/// the permutation's cycles. Findings already in order (one rule on a huge file) are left.
fn sort_by_position(findings: &mut [Diagnostic]) {
    let key = |d: &Diagnostic| (d.range.start, d.range.end, d.rule.name);
    if findings.is_sorted_by_key(key) {
        return;
    }
    // `order[k]` is the index of the finding that belongs at `k`
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| key(&findings[i]));
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        // each cycle carries the finding from `start` along until the place it belongs
        let mut k = start;
        while order[k] != DONE {
            let from = order[k];
            order[k] = DONE;
            if from == start {
                break;
            }
            findings.swap(k, from);
            k = from;
        }
    }
}

/// The findings of every rule in one vector, in the order given, grown from the rule with
/// the most (usually almost all of them on a huge file): collecting into a new vector held
/// every finding twice for a moment (60 MB of 120 MB at the peak of a 1 MB file of unknown
/// instructions).
fn concat_in_place(mut parts: Vec<Vec<Diagnostic>>) -> Vec<Diagnostic> {
    let Some(biggest) = (0..parts.len()).max_by_key(|&k| parts[k].len()) else {
        return Vec::new();
    };
    let mut all = std::mem::take(&mut parts[biggest]);
    let before: usize = parts[..biggest].iter().map(Vec::len).sum();
    let after: usize = parts[biggest + 1..].iter().map(Vec::len).sum();
    all.reserve_exact(before + after);
    // the earlier rules' findings go in front of the biggest part's, in their order
    all.splice(0..0, parts[..biggest].iter_mut().flat_map(std::mem::take));
    for part in &mut parts[biggest + 1..] {
        all.append(part);
    }
    all
}

/// BuildKit's experimental checks: they run only when `experimental=` names them, so only
/// then can they fail the build.
const EXPERIMENTAL_CHECKS: &[&str] = &["InvalidDefinitionDescription"];

/// Under `# check=error=true` BuildKit stops the build when any check it ran fired
/// (`lint violation found for rules: ...`), so a finding of a BuildKit check is an error
/// whatever its configured level. Findings the directive or a comment skips were removed by
/// the suppressions already; the directive's skip list is read again here because it skips a
/// check that another suppression kind may not have covered.
fn fail_under_check_error(check: &CheckDirective, d: &mut Diagnostic) {
    let Some(name) = d.rule.buildkit else { return };
    let runs = if EXPERIMENTAL_CHECKS.contains(&name) {
        check.experimental_all || check.experimental.iter().any(|e| e == name)
    } else {
        !check.skips(name)
    };
    if !runs || d.severity == Severity::Error {
        return;
    }
    d.severity = Severity::Error;
    let why = "`# check=error=true` makes BuildKit fail the build on this check.";
    d.note = Some(match d.note.take() {
        Some(n) => format!("{n} {why}").into(),
        None => why.into(),
    });
}

fn unused(s: &Suppression, severity: crate::diagnostic::Severity) -> Diagnostic {
    static META: crate::rule::RuleMeta =
        crate::rules::nursery::unused_suppression::UnusedSuppression::META;
    let mut d = Diagnostic::new(
        &META,
        s.comment,
        format!("This suppression silences nothing ({})", s.codes.join(", ")),
    )
    .note("Remove it, or check the rule names: a stale suppression hides the next real problem.")
    .fix(crate::diagnostic::Fix::safe(
        "Remove the unused suppression",
        vec![crate::diagnostic::Edit {
            range: s.comment,
            text: "".into(),
        }],
    ));
    d.severity = severity;
    d
}

#[cfg(test)]
mod tests {
    use crate::context::Facts;
    use crate::diagnostic::Severity;
    use crate::test_support::lint_with;

    /// (BuildKit check name, severity) of every BuildKit check's finding.
    fn checks(text: &str) -> Vec<(&'static str, Severity)> {
        lint_with(text, &Facts::default())
            .into_iter()
            .filter_map(|d| d.rule.buildkit.map(|b| (b, d.severity)))
            .collect()
    }

    /// BuildKit's own `testRuleCheckOption` cases (dockerfile_check_test.go): with
    /// `error=true` the unskipped `FromAsCasing` fails the build; skipped checks do not.
    #[test]
    fn error_true_fails_on_unskipped_checks_as_buildkit_does() {
        let t = "#check=skip=ConsistentInstructionCasing;error=true\nFROM scratch as base\ncopy Dockerfile .\n";
        assert_eq!(checks(t), [("FromAsCasing", Severity::Error)]);
        let d = lint_with(t, &Facts::default());
        let note = d.iter().find_map(|d| d.note.clone()).unwrap_or_default();
        assert!(note.contains("check=error=true"), "{note}");
        for skipped in [
            "#check=skip=ConsistentInstructionCasing,FromAsCasing;error=true\nFROM scratch as base\ncopy Dockerfile .\n",
            "#check=skip=all;error=true\nFROM scratch as base\ncopy Dockerfile .\n",
        ] {
            assert_eq!(checks(skipped), [], "{skipped}");
        }
    }

    #[test]
    fn without_error_true_checks_keep_their_level() {
        for t in [
            "FROM scratch as base\n",
            "# check=error=false\nFROM scratch as base\n",
            // not the first line: a comment, not the directive
            "FROM scratch as base\n# check=error=true\nRUN x\n",
        ] {
            assert_eq!(checks(t), [("FromAsCasing", Severity::Warning)], "{t}");
        }
    }

    #[test]
    fn only_buildkit_checks_are_raised() {
        let t = "# check=error=true\nFROM scratch\nRUN sudo make\n";
        let ds = lint_with(t, &Facts::default());
        let sudo = ds.iter().find(|d| d.rule.name == "sudo-in-run");
        assert!(
            sudo.is_some_and(|d| d.severity != Severity::Error),
            "{ds:?}"
        );
    }

    #[test]
    fn comment_skips_and_experimental_checks() {
        // a comment above the instruction skips its check; the file's error=true still
        // applies to the rest
        let t = "# check=error=true\nFROM scratch as base\n# check=skip=JSONArgsRecommended\nCMD run\nENTRYPOINT run\n";
        assert_eq!(
            checks(t),
            [
                ("FromAsCasing", Severity::Error),
                ("JSONArgsRecommended", Severity::Error)
            ]
        );
        // an experimental check fails the build only when the directive turns it on
        let desc = "ARG foo=bar\n# wrong words\nARG bar=1\nFROM scratch\n";
        for (head, want) in [
            ("# check=error=true\n", Severity::Warning),
            (
                "# check=error=true;experimental=InvalidDefinitionDescription\n",
                Severity::Error,
            ),
        ] {
            let got = checks(&format!("{head}{desc}"));
            assert!(
                got.iter()
                    .all(|(n, s)| *n != "InvalidDefinitionDescription" || *s == want),
                "{head}: {got:?}"
            );
            assert!(!got.is_empty(), "{head}");
        }
    }

    #[test]
    fn lint_unless_stops_between_rules_or_equals_lint() {
        let text = "FROM scratch as base\nRUN sudo make\nCOPY $nope .\n";
        let file = layerwise_syntax::Dockerfile::parse(text);
        let model =
            layerwise_analysis::Model::build(&file, layerwise_analysis::ModelOptions::default());
        let facts = Facts::default();
        let cx = crate::context::LintContext::new(&file, text, &model, &facts);
        let config = crate::config::Config::default();
        let full = super::lint(&cx, &config);
        assert!(full.len() >= 2, "{full:?}");
        let again = super::lint_unless(&cx, &config, &|| false);
        assert_eq!(format!("{again:?}"), format!("{:?}", Some(full)));
        assert!(super::lint_unless(&cx, &config, &|| true).is_none());
        // asked again after a few rules: stops there
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let stop = || calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= 3;
        assert!(super::lint_unless(&cx, &config, &stop).is_none());
        assert_eq!(calls.load(std::sync::atomic::Ordering::Relaxed), 4);
    }

    /// The rules' findings are joined in rule order whichever rule has the most.
    #[test]
    fn findings_are_joined_in_rule_order() {
        static META: crate::rule::RuleMeta =
            crate::rules::nursery::unused_suppression::UnusedSuppression::META;
        let d = |m: &'static str| {
            crate::diagnostic::Diagnostic::new(&META, layerwise_syntax::TextRange::new(0, 0), m)
        };
        let messages = |v: Vec<crate::diagnostic::Diagnostic>| -> Vec<String> {
            v.into_iter().map(|d| d.message.into_owned()).collect()
        };
        for biggest in 0..3 {
            let mut parts = vec![vec![d("a")], vec![d("b")], vec![], vec![d("c")]];
            parts[biggest].extend([d("x"), d("y")]);
            let want = messages(parts.iter().flatten().cloned().collect());
            assert_eq!(messages(super::concat_in_place(parts)), want);
        }
        assert!(super::concat_in_place(Vec::new()).is_empty());
    }

    /// Sorting in place gives what a stable sort by position gives.
    #[test]
    fn findings_sort_in_place_as_a_stable_sort_does() {
        use crate::diagnostic::Diagnostic;
        static A: crate::rule::RuleMeta =
            crate::rules::nursery::unused_suppression::UnusedSuppression::META;
        static B: crate::rule::RuleMeta =
            crate::rules::correctness::unknown_instruction::UnknownInstruction::META;
        let key = |d: &Diagnostic| (d.range.start, d.range.end, d.rule.name, d.message.clone());
        // a small generator of positions with many ties (no dependency for randomness)
        let mut seed = 7u32;
        for len in [0, 1, 2, 3, 5, 17, 200] {
            let mut v: Vec<Diagnostic> = (0..len)
                .map(|n| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    let start = (seed >> 16) % 6;
                    let rule = if seed & 1 == 0 { &A } else { &B };
                    let range = layerwise_syntax::TextRange::new(start, start + (seed >> 8) % 2);
                    Diagnostic::new(rule, range, format!("{n}"))
                })
                .collect();
            let mut want: Vec<_> = v.iter().map(key).collect();
            want.sort_by(|x, y| (x.0, x.1, x.2).cmp(&(y.0, y.1, y.2)));
            super::sort_by_position(&mut v);
            assert_eq!(v.iter().map(key).collect::<Vec<_>>(), want, "{len}");
        }
    }

    /// Two threads give the same findings, in the same order, as one; and stop the same way.
    #[test]
    fn two_threads_find_what_one_finds() {
        let mut text = String::from("# check=error=true\nARG BASE=alpine\n");
        for k in 0..120 {
            text.push_str(&format!(
                "FROM $BASE as s{k}\nRUN sudo apt-get install curl && cd /x\nCOPY $nope{k} .\n\
                 # layerwise: ignore=no-such-rule\nENV PASSWORD=hunter{k}\nEXPOSE 80{k}\n"
            ));
        }
        let file = layerwise_syntax::Dockerfile::parse(&text);
        let model =
            layerwise_analysis::Model::build(&file, layerwise_analysis::ModelOptions::default());
        assert!(model.instructions.len() >= super::PARALLEL_FROM);
        let facts = Facts::default();
        let cx = crate::context::LintContext::new(&file, &text, &model, &facts);
        let config = crate::config::Config::default();
        let one = super::run_rules(&cx, &config, &|| false, false);
        let two = super::run_rules(&cx, &config, &|| false, true);
        let one = one.unwrap_or_default();
        assert!(one.len() > 500, "{}", one.len());
        assert_eq!(format!("{one:?}"), format!("{:?}", two.unwrap_or_default()));
        assert!(super::run_rules(&cx, &config, &|| true, true).is_none());
        // the whole lint (suppressions, unused suppressions, sorting) is the same either way
        let full_one = super::lint_with(&cx, &config, &|| false, false).unwrap_or_default();
        let full_two = super::lint_with(&cx, &config, &|| false, true).unwrap_or_default();
        assert!(full_one.len() > 500, "{}", full_one.len());
        assert_eq!(format!("{full_one:?}"), format!("{full_two:?}"));
    }

    #[test]
    fn configured_levels_do_not_hide_a_failing_build() {
        let text = "# check=error=true\nFROM scratch as base\n";
        let file = layerwise_syntax::Dockerfile::parse(text);
        let model =
            layerwise_analysis::Model::build(&file, layerwise_analysis::ModelOptions::default());
        let facts = Facts::default();
        let cx = crate::context::LintContext::new(&file, text, &model, &facts);
        let mut config = crate::config::Config::default();
        config.rules.insert(
            "from-as-casing".into(),
            crate::config::Level::On(Severity::Hint),
        );
        let ds = super::lint(&cx, &config);
        assert!(
            ds.iter()
                .any(|d| d.rule.name == "from-as-casing" && d.severity == Severity::Error),
            "{ds:?}"
        );
    }
}
