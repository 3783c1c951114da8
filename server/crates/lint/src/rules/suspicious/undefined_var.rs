use layerwise_analysis::vars::AUTOMATIC_PLATFORM_ARGS;
use layerwise_syntax::expand::references;
use layerwise_syntax::mount::mount_fields;
use layerwise_syntax::{Args, InstructionKind, TextRange, Word};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::{suggest, typo_distance, word_sub_range};
use crate::rules::suspicious::build_env::walk;

declare_rule! {
    /// A variable used before it is defined.
    ///
    /// ## What it does
    /// Reports `$NAME` and `${NAME}` in what the builder expands (`COPY`/`ADD` paths and
    /// flags, `ENV`, `LABEL`, `ARG` defaults, `WORKDIR`, `USER`, `VOLUME`, `STOPSIGNAL`,
    /// `RUN --mount` values, and unquoted heredocs copied into the image) when no `ARG` or
    /// `ENV` defines `NAME` at that point. Global `ARG`s (before the first `FROM`) and the
    /// automatic platform args (`TARGETARCH`...) count only after an `ARG NAME` in the stage.
    /// Shell text in `RUN`, `CMD` and `ENTRYPOINT` is not checked: the shell expands it.
    ///
    /// Variables of an external base image are not known offline, so in stages built on an
    /// image only names with lowercase letters (images define upper-case ones) and near-misses
    /// of a defined name (`$PAHT` for `$PATH`) are reported. References with a default or an
    /// alternative (`${NAME:-value}`, `${NAME:+value}`) state their intent and are not
    /// reported (BuildKit reports them).
    ///
    /// ## Why is this bad?
    /// An undefined variable expands to an empty string without an error: `COPY $dir/app .`
    /// copies from the context root, `WORKDIR $HOME/app` becomes `/app`, `ENV PATH=$PAHT:/x`
    /// drops the system paths.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// COPY $foo .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// ARG foo
    /// COPY $foo .
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: for a near-miss, the fix renames the reference to the defined variable; for a
    /// global or automatic arg, it declares `ARG NAME` in the stage. Both change what the
    /// builder substitutes.
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [BuildKit UndefinedVar](https://docs.docker.com/reference/build-checks/undefined-var/)
    /// - [Dockerfile reference: scope of ARG](https://docs.docker.com/reference/dockerfile/#scope)
    pub struct UndefinedVar {
        name: "undefined-var",
        group: Suspicious,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: Some("UndefinedVar"),
    }
}

/// Build args BuildKit reads itself and never puts in the environment.
const NON_ENV_ARGS: &[&str] = &["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// A piece of text the builder expands, and how its offsets map into the file.
struct Expanded<'a> {
    text: &'a str,
    map: Map<'a>,
    /// The escape character of the lexer that expands it.
    escape: char,
    /// `ARG` pairs before this value in the same instruction (BuildKit defines them one by
    /// one, so `ARG a=1 b=$a` is fine).
    prior: &'a [layerwise_syntax::KeyValue],
}

enum Map<'a> {
    /// An argument word; `true` when its text is a slice of the logical line.
    Word(&'a Word, bool),
    /// Text that equals the file from this offset on.
    At(u32),
    /// Offsets do not map: use this range.
    Whole(TextRange),
}

impl Expanded<'_> {
    fn range(&self, i: &InstRef<'_>, r: &std::ops::Range<usize>) -> TextRange {
        match self.map {
            Map::Word(w, sliced) => word_sub_range(i, w, r, sliced),
            Map::At(at) => TextRange::new(at + r.start as u32, at + r.end as u32),
            Map::Whole(w) => w,
        }
    }
}

