use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::{InstRef, LintContext};
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::rule::{RuleCheck, RuleMeta};

declare_rule! {
    /// A per-build `ARG` or `ENV` (commit, build date, version) declared long before its use.
    ///
    /// ## What it does
    /// Reports an `ARG` (or `ENV`) inside a stage whose name says its value changes between builds or
    /// releases (`GIT_SHA`, `GIT_COMMIT`, `VCS_REF`, `BUILD_DATE`, `BUILD_NUMBER`, `VERSION`...) when
    /// `RUN` instructions that do not mention it come between the declaration and its first
    /// use, or when only `LABEL`s use it and `RUN`s follow it. An `ENV` that copies it carries
    /// it on (uses of the `ENV` count). An `ARG` the stage never mentions is not reported: a
    /// script may read it from the environment.
    ///
    /// ## Why is this bad?
    /// Every `RUN` after an `ARG` or `ENV` gets its value in the environment, so a new value
    /// is a cache miss for all of them, whether they use it or not. Declared at the top of a stage, a
    /// commit hash re-runs the dependency install and the whole build on every commit.
    /// Declared just before its first use, it invalidates only what really depends on it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// ARG GIT_SHA
    /// COPY go.mod go.sum ./
    /// RUN go mod download
    /// COPY . .
    /// RUN go build -ldflags "-X main.commit=$GIT_SHA" -o /app .
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.22 AS build
    /// COPY go.mod go.sum ./
    /// RUN go mod download
    /// COPY . .
    /// ARG GIT_SHA
    /// RUN go build -ldflags "-X main.commit=$GIT_SHA" -o /app .
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: moves the `ARG` down to just before its first use. A `RUN` in between that read
    /// the value from the environment (a build script) would no longer see it. Not offered
    /// when the `ARG` declares several names, when an `ENV` copies it, or when only `LABEL`s
    /// use it (move the `ARG` and the `LABEL` to the end of the stage by hand).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Docker: ARG and the build cache](https://docs.docker.com/build/cache/invalidation/#build-arguments)
    pub struct EarlyVolatileArg {
        name: "early-volatile-arg",
        group: Cache,
        severity: Warning,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

impl RuleCheck for EarlyVolatileArg {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        let insts = cx.instruction_list();
        for (pos, arg) in insts.iter().enumerate() {
            if !matches!(arg.inst.kind, InstructionKind::Arg | InstructionKind::Env)
                || arg.stage.is_none()
            {
                continue;
            }
            let pairs = arg.inst.pairs();
            // An `ENV` that copies a variable (`ENV V=$GIT_SHA`) is reported at that `ARG`.
            let literal = |p: &&layerwise_syntax::KeyValue| {
                arg.inst.kind == InstructionKind::Arg
                    || !p.value.as_ref().is_some_and(|v| v.text.contains('$'))
            };
            for pair in pairs
                .iter()
                .filter(|p| is_volatile(&p.key.text))
                .filter(literal)
            {
                let mut names = vec![pair.key.text.to_string()];
                let mut busted = 0usize;
                let mut first_use: Option<&InstRef<'_>> = None;
                let mut only_labels = true;
                let mut runs_after = 0usize;
                let mut carried_by_env = false;
                for later in insts[pos + 1..].iter().take_while(|i| i.stage == arg.stage) {
                    let text = cx.slice(later.range());
                    let uses = names.iter().any(|n| mentions(text, n));
                    if uses && later.inst.kind == InstructionKind::Env {
                        // `ENV V=$GIT_SHA` passes the value on: follow the new names too.
                        carried_by_env = true;
                        names.extend(later.inst.pairs().iter().map(|p| p.key.text.to_string()));
                    } else if uses {
                        first_use.get_or_insert(later);
                        only_labels &= later.inst.kind == InstructionKind::Label;
                        if !only_labels {
                            break; // the count is settled: the RUNs before the first real use
                        }
                    }
                    if later.inst.kind == InstructionKind::Run {
                        runs_after += 1;
                        if first_use.is_none() {
                            busted += 1;
                        }
                    }
                }
                let Some(first_use) = first_use else { continue };
                let label_only = only_labels && runs_after > 0;
                if busted == 0 && !label_only {
                    continue;
                }
                let name = &pair.key.text;
                let keyword = arg.inst.kind.keyword();
                let count = if label_only { runs_after } else { busted };
                let which = if count == 1 {
                    "the `RUN` instruction after it, which does not use it".to_string()
                } else {
                    format!("the {count} `RUN` instructions after it that do not use it")
                };
                let mut d = Diagnostic::new(
                    meta,
                    arg.abs(pair.key.range),
                    format!("a new value of `{keyword} {name}` re-runs {which}"),
                )
                .related(first_use.head_range(), "first use");
                if label_only {
                    d = d.note("Only `LABEL`s use it: declare it and those `LABEL`s at the end of the stage.");
                } else {
                    d = d.note("Declare it just before its first use; `RUN`s before that then stay cached.");
                    if pairs.len() == 1 && arg.inst.flags.is_empty() && !carried_by_env {
                        let text = cx.slice(arg.range());
                        let text = if text.ends_with('\n') {
                            text.to_string()
                        } else {
                            format!("{text}\n")
                        };
                        d = d.fix(Fix {
                            title: format!("Move `{keyword} {name}` to just before its first use")
                                .into(),
                            applicability: Applicability::Unsafe,
                            edits: vec![
                                Edit {
                                    range: arg.range(),
                                    text: "".into(),
                                },
                                Edit {
                                    range: TextRange::empty(first_use.range().start),
                                    text: text.into(),
                                },
                            ]
                            .into(),
                        });
                    }
                }
                out.push(d);
            }
        }
    }
}

/// Names whose values are per build: commit hashes, build dates and numbers, versions.
/// Cache-busting args (`CACHEBUST`) are left alone: busting is their purpose.
fn is_volatile(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "BUILD_DATE",
        "BUILDDATE",
        "BUILD_TIME",
        "BUILDTIME",
        "BUILD_TIMESTAMP",
        "TIMESTAMP",
        "DATE",
        "CREATED",
        "GIT_SHA",
        "GIT_COMMIT",
        "GIT_HASH",
        "GIT_REV",
        "GIT_REVISION",
        "GIT_REF",
        "GIT_TAG",
        "GIT_BRANCH",
        "COMMIT",
        "COMMIT_SHA",
        "COMMIT_HASH",
        "SHA",
        "VCS_REF",
        "VCS_REVISION",
        "REVISION",
        "SOURCE_COMMIT",
        "CI_COMMIT_SHA",
        "GITHUB_SHA",
        "BUILD_REF",
        "BUILD_NUMBER",
        "BUILD_ID",
        "BUILD_VERSION",
        "VERSION",
        "APP_VERSION",
        "RELEASE",
        "RELEASE_VERSION",
        "IMAGE_VERSION",
        "IMAGE_TAG",
    ];
    const SUFFIXES: &[&str] = &[
        "_GIT_SHA",
        "_GIT_COMMIT",
        "_COMMIT_SHA",
        "_BUILD_DATE",
        "_BUILD_NUMBER",
        "_VCS_REF",
    ];
    // compared without an upper-cased copy: this runs for every ENV and ARG name
    EXACT.iter().any(|e| e.eq_ignore_ascii_case(name))
        || SUFFIXES
            .iter()
            .any(|s| ends_with_ignore_ascii_case(name, s))
}

