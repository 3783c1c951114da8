//! The semantic model on hand-written Dockerfiles.

use layerwise_analysis::{Base, Model, ModelOptions, RefKind, RefTarget};
use layerwise_syntax::Dockerfile;

fn model(text: &str) -> (Dockerfile, Model) {
    let file = Dockerfile::parse(text);
    let m = Model::build(&file, ModelOptions::default());
    (file, m)
}

const MULTI: &str = "\
ARG NODE_VERSION=20
ARG BASE
FROM node:${NODE_VERSION}-alpine AS Deps
WORKDIR /app
COPY package.json ./
ENV NODE_ENV=production PATH=/app/bin:$PATH
FROM deps AS build
ARG NODE_VERSION
WORKDIR src
RUN --mount=type=cache,target=/root/.npm,from=deps npm ci
FROM --platform=$BUILDPLATFORM scratch
COPY --from=build /app/src/dist /dist
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
COPY --from=later /x /y
FROM ${BASE}
FROM gcr.io/distroless/static AS later
";

#[test]
fn stages_and_bases() {
    let (_, m) = model(MULTI);
    let names: Vec<_> = m.stages.iter().map(|s| s.name.clone()).collect();
    assert_eq!(
        names,
        [
            Some("deps".into()),
            Some("build".into()),
            None,
            None,
            Some("later".into())
        ]
    );
    match &m.stages[0].base {
        Base::Image(r) => assert_eq!(r.canonical(), "docker.io/library/node:20-alpine"),
        other => panic!("{other:?}"),
    }
    assert_eq!(m.stages[0].base_resolved, "node:20-alpine");
    assert_eq!(m.stages[1].base, Base::Stage(0));
    assert_eq!(m.stages[2].base, Base::Scratch);
    assert_eq!(m.stages[2].platform.as_deref(), Some("$BUILDPLATFORM"));
    assert!(matches!(m.stages[3].base, Base::Unresolved { .. }));
    assert_eq!(m.global_args.len(), 2);
}

#[test]
fn stage_references() {
    let (_, m) = model(MULTI);
    let refs: Vec<_> = m
        .refs
        .iter()
        .map(|r| (r.kind, r.text.as_str(), r.target.clone()))
        .collect();
    assert_eq!(refs[0], (RefKind::FromStage, "deps", RefTarget::Stage(0)));
    assert_eq!(refs[1], (RefKind::MountFrom, "deps", RefTarget::Stage(0)));
    assert_eq!(refs[2], (RefKind::CopyFrom, "build", RefTarget::Stage(1)));
    assert!(matches!(refs[3].2, RefTarget::Image(_)));
    // `later` is defined after its use: BuildKit finds it (its name table holds every stage
    // before it resolves `--from`), then refuses to build the stage that copies from it
    assert_eq!(refs[4].2, RefTarget::LaterStage(4));
    let needed = m.needed_stages(2);
    assert_eq!(needed, [true, true, true, false, true]);
}

fn targets(text: &str) -> Vec<(String, RefTarget)> {
    let (_, m) = model(text);
    m.refs
        .iter()
        .map(|r| (r.text.clone(), r.target.clone()))
        .collect()
}

/// dockerfile2llb `toCommand` / `detectRunMount` / `findStateByIndex`.
#[test]
fn copy_from_resolves_like_buildkit() {
    let t = targets(
        "FROM a AS one\nCOPY --from=two /x /y\nCOPY --from=ONE /x /y\nCOPY --from=1 /x /y\n\
         COPY --from=+0 /x /y\nCOPY --from=-1 /x /y\nCOPY --from=2 /x /y\n\
         RUN --mount=from=two,target=/m --mount=from=0,target=/n true\nFROM b AS Two\n",
    );
    let want = [
        ("two", RefTarget::LaterStage(1)),
        ("ONE", RefTarget::OwnStage),
        ("1", RefTarget::LaterStage(1)),
        ("+0", RefTarget::OwnStage),
    ];
    for (i, (text, target)) in want.iter().enumerate() {
        assert_eq!((t[i].0.as_str(), &t[i].1), (*text, target), "{i}");
    }
    assert!(matches!(&t[4].1, RefTarget::Invalid(m) if m.contains("index -1")));
    assert!(matches!(&t[5].1, RefTarget::Invalid(m) if m.contains("index 2")));
    assert_eq!(t[6].1, RefTarget::LaterStage(1));
    // a mount takes no index: `from=0` is an image called `0`
    assert!(matches!(&t[7].1, RefTarget::Image(i) if i.repository == "library/0"));
    // a number too big for Go's Atoi is a name, hence an image
    assert!(matches!(
        &targets("FROM a\nCOPY --from=99999999999999999999 /x /y\n")[0].1,
        RefTarget::Image(_)
    ));
    // duplicate names: the last definition wins
    assert_eq!(
        targets("FROM a AS x\nFROM b AS x\nFROM c\nCOPY --from=x /x /y\n")[0].1,
        RefTarget::Stage(1)
    );
    // `--from=` (empty) is the build context: no reference
    assert!(targets("FROM a\nCOPY --from= /x /y\n").is_empty());
}

