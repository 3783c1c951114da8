"""Edit storm through the built binary: 1,000 incremental edits per second for 10 seconds on the
10,000-line generated Dockerfile of the LSP benchmark.

What must hold (issue #8), and how it is observed from outside:
- the server keeps reading: every write of the storm finishes (a server that stopped reading
  would fill the pipe and block the writer; a watchdog turns that into a failure);
- it keeps answering: a hover sent every half second during the storm is answered within a
  generous liveness bound (no timing assertion beyond "it answers at all");
- no unbounded queue: resident memory sampled from /proc stays under RSS_BOUND_MB;
- after the storm, the diagnostics published for the final version equal those of a fresh
  server that opens the final text (rule, range, message).

The edits are deterministic (seeded): typing and deleting inside lines, splitting and joining
lines, and inserting whole instructions that rules react to, all at random places.
"""
from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import unittest

from harness import ROOT, Session, vm_kib

sys.path.insert(0, str(ROOT / "bench" / "lsp"))
from dockerfile_gen import generate  # noqa: E402
from lsp_client import lsp_column  # noqa: E402
from lsp_framing import encode_message  # noqa: E402

EDITS_PER_SECOND = 1000
SECONDS = 10
# Resident memory the server may reach during the storm. A 10,000-line file analysed costs
# tens of MB; a queue of 10,000 unprocessed full analyses would be far beyond this.
RSS_BOUND_MB = int(os.environ.get("LAYERWISE_SOAK_RSS_MB", "300"))
# Liveness: an answer within this many seconds (not a latency figure).
LIVENESS_S = 60.0
# A write blocked this long means the server stopped reading its stdin.
WRITE_STALL_S = 30.0

INSERTS = [
    "RUN apt-get install curl\n",
    "FROM ubuntu:latest\n",
    "COPY . .\n",
    "ENV PASSWORD=hunter2\n",
    "RUN npm install\n",
    "# a comment\n",
    "USER root\n",
    "RUN cd /tmp && make\n",
]
TYPED = "abcxyz $ {}\"'\\-=:/.0123456789"


class Storm:
    """The document as lines, and a seeded stream of edits expressed as LSP changes."""

    def __init__(self, text: str, seed: int) -> None:
        self.lines = text.split("\n")  # the last element is the text after the final "\n"
        self.rng = random.Random(seed)

    def text(self) -> str:
        return "\n".join(self.lines)

    def _pos(self, line: int, index: int) -> dict:
        return {"line": line, "character": lsp_column(self.lines[line], index, "utf-16")}

    def next_change(self) -> dict:
        rng, lines = self.rng, self.lines
        n = rng.randrange(len(lines))
        line = lines[n]
        i = rng.randrange(len(line) + 1)
        kind = rng.random()
        if kind < 0.45:  # type a character
            ch = rng.choice(TYPED)
            change = {"range": {"start": self._pos(n, i), "end": self._pos(n, i)}, "text": ch}
            lines[n] = line[:i] + ch + line[i:]
        elif kind < 0.75 and line:  # delete up to 3 characters
            j = min(len(line), i + rng.randrange(1, 4))
            i = min(i, len(line) - 1)
            change = {"range": {"start": self._pos(n, i), "end": self._pos(n, j)}, "text": ""}
            lines[n] = line[:i] + line[j:]
        elif kind < 0.85:  # split the line
            change = {"range": {"start": self._pos(n, i), "end": self._pos(n, i)}, "text": "\n"}
            lines[n:n + 1] = [line[:i], line[i:]]
        elif kind < 0.93 and n + 1 < len(lines):  # join with the next line
            end = {"line": n + 1, "character": 0}
            change = {"range": {"start": self._pos(n, len(line)), "end": end}, "text": ""}
            lines[n:n + 2] = [line + lines[n + 1]]
        else:  # a whole instruction before this line
            ins = rng.choice(INSERTS)
            at = {"line": n, "character": 0}
            change = {"range": {"start": at, "end": at}, "text": ins}
            lines[n:n] = [ins[:-1]]  # the old line moves down intact
        return change