impl RuleCheck for UndefinedVar {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let globals: Vec<&str> = cx
            .model
            .global_args
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let windows = cx.file.escape() == '`';
        // Whether each stage's base is a Windows image, asked only for a stage where some
        // name is undefined (rare): the question costs about a thousand instructions a stage.
        let mut windows_stage: Vec<Option<bool>> = vec![None; cx.model.stages.len()];
        let mut is_windows_stage = |s: usize| {
            let stage = cx.model.stages.get(s)?;
            let known = windows_stage.get_mut(s)?;
            Some(*known.get_or_insert_with(|| {
                looks_windows(&stage.base_text) || looks_windows(&stage.base_resolved)
            }))
        };
        walk(cx, |i, env| {
            if !may_reference(i) {
                return;
            }
            for piece in expanded_texts(cx, i) {
                if !piece.text.contains('$') {
                    continue;
                }
                for r in references(piece.text, piece.escape) {
                    if r.depth > 0 || r.op.is_some_and(states_intent) {
                        continue;
                    }
                    let name = r.name.as_str();
                    if env.is_defined(name)
                        || piece.prior.iter().any(|p| &*p.key.text == name)
                        || NON_ENV_ARGS.contains(&name)
                    {
                        continue;
                    }
                    // in name order: the variables are a hash map, and of two names as close
                    // as each other the suggestion must not depend on its random seed
                    let mut names: Vec<&str> = env.names().collect();
                    names.sort_unstable();
                    let guess = suggest(name, names, true);
                    let is_global = globals.contains(&name)
                        || AUTOMATIC_PLATFORM_ARGS.iter().any(|(n, _)| *n == name);
                    // Without the image's variables, report only what the image cannot have
                    // defined: lower-case names (not on Windows, whose variables are
                    // mixed-case) and one-typo misspellings of a defined name.
                    let mut windows_base =
                        || windows || i.stage.and_then(&mut is_windows_stage) == Some(true);
                    let report = env.image_env_known
                        || is_global
                        || (name.bytes().any(|b| b.is_ascii_lowercase()) && !windows_base())
                        || (name.len() >= 4
                            && guess
                                .as_deref()
                                .is_some_and(|g| typo_distance(name, g) == 1));
                    if !report {
                        continue;
                    }
                    let range = piece.range(i, &r.name_range);
                    let same_env = i.inst.kind == InstructionKind::Env
                        && i.inst.pairs().iter().any(|p| &*p.key.text == name);
                    let why = if same_env {
                        Why::SameEnv
                    } else if is_global {
                        Why::Global
                    } else if let Some(g) = guess {
                        Why::Typo(g)
                    } else if env.image_env_known {
                        Why::Unset
                    } else {
                        Why::LowerCase
                    };
                    out.push(diagnostic(meta, i, range, name, why));
                }
            }
        });
    }
}

/// Whether `i` can hold a reference this rule reads: a `$` in a text [`expanded_texts`]
/// returns. Most instructions have none, and one scan settles them before their texts are
/// gathered. Unquoting and escapes cannot make a `$`; only a JSON string can (`\u0024`), so
/// exec forms are always looked at. A `RUN`'s shell text is the shell's to expand: only its
/// flags are read, so its (long) script is not scanned.
fn may_reference(i: &InstRef<'_>) -> bool {
    use InstructionKind as K;
    match i.inst.kind {
        K::Run => i.inst.flags.iter().any(|f| f.text.contains('$')),
        K::Env
        | K::Label
        | K::Arg
        | K::Copy
        | K::Add
        | K::Workdir
        | K::User
        | K::Stopsignal
        | K::Volume => matches!(i.inst.args, Args::Exec { .. }) || i.item.text().contains('$'),
        _ => false,
    }
}

/// `${X:-default}`, `${X:+alt}`, `${X:?msg}` say what happens when `X` is unset.
fn states_intent(op: layerwise_syntax::expand::Op) -> bool {
    use layerwise_syntax::expand::Op;
    matches!(
        op,
        Op::Default { .. } | Op::Alternative { .. } | Op::Required { .. }
    )
}

/// Base images of Windows containers, whose variables are mixed-case (`ProgramFiles`); kept
/// under this name for the rules that import it from here.
pub(crate) use crate::windows_image::is_windows_reference as looks_windows;

