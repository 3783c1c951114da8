"""Hostile input over the protocol, through the built binary (issue #8).

- `Protocol`: requests before `initialize`; a barrage of a few thousand hostile messages
  (malformed JSON, wrong and odd `Content-Length`s, junk between frames, unknown methods and
  notifications, wrong parameter types, positions out of range or inside a UTF-16 surrogate
  pair, changes to documents never opened, ranges reversed or out of range, versions going
  backwards, cancellation storms, settings of the wrong shape) from a client that also rejects,
  garbles or ignores every request the server makes. Then: every well-framed request got
  exactly one answer, everything the server wrote was a valid frame, and it answers a fresh
  document exactly as a fresh server does. `shutdown`/`exit` in every order; stdin closed.
- `Documents`: empty, 50 MB, one 10 MB line, binary junk, invalid UTF-8 on disk, NUL bytes,
  CR/LF/CRLF mixes, 100,000 stages, a heredoc that never ends, 10,000 nested expansions —
  every request answers within a liveness bound and peak memory stays under a stated bound.
"""
from __future__ import annotations

import functools
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from collections import Counter, defaultdict
from typing import Any, Callable

from harness import BINARY, ROOT

sys.path.insert(0, str(ROOT / "bench" / "lsp"))
from lsp_framing import FramingError, decode_body, read_message  # noqa: E402


# ----- a raw peer -------------------------------------------------------------------------
# Unlike the harness's client it can send anything, and it is strict about what comes back:
# everything the server writes must be a well-formed frame holding a JSON object (stdout is
# the protocol). A reader thread checks that, files responses by id, answers (or rejects, or
# ignores) the server's own requests, and keeps published diagnostics. Every wait has a deadline.

def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def message(payload: dict) -> bytes:
    return frame(json.dumps(payload).encode())


