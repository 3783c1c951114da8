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
    // `later` is defined after its use: BuildKit would pull an image named "later"
    assert!(matches!(refs[4].2, RefTarget::Image(_)));
    let needed = m.needed_stages(2);
    assert_eq!(needed, [true, true, true, false, false]);
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
