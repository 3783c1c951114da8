use layerwise_syntax::InstructionKind;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{positionals, run_scripts_with};

declare_rule! {
    /// Files are made writable by everyone (`chmod 777`).
    ///
    /// ## What it does
    /// Reports `chmod` modes that let every user write (`777`, `666`, `-R 0777`, `a+w`,
    /// `o+rwx`, `ugo=rwx`) and `COPY`/`ADD --chmod` with such a mode. Modes with the sticky bit
    /// (`1777`, `3777`: shared directories like `/tmp`) are fine.
    ///
    /// ## Why is this bad?
    /// Any process in the container, whatever its user, can then change those files — for
    /// programs and scripts that means running its own code as the user that runs them. The
    /// usual need behind `777` (a directory the app user must write) is met by `chown` to that
    /// user, or group-writable (`775`/`g+w`) for arbitrary-uid platforms like OpenShift.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN mkdir /data && chmod -R 777 /data
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN useradd --system app && mkdir /data && chown app /data
    /// USER app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which user should own the files is yours to choose.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [CIS Docker Benchmark 4.x: file permissions](https://www.cisecurity.org/benchmark/docker)
    pub struct WorldWritable {
        name: "world-writable",
        group: Security,
        severity: Warning,
        fix: None,
        hadolint: [],
        buildkit: None,
    }
}

/// Whether a `chmod` mode grants write to others (and is not a sticky shared directory).
pub(crate) fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() <= 4 && mode.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        // octal digits, read in place
        let digits = mode.as_bytes();
        let (Some(&first), Some(&last)) = (digits.first(), digits.last()) else {
            return false;
        };
        if digits.len() < 3 {
            return false;
        }
        let others = last - b'0';
        let sticky = digits.len() == 4 && (first - b'0') & 1 == 1;
        return others & 2 == 2 && !sticky;
    }
    // symbolic: comma-separated clauses like `a+w`, `o=rwx`, `ugo+rwx`
    mode.split(',').any(|clause| {
        let who_len = clause.bytes().take_while(|b| b"ugoa".contains(b)).count();
        let (who, rest) = clause.split_at(who_len);
        let others = who.contains('o') || who.contains('a');
        let grants = rest.starts_with('+') || rest.starts_with('=');
        others && grants && rest[1..].contains('w') && !rest.contains('t')
    })
}

impl RuleCheck for WorldWritable {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let note = "Give the files to the user that needs them (`chown`, `COPY --chown`) or make them group-writable instead.";
        for script in run_scripts_with(cx, &["chmod"]) {
            for cmd in script.commands {
                if cmd.program() != Some("chmod") {
                    continue;
                }
                let argv = cmd.argv();
                // the mode is the first positional; `--reference=FILE` has none
                let Some(mode) = positionals(argv, &[]).next() else {
                    continue;
                };
                if world_writable(&mode.text) {
                    out.push(
                        Diagnostic::new(
                            meta,
                            to_range(&mode.range),
                            format!("`chmod {}` makes files writable by every user", mode.text),
                        )
                        .note(note),
                    );
                }
            }
        }
        for i in cx
            .instructions()
            .filter(|i| matches!(i.inst.kind, InstructionKind::Copy | InstructionKind::Add))
        {
            let Some(flag) = i.inst.flag("chmod") else {
                continue;
            };
            let (Some(value), Some(range)) = (flag.value(), flag.value_range) else {
                continue;
            };
            if world_writable(value) {
                out.push(
                    Diagnostic::new(
                        meta,
                        i.abs(range),
                        format!("`--chmod={value}` makes the files writable by every user"),
                    )
                    .note(note),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn modes() {
        for m in [
            "777", "0777", "666", "0002", "a+w", "o+rwx", "ugo=rwx", "u+x,o+w", "2777",
        ] {
            assert!(world_writable(m), "{m}");
        }
        for m in [
            "755", "1777", "3777", "775", "g+w", "+x", "u+rwx", "a+rX", "o-w", "+w", "644", "0",
            "7777x",
        ] {
            assert!(!world_writable(m), "{m}");
        }
    }

    #[test]
    fn fires() {
        assert_eq!(
            flagged(
                &WorldWritable,
                "FROM a\nRUN chmod -R 777 /app && chmod 755 /bin/x\n"
            ),
            ["777"]
        );
        assert_eq!(
            flagged(&WorldWritable, "FROM a\nCOPY --chmod=0777 run.sh /\n"),
            ["0777"]
        );
    }

    #[test]
    fn near_misses() {
        assert!(findings(
            &WorldWritable,
            "FROM a\nRUN chmod 1777 /tmp && chmod g+w /data && echo chmod 777\n"
        )
        .is_empty());
        assert!(findings(&WorldWritable, "FROM a\nCOPY --chmod=755 run.sh /\n").is_empty());
    }
}