def key(d: dict) -> tuple:
    r = d["range"]
    return (str(d.get("code")), r["start"]["line"], r["start"]["character"],
            r["end"]["line"], r["end"]["character"], d["message"])


class EditStorm(unittest.TestCase):
    def test_storm_keeps_up_and_ends_with_fresh_diagnostics(self):
        text = generate(10_000)
        storm = Storm(text, seed=8)
        with Session() as s:
            pid = s.client.pid
            uri = s.open("storm/Dockerfile", text)
            s.diagnostics(uri)
            stop = threading.Event()
            peak = [0]

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], vm_kib(pid, "VmRSS") or 0)
                    time.sleep(0.05)

            answered, failures = [], []

            def probe():
                while not stop.is_set():
                    try:
                        r = s.request_raw("textDocument/hover", {"textDocument": {"uri": uri},
                                          "position": {"line": 0, "character": 1}}, timeout=LIVENESS_S)
                        answered.append(r.error is None)
                    except Exception as err:  # noqa: BLE001 - reported below
                        failures.append(repr(err))
                        return
                    time.sleep(0.5)

            writing_since: list[float | None] = [None]

            def watchdog():
                while not stop.is_set():
                    since = writing_since[0]
                    if since is not None and time.monotonic() - since > WRITE_STALL_S:
                        failures.append("a write to the server blocked for 30 s: it stopped reading")
                        s.client.proc.kill()
                        return
                    time.sleep(0.5)

            threads = [threading.Thread(target=f, daemon=True) for f in (sample, probe, watchdog)]
            for t in threads:
                t.start()
            # the storm: batches of 10 edits every 10 ms, paced against the clock
            version = s.versions[uri]
            start = time.monotonic()
            total = EDITS_PER_SECOND * SECONDS
            batch = 10
            try:
                for k in range(0, total, batch):
                    frames = []
                    for _ in range(batch):
                        version += 1
                        frames.append(encode_message({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                            "textDocument": {"uri": uri, "version": version},
                            "contentChanges": [storm.next_change()]}}))
                    delay = start + k / EDITS_PER_SECOND - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    writing_since[0] = time.monotonic()
                    try:
                        with s.client._write_lock:
                            s.client.proc.stdin.write(b"".join(frames))
                            s.client.proc.stdin.flush()
                    except BrokenPipeError:
                        # the server is gone: say why (the watchdog's note, its exit status, its log)
                        s.client.proc.wait(timeout=10)
                        self.fail(f"the server stopped reading at edit {k} of {total} (exit status "
                                  f"{s.client.proc.returncode}): {failures}\n{s.client.stderr_tail()}")
                    writing_since[0] = None
                s.versions[uri] = version
                sent_for = time.monotonic() - start
                print(f"\nstorm sent in {sent_for:.1f} s", file=sys.stderr)
                final = s.client.wait_diagnostics(uri, 0, lambda e: e.version == version, LIVENESS_S,
                                                  f"diagnostics v{version}")
                r = s.request_raw("textDocument/hover", {"textDocument": {"uri": uri},
                                  "position": {"line": 0, "character": 1}}, timeout=LIVENESS_S)
                self.assertIsNone(r.error, r.error)
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=LIVENESS_S + 5)
            self.assertEqual(failures, [], "\n".join(failures) + "\n" + s.client.stderr_tail())
            self.assertTrue(answered and all(answered), f"hovers during the storm: {answered}")
            self.assertLess(peak[0], RSS_BOUND_MB * 1024, f"peak RSS {peak[0] // 1024} MB")
            storm_diags = sorted(key(d) for d in final.diagnostics)
        final_text = storm.text()
        with Session() as fresh:
            uri2 = fresh.open("storm/Dockerfile", final_text)
            fresh_diags = sorted(key(d) for d in fresh.diagnostics(uri2))
        self.assertEqual(storm_diags, fresh_diags)
        report = {"edits": total, "sent_in_s": round(sent_for, 2), "peak_rss_mb": peak[0] // 1024,
                  "hovers_answered": len(answered), "final_diagnostics": len(storm_diags)}
        print(f"\nedit storm: {json.dumps(report)}", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
