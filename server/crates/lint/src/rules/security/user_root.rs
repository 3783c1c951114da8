use layerwise_syntax::{Args, InstructionKind};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::security::helpers::{final_chain, stage_insts};

declare_rule! {
    /// The image's last `USER` is root.
    ///
    /// ## What it does
    /// Reports a `USER root` (or `USER 0`, `root:group`) that is the last `USER` in force in
    /// the final stage — written in the final stage itself or inherited from the stage it is
    /// built `FROM`. Builder stages may stay root: their user does not reach the image.
    ///
    /// ## Why is this bad?
    /// The container's main process runs with root's rights. A bug or a compromised dependency
    /// then has full control of the container and an easier path out of it. Switching to root
    /// for the steps that need it and back to an unprivileged user afterwards costs nothing.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:20-slim
    /// USER node
    /// COPY --chown=node . /app
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM node:20-slim
    /// USER node
    /// COPY --chown=node . /app
    /// USER root
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER node
    /// CMD ["node", "/app/server.js"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which user the program should run as is yours to choose.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [hadolint DL3002](https://github.com/hadolint/hadolint/wiki/DL3002) (which also fires on builder stages)
    /// - [Docker: USER](https://docs.docker.com/reference/dockerfile/#user)
    pub struct UserRoot {
        name: "user-root",
        group: Security,
        severity: Warning,
        fix: None,
        hadolint: ["DL3002"],
        buildkit: None,
    }
}

/// `root`, `0`, `root:<group>`, `0:<group>`.
pub(crate) fn is_root_user(user: &str) -> bool {
    let name = user.trim().split(':').next().unwrap_or("");
    name == "root" || name == "0"
}

/// The last `USER` instruction in force in the final image (the final stage's own, else the
/// nearest base stage's), with its expanded value.
pub(crate) fn last_user<'a>(
    cx: &LintContext<'a>,
    insts: &[InstRef<'a>],
) -> Option<(InstRef<'a>, String)> {
    for stage in final_chain(cx) {
        let last = stage_insts(insts, stage)
            .filter(|i| i.inst.kind == InstructionKind::User)
            .last();
        if let Some(i) = last {
            let Args::Text(w) = &i.inst.args else {
                return None;
            };
            let value = if w.text.contains('$') {
                cx.model
                    .scope_before(cx.file, i.index)
                    .expand(&w.text, cx.model.escape)
                    .value
            } else {
                w.text.to_string()
            };
            return Some((*i, value));
        }
    }
    None
}

impl RuleCheck for UserRoot {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        let Some((user, value)) = last_user(cx, insts) else {
            return;
        };
        if !is_root_user(&value) {
            return;
        }
        let Args::Text(w) = &user.inst.args else {
            return;
        };
        let inherited = user.stage != cx.final_stage();
        let message = if inherited {
            format!("The image runs as `{value}`: the final stage inherits this `USER` from the stage it is built on")
        } else {
            format!("The image runs as `{value}`: this is the last `USER` of the final stage")
        };
        out.push(
            Diagnostic::new(meta, user.abs(w.range), message)
                .note("Switch back to an unprivileged user (e.g. `USER app`) after the steps that need root. Builder stages may stay root."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn fires_on_last_user_root_of_final_stage() {
        assert_eq!(
            flagged(&UserRoot, "FROM a\nUSER app\nUSER root\nCMD x\n"),
            ["root"]
        );
        assert_eq!(flagged(&UserRoot, "FROM a\nUSER 0:0\n"), ["0:0"]);
        assert_eq!(flagged(&UserRoot, "FROM a\nARG U=root\nUSER $U\n"), ["$U"]);
        // inherited through FROM <stage>
        let d = findings(&UserRoot, "FROM a AS base\nUSER root\nFROM base\nCMD x\n");
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("inherits"));
    }

    #[test]
    fn near_misses() {
        // builder stages may stay root
        assert!(findings(
            &UserRoot,
            "FROM a AS build\nUSER root\nRUN make\nFROM b\nUSER app\n"
        )
        .is_empty());
        assert!(findings(
            &UserRoot,
            "FROM a AS build\nUSER root\nFROM b\nCOPY --from=build /x /x\n"
        )
        .is_empty());
        // switched back
        assert!(findings(&UserRoot, "FROM a\nUSER root\nRUN x\nUSER 1000\n").is_empty());
        // the final stage's own USER wins over the base stage's
        assert!(findings(
            &UserRoot,
            "FROM a AS base\nUSER root\nFROM base\nUSER app\n"
        )
        .is_empty());
        // no USER at all is `runs-as-root`'s business
        assert!(findings(&UserRoot, "FROM a\nCMD x\n").is_empty());
        assert!(findings(&UserRoot, "FROM a\nUSER rootless\n").is_empty());
    }
}
