//! What every instruction and flag means: short docs with a link, the forms an instruction
//! takes, and each flag's values. Shared by hover, completion and signature help.

use layerwise_syntax::InstructionKind;

pub struct InstructionDoc {
    pub kind: InstructionKind,
    /// Forms, e.g. `COPY [--from=<stage>] <src>... <dest>`.
    pub forms: &'static [&'static str],
    pub summary: &'static str,
    /// A snippet inserted by completion (LSP snippet syntax).
    pub snippet: &'static str,
    pub flags: &'static [FlagDoc],
}

pub struct FlagDoc {
    pub name: &'static str,
    pub summary: &'static str,
    /// Typical values (empty: free text).
    pub values: &'static [&'static str],
}

const fn f(name: &'static str, summary: &'static str, values: &'static [&'static str]) -> FlagDoc {
    FlagDoc {
        name,
        summary,
        values,
    }
}

pub const PLATFORMS: &[&str] = &[
    "linux/amd64",
    "linux/arm64",
    "linux/arm/v7",
    "linux/arm/v6",
    "linux/386",
    "linux/ppc64le",
    "linux/s390x",
    "linux/riscv64",
    "windows/amd64",
    "$BUILDPLATFORM",
    "$TARGETPLATFORM",
];

const COPY_FLAGS: &[FlagDoc] = &[
    f("from", "Copy from a build stage (name or index), an image, or a named context instead of the build context.", &[]),
    f("chown", "Owner of the copied files: `user[:group]` (names or ids). Linux only.", &["root:root", "1000:1000", "node:node", "nonroot:nonroot"]),
    f("chmod", "Permissions of the copied files, octal (`0755`) or symbolic (`u=rwx,go=rx`).", &["0644", "0755", "0600", "0700", "+x"]),
    f("link", "Copy into an independent layer, so the layer is reused even when earlier layers change.", &["true", "false"]),
    f("parents", "Keep the parent directories of the sources (`COPY --parents ./a/b/c /dst`).", &["true", "false"]),
    f("exclude", "Leave out files matching a pattern (repeatable).", &[]),
];

const ADD_FLAGS: &[FlagDoc] = &[
    f(
        "chown",
        "Owner of the added files: `user[:group]`.",
        &["root:root", "1000:1000"],
    ),
    f(
        "chmod",
        "Permissions of the added files.",
        &["0644", "0755"],
    ),
    f("link", "Add into an independent layer.", &["true", "false"]),
    f(
        "checksum",
        "Verify a remote source against this digest (`sha256:...`).",
        &["sha256:"],
    ),
    f(
        "keep-git-dir",
        "Keep the `.git` directory when adding a Git repository.",
        &["true", "false"],
    ),
    f(
        "unpack",
        "Whether to unpack a local or remote archive.",
        &["true", "false"],
    ),
    f(
        "exclude",
        "Leave out files matching a pattern (repeatable).",
        &[],
    ),
];

const RUN_FLAGS: &[FlagDoc] = &[
    f(
        "mount",
        "Mount something for this command only: `type=cache` keeps package caches between builds, `type=secret` and `type=ssh` expose credentials without baking them into a layer, `type=bind` reads from a stage or the context, `type=tmpfs`.",
        &["type=cache,target=", "type=bind,source=,target=", "type=secret,id=", "type=ssh", "type=tmpfs,target="],
    ),
    f("network", "Network for this command: `default`, `none` (no network) or `host`.", &["default", "none", "host"]),
    f("security", "`insecure` runs the command with all capabilities (needs the builder's entitlement); `sandbox` is the default.", &["sandbox", "insecure"]),
    f("device", "Expose a CDI device to the command.", &[]),
];

const FROM_FLAGS: &[FlagDoc] = &[f("platform", "Platform of the base image, e.g. `linux/arm64` or `$BUILDPLATFORM` for a cross-compiling builder stage.", PLATFORMS)];

const HEALTHCHECK_FLAGS: &[FlagDoc] = &[
    f(
        "interval",
        "Time between checks (duration, default 30s).",
        &["30s", "10s", "1m"],
    ),
    f(
        "timeout",
        "How long one check may take (default 30s).",
        &["5s", "10s", "30s"],
    ),
    f(
        "start-period",
        "Grace period for the container to start (default 0s).",
        &["30s", "1m"],
    ),
    f(
        "start-interval",
        "Time between checks during the start period (default 5s).",
        &["5s"],
    ),
    f(
        "retries",
        "Failures in a row before the container is unhealthy (default 3).",
        &["3", "5"],
    ),
];

