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

use std::borrow::Cow;
use std::collections::HashMap;

use layerwise_analysis::vars::Scope;
use layerwise_analysis::Base;
use layerwise_syntax::expand::{expand, Expanded};
use layerwise_syntax::{InstructionKind, KeyValue};

use crate::context::{InstRef, LintContext};

/// The `PATH` BuildKit sets in every stage (the image's own is not known offline).
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The variables in force at one point of a stage.
///
/// Names and values borrow the file's text where nothing was substituted (almost always),
/// and the default `PATH` is implied rather than stored: a stage without `ENV` or `ARG`
/// then costs no allocation at all (on 10,000 lines, three per stage were most of this
/// walk's allocations).
#[derive(Debug, Clone, Default)]
pub(crate) struct Env<'a> {
    /// `None`: declared by an `ARG` without any value. `PATH` is here only once it is set.
    vars: HashMap<Cow<'a, str>, Option<Cow<'a, str>>>,
    /// Whether everything the base image defines is known (stages rooted in `scratch`).
    pub image_env_known: bool,
}

impl<'a> Env<'a> {
    fn entry(image_env_known: bool) -> Self {
        Self {
            vars: HashMap::new(),
            image_env_known,
        }
    }

    /// Whether BuildKit accepts a reference to `name` here (set, or declared by `ARG`).
    pub fn is_defined(&self, name: &str) -> bool {
        name == "PATH" || self.vars.contains_key(name)
    }

    pub fn value(&self, name: &str) -> Option<String> {
        self.value_ref(name).map(str::to_string)
    }

    fn value_ref(&self, name: &str) -> Option<&str> {
        match self.vars.get(name) {
            Some(v) => v.as_deref(),
            None if name == "PATH" => Some(DEFAULT_PATH),
            None => None,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        let implied = (!self.vars.contains_key("PATH")).then_some("PATH");
        self.vars.keys().map(|k| &**k).chain(implied)
    }

    pub fn expand(&self, text: &str, escape: char) -> Expanded {
        // most values are plain words: nothing to substitute or unquote
        if !needs_expansion(text, escape) {
            return Expanded {
                value: text.to_string(),
                ..Expanded::default()
            };
        }
        expand(text, escape, &|n| self.value(n))
    }

    /// The value of `text` here: the text itself when there is nothing to substitute or
    /// unquote, so that the variable borrows it.
    fn expand_value(&self, text: &'a str, escape: char) -> Cow<'a, str> {
        if needs_expansion(text, escape) {
            Cow::Owned(expand(text, escape, &|n| self.value(n)).value)
        } else {
            Cow::Borrowed(text)
        }
    }

    /// Declares `name` without a value, unless it is already defined (an `ARG` with no value
    /// keeps what the name had).
    fn declare(&mut self, name: &'a str) {
        if !self.is_defined(name) {
            self.vars.insert(Cow::Borrowed(name), None);
        }
    }
}

fn needs_expansion(text: &str, escape: char) -> bool {
    text.contains(['$', '\'', '"', escape])
}

/// Calls `visit` for every instruction inside a stage with the variables in force just
/// before it runs. Linear in the size of the file (plus one copy of the variables per stage).
pub(crate) fn walk<'a>(cx: &LintContext<'a>, mut visit: impl FnMut(&InstRef<'a>, &Env<'a>)) {
    let global = cx.model.global_scope();
    let mut stage_end: Vec<Env<'a>> = Vec::with_capacity(cx.model.stages.len());
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
fn apply<'a>(cx: &LintContext<'a>, i: &InstRef<'a>, global: &Scope, env: &mut Env<'a>) {
    let escape = cx.model.escape;
    match i.inst.kind {
        InstructionKind::Env => {
            // every value is expanded with the variables from before the instruction
            let pair = |env: &Env<'a>, p: &'a KeyValue| {
                let key = env.expand_value(&p.key.text, escape);
                let value = p
                    .value
                    .as_ref()
                    .map_or(Cow::Borrowed(""), |v| env.expand_value(&v.text, escape));
                (key, Some(value))
            };
            match i.inst.pairs() {
                // one pair (the usual case) needs no list of values set aside
                [p] => {
                    let (k, v) = pair(env, p);
                    env.vars.insert(k, v);
                }
                pairs => {
                    let values: Vec<_> = pairs.iter().map(|p| pair(env, p)).collect();
                    env.vars.extend(values);
                }
            }
        }
        InstructionKind::Arg => {
            for p in i.inst.pairs() {
                let name: &'a str = &p.key.text;
                let build_arg = cx
                    .model
                    .options
                    .build_args
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| Cow::Borrowed(v.as_str()));
                let value = build_arg
                    .or_else(|| p.value.as_ref().map(|v| env.expand_value(&v.text, escape)))
                    .or_else(|| {
                        global
                            .get(name)
                            .filter(|d| d.instruction.is_none_or(|g| g < i.index))
                            .and_then(|d| d.value.clone())
                            .map(Cow::Owned)
                    });
                match value {
                    Some(v) => {
                        env.vars.insert(Cow::Borrowed(name), Some(v));
                    }
                    None => env.declare(name),
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

    /// `PATH` is implied in every stage, not stored: it must still read as set, keep its
    /// value through an `ARG PATH` without one, give way to an `ENV`, be listed once among
    /// the names, and flow into a stage built on this one.
    #[test]
    fn default_path_is_implied() {
        let default = Some(DEFAULT_PATH.to_string());
        let t = "FROM alpine AS a\nARG PATH\nRUN x\nENV PATH=/x:$PATH\nRUN y\nFROM a\nRUN z\n";
        let p = values(t, "PATH");
        let want_env = Some(format!("/x:{DEFAULT_PATH}"));
        assert_eq!(p[0], ("ARG".into(), default.clone(), true));
        assert_eq!(p[1], ("RUN".into(), default.clone(), true));
        assert_eq!(p[3], ("RUN".into(), want_env.clone(), true));
        assert_eq!(p[4], ("RUN".into(), want_env, true));
        let file = Dockerfile::parse(t);
        let model = Model::build(&file, ModelOptions::default());
        let facts = Facts::default();
        let cx = LintContext::new(&file, t, &model, &facts);
        let mut names = Vec::new();
        walk(&cx, |_, env| {
            let mut n: Vec<&str> = env.names().collect();
            n.sort_unstable();
            names.push(n.join(","));
        });
        assert_eq!(names, ["PATH", "PATH", "PATH", "PATH", "PATH"]);
    }
}
