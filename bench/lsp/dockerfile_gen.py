"""Deterministic generator of realistic multi-stage Dockerfiles with an exact line count.

Why generated, not taken from the corpus: real Dockerfiles are 10-200 lines; the benchmark needs
50, 1,000 and 10,000 lines with the same mix of constructs at every size, reproducible on any
machine without ../shared. The mix follows what real multi-stage files contain: global ARGs, a
syntax directive, build stages per toolchain, RUN with `\\` continuations and cache mounts,
heredoc scripts and files, `COPY --from` of earlier stages, ENV blocks, comments (one with
non-ASCII text, so position encodings matter), HEALTHCHECK/USER/ENTRYPOINT in runtime stages.

`find_probes` locates, near the middle of the file, the positions the scenarios act on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEFAULT_SEED = 20_240_617

_SERVICES = [
    "api", "web", "worker", "billing", "auth", "search", "ingest", "notify", "gateway",
    "report", "media", "export", "scheduler", "metrics", "ledger", "catalog",
]
_RUNTIME_BASES = [
    "alpine:3.20", "debian:bookworm-slim", "ubuntu:24.04", "nginx:1.27-alpine",
    "gcr.io/distroless/base-debian12:nonroot", "python:3.12-slim", "node:20-bookworm-slim",
]
_APT_PACKAGES = [
    "build-essential", "ca-certificates", "curl", "git", "libpq-dev", "libssl-dev",
    "pkg-config", "tzdata", "unzip", "xz-utils", "zlib1g-dev", "libffi-dev",
]
_SCRIPT_LINES = [
    "echo \"configuring {svc}\"",
    "mkdir -p /opt/{svc}/{n} /var/log/{svc}",
    "chmod 0755 /opt/{svc}/{n}",
    "ln -sf /opt/{svc}/{n}/bin/{svc} /usr/local/bin/{svc}-{n}",
    "test -d /opt/{svc} || exit 1",
    "printf '%s\\n' \"{svc}={n}\" >> /etc/{svc}.env",
    "find /opt/{svc} -name '*.pyc' -delete",
    "useradd --system --uid 1{n:04d} --home /opt/{svc} {svc}{n} || true",
]


@dataclass(frozen=True)
class Position:
    """A 0-based line and a column in code points (the client converts to the encoding)."""

    line: int
    column: int


@dataclass(frozen=True)
class Probes:
    """Where the scenarios hover, complete and type, all near the middle of the file."""

    keyword_hover: Position  # on the `RUN` keyword of an instruction
    image_hover: Position  # inside the image name of a `FROM`
    completion_from: Position  # just after `COPY --from=`
    completion_line_start: Position  # column 0 of a blank line between instructions
    storm: Position  # end of a single-line RUN, where the edit storm types


class _Builder:
    """Produces instruction units (lists of lines) stage after stage, forever."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.stages: list[str] = []
        self.build_outputs: list[tuple[str, str]] = []  # (stage name, path it produces)

    def header(self) -> list[list[str]]:
        return [
            ["# syntax=docker/dockerfile:1.7"],
            ["# Synthetic multi-stage build for the layerwise LSP benchmark — café-grade, déterministe."],
            ["ARG NODE_VERSION=20.11.1"],
            ["ARG PYTHON_VERSION=3.12"],
            ["ARG GO_VERSION=1.22"],
            ["ARG DEBIAN_RELEASE=bookworm"],
        ]

    def stage(self) -> list[list[str]]:
        index = len(self.stages)
        # The first stages are fixed so even a 50-line file has a build stage, a runtime stage
        # with `COPY --from`, single-line RUNs and blank lines between stages.
        if index == 0:
            kind = "go"
        elif index == 1:
            kind = "runtime"
        else:
            kind = self.rng.choice(["go", "node", "python", "script", "runtime", "runtime", "derived"])
        svc = f"{_SERVICES[index % len(_SERVICES)]}{index}"
        units = getattr(self, f"_{kind}")(index, svc)
        return [[""], [f"# ---- stage {index}: {kind} for {svc} ----"], *units]

    def _name(self, kind: str, svc: str) -> str:
        name = f"{kind}-{svc}"
        self.stages.append(name)
        return name

    def _go(self, index: int, svc: str) -> list[list[str]]:
        name = self._name("build", svc)
        self.build_outputs.append((name, f"/out/{svc}"))
        return [
            [f"FROM golang:${{GO_VERSION}}-alpine AS {name}"],
            ["ARG TARGETOS"],
            ["ARG TARGETARCH"],
            [f"WORKDIR /src/{svc}"],
            ["COPY go.mod go.sum ./"],
            ["RUN --mount=type=cache,target=/go/pkg/mod go mod download"],
            ["COPY . ."],
            [
                "RUN --mount=type=cache,target=/root/.cache/go-build \\",
                "    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \\",
                f"    go build -trimpath -ldflags=\"-s -w -X main.version=1.{index}.0\" -o /out/{svc} ./cmd/{svc}",
            ],
        ]

    def _node(self, index: int, svc: str) -> list[list[str]]:
        name = self._name("assets", svc)
        self.build_outputs.append((name, f"/src/{svc}/dist"))
        return [
            [f"FROM node:${{NODE_VERSION}}-bookworm-slim AS {name}"],
            [f"WORKDIR /src/{svc}"],
            ["ENV NODE_ENV=production \\", "    NPM_CONFIG_LOGLEVEL=warn \\", f"    APP_NAME={svc}"],
            ["COPY package.json package-lock.json ./"],
            ["RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev"],
            ["COPY . ."],
            ["RUN npm run build"],
        ]

    def _python(self, index: int, svc: str) -> list[list[str]]:
        name = self._name("py", svc)
        self.build_outputs.append((name, "/install"))
        packages = sorted(self.rng.sample(_APT_PACKAGES, 3))
        return [
            [f"FROM python:${{PYTHON_VERSION}}-slim AS {name}"],
            ["ENV PYTHONDONTWRITEBYTECODE=1 \\", "    PYTHONUNBUFFERED=1 \\", "    PIP_NO_CACHE_DIR=1"],
            [
                "RUN apt-get update \\",
                "    && apt-get install -y --no-install-recommends \\",
                *[f"        {pkg} \\" for pkg in packages],
                "    && rm -rf /var/lib/apt/lists/*",
            ],
            ["WORKDIR /app"],
            ["COPY requirements.txt ."],
            ["RUN pip install --prefix=/install -r requirements.txt"],
        ]

    def _script(self, index: int, svc: str) -> list[list[str]]:
        name = self._name("tools", svc)
        self.build_outputs.append((name, f"/opt/{svc}"))
        body = [
            self.rng.choice(_SCRIPT_LINES).format(svc=svc, n=n)
            for n in range(self.rng.randint(4, 30))
        ]
        return [
            [f"FROM debian:${{DEBIAN_RELEASE}}-slim AS {name}"],
            heredoc_run(body),
            [
                f"COPY <<-EOT /etc/{svc}/config.ini",
                "\t[server]",
                f"\tport = {8000 + index % 1000}",
                "\tlog_level = info",
                "\tEOT",
            ],
        ]

    def _runtime(self, index: int, svc: str) -> list[list[str]]:
        base = self.rng.choice(_RUNTIME_BASES)
        name = self._name("run", svc)
        port = 8000 + index % 1000
        units: list[list[str]] = [
            [f"FROM {base} AS {name}"],
            [
                f"LABEL org.opencontainers.image.title=\"{svc}\" \\",
                f"      org.opencontainers.image.version=\"1.{index}.0\"",
            ],
        ]
        for source, path in self.build_outputs[-2:]:
            units.append([f"COPY --from={source} --chown=10001:10001 {path} /srv/{svc}/"])
        units += [
            [f"RUN echo \"{svc} built\" > /etc/{svc}-release"],
            [f"EXPOSE {port}"],
            ["USER 10001:10001"],
            [f"HEALTHCHECK --interval=30s --timeout=3s CMD wget -qO- http://localhost:{port}/healthz || exit 1"],
            [f"ENTRYPOINT [\"/srv/{svc}/{svc}\"]"],
            [f"CMD [\"--listen\", \":{port}\"]"],
        ]
        return units

    def _derived(self, index: int, svc: str) -> list[list[str]]:
        parent = self.rng.choice(self.stages)
        name = self._name("test", svc)
        return [
            [f"FROM {parent} AS {name}"],
            [f"ENV CI=true TEST_SUITE={svc}"],
            [f"RUN echo \"testing {svc}\" && test -n \"$TEST_SUITE\""],
        ]