pub const INSTRUCTIONS: &[InstructionDoc] = &[
    InstructionDoc { kind: InstructionKind::From, forms: &["FROM [--platform=<platform>] <image>[:<tag>|@<digest>] [AS <name>]"], summary: "Starts a build stage on a base image (or `scratch`, or an earlier stage).", snippet: "FROM ${1:image}:${2:tag}${3: AS ${4:name}}", flags: FROM_FLAGS },
    InstructionDoc { kind: InstructionKind::Run, forms: &["RUN [--mount=...] [--network=...] <command>", "RUN [\"executable\", \"arg\"...]"], summary: "Runs a command in a new layer. Shell form runs through `/bin/sh -c` (or `SHELL`).", snippet: "RUN ${1:command}", flags: RUN_FLAGS },
    InstructionDoc { kind: InstructionKind::Copy, forms: &["COPY [--from=<stage>] [--chown=<user>] [--chmod=<perms>] [--link] <src>... <dest>", "COPY [\"<src>\", ... \"<dest>\"]"], summary: "Copies files from the build context (or a stage with `--from`) into the image.", snippet: "COPY ${1:src} ${2:dest}", flags: COPY_FLAGS },
    InstructionDoc { kind: InstructionKind::Add, forms: &["ADD [--checksum=<digest>] [--chown=<user>] [--chmod=<perms>] <src>... <dest>"], summary: "Like `COPY`, and also fetches URLs and Git repositories and unpacks local archives. Prefer `COPY` for plain files.", snippet: "ADD ${1:src} ${2:dest}", flags: ADD_FLAGS },
    InstructionDoc { kind: InstructionKind::Workdir, forms: &["WORKDIR <path>"], summary: "Sets the working directory for the instructions that follow (created if missing). Use absolute paths.", snippet: "WORKDIR ${1:/app}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Env, forms: &["ENV <key>=<value> ..."], summary: "Sets environment variables: in later instructions, in stages built from this one, and in the running container.", snippet: "ENV ${1:KEY}=${2:value}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Arg, forms: &["ARG <name>[=<default>] ..."], summary: "Declares a build argument (`--build-arg`). Before the first `FROM` it is global and visible to `FROM` lines; a stage must declare it again to use it.", snippet: "ARG ${1:NAME}${2:=${3:default}}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Label, forms: &["LABEL <key>=<value> ..."], summary: "Adds metadata to the image (`org.opencontainers.image.*` keys are standard).", snippet: "LABEL ${1:org.opencontainers.image.source}=\"${2:url}\"", flags: &[] },
    InstructionDoc { kind: InstructionKind::Expose, forms: &["EXPOSE <port>[/<protocol>] ..."], summary: "Documents the ports the container listens on (it does not publish them).", snippet: "EXPOSE ${1:8080}", flags: &[] },
    InstructionDoc { kind: InstructionKind::User, forms: &["USER <user>[:<group>]"], summary: "Sets the user (and group) for later `RUN`, `CMD` and `ENTRYPOINT`. Run the final stage as a non-root user.", snippet: "USER ${1:nonroot}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Cmd, forms: &["CMD [\"executable\", \"arg\"...]", "CMD command arg..."], summary: "The default command of the container. Use the exec (JSON) form so the process gets signals.", snippet: "CMD [\"${1:executable}\"${2:, \"${3:arg}\"}]", flags: &[] },
    InstructionDoc { kind: InstructionKind::Entrypoint, forms: &["ENTRYPOINT [\"executable\", \"arg\"...]", "ENTRYPOINT command arg..."], summary: "The executable the container runs; `CMD` supplies default arguments. Use the exec form.", snippet: "ENTRYPOINT [\"${1:executable}\"]", flags: &[] },
    InstructionDoc { kind: InstructionKind::Healthcheck, forms: &["HEALTHCHECK [--interval=..] [--timeout=..] [--start-period=..] [--retries=..] CMD <command>", "HEALTHCHECK NONE"], summary: "How to test that the container still works.", snippet: "HEALTHCHECK --interval=${1:30s} --timeout=${2:5s} CMD ${3:curl -f http://localhost/ || exit 1}", flags: HEALTHCHECK_FLAGS },
    InstructionDoc { kind: InstructionKind::Shell, forms: &["SHELL [\"executable\", \"parameters\"]"], summary: "The shell used by shell-form `RUN`, `CMD` and `ENTRYPOINT` (JSON form only).", snippet: "SHELL [\"${1:/bin/bash}\", \"-o\", \"pipefail\", \"-c\"]", flags: &[] },
    InstructionDoc { kind: InstructionKind::Volume, forms: &["VOLUME [\"/data\"]", "VOLUME /data ..."], summary: "Declares a mount point for external storage.", snippet: "VOLUME ${1:/data}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Stopsignal, forms: &["STOPSIGNAL <signal>"], summary: "The signal sent to stop the container (default SIGTERM).", snippet: "STOPSIGNAL ${1:SIGTERM}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Onbuild, forms: &["ONBUILD <instruction>"], summary: "An instruction to run later, when another build uses this image as its base.", snippet: "ONBUILD ${1:instruction}", flags: &[] },
    InstructionDoc { kind: InstructionKind::Maintainer, forms: &["MAINTAINER <name>"], summary: "Deprecated: use `LABEL org.opencontainers.image.authors=...`.", snippet: "MAINTAINER ${1:name}", flags: &[] },
];

pub fn instruction(kind: InstructionKind) -> Option<&'static InstructionDoc> {
    INSTRUCTIONS.iter().find(|d| d.kind == kind)
}

pub fn flag(kind: InstructionKind, name: &str) -> Option<&'static FlagDoc> {
    instruction(kind)?
        .flags
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(name))
}

/// The reference page of an instruction.
pub fn url(kind: InstructionKind) -> String {
    format!(
        "https://docs.docker.com/reference/dockerfile/#{}",
        kind.keyword().to_ascii_lowercase()
    )
}

/// Parser directives.
pub const DIRECTIVES: &[(&str, &str, &str)] = &[
    ("syntax", "docker/dockerfile:1", "The Dockerfile frontend image BuildKit uses to build this file."),
    ("escape", "`", "The escape character: `\\` (default) or `` ` `` (handy on Windows)."),
    ("check", "skip=;error=true", "Build checks: `skip=Rule1,Rule2` or `skip=all`, and `error=true` to fail the build on warnings."),
];
