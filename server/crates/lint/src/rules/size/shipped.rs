//! What reaches the image `docker build` produces. The size rules only weigh what ships: the
//! final stage and the stages it is built `FROM` (their whole filesystem is inherited). A
//! builder stage reached only through `COPY --from` contributes just the files it names, so
//! its compilers, caches and package lists do not weigh on the image.

use std::collections::HashMap;

use layerwise_analysis::shell::ShellCommand;
use layerwise_analysis::{Base, Model};
use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};

mod command;
pub(crate) use command::{final_command, runs_an_app};

/// `shipped[s]` is true when stage `s`'s filesystem is part of the final image: the final
/// stage and, transitively, the stages it is built `FROM`.
pub(crate) fn shipped_stages(model: &Model) -> Vec<bool> {
    let mut shipped = vec![false; model.stages.len()];
    let Some(mut s) = model.stages.len().checked_sub(1) else {
        return shipped;
    };
    loop {
        shipped[s] = true;
        match model.stages[s].base {
            // A base must be an earlier stage; the check also bounds the walk.
            Base::Stage(b) if b < s && !shipped[b] => s = b,
            _ => break,
        }
    }
    shipped
}

/// A `RUN` of a shipped stage with its shell commands.
pub(crate) struct ShippedRun<'a> {
    pub inst: InstRef<'a>,
    pub commands: &'a [ShellCommand],
    /// How many of [`Shipped::defs`] come before this `RUN`.
    defs_before: usize,
}

/// An `ENV` or `ARG` definition in a shipped stage.
struct Def {
    stage: usize,
    env: bool,
    value: Option<String>,
}

/// The `RUN`s whose layers are part of the final image, in file order, with the `ENV`/`ARG`
/// values in force at each.
pub(crate) struct Shipped<'a> {
    pub runs: Vec<ShippedRun<'a>>,
    /// Definitions by name, in file order (each with its position among all definitions),
    /// so a lookup costs the definitions of that one name.
    defs: HashMap<String, Vec<(usize, Def)>>,
}

impl<'a> Shipped<'a> {
    /// The shipped `RUN`s whose text mentions one of `needles` (all of them when empty):
    /// a substring test is much cheaper than splitting every script.
    pub fn collect(cx: &'a LintContext<'_>, needles: &[&str]) -> Shipped<'a> {
        let shipped = shipped_stages(cx.model);
        let mut runs = Vec::new();
        let mut defs: HashMap<String, Vec<(usize, Def)>> = HashMap::new();
        let mut count = 0usize;
        for i in cx.instructions() {
            let Some(stage) = i
                .stage
                .filter(|s| shipped.get(*s).copied().unwrap_or(false))
            else {
                continue;
            };
            match i.inst.kind {
                InstructionKind::Env | InstructionKind::Arg => {
                    for p in i.inst.pairs() {
                        let value = p.value.as_ref().map(|v| v.text.to_string());
                        let def = Def {
                            stage,
                            env: i.inst.kind == InstructionKind::Env,
                            value,
                        };
                        defs.entry(p.key.text.to_string())
                            .or_default()
                            .push((count, def));
                        count += 1;
                    }
                }
                InstructionKind::Run => {
                    let text = cx.slice(i.range());
                    if needles.is_empty() || needles.iter().any(|n| text.contains(n)) {
                        runs.push(ShippedRun {
                            commands: cx.run_commands(&i),
                            inst: i,
                            defs_before: count,
                        });
                    }
                }
                _ => {}
            }
        }
        Shipped { runs, defs }
    }

    /// The value of `name` (an `ENV`, or an `ARG` of the same stage) when `run` runs. The
    /// shipped stages form one chain, so every earlier `ENV` in the list is inherited.
    pub fn var(&self, run: &ShippedRun<'_>, name: &str) -> Option<&str> {
        let list = self.defs.get(name)?;
        let before = list.partition_point(|(k, _)| *k < run.defs_before);
        list[..before]
            .iter()
            .rev()
            .map(|(_, d)| d)
            .find(|d| d.env || Some(d.stage) == run.inst.stage)
            .and_then(|d| d.value.as_deref())
    }

    /// For each run (by position in [`Shipped::runs`]), whether a later run satisfies
    /// `pred`. One backward pass, so callers stay linear.
    pub fn later_any(&self, pred: impl Fn(&ShippedRun<'a>) -> bool) -> Vec<bool> {
        let mut out = vec![false; self.runs.len()];
        let mut seen = false;
        for (r, run) in self.runs.iter().enumerate().rev() {
            out[r] = seen;
            seen |= pred(run);
        }
        out
    }
}

/// The value a command sets for itself (`NODE_ENV=production npm ci`).
pub(crate) fn inline_var<'c>(cmd: &'c ShellCommand, name: &str) -> Option<&'c str> {
    let argv_start = cmd.words.len() - cmd.argv().len();
    cmd.words[..argv_start]
        .iter()
        .find_map(|w| w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::ModelOptions;
    use layerwise_syntax::Dockerfile;

    fn shipped(text: &str) -> Vec<bool> {
        shipped_stages(&Model::build(
            &Dockerfile::parse(text),
            ModelOptions::default(),
        ))
    }

    #[test]
    fn final_stage_and_its_bases_ship() {
        assert_eq!(
            shipped("FROM a AS base\nFROM base AS build\nFROM alpine\nCOPY --from=build /x /x\n"),
            [false, false, true]
        );
        assert_eq!(
            shipped("FROM a AS base\nFROM golang AS build\nFROM base\n"),
            [true, false, true]
        );
        assert!(shipped("").is_empty());
    }
}