def heredoc_run(body: list[str]) -> list[str]:
    """A `RUN <<EOF` script: the body lines plus the two delimiter lines."""
    return ["RUN <<EOF", "set -eux", *body, "EOF"] if body else ["RUN <<EOF", "set -eux", "EOF"]


def _filler(remaining: int, has_from: bool, serial: int) -> list[str]:
    """Exactly `remaining` (>= 1) lines that are valid at this point of the file."""
    if not has_from:
        return [f"# filler line {serial + k}" for k in range(remaining)]
    if remaining == 1:
        return [f"RUN echo \"filler {serial}\""]
    if remaining == 2:
        return [f"ENV FILLER_{serial}=1", f"RUN echo \"filler {serial}\""]
    return heredoc_run([f"echo \"filler {serial} line {k}\"" for k in range(remaining - 3)])


def generate(lines: int, seed: int = DEFAULT_SEED) -> str:
    """A Dockerfile of exactly `lines` lines (each ending in "\\n"); same input, same bytes."""
    if lines < 1:
        raise ValueError("a generated Dockerfile needs at least one line")
    rng = random.Random(seed * 1_000_003 + lines)
    builder = _Builder(rng)
    out: list[str] = []
    has_from = False
    queue = builder.header()
    while len(out) < lines:
        if not queue:
            queue = builder.stage()
        unit = queue.pop(0)
        remaining = lines - len(out)
        if len(unit) > remaining:
            out += _filler(remaining, has_from, len(out))
            break
        out += unit
        has_from = has_from or unit[0].startswith("FROM ")
    return "".join(line + "\n" for line in out)