/// Why a name is reported, which decides the note and the fix.
enum Why {
    /// Set earlier in the same `ENV`, which expands before it sets.
    SameEnv,
    /// A global or automatic build arg not declared in the stage.
    Global,
    /// A near-miss of a defined name.
    Typo(String),
    /// Nothing defines it, and the stage's variables are all known.
    Unset,
    /// Nothing in the file defines it, and images do not define lower-case names.
    LowerCase,
}

fn diagnostic(
    meta: &'static RuleMeta,
    i: &InstRef<'_>,
    range: TextRange,
    name: &str,
    why: Why,
) -> Diagnostic {
    let mut message = format!("Usage of undefined variable '${name}'");
    if let Why::Typo(g) = &why {
        message.push_str(&format!(" (did you mean ${g}?)"));
    }
    let d = Diagnostic::new(meta, range, message);
    match why {
        Why::SameEnv => d.note(format!(
            "`{name}` is set by this same ENV, but ENV expands every value before it sets any: here `${name}` is the value from before this line. Split the ENV in two."
        )),
        Why::Global => d
            .note(format!(
                "`{name}` is a global build arg: it is visible in FROM lines only. Declare `ARG {name}` in this stage to use it here; until then it expands to an empty string."
            ))
            .fix(Fix {
                title: format!("Declare `ARG {name}` in this stage").into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit { range: TextRange::empty(i.range().start), text: format!("ARG {name}\n").into() }].into(),
            }),
        Why::Typo(g) => d
            .note(format!("`{name}` is not defined here and expands to an empty string; `{g}` is."))
            .fix(Fix::replace(format!("Replace with `{g}`"), range, g, Applicability::Unsafe)),
        Why::Unset => d.note("Nothing defines it at this point, so it expands to an empty string. Declare it with `ARG` (and pass `--build-arg`) or `ENV` before this line."),
        Why::LowerCase => d.note(
            "Nothing in this Dockerfile defines it and image variables are upper-case by convention, so it most likely expands to an empty string. Declare it with `ARG` or `ENV` before this line.",
        ),
    }
}

/// What the builder expands in `i`, following BuildKit's `Expand` methods.
/// The texts of an instruction that reference variables. Most texts have no `$`; leaving
/// them out here (the rule would skip them) spares a list per instruction.
struct Pieces<'a>(Vec<Expanded<'a>>);

impl<'a> Pieces<'a> {
    fn push(&mut self, e: Expanded<'a>) {
        if e.text.contains('$') {
            self.0.push(e);
        }
    }
    fn extend(&mut self, e: impl IntoIterator<Item = Expanded<'a>>) {
        e.into_iter().for_each(|e| self.push(e));
    }
}

