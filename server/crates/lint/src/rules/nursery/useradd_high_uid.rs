use layerwise_syntax::TextRange;

use crate::context::{to_range, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::run_scripts_with;

declare_rule! {
    /// `useradd` with a large UID and without `-l` bloats the image.
    ///
    /// ## What it does
    /// Reports `useradd -u <uid>` with a UID of six digits or more when `-l`
    /// (`--no-log-init`) is missing.
    ///
    /// ## Why is this bad?
    /// `useradd` reserves the new user's entry in `/var/log/lastlog` and `faillog`, files
    /// indexed by UID. They are sparse on disk, but image layers store them in full: a UID of
    /// 100000000 adds gigabytes to the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN useradd -u 123456789 app
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// RUN useradd -l -u 123456789 app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `-l` only skips the login-record databases, which containers do not use.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3046](https://github.com/hadolint/hadolint/wiki/DL3046)
    /// - [moby#5419: useradd with high UID creates huge images](https://github.com/moby/moby/issues/5419)
    pub struct UseraddHighUid {
        name: "useradd-high-uid",
        group: Nursery,
        severity: Warning,
        fix: Always,
        default_enabled: false,
        hadolint: ["DL3046"],
        buildkit: None,
    }
}

impl RuleCheck for UseraddHighUid {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        for script in run_scripts_with(cx, &["useradd"]) {
            for cmd in script.commands {
                if cmd.program() != Some("useradd") {
                    continue;
                }
                let argv = cmd.argv();
                let short_has = |c: char| {
                    argv.iter().skip(1).any(|w| {
                        w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains(c)
                    })
                };
                if short_has('l') || argv.iter().any(|w| w.text == "--no-log-init") {
                    continue;
                }
                let uid =
                    argv.iter()
                        .enumerate()
                        .skip(1)
                        .find_map(|(k, w)| match w.text.as_str() {
                            "-u" | "--uid" => argv.get(k + 1),
                            t if t.starts_with("--uid=") => Some(w),
                            _ => None,
                        });
                let Some(uid) = uid else { continue };
                let written = uid.text.trim_start_matches("--uid=");
                // `-u $UID`: the ARG/ENV value in force, when the file gives one
                let resolved = if written.contains('$') && !script.onbuild {
                    cx.model
                        .scope_before(cx.file, script.inst.index)
                        .expand(written, cx.model.escape)
                        .value
                } else {
                    written.to_string()
                };
                let digits = resolved.as_str();
                if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let Some(prog) = argv.first() else { continue };
                out.push(
                    Diagnostic::new(meta, to_range(&uid.range), format!("`useradd` with UID {digits} and without `-l` writes a huge lastlog file into the layer"))
                        .note("Add `-l` (`--no-log-init`) so useradd does not reserve the login-record entries.")
                        .fix(Fix::replace("Add `-l`", TextRange::empty(prog.range.end as u32), " -l", Applicability::Safe)),
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
    fn fires_and_fixes() {
        let t = "FROM a\nRUN useradd --uid 1000000 -m app\n";
        assert_eq!(flagged(&UseraddHighUid, t), ["1000000"]);
        assert_eq!(
            fixed(&UseraddHighUid, t),
            "FROM a\nRUN useradd -l --uid 1000000 -m app\n"
        );
        assert_eq!(
            flagged(
                &UseraddHighUid,
                "FROM a\nARG APP_UID=2000000\nRUN useradd -u \"$APP_UID\" app\n"
            ),
            ["\"$APP_UID\""]
        );
    }

    #[test]
    fn near_misses() {
        for t in [
            "FROM a\nRUN useradd -u 1000 app\n",
            "FROM a\nRUN useradd -lu 1234567 app\n",
            "FROM a\nRUN useradd --no-log-init -u 1234567 app\n",
            "FROM a\nRUN useradd -u $UID app\n",
            "FROM a\nARG UID=999\nRUN useradd -u ${UID} app\n",
        ] {
            assert!(findings(&UseraddHighUid, t).is_empty(), "{t}");
        }
    }
}
