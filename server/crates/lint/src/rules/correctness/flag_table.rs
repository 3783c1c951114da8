//! Which `--flags` each instruction accepts, as BuildKit's instruction parser declares them.
//! Flag names are case-sensitive there (`--FROM` is unknown). `ARG`, `STOPSIGNAL` and
//! `HEALTHCHECK NONE` never parse their flags, so anything goes on them.

use layerwise_syntax::{Args, Instruction, InstructionKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FlagType {
    /// `--link`, `--link=true|false`.
    Bool,
    /// Needs `=value`; may appear once.
    String,
    /// Needs `=value`; may repeat (`--mount`, `--exclude`).
    Strings,
}

const ADD: &[(&str, FlagType)] = &[
    ("chown", FlagType::String),
    ("chmod", FlagType::String),
    ("link", FlagType::Bool),
    ("keep-git-dir", FlagType::Bool),
    ("checksum", FlagType::String),
    ("unpack", FlagType::Bool),
    ("exclude", FlagType::Strings),
];
const COPY: &[(&str, FlagType)] = &[
    ("chown", FlagType::String),
    ("from", FlagType::String),
    ("chmod", FlagType::String),
    ("link", FlagType::Bool),
    ("exclude", FlagType::Strings),
    ("parents", FlagType::Bool),
];
const FROM: &[(&str, FlagType)] = &[("platform", FlagType::String)];
const RUN: &[(&str, FlagType)] = &[
    ("mount", FlagType::Strings),
    ("network", FlagType::String),
    ("security", FlagType::String),
    ("device", FlagType::Strings),
];
const HEALTHCHECK: &[(&str, FlagType)] = &[
    ("interval", FlagType::String),
    ("timeout", FlagType::String),
    ("start-period", FlagType::String),
    ("start-interval", FlagType::String),
    ("retries", FlagType::String),
];

/// The flags `inst` accepts, or `None` when BuildKit does not look at its flags at all (then
/// no flag can be wrong). Unknown instructions fail anyway and are not checked here either.
pub(crate) fn accepted_flags(inst: &Instruction) -> Option<&'static [(&'static str, FlagType)]> {
    use InstructionKind as K;
    Some(match inst.kind {
        K::Add => ADD,
        K::Copy => COPY,
        K::From => FROM,
        K::Run => RUN,
        K::Healthcheck => match &inst.args {
            Args::Healthcheck { kind, .. } if kind.text.eq_ignore_ascii_case("none") => {
                return None
            }
            _ => HEALTHCHECK,
        },
        K::Arg | K::Stopsignal | K::Unknown => return None,
        K::Cmd
        | K::Entrypoint
        | K::Env
        | K::Expose
        | K::Label
        | K::Maintainer
        | K::Onbuild
        | K::Shell
        | K::User
        | K::Volume
        | K::Workdir => &[],
    })
}

/// The flags BuildKit parses on `inst`: all of them up to a bare `--`, which ends flag
/// parsing (what follows it is never looked at).
pub(crate) fn parsed_flags(inst: &Instruction) -> impl Iterator<Item = &layerwise_syntax::Flag> {
    inst.flags.iter().take_while(|f| &*f.text != "--")
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_syntax::Dockerfile;

    fn first(text: &str) -> Instruction {
        let f = Dockerfile::parse(text);
        let i = f.instructions().next().map(|(_, i)| i.clone());
        i.expect("one instruction")
    }

    #[test]
    fn table() {
        assert!(accepted_flags(&first("COPY --from=a x y\n"))
            .is_some_and(|f| f.iter().any(|(n, _)| *n == "from")));
        assert!(accepted_flags(&first("ADD a b\n"))
            .is_some_and(|f| !f.iter().any(|(n, _)| *n == "from")));
        assert!(accepted_flags(&first("HEALTHCHECK --interval=1s NONE\n")).is_none());
        assert!(accepted_flags(&first("ARG --x a\n")).is_none());
        assert_eq!(
            accepted_flags(&first("WORKDIR /a\n")).map(<[_]>::len),
            Some(0)
        );
    }
}