/// Every source that is no stage becomes one more BuildKit state, numbered after the
/// stages: an index can reach it (an image copied from, or a mount without `from`).
#[test]
fn stage_indices_count_buildkit_states() {
    let t =
        targets("FROM a\nCOPY --from=nginx:1 /x /y\nCOPY --from=1 /x /y\nCOPY --from=2 /x /y\n");
    assert!(matches!(&t[1].1, RefTarget::Image(i) if i.repository == "library/nginx"));
    assert!(matches!(&t[2].1, RefTarget::Invalid(_)));
    let t = targets("FROM a\nRUN --mount=type=cache,target=/c true\nCOPY --from=1 /x /y\n");
    assert!(matches!(&t[0].1, RefTarget::Image(i) if i.is_scratch()));
    // states come from earlier instructions only, and not from ONBUILD triggers
    let t = targets("FROM a\nCOPY --from=1 /x /y\nRUN --mount=type=cache,target=/c true\n");
    assert!(matches!(&t[0].1, RefTarget::Invalid(_)));
    let t = targets("FROM a\nONBUILD RUN --mount=type=cache,target=/c true\nCOPY --from=1 /x /y\n");
    assert!(matches!(&t[0].1, RefTarget::Invalid(_)));
}

/// A stage built `FROM` one with `ONBUILD COPY --from=x` runs the trigger and needs `x`.
#[test]
fn onbuild_references_count_as_needed() {
    let (_, m) =
        model("FROM a AS tools\nFROM b AS base\nONBUILD COPY --from=tools /t /t\nFROM base\n");
    assert_eq!(m.needed_stages(2), [true, true, true]);
    let (_, m) = model("FROM a AS x\nFROM b\n");
    assert_eq!(m.needed_stages(1), [false, true]);
}

/// dockerfile2llb `dispatchStates.addState`: `FROM` sees earlier stages only, by the exact
/// (lower-case) name, the last definition of a name winning.
#[test]
fn from_resolves_like_buildkit() {
    let (_, m) = model(
        "FROM a AS builder\nFROM Builder\nFROM later\nFROM b AS later\nFROM c AS builder\nFROM builder\n\
         FROM SCRATCH\nFROM d AS scratch\nFROM scratch\n",
    );
    let bases: Vec<&Base> = m.stages.iter().map(|s| &s.base).collect();
    assert!(
        matches!(bases[1], Base::Unresolved { .. }),
        "upper case: an invalid image name"
    );
    assert!(matches!(bases[2], Base::Image(i) if i.repository == "library/later"));
    assert_eq!(*bases[5], Base::Stage(4));
    assert!(
        matches!(bases[6], Base::Unresolved { .. }),
        "only `scratch` is the empty image"
    );
    assert_eq!(*bases[8], Base::Stage(7), "a stage named scratch wins");
    assert_eq!(m.stage_by_name("BUILDER").map(|s| s.index), Some(4));
}