def vm_kib(pid: int, field: str) -> int | None:
    """`VmRSS` or `VmHWM` (peak) of a live process, in KiB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for row in fh:
                if row.startswith(field + ":"):
                    return int(row.split()[1])
    except OSError:
        return None
    return None


def accept_all(method: str, params: Any) -> tuple[str, Any]:
    """A well-behaved client: `workspace/configuration` gets one null per item, the rest null."""
    if method == "workspace/configuration" and isinstance(params, dict):
        return "result", [None] * len(params.get("items") or [])
    return "result", None


class RawPeer:
    """One `layerwise lsp` process. `policy(method, params)` decides how its requests are
    answered: ("result", value), ("error", {...}) or ("ignore", None)."""

    def __init__(self, policy: Callable[[str, Any], tuple[str, Any]] = accept_all,
                 cwd: str | None = None, env: dict | None = None) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.stderr_path = os.path.join(self.tmp.name, "stderr.log")
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        run_env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.tmp.name, "cache"))
        run_env.update(env or {})
        self.proc = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, cwd=cwd or self.tmp.name, env=run_env, bufsize=0)
        self.policy = policy
        self.cv = threading.Condition()
        self.write_lock = threading.Lock()
        self.responses: dict[Any, list[dict]] = defaultdict(list)
        self.notifications: Counter = Counter()
        self.diagnostics: list[dict] = []
        self.server_requests: Counter = Counter()
        self.bad_output: str | None = None
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    # ----- reading -----------------------------------------------------------------------

    def _read(self) -> None:
        stream = io.BufferedReader(self.proc.stdout, buffer_size=1 << 16)  # type: ignore[arg-type]
        try:
            while True:
                framed = read_message(stream)
                if framed is None:
                    break
                self._dispatch(decode_body(framed[0]))
        except (FramingError, OSError, ValueError) as err:
            with self.cv:
                self.bad_output = f"server wrote something that is not a protocol frame: {err}"
        finally:
            with self.cv:
                self.closed = True
                self.cv.notify_all()

    def _dispatch(self, msg: dict) -> None:
        method = msg.get("method")
        if isinstance(method, str) and "id" in msg:
            with self.cv:
                self.server_requests[method] += 1
            how, value = self.policy(method, msg.get("params"))
            if how == "result":
                self._write(message({"jsonrpc": "2.0", "id": msg["id"], "result": value}))
            elif how == "error":
                self._write(message({"jsonrpc": "2.0", "id": msg["id"], "error": value}))
            return
        with self.cv:
            if isinstance(method, str):
                self.notifications[method] += 1
                if method == "textDocument/publishDiagnostics":
                    self.diagnostics.append(msg.get("params") or {})
            else:
                key = msg.get("id")
                self.responses[json.dumps(key)].append(msg)
            self.cv.notify_all()

    # ----- writing -----------------------------------------------------------------------

    def _write(self, raw: bytes) -> None:
        with self.write_lock:
            try:
                self.proc.stdin.write(raw)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the server is gone; the waits report it

    def send(self, raw: bytes) -> None:
        self._write(raw)

    def request(self, id_: Any, method: str, params: Any = None) -> None:
        payload = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            payload["params"] = params
        self.send(message(payload))

    def notify(self, method: str, params: Any = None) -> None:
        payload = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = params
        self.send(message(payload))

    # ----- waiting -----------------------------------------------------------------------

    def _gone(self, what: str) -> AssertionError:
        tail = ""
        try:
            with open(self.stderr_path, "rb") as fh:
                tail = fh.read()[-3000:].decode(errors="replace")
        except OSError:
            pass
        return AssertionError(f"{what}; exit status {self.proc.poll()}; "
                              f"{self.bad_output or ''}\n--- server stderr ---\n{tail}")

    def wait(self, id_: Any, timeout: float = 30) -> dict:
        """The response to request `id_`."""
        key = json.dumps(id_)
        deadline = time.monotonic() + timeout
        with self.cv:
            while not self.responses.get(key):
                if self.bad_output or self.closed:
                    raise self._gone(f"no response to {id_}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._gone(f"no response to {id_} within {timeout} s")
                self.cv.wait(left)
            return self.responses[key][0]

    def call(self, id_: Any, method: str, params: Any = None, timeout: float = 30) -> dict:
        self.request(id_, method, params)
        return self.wait(id_, timeout)

    def wait_diagnostics(self, uri: str, version: int | None, timeout: float = 30) -> list:
        """The diagnostics published for `uri` at `version` (any version if None)."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for p in reversed(self.diagnostics):
                    if p.get("uri") == uri and (version is None or p.get("version") == version):
                        return p.get("diagnostics") or []
                if self.bad_output or self.closed:
                    raise self._gone(f"no diagnostics for {uri} v{version}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._gone(f"no diagnostics for {uri} v{version} within {timeout} s")
                self.cv.wait(left)

    def initialize(self, capabilities: dict | None = None, root: str | None = None) -> dict:
        caps = capabilities if capabilities is not None else {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
        }
        r = self.call(0, "initialize", {"processId": None, "rootUri": root, "capabilities": caps,
                                        "initializationOptions": {"registry": {"offline": True}}})
        self.notify("initialized", {})
        return r

    def peak_rss_mb(self) -> int:
        return (vm_kib(self.proc.pid, "VmHWM") or 0) // 1024

    def close(self, timeout: float = 20) -> int | None:
        """Closes stdin and waits for the exit status (kills after `timeout`)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            code = None
        self._stderr.close()
        self.tmp.cleanup()
        return code


# ----- the barrage ------------------------------------------------------------------------

TEXT = "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n"
# A line with astral characters: a position between the two UTF-16 units of 😀 is in a pair.
EMOJI = "FROM alpine\n# 😀😀 smile\nRUN echo 😀 > /x\nLABEL note=\"𝄞 clef\"\n"
DOC = "file:///w/Dockerfile"
EMOJI_DOC = "file:///w/emoji/Dockerfile"
URIS = [DOC, EMOJI_DOC, "file:///w/never-opened", "untitled:Untitled-1", "not a uri", "file:///w/%ZZ", ""]
POSITIONAL = ["textDocument/hover", "textDocument/completion", "textDocument/definition",
              "textDocument/references", "textDocument/documentHighlight", "textDocument/prepareRename",
              "textDocument/rename", "textDocument/signatureHelp", "textDocument/selectionRange",
              "textDocument/onTypeFormatting"]
WHOLE = ["textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/semanticTokens/full",
         "textDocument/formatting", "textDocument/codeLens", "textDocument/documentLink"]
RANGED = ["textDocument/semanticTokens/range", "textDocument/rangeFormatting", "textDocument/codeAction",
          "textDocument/inlayHint"]
BAD_BODIES = [b"{not json", b"[]", b"null", b'"text"', b"42", b'{"jsonrpc":"2.0"}',
              b'{"jsonrpc":"2.0","id":7}',
              b'{"jsonrpc":"2.0","id":99,"result":1}', b'{"jsonrpc":"2.0","id":98,"error":{"code":"x"}}',
              b'{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":"\xff\xfe"}}',
              b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000,
              b'{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"'
              + DOC.encode() + b'","version":1e400},"contentChanges":[]}}',
              b"\xef\xbb\xbf{}", b'{"jsonrpc":"2.0","id":1,"id":2,"method":"shutdown"}'[:-1]]


def rand_position(rng: random.Random) -> Any:
    """Mostly plausible, sometimes absurd: huge, negative, fractional, the wrong type, missing."""
    k = rng.randrange(12)
    if k < 6:
        return {"line": rng.randrange(0, 8), "character": rng.randrange(0, 40)}
    if k == 6:
        return {"line": rng.choice([2 ** 31 - 1, 2 ** 32 + 1, 10 ** 12]), "character": 0}
    if k == 7:
        return {"line": 0, "character": rng.choice([2 ** 31, 2 ** 32 - 1, 10 ** 15])}
    if k == 8:
        return {"line": -1, "character": -5}
    if k == 9:
        return {"line": 1.5, "character": "3"}
    if k == 10:
        return None
    return {"line": 1, "character": rng.choice([1, 3, 5])}  # inside a surrogate pair of line 1 of EMOJI


def rand_range(rng: random.Random) -> Any:
    a, b = rand_position(rng), rand_position(rng)
    if rng.random() < 0.2 and isinstance(a, dict) and isinstance(b, dict):
        a, b = b, a  # reversed (when b < a)
    return {"start": a, "end": b}


def request_params(rng: random.Random, method: str, uri: str) -> Any:
    if rng.random() < 0.05:
        return rng.choice(["wrong", 5, [], None, {"textDocument": 3}])
    p: dict = {"textDocument": {"uri": uri}}
    if method in POSITIONAL:
        p["position"] = rand_position(rng)
    if method == "textDocument/references":
        p["context"] = {"includeDeclaration": True}
    if method == "textDocument/rename":
        p["newName"] = rng.choice(["x", "", "a b", "😀", "$", "x" * 10_000])
    if method == "textDocument/selectionRange":
        p["positions"] = [rand_position(rng) for _ in range(rng.randrange(0, 4))]
    if method == "textDocument/onTypeFormatting":
        p["ch"] = rng.choice(["\n", "\\", "", "😀"])
        p["options"] = {"tabSize": 4, "insertSpaces": True}
    if method in RANGED:
        p["range"] = rand_range(rng)
    if method in ("textDocument/formatting", "textDocument/rangeFormatting"):
        p["options"] = {"tabSize": rng.choice([0, 4, 2 ** 31]), "insertSpaces": rng.random() < 0.5}
    if method == "textDocument/codeAction":
        p["context"] = {"diagnostics": [], "only": rng.choice([None, ["quickfix"], ["source.fixAll.layerwise"], ["nonsense"]])}
    return p


def change(rng: random.Random, uri: str, version: Any) -> dict:
    k = rng.randrange(6)
    if k == 0:
        changes = [{"text": rng.choice([TEXT, EMOJI, "", "FROM x\r\nRUN y\r"])}]
    elif k == 1:  # a range inside, or partly outside, the document
        changes = [{"range": rand_range(rng), "text": rng.choice(["", "x", "\n", "RUN a\n", "😀", "\\\n"])}]
    elif k == 2:  # several changes, one of them splitting a surrogate pair
        changes = [{"range": {"start": {"line": 1, "character": 3}, "end": {"line": 1, "character": 4}}, "text": "y"},
                   {"range": rand_range(rng), "text": "z"}]
    elif k == 3:
        changes = [{"range": rand_range(rng), "rangeLength": -3, "text": "q"}]
    elif k == 4:
        changes = "not a list"
    else:
        changes = []
    return {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}


def notification(rng: random.Random) -> tuple[str, Any]:
    uri = rng.choice(URIS)
    k = rng.randrange(12)
    if k < 4:
        return "textDocument/didChange", change(rng, uri, rng.choice([rng.randrange(0, 10 ** 6), 1, 0, -1, 2 ** 31 - 1, None]))
    if k == 4:
        return "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": rng.choice(["dockerfile", "python", ""]),
                                                         "version": rng.randrange(-5, 5), "text": rng.choice([TEXT, EMOJI, "\x00\x01"])}}
    if k == 5:
        return "textDocument/didClose", {"textDocument": {"uri": uri}}
    if k == 6:
        return "textDocument/didSave", {"textDocument": {"uri": uri}, "text": "x"}
    if k == 7:
        return "workspace/didChangeConfiguration", {"settings": rng.choice([None, 5, "x", [], {"layerwise": "x"},
                                                                            {"layerwise": {"rules": 7}}])}
    if k == 8:
        return "workspace/didChangeWatchedFiles", {"changes": rng.choice([[{"uri": uri, "type": 9}], "x", None])}
    if k == 9:
        return "$/cancelRequest", {"id": rng.choice([rng.randrange(0, 4000), "x", None, -1])}
    if k == 10:
        return rng.choice(["$/setTrace", "$/unknown", "no/such/notification", "initialized"]), {"value": "verbose"}
    return "workspace/didChangeWorkspaceFolders", {"event": {"added": [{"uri": "file:///nowhere", "name": "n"}], "removed": "x"}}


def hostile_client(rng: random.Random) -> Callable[[str, Any], tuple[str, Any]]:
    """Rejects or garbles every request the server makes of it. (A client that never answers,
    or answers with a malformed error, has its own test below and in test_protocol_settings.)"""
    def policy(method: str, params: Any) -> tuple[str, Any]:
        return rng.choice([("error", {"code": -32803, "message": "the client refuses"}),
                           ("result", "garbage"), ("result", [1, {"x": None}]), ("result", None)])
    return policy


HOSTILE_CAPS = {
    "general": {"positionEncodings": ["utf-16"]},
    "workspace": {"configuration": True, "didChangeWatchedFiles": {"dynamicRegistration": True},
                  "inlayHint": {"refreshSupport": True}, "semanticTokens": {"refreshSupport": True},
                  "codeLens": {"refreshSupport": True}, "diagnostic": {"refreshSupport": True}},
    "window": {"workDoneProgress": True},
    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
}


def observe(peer: "RawPeer", uri: str, text: str, base_id: int) -> dict:
    """What a server says about a document it has just been given: the comparison of a
    barraged server with a fresh one."""
    peer.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
    seen = {"diagnostics": sorted(json.dumps(d, sort_keys=True) for d in peer.wait_diagnostics(uri, 1))}
    asks = [("textDocument/hover", {"position": {"line": 0, "character": 1}}),
            ("textDocument/hover", {"position": {"line": 3, "character": 8}}),
            ("textDocument/completion", {"position": {"line": 3, "character": 12}}),
            ("textDocument/documentSymbol", {}), ("textDocument/foldingRange", {}),
            ("textDocument/semanticTokens/full", {}),
            ("textDocument/formatting", {"options": {"tabSize": 4, "insertSpaces": True}}),
            ("textDocument/definition", {"position": {"line": 3, "character": 14}})]
    for i, (method, extra) in enumerate(asks):
        r = peer.call(base_id + i, method, {"textDocument": {"uri": uri}, **extra})
        result = r.get("result")
        if isinstance(result, dict):
            result.pop("resultId", None)  # a counter of the session, not content
        if method == "textDocument/completion" and result is not None:
            items = result["items"] if isinstance(result, dict) else result
            result = sorted(item["label"] for item in items)
        seen[f"{method} {i}"] = json.dumps(result, sort_keys=True) if "error" not in r else f"error {r['error']}"
    return seen


def barrage(rng: random.Random, n: int) -> list[tuple[bytes, int | str | None, str]]:
    """`n` hostile items: (bytes to send, id of a well-framed request that must be answered or
    None, what it is — its first word is the kind counted in the report)."""
    items: list[tuple[bytes, int | str | None, str]] = []
    next_id = 1000
    for i in range(n):
        k = rng.randrange(100)
        if k < 40:  # a request, often hostile in its parameters
            method = rng.choice(POSITIONAL + WHOLE + RANGED + ["workspace/symbol", "no/such/method",
                                                                "textDocument/unknown", "$/unknownRequest"])
            params = request_params(rng, method, rng.choice(URIS)) if method != "workspace/symbol" \
                else {"query": rng.choice(["", "s", "😀", "x" * 5000])}
            what = f"request {method} {json.dumps(params)[:200]}"
            if method.startswith("$/"):
                # answered with MethodNotFound (F12; tower-lsp-server alone leaves them unanswered)
                items.append((message({"jsonrpc": "2.0", "id": f"dollar-{i}", "method": method, "params": params}), f"dollar-{i}", what))
            else:
                items.append((message({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params}), next_id, what))
                next_id += 1
        elif k < 70:
            method, params = notification(rng)
            items.append((message({"jsonrpc": "2.0", "method": method, "params": params}), None,
                          f"notification {method} {json.dumps(params)[:200]}"))
        elif k < 76:
            items.append((frame(rng.choice(BAD_BODIES)), None, "malformed-JSON"))
        elif k < 80:
            items.append((frame(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))), None, "binary-body"))
        elif k < 84:  # junk between frames, ended by a blank line
            items.append((bytes(rng.randrange(32, 127) for _ in range(rng.randrange(1, 300))) + b"\r\n\r\n", None,
                          "junk-between-frames"))
        elif k < 88:  # Content-Length too small: the rest of the body is junk
            body = json.dumps({"jsonrpc": "2.0", "id": 10 ** 7 + i, "method": "textDocument/hover",
                               "params": {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 0}}}).encode()
            cut = rng.randrange(1, len(body))
            items.append((b"Content-Length: %d\r\n\r\n" % cut + body + b"\r\n\r\n", None, "length-too-small"))
        elif k < 92:  # Content-Length too large: it swallows junk that follows
            body = json.dumps({"jsonrpc": "2.0", "method": "$/noop"}).encode()
            extra = rng.randrange(1, 50)
            items.append((b"Content-Length: %d\r\n\r\n" % (len(body) + extra) + body + b"#" * extra, None,
                          "length-too-large"))
        elif k < 95:  # odd headers around a good request: must be answered
            body = json.dumps({"jsonrpc": "2.0", "id": next_id, "method": "textDocument/hover",
                               "params": {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 2}}}).encode()
            head = rng.choice([b"content-length: %d\r\n\r\n",
                               b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: %d\r\n\r\n",
                               b"Content-Length:   %d  \r\n\r\n"])
            items.append((head % len(body) + body, next_id, "odd-headers hover"))
            next_id += 1
        elif k < 98:  # bad Content-Length values
            items.append((rng.choice([b"Content-Length: -5\r\n\r\n{}", b"Content-Length: abc\r\n\r\n{}",
                                      b"Content-Length: \r\n\r\n{}", b"Content-Length: 0\r\n\r\n"]) + b"\r\n\r\n",
                          None, "bad-length-value"))
        else:  # an id of an odd type, or reused while the first may be pending
            items.append((message({"jsonrpc": "2.0", "id": rng.choice(["str-id", None, -7, 2 ** 53]),
                                   "method": "textDocument/hover",
                                   "params": {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 0}}}),
                          None, "odd-id hover"))
    return items


# Items sent before waiting for the answers to the requests among them.
BATCH = 50


class Protocol(unittest.TestCase):
    def test_requests_before_initialize_are_refused_not_fatal(self):
        s = RawPeer()
        try:
            r = s.call(1, "textDocument/hover", {"textDocument": {"uri": "file:///x"}, "position": {"line": 0, "character": 0}})
            self.assertIn("error", r)
            s.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "dockerfile", "version": 1, "text": TEXT}})
            self.assertIn("result", s.call(2, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}))
            self.assertIn("error", s.call(3, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}))
        finally:
            self.assertEqual(s.close(), 0)

    def test_barrage_then_answers_like_a_fresh_server(self):
        s = RawPeer(policy=hostile_client(random.Random(9)))
        items = barrage(random.Random(8), 3000)
        expected = {id_: what for _, id_, what in items if id_ is not None}
        sent = Counter(what.split(" ")[0] for _, _, what in items)
        try:
            s.initialize(HOSTILE_CAPS, root="file:///w")
            s.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "dockerfile", "version": 5, "text": TEXT}})
            s.notify("textDocument/didOpen", {"textDocument": {"uri": EMOJI_DOC, "languageId": "dockerfile", "version": 1, "text": EMOJI}})
            # in batches, as an editor sends: a burst of megabytes while the server waits on the
            # client would fill both pipes (the answer the server waits for sits behind the burst)
            for start in range(0, len(items), BATCH):
                batch = items[start:start + BATCH]
                for raw, _, _ in batch:
                    s.send(raw)
                ids = [i for _, i, _ in batch if i is not None]
                deadline = time.monotonic() + 60
                with s.cv:
                    while not all(s.responses.get(json.dumps(i)) for i in ids) and not s.closed:
                        if time.monotonic() > deadline:
                            break
                        s.cv.wait(1)
                missing = [f"{i}: {expected[i]}" for i in ids if not s.responses.get(json.dumps(i))]
                self.assertEqual(missing, [], f"requests never answered (after item {start})")
            extra = {k: len(v) for k, v in s.responses.items() if k in map(json.dumps, expected) and len(v) != 1}
            self.assertEqual(extra, {}, "requests answered more than once")
            codes = {i: s.responses[json.dumps(i)][0].get("error", {}).get("code") for i in expected if isinstance(i, str)}
            self.assertEqual({i: c for i, c in codes.items() if c != -32601}, {}, "$/ requests not answered MethodNotFound")
            self.assertIsNone(s.bad_output)
            # settle on known settings, then compare with a fresh server
            s.notify("workspace/didChangeConfiguration", {"settings": {}})
            after = observe(s, "file:///w/after/Dockerfile", TEXT, 900_000)
            after_emoji = observe(s, "file:///w/after/emoji/Dockerfile", EMOJI, 910_000)
            self.assertEqual(s.call(920_000, "shutdown").get("result", "missing"), None)
            s.notify("exit")
            self.assertEqual(s.proc.wait(timeout=20), 0)
        finally:
            s.close()
        fresh = RawPeer()
        try:
            fresh.initialize(HOSTILE_CAPS, root="file:///w")
            fresh.notify("workspace/didChangeConfiguration", {"settings": {}})
            self.assertEqual(after, observe(fresh, "file:///w/after/Dockerfile", TEXT, 900_000))
            self.assertEqual(after_emoji, observe(fresh, "file:///w/after/emoji/Dockerfile", EMOJI, 910_000))
        finally:
            fresh.close()
        print(f"\nbarrage: {len(items)} messages {dict(sent)}; {len(expected)} answered; "
              f"server requests {dict(s.server_requests)}", file=sys.stderr)

    # F10 (reliability.md, "Findings"): tower-lsp-server ends the session on a message it
    # cannot decode; the stdin filter passes on only shapes it can decode and has the rest
    # answered (Invalid Request, with the id when it is usable, else null).
    def test_messages_of_the_wrong_shape_do_not_end_the_session(self):
        shapes = [{"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover", "params": {}},
                  {"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover", "params": {}},
                  {"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": {}},
                  {"jsonrpc": "2.0", "id": True, "method": "textDocument/hover", "params": {}},
                  {"jsonrpc": "2.0", "id": 2 ** 64, "method": "textDocument/hover", "params": {}},
                  {"jsonrpc": "2.0", "method": 5},
                  {"jsonrpc": "1.0", "id": 3, "method": "textDocument/hover", "params": {}},
                  {"id": 3, "method": "textDocument/hover", "params": {}}, {}]
        hover = {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}}
        failed = []
        for n, shape in enumerate(shapes):
            s = RawPeer()
            try:
                s.initialize()
                s.send(message(shape))
                try:
                    s.call(n + 10, "textDocument/hover", hover, timeout=10)
                except AssertionError:
                    failed.append(json.dumps(shape))
            finally:
                s.proc.kill()
                s.close()
        self.assertEqual(failed, [], "sessions ended by one message")

    # F11 (reliability.md, "Findings"): the server awaited `workspace/configuration` with no
    # time limit, so a client that never answers (or answers with an error object the server
    # cannot read) left handlers waiting forever; after a few, nothing was answered any more.
    # Pulls now run in their own task with a time limit.
    def test_a_client_that_never_answers_does_not_block_the_server(self):
        # never answering, or answering in a shape the server cannot read, is the same to it
        answers = iter([("ignore", None), ("error", {"code": "nonsense"})] * 50)
        s = RawPeer(policy=lambda method, params: next(answers))
        try:
            s.initialize(HOSTILE_CAPS, root="file:///w")
            s.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "dockerfile", "version": 1, "text": TEXT}})
            for _ in range(5):
                s.notify("workspace/didChangeConfiguration", {"settings": None})
            r = s.call(1, "textDocument/hover", {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}}, timeout=30)
            self.assertIn("result", r)
        finally:
            s.proc.kill()
            s.close()

    def test_a_wrong_length_swallowing_the_next_message_is_survived(self):
        s = RawPeer()
        try:
            s.initialize()
            # the length takes the start of request 1 (its header and the start of its body);
            # the filter finds that header in the body that does not parse and re-frames from
            # it, so request 1 and the ones after it are answered (F13: request 2 was lost too)
            s.send(b"Content-Length: 60\r\n\r\n{\"a\":1}")
            hover = {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}}
            s.request(1, "textDocument/hover", hover)
            s.request(2, "textDocument/hover", hover)
            self.assertIn("result", s.call(3, "textDocument/hover", hover))
            self.assertIn("result", s.wait(2))
            self.assertIn("result", s.wait(1))
            # what preceded the swallowed header, `{"a":1}`, is answered as an Invalid Request
            self.assertEqual(s.wait(None)["error"]["code"], -32600)
            # the rest of a swallowed body running into the next header (no Content-Length at
            # a line start): the header is found inside the block
            s.send(b'"position": {"line": 0}}}' + message({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": hover}))
            s.request(5, "textDocument/hover", hover)
            self.assertIn("result", s.wait(4))
            self.assertIn("result", s.wait(5))
        finally:
            self.assertEqual(s.close(), 0)

    def test_client_vanishing_exits_cleanly(self):
        s = RawPeer()
        s.initialize()
        s.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "dockerfile", "version": 1, "text": TEXT}})
        s.request(5, "textDocument/hover", {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}})
        self.assertEqual(s.close(), 0)

    def test_shutdown_and_exit_in_every_order(self):
        # shutdown, then requests are refused (not answered with results), then exit: status 0
        # (F14: the status the spec asks for: 0 after shutdown, 1 without)
        s = RawPeer()
        try:
            s.initialize()
            self.assertIn("result", s.call(1, "shutdown"))
            self.assertIn("error", s.call(2, "textDocument/hover", {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 0}}))
            self.assertIn("error", s.call(3, "shutdown"))
            s.notify("textDocument/didOpen", {"textDocument": {"uri": DOC, "languageId": "dockerfile", "version": 1, "text": TEXT}})
            s.notify("exit")
            self.assertEqual(s.proc.wait(timeout=20), 0)
        finally:
            s.close()
        # exit with no shutdown: status 1, before or after initialize; a shutdown refused
        # before initialize does not count
        for before in ([], ["initialize"], ["shutdown"]):
            s = RawPeer()
            try:
                if before == ["initialize"]:
                    s.initialize()
                elif before == ["shutdown"]:
                    self.assertIn("error", s.call(1, "shutdown"))
                s.notify("exit")
                self.assertEqual(s.proc.wait(timeout=20), 1, f"exit after {before}")
            finally:
                s.close()
        # shutdown and exit sent together, without waiting for the answer: still 0
        s = RawPeer()
        try:
            s.initialize()
            s.send(message({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}) + message({"jsonrpc": "2.0", "method": "exit"}))
            self.assertEqual(s.proc.wait(timeout=20), 0)
        finally:
            s.close()


# ----- documents --------------------------------------------------------------------------

# Bounds: liveness (an answer at all, not a latency figure) and peak resident memory. The
# server refuses documents above 4 MB with a message (lsp `document::MAX_DOCUMENT_BYTES`), so
# at the sizes the "fifty-mb" and "ten-mb-line" documents test the refusal; at CI
# scale (2.6 MB and 0.5 MB) they are analysed in full.
LIVENESS_S = float(os.environ.get("LAYERWISE_ROBUSTNESS_LIVENESS_S", "120"))
RSS_BOUND_MB = int(os.environ.get("LAYERWISE_ROBUSTNESS_RSS_MB", "1200"))
ASKS = [("textDocument/hover", {"position": {"line": 0, "character": 1}}),
        ("textDocument/completion", {"position": {"line": 1, "character": 0}}),
        ("textDocument/documentSymbol", {}), ("textDocument/foldingRange", {}),
        ("textDocument/semanticTokens/full", {}),
        ("textDocument/formatting", {"options": {"tabSize": 4, "insertSpaces": True}}),
        ("textDocument/codeAction", {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 10 ** 7, "character": 0}},
                                     "context": {"diagnostics": []}}),
        ("textDocument/codeLens", {}), ("textDocument/documentLink", {}),
        ("textDocument/inlayHint", {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 10 ** 7, "character": 0}}})]


# The sizes need a release build and many GB (see reliability.md: about 6 KB of peak
# memory per instruction); the test suite runs the debug build on 2 cores, so by default the
# big documents are a twentieth of those sizes and the repetitive ones a fifth (same shapes).
# LAYERWISE_ROBUSTNESS_FULL=1 uses the sizes.
FULL = os.environ.get("LAYERWISE_ROBUSTNESS_FULL") == "1"


@functools.lru_cache(maxsize=1)
def documents() -> dict[str, bytes]:
    """The hostile documents, as the bytes on disk (the editor sends their lossy decoding)."""
    rng = random.Random(50)
    scale = 1 if FULL else 20
    reps = 1 if FULL else 5
    mixed = "".join(f"RUN echo {i}" + rng.choice(["\n", "\r\n", "\r", "\r\r\n", "\n\r"]) for i in range(20_000 // reps))
    return {
        "empty": b"",
        "fifty-mb": ("FROM alpine:3.20\n" + "RUN echo hello world\n" * (2_500_000 // scale)).encode(),
        "ten-mb-line": ("FROM alpine\nRUN echo " + "x" * (10_000_000 // scale) + "\n").encode(),
        "binary-junk": bytes(rng.randrange(256) for _ in range(300_000)),
        "invalid-utf8": b"FROM alpine\nRUN echo \xff\xfe\xc3\x28 \xe2\x82\nCOPY \x80file /x\nLABEL a=\xed\xa0\x80\n" * (2000 // reps),
        "nul-bytes": b"FROM a\x00b\nRUN \x00\x00 echo\n\x00\nENV K=\x00\n" * (5000 // reps),
        "line-end-mix": ("FROM alpine\r\n" + mixed).encode(),
        "hundred-thousand-stages": "".join(f"FROM alpine:3.20 AS s{i}\nCOPY --from=s{max(i - 1, 0)} /a /a\n"
                                           for i in range(100_000 // scale)).encode(),
        "heredoc-never-ends": ("FROM alpine\nRUN <<EOF\n" + "echo line\n" * (100_000 // reps) + "COPY <<X /y\n").encode(),
        "nested-expansions": ("FROM alpine\nENV A=" + "${X:-" * 10_000 + "}" * 10_000 + "\nRUN echo $A\n").encode(),
    }


class Documents(unittest.TestCase):
    """One server per document (its peak memory is that document's); the methods are made
    below, one per entry of `documents()`."""

    figures: dict = {}

    def answer_on(self, name: str, data: bytes) -> None:
        with tempfile.TemporaryDirectory() as ws:
            with open(os.path.join(ws, ".dockerignore"), "wb") as fh:
                fh.write(b"\xff\xfe*\n!\x80keep\n" + b"**/" * 1000 + b"\n")
            with open(os.fsdecode(os.path.join(ws.encode(), b"file-\xff.txt")), "wb") as fh:
                fh.write(b"x")
            path = os.path.join(ws, "Dockerfile")
            with open(path, "wb") as fh:
                fh.write(data)
            uri = "file://" + path
            s = RawPeer(cwd=ws)
            try:
                s.initialize(root="file://" + ws)
                start = time.monotonic()
                s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                                                   "text": data.decode("utf-8", errors="replace")}})
                s.wait_diagnostics(uri, 1, timeout=LIVENESS_S)
                for i, (method, extra) in enumerate(ASKS):
                    r = s.call(i + 1, method, {"textDocument": {"uri": uri}, **extra}, timeout=LIVENESS_S)
                    self.assertIn("result", r, f"{name}: {method}: {r}")
                took = time.monotonic() - start
                peak = s.peak_rss_mb()
                self.assertLess(peak, RSS_BOUND_MB, f"{name}: peak RSS {peak} MB")
                self.assertEqual(s.call(99, "shutdown").get("result", "missing"), None)
                s.notify("exit")
                self.assertEqual(s.proc.wait(timeout=30), 0)
            finally:
                s.close()
        print(f"\n{name} ({len(data) >> 10} KiB): diagnostics + {len(ASKS)} answers in {took:.1f} s, "
              f"peak RSS {peak} MB", file=sys.stderr)

    # Inlay hints (the size estimate) were quadratic in the number of instructions (found here,
    # fixed in c6fbc45). 12,000 RUN lines, the hints of the last screenful (as when the user
    # scrolls to the end): an answer within a 30 s liveness bound (it takes well under 1 s).
    def test_inlay_hints_on_many_instructions(self):
        text = "FROM alpine:3.20\n" + "RUN echo hello world\n" * 12_000
        s = RawPeer()
        try:
            s.initialize()
            uri = "file:///w/many/Dockerfile"
            s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
            s.wait_diagnostics(uri, 1, timeout=LIVENESS_S)
            r = s.call(1, "textDocument/inlayHint", {"textDocument": {"uri": uri},
                                                     "range": {"start": {"line": 11_900, "character": 0}, "end": {"line": 12_001, "character": 0}}},
                       timeout=30)
            self.assertIn("result", r)
        finally:
            s.proc.kill()
            s.close()


def _document_test(name: str):
    def test(self):
        self.answer_on(name, documents()[name])
    test.__doc__ = f"The {name} document: every request answers; memory stays bounded."
    return test


for _name in documents():
    setattr(Documents, f"test_{_name.replace('-', '_')}", _document_test(_name))


if __name__ == "__main__":
    unittest.main()
