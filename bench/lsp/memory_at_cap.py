"""Peak memory of a language server on big documents, one request at a time (issue #8, F16).

The server refuses documents above 4 MB; below that cap, memory grows with the number of
items, so the worst shapes are the ones with the most instructions per byte (`A` on every
line, one-line stages). This opens one document of the given shape and size, waits for its
diagnostics (and for the re-analysis that follows the image lookups), then asks every
whole-document request an editor asks, and reads the server's
resident memory (VmRSS) and its high-water mark (VmHWM) from /proc after each. The mark is
reset before each request (`/proc/PID/clear_refs`), so each request's own peak is seen, not
only the highest so far.

    cargo build --release -p layerwise
    python3 bench/lsp/memory_at_cap.py                       # every shape at 3.9 MB
    python3 bench/lsp/memory_at_cap.py --shapes stages unknown --mb 1 --repeat 3
    python3 bench/lsp/memory_at_cap.py --steps               # the figures after each request

Prints a Markdown table: per shape, RSS after diagnostics and the peak, each the median of
`--repeat` fresh servers, and the request that raised the peak most. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dockerfile_gen import generate
from lsp_client import LspClient, ServerGone, StepTimeout, client_capabilities

HERE = Path(__file__).resolve().parent
DEFAULT_SERVER = HERE.parent.parent / "target" / "release" / "layerwise"

# (first line, repeated line): the pathological shapes, most items per byte first
SHAPES: dict[str, tuple[str, str]] = {
    "unknown": ("FROM a\n", "A\n"),
    "stages": ("", "FROM a\n"),
    "run-short": ("FROM a\n", "RUN a\n"),
    "env-pairs": ("FROM a\n", "ENV a=1 b=2 c=3\n"),
    "copy-flags": ("FROM a\n", "COPY --from=a --chown=1:1 x y\n"),
    "comments": ("FROM a\n", "#\n"),
}
# the benchmark generator's realistic Dockerfile, grown to the size
REALISTIC = "realistic"

# seconds without a new publication after which the server counts as settled
QUIET_S = 5.0

WHOLE = {"start": {"line": 0, "character": 0}, "end": {"line": 10**7, "character": 0}}
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("textDocument/hover", {"position": {"line": 0, "character": 1}}),
    ("textDocument/completion", {"position": {"line": 1, "character": 0}}),
    ("textDocument/documentSymbol", {}),
    ("textDocument/foldingRange", {}),
    ("textDocument/semanticTokens/full", {}),
    ("textDocument/formatting", {"options": {"tabSize": 4, "insertSpaces": True}}),
    ("textDocument/codeAction", {"range": WHOLE, "context": {"diagnostics": []}}),
    ("textDocument/codeLens", {}),
    ("textDocument/documentLink", {}),
    ("textDocument/inlayHint", {"range": WHOLE}),
]


def document(shape: str, mb: float) -> tuple[str, int]:
    """The text of `shape` just under `mb` megabytes, and how many repeated lines it has."""
    limit = int(mb * 1024 * 1024)
    if shape == REALISTIC:
        lines = limit // 36
        text = generate(lines)
        while len(text.encode()) > limit:
            lines = int(lines * 0.97)
            text = generate(lines)
        return text, lines
    head, unit = SHAPES[shape]
    count = (limit - len(head)) // len(unit)
    return head + unit * count, count


def vm_mb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    raise ServerGone(f"no {field} for pid {pid}")


def reset_peak(pid: int) -> None:
    """Sets VmHWM back to the current RSS (Linux 4.0+; needs the right to write the file)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError as err:
        raise ServerGone(f"cannot reset the peak of pid {pid}: {err}") from None


def one_session(argv: list[str], text: str, timeout: float) -> dict[str, Any]:
    """Fresh server, open, diagnostics, every request; memory after each step."""
    with tempfile.TemporaryDirectory() as ws:
        root = Path(ws).as_uri()
        client = LspClient(argv, ws, os.path.join(ws, "server.stderr"), root)
        client.start()
        try:
            pid = client.pid
            assert pid is not None
            init = client.request("initialize", {
                "processId": os.getpid(), "rootUri": root,
                "capabilities": client_capabilities(["utf-16"])}, timeout)
            if init.error:
                raise ServerGone(f"initialize failed: {init.error}")
            client.notify("initialized", {})
            uri = root + "/Dockerfile"
            mark = client.diagnostics_mark()
            client.notify("textDocument/didOpen", {"textDocument": {
                "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            client.wait_diagnostics(uri, mark, lambda e: True, timeout, "diagnostics after open")
            # the image lookups end in a second analysis (its findings published again): the
            # requests are measured once that is done, not on top of it
            client.wait_quiet(uri, mark, QUIET_S, timeout)
            # (name, RSS before, RSS after, peak during, seconds)
            steps = [("diagnostics", 0, vm_mb(pid, "VmRSS"), vm_mb(pid, "VmHWM"), 0.0)]
            for method, extra in REQUESTS:
                before = vm_mb(pid, "VmRSS")
                reset_peak(pid)
                started = time.perf_counter()
                reply = client.request(method, {"textDocument": {"uri": uri}, **extra}, timeout)
                if reply.error:
                    raise ServerGone(f"{method} failed: {reply.error}")
                steps.append((method.removeprefix("textDocument/"), before, vm_mb(pid, "VmRSS"),
                              vm_mb(pid, "VmHWM"), time.perf_counter() - started))
            return {"steps": steps}
        finally:
            client.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server-cmd", default=f"{DEFAULT_SERVER} lsp")
    ap.add_argument("--shapes", nargs="+", default=[*SHAPES, REALISTIC],
                    choices=[*SHAPES, REALISTIC])
    ap.add_argument("--mb", type=float, default=3.9, help="document size (the server's cap is 4 MB)")
    ap.add_argument("--repeat", type=int, default=1, help="fresh servers per shape (medians)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per step")
    ap.add_argument("--steps", action="store_true", help="print memory after each request")
    args = ap.parse_args()
    argv = args.server_cmd.split()
    if os.path.exists(argv[0]):
        argv[0] = os.path.abspath(argv[0])  # the server runs in a scratch folder

    print(f"| shape ({args.mb:g} MB) | lines | RSS after diagnostics | peak RSS | peak per MB "
          f"| request that rose most over the memory before it |")
    print("|---|---:|---:|---:|---:|---|")
    for shape in args.shapes:
        text, count = document(shape, args.mb)
        size_mb = len(text.encode()) / 1048576
        runs = []
        for _ in range(args.repeat):
            try:
                runs.append(one_session(argv, text, args.timeout))
            except (ServerGone, StepTimeout) as err:
                print(f"| {shape} | {count:,} | failed: {err} | | | |")
                break
        if len(runs) < args.repeat:
            continue
        after = statistics.median(r["steps"][0][2] for r in runs)
        peak = statistics.median(max(step[3] for step in r["steps"]) for r in runs)
        steps = runs[len(runs) // 2]["steps"]
        rise, worst = max((peak_ - before, name) for name, before, _, peak_, _ in steps[1:])
        print(f"| {shape} | {count:,} | {after:,.0f} MB | {peak:,.0f} MB | {peak / size_mb:,.0f} "
              f"| {worst} (+{rise:,} MB) |", flush=True)
        if args.steps:
            for name, before, rss, step_peak, secs in steps:
                print(f"|   {name} | | {rss:,} MB after | {step_peak:,} MB during | | {secs:.2f} s |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
