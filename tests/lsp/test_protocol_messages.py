"""Messages of the wrong shape, through the built binary (issue #8, findings F10 and F12).

tower-lsp-server ends the session on a body it cannot decode; the stdin filter passes on only
what it can decode and has the rest answered as JSON-RPC 2.0 asks: Invalid Request (-32600)
for a message that is JSON but not a request, with the request's id when it is usable (an
integer, a string or null) and null otherwise; Parse error (-32700) with id null for a body that
is not JSON. `$/` requests get MethodNotFound (-32601); `$/` notifications are ignored.
"""
from __future__ import annotations

import json
import time
import unittest

from hostile import DOC, HOVER, TEXT
from raw_peer import RawPeer, frame, message


def wait_for_log(peer: RawPeer, needle: str, timeout: float = 30) -> str:
    """The server's stderr once it contains `needle` (a liveness wait, not a timing check)."""
    deadline = time.monotonic() + timeout
    while True:
        with open(peer.stderr_path, "rb") as fh:
            text = fh.read().decode(errors="replace")
        if needle in text:
            return text
        if time.monotonic() > deadline or peer.proc.poll() is not None:
            raise AssertionError(f"server never logged {needle!r}; stderr:\n{text[-3000:]}")
        time.sleep(0.05)


class Shapes(unittest.TestCase):
    def test_wrong_shapes_are_answered_and_the_session_goes_on(self):
        # (message, the id it is answered with: its own when usable, else null)
        cases = [({"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover", "params": HOVER}, None),
                 ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover", "params": HOVER}, None),
                 ({"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": HOVER}, None),
                 ({"jsonrpc": "2.0", "id": True, "method": "textDocument/hover", "params": HOVER}, None),
                 ({"jsonrpc": "2.0", "id": 2 ** 64, "method": "textDocument/hover", "params": HOVER}, None),
                 ({"jsonrpc": "2.0", "method": 5}, None),
                 ({}, None),
                 ({"jsonrpc": "1.0", "id": 31, "method": "textDocument/hover", "params": HOVER}, 31),
                 ({"id": "no-version", "method": "textDocument/hover", "params": HOVER}, "no-version"),
                 ({"jsonrpc": "2.0", "id": 32, "method": 7}, 32),
                 ({"jsonrpc": "2.0", "id": 33}, 33)]
        s = RawPeer()
        try:
            s.initialize()
            s.open_document(DOC, TEXT)
            for shape, _ in cases:
                s.send(message(shape))
            self.assertIn("result", s.call(100, "textDocument/hover", HOVER))
            for shape, id_ in cases:
                if id_ is not None:
                    self.assertEqual(s.wait(id_)["error"]["code"], -32600, json.dumps(shape))
            nulls = sum(1 for _, id_ in cases if id_ is None)
            with s.cv:
                answered = [r["error"]["code"] for r in s.responses.get("null", [])]
            self.assertEqual(answered, [-32600] * nulls)
            # a key twice: JSON keeps the last; the framework would have failed on it
            s.send(frame(b'{"jsonrpc":"2.0","id":40,"id":41,"method":"shutdown"}'))
            self.assertIn("result", s.wait(41))
            s.notify("exit")
            self.assertEqual(s.proc.wait(timeout=20), 0)
        finally:
            s.close()

    def test_a_body_that_is_not_json_is_answered_with_a_parse_error(self):
        s = RawPeer()
        try:
            s.initialize()
            s.send(frame(b'{"jsonrpc": "2.0", "id": 5, "method": '))
            self.assertEqual(s.wait(None)["error"]["code"], -32700)
            self.assertIn("result", s.call(6, "textDocument/hover", HOVER))
        finally:
            self.assertEqual(s.close(), 0)

    def test_before_initialize_a_bad_request_is_refused_as_not_initialized(self):
        # the spec's answer to any request before initialize; the session goes on
        s = RawPeer()
        try:
            s.send(message({"jsonrpc": "1.0", "id": 3, "method": "textDocument/hover"}))
            self.assertEqual(s.wait(3)["error"]["code"], -32002)
            self.assertIn("result", s.call(4, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}))
        finally:
            self.assertEqual(s.close(), 0)

    def test_the_filters_own_method_cannot_be_called(self):
        s = RawPeer()
        try:
            s.initialize()
            r = s.call(7, "layerwise/internal/rejectedMessage", {"code": 0, "message": "made up"})
            self.assertEqual(r["error"]["code"], -32600)
        finally:
            self.assertEqual(s.close(), 0)


class DollarMethods(unittest.TestCase):
    def test_dollar_requests_get_method_not_found_and_notifications_nothing(self):
        s = RawPeer()
        try:
            s.initialize()
            s.notify("$/setTrace", {"value": "verbose"})
            s.notify("$/unknownNotification", {})
            for id_, method in (("d1", "$/unknownRequest"), ("d2", "$/cancelRequest"), (None, "$/x")):
                s.request(id_, method, {})
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
            for id_, method in (("d1", "$/unknownRequest"), ("d2", "$/cancelRequest"), (None, "$/x")):
                r = s.wait(id_)
                self.assertEqual(r["error"]["code"], -32601, method)
                self.assertIn(method, r["error"]["message"])
            with s.cv:
                # one answer for the `$/x` request with id null, none for the notifications
                self.assertEqual(len(s.responses["null"]), 1)
                self.assertEqual(sum(len(v) for v in s.responses.values()), 5)  # + initialize, hover
        finally:
            self.assertEqual(s.close(), 0)


class MalformedAnswers(unittest.TestCase):
    def test_a_malformed_error_answer_ends_the_pull_at_once(self):
        # The framework cannot read `{"code": "nonsense"}` as an error object (it would take the
        # answer for a request of method ""); the filter makes it a readable error, so the
        # settings pull fails now instead of waiting out its time limit (here ten minutes).
        caps = {"workspace": {"configuration": True}, "general": {"positionEncodings": ["utf-16"]}}
        s = RawPeer(policy=lambda method, params: ("error", {"code": "nonsense"}),
                    env={"LAYERWISE_CLIENT_TIMEOUT_MS": "600000", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            s.initialize(caps)
            log = wait_for_log(s, "client did not answer workspace/configuration")
            self.assertNotIn("no answer to workspace/configuration within", log)
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
        finally:
            s.proc.kill()
            s.close()


if __name__ == "__main__":
    unittest.main()
