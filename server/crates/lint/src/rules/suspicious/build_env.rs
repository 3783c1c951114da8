//! The variables BuildKit's builder sees while it dispatches each instruction, in one linear
//! pass over the file. This follows BuildKit's dispatcher rather than the image config:
//! - a stage starts with its base's environment: for `FROM <stage>` everything that stage
//!   ended with (its `ENV`s *and* its `ARG` values, which BuildKit adds to the build state),
//!   plus the `ARG`s it declared; for `scratch` just `PATH`; for an image, that image's `ENV`,
//!   which is not known offline (only `PATH`, which BuildKit always sets);
//! - `ENV a=1 b=$a` expands every value with the variables from *before* the instruction;
//! - `ARG` takes, in order: a `--build-arg`, its default (expanded as it goes, so
//!   `ARG a=1 b=$a` sees `a`), the global `ARG` or automatic platform arg of the same name;
//!   an `ARG` with none of these is still declared, which is enough for BuildKit to accept
//!   references to it.

use std::collections::HashMap;

use layerwise_analysis::vars::Scope;
use layerwise_analysis::Base;
use layerwise_syntax::expand::{expand, Expanded};
use layerwise_syntax::InstructionKind;

use crate::context::{InstRef, LintContext};

/// The variables in force at one point of a stage.
#[derive(Debug, Clone, Default)]
pub(crate) struct Env {
    /// `None`: declared by an `ARG` without any value.
    vars: HashMap<String, Option<String>>,
    /// Whether everything the base image defines is known (stages rooted in `scratch`).
    pub image_env_known: bool,
}

impl Env {
    fn entry(image_env_known: bool) -> Self {
        // room for `PATH` and a stage's usual handful of `ENV`/`ARG`s without growing
        let mut vars = HashMap::with_capacity(8);
        vars.insert(
            "PATH".to_string(),
            Some("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()),
        );
        Self {
            vars,
            image_env_known,
        }
    }

    /// Whether BuildKit accepts a reference to `name` here (set, or declared by `ARG`).
    pub fn is_defined(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    pub fn value(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned().flatten()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    pub fn expand(&self, text: &str, escape: char) -> Expanded {
        // most values are plain words: nothing to substitute or unquote
        if !text.contains(['$', '\'', '"', escape]) {
            return Expanded {
                value: text.to_string(),
                ..Expanded::default()
            };
        }
        expand(text, escape, &|n| self.value(n))
    }
}

/// Calls `visit` for every instruction inside a stage with the variables in force just
/// before it runs. Linear in the size of the file (plus one copy of the variables per stage).
pub(crate) fn walk<'a>(cx: &LintContext<'a>, mut visit: impl FnMut(&InstRef<'a>, &Env)) {
    let global = cx.model.global_scope();
    let mut stage_end: Vec<Env> = Vec::with_capacity(cx.model.stages.len());
    for stage in &cx.model.stages {
        let mut env = match stage.base {
            Base::Stage(b) if b < stage_end.len() => stage_end[b].clone(),
            Base::Scratch => Env::entry(true),
            _ => Env::entry(false),
        };
        for &idx in &stage.instructions {
            let Some(i) = cx.instruction(idx) else {
                continue;
            };
            visit(&i, &env);
            apply(cx, &i, &global, &mut env);
        }
        stage_end.push(env);
    }
}

/// The definitions of one `ENV` or `ARG`.
fn apply(cx: &LintContext<'_>, i: &InstRef<'_>, global: &Scope, env: &mut Env) {
    let escape = cx.model.escape;
    match i.inst.kind {
        InstructionKind::Env => {
            let values: Vec<(String, String)> = i
                .inst
                .pairs()
                .iter()
                .map(|p| {
                    (
                        env.expand(&p.key.text, escape).value,
                        p.value
                            .as_ref()
                            .map_or(String::new(), |v| env.expand(&v.text, escape).value),
                    )
                })
                .collect();
            for (k, v) in values {
                env.vars.insert(k, Some(v));
            }
        }
        InstructionKind::Arg => {
            for p in i.inst.pairs() {
                let name = p.key.text.to_string();
                let build_arg = cx
                    .model
                    .options
                    .build_args
                    .iter()
                    .rev()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.clone());
                let value = build_arg
                    .or_else(|| p.value.as_ref().map(|v| env.expand(&v.text, escape).value))
                    .or_else(|| {
                        global
                            .get(&name)
                            .filter(|d| d.instruction.is_none_or(|g| g < i.index))
                            .and_then(|d| d.value.clone())
                    });
                match value {
                    Some(v) => {
                        env.vars.insert(name, Some(v));
                    }
                    None => {
                        env.vars.entry(name).or_insert(None);
                    }
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::{Model, ModelOptions};
    use layerwise_syntax::Dockerfile;

    use crate::context::Facts;

    /// The value of `name` before each instruction of `text`, as `(keyword, value)`.
    fn values(text: &str, name: &str) -> Vec<(String, Option<String>, bool)> {
        let file = Dockerfile::parse(text);
        let model = Model::build(&file, ModelOptions::default());
        let facts = Facts::default();
        let cx = LintContext::new(&file, text, &model, &facts);
        let mut out = Vec::new();
        walk(&cx, |i, env| {
            out.push((
                i.inst.keyword.text.to_string(),
                env.value(name),
                env.is_defined(name),
            ))
        });
        out
    }

    #[test]
    fn follows_buildkit() {
        let t = "ARG V=1\nFROM scratch AS a\nARG V\nENV E=$V X=$E\nRUN x\nFROM a\nRUN y\nFROM alpine\nRUN z\n";
        assert_eq!(
            values(t, "V"),
            [
                ("ARG".into(), None, false),
                ("ENV".into(), Some("1".into()), true),
                ("RUN".into(), Some("1".into()), true),
                ("RUN".into(), Some("1".into()), true),
                ("RUN".into(), None, false),
            ]
        );
        // ENV values see the variables from before the instruction
        let e = values(t, "X");
        assert_eq!(e[2].1.as_deref(), Some(""));
        // declared without a value: defined, no value
        let d = values("FROM scratch\nARG NOPE\nRUN x\n", "NOPE");
        assert_eq!(d[1], ("RUN".into(), None, true));
        // automatic platform args need an ARG in the stage, then have their value
        let p = values("FROM scratch\nRUN a\nARG TARGETARCH\nRUN b\n", "TARGETARCH");
        assert_eq!((p[0].2, p[2].1.as_deref()), (false, Some("amd64")));
    }
}
