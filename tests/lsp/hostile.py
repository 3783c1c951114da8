"""Hostile protocol traffic for the robustness tests, made from a seeded `random.Random`, so
a failing run can be replayed: the documents the tests open, requests with absurd parameters,
notifications that make no sense, malformed frames, and a client that refuses or garbles every
request the server makes of it. `barrage` mixes them into one stream.
"""
from __future__ import annotations

import json
import random
from typing import Any, Callable

from raw_peer import frame, message

TEXT = "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n"
# A line with astral characters: a position between the two UTF-16 units of 😀 is in a pair.
EMOJI = "FROM alpine\n# 😀😀 smile\nRUN echo 😀 > /x\nLABEL note=\"𝄞 clef\"\n"
DOC = "file:///w/Dockerfile"
EMOJI_DOC = "file:///w/emoji/Dockerfile"
# A hover on the first line of DOC: a request every live server answers with a result.
HOVER = {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}}
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
              b"\xef\xbb\xbf{}", b'{"jsonrpc":"2.0","id":1,"id":2,"method":"shutdown"}'[:-1],
              # answers the framework's generic read refuses (found in review: each ended the
              # session once the filter passed results on as borrowed slices)
              b'{"jsonrpc":"2.0","id":97,"result":1e400}', b'{"jsonrpc":"2.0","id":96,"result":"\\ud800"}',
              b'{"jsonrpc":"2.0","id":95,"result":' + b"[" * 127 + b"]" * 127 + b"}",
              b'{"jsonrpc":"2.0","method":"$/x","result":1e400}']


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
    or answers with a malformed error, has its own test in test_robustness.py and in
    test_protocol_settings.py.)"""
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

