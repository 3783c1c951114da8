"""Hostile traffic over the protocol, through the built binary (issue #8).

`Protocol`: requests before `initialize`; a barrage of a few thousand hostile messages
(hostile.py: malformed JSON, wrong and odd `Content-Length`s, junk between frames, unknown
methods and notifications, wrong parameter types, positions out of range or inside a UTF-16
surrogate pair, changes to documents never opened, ranges reversed or out of range, versions
going backwards, cancellation storms, settings of the wrong shape) from a client that also
rejects, garbles or ignores every request the server makes. Then: every well-framed request got
exactly one answer, everything the server wrote was a valid frame, and it answers a fresh
document exactly as a fresh server does. `shutdown`/`exit` in every order; stdin closed.

Hostile documents are in test_robustness_documents.py. test_protocol_settings.py imports
`RawPeer` and `message` from here.
"""
from __future__ import annotations

import json
import random
import sys
import time
import unittest
from collections import Counter

from hostile import DOC, EMOJI, EMOJI_DOC, HOSTILE_CAPS, HOVER, TEXT, barrage, hostile_client
from raw_peer import RawPeer, message


def observe(peer: "RawPeer", uri: str, text: str, base_id: int) -> dict:
    """What a server says about a document it has just been given: the comparison of a
    barraged server with a fresh one."""
    peer.open_document(uri, text)
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



# Items sent before waiting for the answers to the requests among them.
BATCH = 50


class Protocol(unittest.TestCase):
    def test_requests_before_initialize_are_refused_not_fatal(self):
        s = RawPeer()
        try:
            r = s.call(1, "textDocument/hover", {"textDocument": {"uri": "file:///x"}, "position": {"line": 0, "character": 0}})
            self.assertIn("error", r)
            s.open_document(DOC, TEXT)
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
            s.open_document(DOC, TEXT, version=5)
            s.open_document(EMOJI_DOC, EMOJI)
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
        failed = []
        for n, shape in enumerate(shapes):
            s = RawPeer()
            try:
                s.initialize()
                s.send(message(shape))
                try:
                    s.call(n + 10, "textDocument/hover", HOVER, timeout=10)
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
            s.open_document(DOC, TEXT)
            for _ in range(5):
                s.notify("workspace/didChangeConfiguration", {"settings": None})
            r = s.call(1, "textDocument/hover", HOVER, timeout=30)
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
            s.request(1, "textDocument/hover", HOVER)
            s.request(2, "textDocument/hover", HOVER)
            self.assertIn("result", s.call(3, "textDocument/hover", HOVER))
            self.assertIn("result", s.wait(2))
            self.assertIn("result", s.wait(1))
            # what preceded the swallowed header, `{"a":1}`, is answered as an Invalid Request
            self.assertEqual(s.wait(None)["error"]["code"], -32600)
            # the rest of a swallowed body running into the next header (no Content-Length at
            # a line start): the header is found inside the block
            s.send(b'"position": {"line": 0}}}' + message({"jsonrpc": "2.0", "id": 4, "method": "textDocument/hover", "params": HOVER}))
            s.request(5, "textDocument/hover", HOVER)
            self.assertIn("result", s.wait(4))
            self.assertIn("result", s.wait(5))
        finally:
            self.assertEqual(s.close(), 0)

    def test_client_vanishing_exits_cleanly(self):
        s = RawPeer()
        s.initialize()
        s.open_document(DOC, TEXT)
        s.request(5, "textDocument/hover", HOVER)
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
            s.open_document(DOC, TEXT)
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


if __name__ == "__main__":
    unittest.main()