def _nearest(lines: list[str], want, start: int) -> int | None:
    """Index of the line nearest to `start` (searching outward) for which `want(i)` holds."""
    for distance in range(len(lines)):
        for index in (start - distance, start + distance):
            if 0 <= index < len(lines) and want(index):
                return index
    return None


def find_probes(text: str) -> Probes:
    """The scenario positions, near the middle; raises ValueError if the file lacks one."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    middle = len(lines) // 2
    top_level = _top_level_starts(lines)

    def at_top(pred):
        return lambda i: i in top_level and pred(lines[i])

    found = {
        "keyword": _nearest(lines, at_top(lambda s: s.startswith("RUN ")), middle),
        "image": _nearest(lines, at_top(lambda s: s.startswith("FROM ")), middle),
        "from": _nearest(lines, at_top(lambda s: s.startswith("COPY --from=")), middle),
        "blank": _nearest(lines, at_top(lambda s: s == ""), middle),
        "storm": _nearest(
            lines,
            at_top(lambda s: s.startswith("RUN ") and not s.endswith("\\") and "<<" not in s),
            middle,
        ),
    }
    missing = [name for name, index in found.items() if index is None]
    if missing:
        raise ValueError(f"generated file has no probe for: {', '.join(missing)}")
    image_line = found["image"]
    return Probes(
        keyword_hover=Position(found["keyword"], 1),
        image_hover=Position(image_line, len("FROM ") + 2),
        completion_from=Position(found["from"], len("COPY --from=")),
        completion_line_start=Position(found["blank"], 0),
        storm=Position(found["storm"], len(lines[found["storm"]])),
    )


def _top_level_starts(lines: list[str]) -> set[int]:
    """Lines that start an instruction (or are blank/comment) outside continuations and heredocs.

    Enough for the generator's own output: `\\` continuations and `<<WORD` / `<<-WORD` heredocs.
    """
    starts: set[int] = set()
    continued = False
    heredoc_end: str | None = None
    for index, line in enumerate(lines):
        if heredoc_end is not None:
            if line.lstrip("\t") == heredoc_end:
                heredoc_end = None
            continue
        if not continued:
            starts.add(index)
        continued = line.endswith("\\")
        if "<<" in line and not line.startswith("#"):
            word = line.split("<<", 1)[1].lstrip("-").split()[0].strip("'\"")
            heredoc_end = word
    return starts