fn ends_with_ignore_ascii_case(text: &str, suffix: &str) -> bool {
    text.len()
        .checked_sub(suffix.len())
        .and_then(|at| text.as_bytes().get(at..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// Whether `text` refers to `$name` / `${name...}`.
fn mentions(text: &str, name: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find('$').map(|i| i + from) {
        let rest = &text[i + 1..];
        let (body, braced) = match rest.strip_prefix('{') {
            Some(r) => (r, true),
            None => (rest, false),
        };
        if let Some(after) = body.strip_prefix(name) {
            let next = after.chars().next();
            let ends = match next {
                None => !braced,
                Some(c) => {
                    !(c.is_ascii_alphanumeric() || c == '_')
                        && (!braced || matches!(c, '}' | ':' | '-' | '+' | '?' | '#' | '%' | '/'))
                }
            };
            if ends {
                return true;
            }
        }
        from = i + 1;
        if from >= bytes.len() {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    /// Names match in either case, whole (`VERSION`) or by their end (`APP_GIT_SHA`).
    #[test]
    fn volatile_names() {
        for yes in [
            "VERSION",
            "version",
            "Git_Sha",
            "APP_GIT_SHA",
            "my_build_date",
            "é_VCS_REF",
        ] {
            assert!(is_volatile(yes), "{yes}");
        }
        for no in [
            "",
            "VERSIONS",
            "MY_VERSION",
            "_GIT_SH",
            "GIT_SHA_X",
            "SHAS",
            "éGIT_SHA",
        ] {
            assert!(!is_volatile(no), "{no}");
        }
    }

    #[test]
    fn fires_and_fixes() {
        let t = "FROM golang AS build\nARG GIT_SHA\nRUN go mod download\nRUN go build -ldflags \"-X main.c=${GIT_SHA}\"\n";
        let d = findings(&EarlyVolatileArg, t);
        assert_eq!(d.len(), 1);
        assert_eq!(&t[d[0].range.as_usize()], "GIT_SHA");
        assert!(
            d[0].message == "a new value of `ARG GIT_SHA` re-runs the `RUN` instruction after it, which does not use it",
            "{}",
            d[0].message
        );
        assert_eq!(fixed(&EarlyVolatileArg, t), "FROM golang AS build\nRUN go mod download\nARG GIT_SHA\nRUN go build -ldflags \"-X main.c=${GIT_SHA}\"\n");
        assert!(findings(&EarlyVolatileArg, &fixed(&EarlyVolatileArg, t)).is_empty());
        // an ENV with a per-build name works the same way
        let t = "FROM alpine\nENV APP_VERSION=1.4.2\nRUN apk add --no-cache curl\nRUN echo $APP_VERSION > /version\n";
        assert_eq!(findings(&EarlyVolatileArg, t)[0].message, "a new value of `ENV APP_VERSION` re-runs the `RUN` instruction after it, which does not use it");
        assert_eq!(fixed(&EarlyVolatileArg, t), "FROM alpine\nRUN apk add --no-cache curl\nENV APP_VERSION=1.4.2\nRUN echo $APP_VERSION > /version\n");
        // only labels use it
        let t = "FROM debian\nARG BUILD_DATE\nLABEL org.opencontainers.image.created=$BUILD_DATE\nRUN apt-get update\nRUN make\n";
        let d = findings(&EarlyVolatileArg, t);
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .message
            .contains("the 2 `RUN` instructions after it that do not use it"));
        assert!(d[0].fixes.is_empty());
        // an ENV copy carries it on
        let t =
            "FROM node\nARG VERSION=1\nENV APP_V=$VERSION\nRUN npm ci\nRUN node build.js $APP_V\n";
        let d = findings(&EarlyVolatileArg, t);
        assert_eq!(d.len(), 1, "reported once, at the ARG");
        assert_eq!(&t[d[0].range.as_usize()], "VERSION");
        assert!(
            d[0].fixes.is_empty(),
            "moving the ARG below the ENV would empty the ENV"
        );
    }

    #[test]
    fn near_misses() {
        for ok in [
            // used right away
            "FROM alpine\nARG VERSION=1.2.3\nRUN wget https://example.com/v${VERSION}.tgz\nRUN make\n",
            // never mentioned: a script may read it from the environment
            "FROM alpine\nARG GIT_COMMIT\nRUN ./build.sh\n",
            // global ARG (only FROM lines see it)
            "ARG VERSION=1\nFROM alpine:$VERSION\nRUN make\n",
            // deliberate cache busting
            "FROM alpine\nARG CACHEBUST=1\nRUN make\nRUN echo $CACHEBUST\n",
            // not volatile
            "FROM alpine\nARG PYTHON_VERSION=3.12\nRUN make\nRUN echo $PYTHON_VERSION\n",
            // no RUN in between
            "FROM alpine\nARG GIT_SHA\nCOPY . .\nRUN echo $GIT_SHA\n",
        ] {
            assert!(findings(&EarlyVolatileArg, ok).is_empty(), "{ok}");
        }
        assert!(mentions("a $X b", "X") && mentions("${X:-y}", "X") && mentions("$X", "X"));
        assert!(!mentions("$XY", "X") && !mentions("${XY}", "X") && !mentions("X", "X"));
    }
}