fn expanded_texts<'a>(cx: &LintContext<'_>, i: &InstRef<'a>) -> Vec<Expanded<'a>> {
    let escape = cx.model.escape;
    let inst = i.inst;
    let mut out = Pieces(Vec::new());
    let word = |w: &'a Word, sliced: bool| Expanded {
        text: &w.text,
        map: Map::Word(w, sliced),
        escape,
        prior: &[],
    };
    match (&inst.kind, &inst.args) {
        (InstructionKind::Env | InstructionKind::Label, Args::Pairs { pairs, .. }) => {
            for p in pairs {
                out.push(word(&p.key, true));
                if let Some(v) = &p.value {
                    out.push(word(v, true));
                }
            }
        }
        (InstructionKind::Arg, Args::Pairs { pairs, .. }) => {
            for (n, p) in pairs.iter().enumerate() {
                if let Some(v) = &p.value {
                    out.push(Expanded {
                        prior: &pairs[..n],
                        ..word(v, true)
                    });
                }
            }
        }
        (InstructionKind::Copy | InstructionKind::Add, _) => {
            let heredoc_words: Vec<TextRange> = inst.heredocs.iter().map(|h| h.opener).collect();
            let sliced = !matches!(inst.args, Args::Exec { .. });
            for w in inst.arg_words() {
                if !heredoc_words.contains(&w.range) {
                    out.push(word(w, sliced));
                }
            }
            for f in &inst.flags {
                let name = f.name();
                if matches!(name, "chown" | "chmod")
                    || (name == "checksum" && inst.kind == InstructionKind::Add)
                {
                    if let Some(e) = flag_value(i, f, escape) {
                        out.push(e);
                    }
                }
            }
            for h in inst.heredocs.iter().filter(|h| h.expand) {
                let body = i.abs(h.body);
                if let Some(text) = i.item.text().get(h.body.as_usize()) {
                    out.push(Expanded {
                        text,
                        map: Map::At(body.start),
                        escape: '\\',
                        prior: &[],
                    });
                }
            }
        }
        (
            InstructionKind::Workdir | InstructionKind::User | InstructionKind::Stopsignal,
            Args::Text(w),
        ) => out.push(word(w, true)),
        (InstructionKind::Volume, _) => {
            let sliced = !matches!(inst.args, Args::Exec { .. });
            out.extend(inst.arg_words().iter().map(|w| word(w, sliced)));
        }
        (InstructionKind::Run, _) => {
            // a mount without `$` has nothing to report: ask that before its name
            let mounts = inst
                .flags
                .iter()
                .filter(|f| f.text.contains('$') && f.name() == "mount");
            for f in mounts {
                let (Some(value), Some(vr)) = (f.value(), f.value_range) else {
                    continue;
                };
                // the fields' values are pieces of this text
                if !value.contains('$') {
                    continue;
                }
                let exact = i.item.slice(vr) == value;
                for field in mount_fields(value) {
                    let Some(r) = field.value_range else { continue };
                    let Some(text) = value.get(r.clone()) else {
                        continue;
                    };
                    let map = if exact {
                        Map::At(i.abs(vr).start + r.start as u32)
                    } else {
                        Map::Whole(i.abs(f.range))
                    };
                    out.push(Expanded {
                        text,
                        map,
                        escape,
                        prior: &[],
                    });
                }
            }
        }
        _ => {}
    }
    out.0
}

