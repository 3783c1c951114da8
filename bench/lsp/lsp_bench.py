#!/usr/bin/env python3
"""LSP latency benchmark: layerwise's server, and optionally the npm incumbent, side by side.

    python3 bench/lsp/lsp_bench.py --compare            # both servers, interleaved, with ratios
    python3 bench/lsp/lsp_bench.py --server npm         # the npm server alone
    python3 bench/lsp/lsp_bench.py --server-cmd "path/to/server --stdio" --sizes 50,1000

The Markdown table goes to stdout, progress to stderr, every raw sample to `--json FILE`.
See README.md beside this file for what each figure means and how to read the ratios.
Stdlib only (Python >= 3.10).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import report  # noqa: E402
from dockerfile_gen import DEFAULT_SEED, find_probes, generate  # noqa: E402
from scenarios import Options, ServerSpec, SessionResult, run_session  # noqa: E402

REPO = HERE.parent.parent
DEFAULT_LAYERWISE = f"{REPO / 'target/release/layerwise'} lsp"
NPM_PACKAGE = HERE / "node_modules/dockerfile-language-server-nodejs"
DEFAULT_NPM = f"{HERE / 'node_modules/.bin/docker-langserver'} --stdio"
MAX_LINES = 1_000_000


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.split(","):
        part = part.strip().replace("_", "")
        if not part.isdigit() or not 1 <= int(part) <= MAX_LINES:
            raise argparse.ArgumentTypeError(f"size {part!r} is not a line count in 1..{MAX_LINES}")
        sizes.append(int(part))
    return sizes


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--compare", action="store_true",
                        help="run layerwise and the npm server in the same run, interleaved, "
                             "and print the ratios npm / layerwise")
    parser.add_argument("--server", choices=["layerwise", "npm"], default="layerwise",
                        help="which server to run alone (ignored with --compare)")
    parser.add_argument("--server-cmd", default=DEFAULT_LAYERWISE,
                        help="command that starts the layerwise server on stdio "
                             "(default: %(default)s)")
    parser.add_argument("--npm-cmd", default=DEFAULT_NPM,
                        help="command that starts the npm server (default: %(default)s)")
    parser.add_argument("--sizes", type=parse_sizes, default=[50, 1000, 10000],
                        help="comma-separated line counts (default: 50,1000,10000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="fresh server sessions per size and server (default: 3)")
    parser.add_argument("--samples", type=int, default=20,
                        help="requests per hover/completion figure per session (default: 20)")
    parser.add_argument("--token-samples", type=int, default=10,
                        help="full semantic-token requests per session (default: 10)")
    parser.add_argument("--storms", type=int, default=3,
                        help="edit storms per session (default: 3)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="bound in seconds on each step (default: 120)")
    parser.add_argument("--budget", type=float, default=15.0,
                        help="seconds one figure may take per session; past it, sampling stops "
                             "early (at least one sample) (default: 15)")
    parser.add_argument("--position-encodings", default="utf-16",
                        help="client's positionEncodings, in preference order (default: utf-16, "
                             "what VS Code sends)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="generator seed")
    parser.add_argument("--json", metavar="FILE", help="write every sample and setting as JSON")
    parser.add_argument("--keep", action="store_true",
                        help="keep each session's workspace (Dockerfile + server stderr)")
    args = parser.parse_args(argv)
    for name in ("repeat", "samples", "token_samples", "storms"):
        if not 1 <= getattr(args, name) <= 10_000:
            parser.error(f"--{name.replace('_', '-')} must be in 1..10000")
    if not 0 < args.timeout <= 3600:
        parser.error("--timeout must be in (0, 3600] seconds")
    if not 0 < args.budget <= 3600:
        parser.error("--budget must be in (0, 3600] seconds")
    encodings = [e.strip() for e in args.position_encodings.split(",") if e.strip()]
    if not encodings or any(e not in ("utf-8", "utf-16", "utf-32") for e in encodings):
        parser.error("--position-encodings takes utf-8, utf-16 and/or utf-32")
    args.position_encodings = encodings
    return args


def server_spec(name: str, command: str) -> ServerSpec:
    """Parse a command line and check its program exists, with a hint on how to get it."""
    argv = shlex.split(command)
    if not argv:
        raise SystemExit(f"error: empty command for the {name} server")
    program = argv[0]
    found = shutil.which(program) if "/" not in program else (
        program if os.access(program, os.X_OK) else None)
    if found is None:
        hint = {
            "layerwise": "build it first: cargo build --release -p layerwise",
            "npm": f"install it first: (cd {HERE.relative_to(REPO)} && npm ci)",
        }.get(name, "")
        raise SystemExit(f"error: {name} server program not found or not executable: {program}\n"
                         f"  {hint}")
    argv[0] = str(Path(found).resolve()) if "/" in program else found
    # The server runs in a temporary workspace, so relative paths that exist here (a script
    # given to an interpreter, say) are made absolute now.
    argv[1:] = [str(Path(arg).resolve()) if not arg.startswith("-") and "/" in arg
                and Path(arg).exists() else arg for arg in argv[1:]]
    return ServerSpec(name=name, argv=argv, version=_npm_version() if name == "npm" else None)


def _npm_version() -> str | None:
    try:
        data = json.loads((NPM_PACKAGE / "package.json").read_text(encoding="utf-8"))
        return f"dockerfile-language-server-nodejs {data.get('version')}"
    except (OSError, ValueError):
        return None


def machine_info() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"cpu": model, "cpus": os.cpu_count(), "python": platform.python_version(),
            "kernel": platform.release(), "commit": commit,
            "node": shutil.which("node") and _command_output(["node", "--version"])}


def _command_output(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.compare:
        servers = [server_spec("layerwise", args.server_cmd), server_spec("npm", args.npm_cmd)]
    elif args.server == "npm":
        servers = [server_spec("npm", args.npm_cmd)]
    else:
        servers = [server_spec("layerwise", args.server_cmd)]
    opts = Options(samples=args.samples, token_samples=args.token_samples, storms=args.storms,
                   timeout=args.timeout, budget=args.budget,
                   position_encodings=args.position_encodings)

    texts = {size: generate(size, args.seed) for size in args.sizes}
    probes = {}
    for size, text in texts.items():
        try:
            probes[size] = find_probes(text)
        except ValueError as err:
            raise SystemExit(f"error: --sizes {size}: {err} (use at least 50 lines)") from None

    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    results: list[SessionResult] = []
    total = args.repeat * len(args.sizes) * len(servers)
    for repeat in range(args.repeat):
        for size in args.sizes:
            # Alternate the order each repeat so neither server always runs first (ABBA).
            order = servers if repeat % 2 == 0 else list(reversed(servers))
            for server in order:
                print(f"[{len(results) + 1}/{total}] repeat {repeat + 1}, {size:,} lines, "
                      f"{server.name} ...", file=sys.stderr, flush=True)
                run = run_session(server, size, repeat, texts[size], probes[size], opts, args.keep)
                for key, metric in run.metrics.items():
                    if metric.status in ("timeout", "error"):
                        first = metric.note.splitlines()[0][:200] if metric.note else ""
                        print(f"    {key}: {metric.status}: {first}", file=sys.stderr)
                if run.info.get("stderr_tail"):
                    print("    server stderr (tail):", file=sys.stderr)
                    for line in str(run.info["stderr_tail"]).splitlines():
                        print(f"      {line}", file=sys.stderr)
                results.append(run)
    load_after = os.getloadavg()

    names = [s.name for s in servers]
    table = report.summarise(results)
    ratio = ("npm", "layerwise") if args.compare else None
    print(report.markdown(table, names, args.sizes, ratio))
    print()
    versions = []
    for server in servers:
        info = next((r.info.get("server_info") for r in results
                     if r.server == server.name and r.info.get("server_info")), None)
        label = server.version or (f"{info.get('name')} {info.get('version', '')}".strip()
                                   if isinstance(info, dict) else "version unknown")
        versions.append(f"{server.name} = {label}")
    print(f"Medians of {args.repeat} session(s) per cell (up to {args.samples} requests each "
          f"for hover/completion, {args.token_samples} for semantic tokens, {args.storms} storms "
          f"per session; fewer past the {args.budget:g} s budget, see n in --json); "
          f"ms unless noted. {'; '.join(versions)}. "
          f"{os.cpu_count()} CPUs, load {load_before[0]:.2f} → {load_after[0]:.2f}.")

    if args.json:
        payload = {
            "started": started.isoformat(timespec="seconds"),
            "machine": machine_info(),
            "load_average": {"before": load_before, "after": load_after},
            "settings": {"sizes": args.sizes, "repeat": args.repeat, "samples": args.samples,
                         "token_samples": args.token_samples, "storms": args.storms,
                         "keys": opts.keys, "key_interval_ms": opts.key_interval * 1000,
                         "timeout_s": args.timeout, "budget_s": args.budget, "seed": args.seed,
                         "position_encodings": args.position_encodings},
            "servers": [{"name": s.name, "argv": s.argv, "version": s.version} for s in servers],
            "documents": {str(size): {"sha256": hashlib.sha256(text.encode()).hexdigest(),
                                      "bytes": len(text.encode()),
                                      "probes": {k: [v.line, v.column]
                                                 for k, v in vars(probes[size]).items()}}
                          for size, text in texts.items()},
            "summary": [{"server": server, "size": size, "figure": key, **summary.to_json()}
                        for (server, size, key), summary in sorted(table.items())],
            "sessions": [r.to_json() for r in results],
        }
        Path(args.json).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)

    failed = any(m.status in ("timeout", "error") for r in results for m in r.metrics.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
