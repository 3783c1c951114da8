//! Classifying the stage's instructions (build work, the running container, state both
//! stages need) and distributing them between the builder and the runtime stage.

use layerwise_syntax::InstructionKind;

use super::super::is_runtime_instruction;
use super::super::view::{Unit, View};
use super::{Entry, Plan};

/// How an instruction of the original stage is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Building: stays in the builder.
    Build,
    /// Describes the running container only: moves to the runtime stage.
    Runtime,
    /// State both stages may need (`WORKDIR`, `USER`, run-time `ENV`): stays in the builder
    /// when build steps follow it (and is repeated in the runtime stage), else moves.
    State,
}

/// `ENV` names that only steer tools during the build.
fn build_only_env(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "DEBIAN_FRONTEND",
        "CGO_ENABLED",
        "GOOS",
        "GOARCH",
        "GOARM",
        "GOAMD64",
        "GOFLAGS",
        "GOPROXY",
        "GOPRIVATE",
        "GONOSUMDB",
        "GONOSUMCHECK",
        "GO111MODULE",
        "GOCACHE",
        "GOMODCACHE",
        "GOPATH",
        "RUSTFLAGS",
        "MAVEN_OPTS",
        "MAVEN_CONFIG",
        "PATH",
        "VIRTUAL_ENV",
        "APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_",
        "RUSTUP_",
        "PIP_",
        "POETRY_",
        "PIPENV_",
        "UV_",
        "NPM_CONFIG_",
        "YARN_",
        "PNPM_",
        "GRADLE_",
    ];
    EXACT.contains(&name)
        || PREFIXES
            .iter()
            .any(|p| name.to_ascii_uppercase().starts_with(p))
}

/// The class of one unit (a unit without an instruction, only comments, stays put).
pub(super) fn classify(v: &View<'_>, u: &Unit) -> Class {
    use InstructionKind as K;
    if u.item.is_none() {
        return Class::Build;
    }
    match u.kind {
        k if is_runtime_instruction(k) => Class::Runtime,
        K::Workdir | K::User => Class::State,
        K::Env => {
            let all_build = v.instruction(u).is_some_and(|i| {
                !i.pairs().is_empty() && i.pairs().iter().all(|p| build_only_env(&p.key.text))
            });
            if all_build {
                Class::Build
            } else {
                Class::State
            }
        }
        _ => Class::Build,
    }
}

impl Plan<'_, '_> {
    /// For each unit, whether a later unit does build work (`RUN`, `COPY`, `ADD`) in the
    /// builder (one pass from the end).
    fn build_follows(&self) -> Vec<bool> {
        let mut out = vec![false; self.v.units.len()];
        let mut seen = false;
        for (i, u) in self.v.units.iter().enumerate().rev() {
            out[i] = seen;
            seen |= self.classes[i] == Class::Build
                && matches!(
                    u.kind,
                    InstructionKind::Run | InstructionKind::Copy | InstructionKind::Add
                );
        }
        out
    }

    /// Distributes the units: builder entries, and moved or repeated ones in the runtime.
    pub fn distribute(&mut self) {
        let follows = self.build_follows();
        for (i, &stays) in follows.iter().enumerate() {
            let u = self.unit(i);
            match self.classes[i] {
                Class::Build => self.push_b(i),
                Class::Runtime => self.rt_tail.push(Entry::Unit(i)),
                Class::State => match u.kind {
                    InstructionKind::Env => {
                        if stays {
                            self.push_b(i);
                            let text = self.instruction_text(i);
                            self.rt_env.push(Entry::Gen(text));
                        } else {
                            self.rt_env.push(Entry::Unit(i));
                        }
                    }
                    InstructionKind::Workdir => {
                        let absolute = self
                            .v
                            .instruction(u)
                            .and_then(|inst| inst.arg_words().first())
                            .is_some_and(|w| w.text.starts_with('/'));
                        if !stays && absolute && self.rt_workdir.is_none() {
                            self.rt_workdir = Some(Entry::Unit(i));
                        } else {
                            self.push_b(i);
                        }
                    }
                    InstructionKind::User => {
                        if !stays && self.rt.flavor.has_shell() {
                            self.rt_user = Some(Entry::Unit(i));
                        } else {
                            self.push_b(i);
                        }
                    }
                    _ => self.push_b(i),
                },
            }
        }
    }

    fn push_b(&mut self, i: usize) {
        if self.unit(i).blank_before && !self.b.is_empty() {
            self.b.push(Entry::Blank);
        }
        self.b.push(Entry::Unit(i));
    }
}