fn flag_value<'a>(
    i: &InstRef<'a>,
    f: &'a layerwise_syntax::Flag,
    escape: char,
) -> Option<Expanded<'a>> {
    let value = f.value()?;
    let vr = f.value_range?;
    let map = if i.item.slice(vr) == value {
        Map::At(i.abs(vr).start)
    } else {
        Map::Whole(i.abs(f.range))
    };
    Some(Expanded {
        text: value,
        map,
        escape,
        prior: &[],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    /// Of several names as close as each other to the typo, the first by name is suggested,
    /// whatever the order of the hash map holding them (found in review: it varied per run).
    #[test]
    fn the_suggestion_does_not_depend_on_hash_order() {
        let args: String = (0..10).map(|k| format!("ARG a{k}=1\n")).collect();
        let text = format!("FROM alpine\n{args}COPY $ax .\n");
        let found = findings(&UndefinedVar, &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("did you mean $a0?"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn fires() {
        assert_eq!(
            flagged(&UndefinedVar, "FROM alpine AS base\nCOPY $foo .\n"),
            ["foo"]
        );
        // a JSON string can spell the `$` (`\u0024`): no `$` in the source, still looked at
        // (the whole string is the range: decoded offsets do not map)
        assert_eq!(
            flagged(&UndefinedVar, "FROM alpine\nCOPY [\"\\u0024foo\", \".\"]\n"),
            ["\"\\u0024foo\""]
        );
        assert_eq!(
            flagged(&UndefinedVar, "FROM alpine\nENV PATH=$PAHT:/app/bin\n"),
            ["PAHT"]
        );
        assert_eq!(
            fixed(&UndefinedVar, "FROM alpine\nENV PATH=$PAHT:/app/bin\n"),
            "FROM alpine\nENV PATH=$PATH:/app/bin\n"
        );
        // a stage on scratch has no hidden variables
        assert_eq!(
            flagged(
                &UndefinedVar,
                "FROM scratch\nCOPY ${APP_DIR}/bin /bin\nARG VERSION=$VERSON\n"
            ),
            ["APP_DIR", "VERSON"]
        );
        // global ARG without redeclaration, with the fix
        let t = "ARG VERSION=1\nFROM alpine\nLABEL version=$VERSION\n";
        assert_eq!(flagged(&UndefinedVar, t), ["VERSION"]);
        assert_eq!(
            fixed(&UndefinedVar, t),
            "ARG VERSION=1\nFROM alpine\nARG VERSION\nLABEL version=$VERSION\n"
        );
        assert_eq!(
            flagged(&UndefinedVar, "FROM alpine\nWORKDIR /src/$TARGETARCH\n"),
            ["TARGETARCH"]
        );
        // ENV values see what was defined before the instruction
        assert_eq!(
            flagged(&UndefinedVar, "FROM scratch\nENV A=1 B=$A\n"),
            ["A"]
        );
        // mount values and unquoted heredocs that are copied
        assert_eq!(
            flagged(
                &UndefinedVar,
                "FROM alpine\nRUN --mount=type=cache,target=$cache true\n"
            ),
            ["cache"]
        );
        assert_eq!(
            flagged(
                &UndefinedVar,
                "FROM scratch\nCOPY <<EOF /etc/app.conf\nhome=$HOME\nEOF\n"
            ),
            ["HOME"]
        );
    }

    #[test]
    fn same_env_note_and_windows() {
        let d = findings(&UndefinedVar, "FROM scratch\nENV DIR=/app BIN=$DIR/bin\n");
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .note
            .as_deref()
            .is_some_and(|n| n.contains("expands every value before it sets any")));
        // Windows images define mixed-case variables we cannot see
        let w = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV PSCORE=\"$ProgramFiles\\PowerShell\"\n";
        assert!(findings(&UndefinedVar, w).is_empty());
        // an upper-case name on an unknown image is reported only as a one-typo miss
        assert!(findings(&UndefinedVar, "FROM ubuntu:24.04\nWORKDIR $GOPATH/src\n").is_empty());
    }

    #[test]
    fn windows_bases_named_by_tag_or_framework_hide_mixed_case_names() {
        // no escape directive: only the base's name says Windows
        for base in [
            "python:3.12-windowsservercore-ltsc2022",
            "mcr.microsoft.com/dotnet/framework/sdk:4.8",
            "example.com/base:ltsc2022",
        ] {
            let t = format!("FROM {base}\nCOPY $ProgramData/app /app\n");
            assert!(findings(&UndefinedVar, &t).is_empty(), "{base}");
        }
        // the same line on Linux images is reported, `win` in a name is not enough
        assert_eq!(
            flagged(
                &UndefinedVar,
                "FROM darwin/tools\nCOPY $ProgramData/app /app\n"
            ),
            ["ProgramData"]
        );
        assert_eq!(
            flagged(&UndefinedVar, "FROM twingate/connector:1\nCOPY $foo .\n"),
            ["foo"]
        );
    }

    #[test]
    fn near_miss() {
        let ok = "ARG BASE=alpine\nARG TAG\nFROM ${BASE}:${TAG} AS build\nARG TAG\nARG A=1 B=$A\nENV X=$TAG Y=${UNSET:-d}\nCOPY $TAG $X /dst/\n\
                  RUN echo $whatever ${undefined}\nCMD echo $nope\nENV C=$B\nFROM build\nCOPY $X $A /\nFROM python:3.12\nARG VERSION=$PYTHON_VERSION\n\
                  COPY --chown=$USER_ID a b\nCOPY <<'EOF' /x\n$notexpanded\nEOF\nWORKDIR $HOME\nARG BUILDKIT_SBOM_SCAN_STAGE\n";
        assert!(
            findings(&UndefinedVar, ok).is_empty(),
            "{:?}",
            flagged(&UndefinedVar, ok)
        );
        // escaped dollars are not references
        assert!(findings(&UndefinedVar, "FROM scratch\nENV A=\\$foo B='$bar'\n").is_empty());
    }
}