#[test]
fn scopes_follow_buildkit() {
    let (file, m) = model(MULTI);
    // `RUN` in stage build: ENV inherited from deps, ARG NODE_VERSION redeclared
    let run = m
        .instructions
        .iter()
        .position(|i| i.kind == layerwise_syntax::InstructionKind::Run)
        .unwrap();
    let scope = m.scope_before(&file, run);
    assert_eq!(scope.value("NODE_ENV").as_deref(), Some("production"));
    assert_eq!(scope.value("NODE_VERSION").as_deref(), Some("20"));
    assert!(scope.value("PATH").unwrap().starts_with("/app/bin:"));
    assert!(
        !scope.is_declared("BASE"),
        "global ARG not redeclared is not visible in a stage"
    );
    assert_eq!(m.workdir_before(&file, run), "/app/src");
    // a FROM sees global args and the automatic platform args
    let g = m.global_scope();
    assert_eq!(g.value("TARGETARCH").as_deref(), Some("amd64"));
    assert_eq!(g.value("NODE_VERSION").as_deref(), Some("20"));
}

/// A stage built on a stage takes over its build state (dockerfile2llb `dispatchState.init`):
/// the base's ARGs stay declared, with their values; ARG and ENV both set the state, the last
/// write winning; an ARG with no value leaves the value in force.
#[test]
fn stages_inherit_args_and_last_write_wins() {
    let text = "FROM alpine AS base\nARG V=1\nARG BARE\nENV E=env\nFROM base\nRUN a\nARG V\nRUN b\nARG E=arg\nRUN c\nFROM alpine\nRUN d\n";
    let (file, m) = model(text);
    let at = |needle: &str| {
        let off = text.find(needle).unwrap() as u32;
        m.scope_before(&file, m.instruction_at(off).unwrap())
    };
    let a = at("RUN a");
    assert_eq!(a.value("V").as_deref(), Some("1"));
    assert!(a.is_declared("BARE") && a.value("BARE").is_none());
    assert_eq!(a.value("E").as_deref(), Some("env"));
    assert_eq!(
        at("RUN b").value("V").as_deref(),
        Some("1"),
        "ARG V keeps the value"
    );
    assert_eq!(
        at("RUN c").value("E").as_deref(),
        Some("arg"),
        "ARG after ENV wins"
    );
    let d = at("RUN d");
    assert!(
        !d.is_declared("V") && !d.is_declared("E"),
        "an image base inherits nothing"
    );
}

#[test]
fn positions() {
    let (_, m) = model(MULTI);
    let off = MULTI.find("npm ci").unwrap() as u32;
    let i = m.instruction_at(off).unwrap();
    assert_eq!(m.instructions[i].stage, Some(1));
    assert_eq!(m.stage_at(off).unwrap().index, 1);
    assert_eq!(m.stage_by_name("BUILD").unwrap().index, 1);
    assert_eq!(m.stage_by_name("0").unwrap().index, 0);
}

#[test]
fn broken_files_still_model() {
    for t in [
        "",
        "FROM",
        "RUN x\nFROM",
        "FROM a AS\nCOPY --from= x y\nRUN --mount=from",
        "ARG\nFROM ${",
        "FROM a\nFROM b AS a\nFROM a",
    ] {
        let (_, m) = model(t);
        let _ = m.needed_stages(m.stages.len().saturating_sub(1));
    }
}

/// `refs_of` finds by halving what a scan of every reference finds (it needs `refs` in file
/// order, which this checks too).
#[test]
fn refs_of_an_instruction_are_those_a_scan_finds() {
    let (_, m) = model(
        "FROM a AS x\nFROM x\nCOPY --from=x /a /a\nRUN --mount=from=x,target=/m --mount=type=cache,target=/c true\nFROM b\nCOPY --from=x --from=y /b /b\nCOPY --from=nope /c /c\nRUN --mount=from=b,target=/d --mount=from=x,target=/e true\n",
    );
    assert!(m
        .refs
        .windows(2)
        .all(|w| w[0].instruction <= w[1].instruction));
    assert!(m.refs.len() >= 5);
    for i in 0..=m.instructions.len() + 1 {
        let scanned: Vec<_> = m
            .refs
            .iter()
            .filter(|r| r.instruction == i)
            .map(|r| (r.kind, r.range))
            .collect();
        let halved: Vec<_> = m.refs_of(i).iter().map(|r| (r.kind, r.range)).collect();
        assert_eq!(halved, scanned, "instruction {i}");
    }
}
