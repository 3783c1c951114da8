"""Settings pulls against clients that answer late or never (issue #8, finding F11).

The server asks for settings with `workspace/configuration` in the background, with a time
limit (`LAYERWISE_CLIENT_TIMEOUT_MS`, 5 s by default): a client that never answers keeps the
current settings and blocks nothing, and an answer to an older pull never overwrites the answer
to a newer one. What is in effect is observed through diagnostics: `FROM ubuntu` has no tag,
which the `untagged-image` rule reports unless the settings turn it off.
"""
from __future__ import annotations

import unittest
from typing import Any

from test_protocol_messages import HOVER, wait_for_log
from test_robustness import RawPeer, message

UNTAGGED = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n"
URI = "file:///w/settings/Dockerfile"
CAPS = {"general": {"positionEncodings": ["utf-16"]}, "workspace": {"configuration": True},
        "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
OFF = {"registry": {"offline": True}, "rules": {"untagged-image": "off"}}
ON = {"registry": {"offline": True}, "rules": {"untagged-image": "error"}}


def codes(peer: RawPeer) -> list[str]:
    """The codes of the diagnostics of UNTAGGED, opened now."""
    peer.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "dockerfile", "version": 1, "text": UNTAGGED}})
    return sorted(str(d.get("code")) for d in peer.wait_diagnostics(URI, 1))


class HoldingPeer(RawPeer):
    """A client that keeps every `workspace/configuration` request unanswered until the test
    answers it, in the order the test chooses."""

    def __init__(self, **kw: Any) -> None:
        self.held: list[Any] = []
        super().__init__(**kw)

    def _dispatch(self, msg: dict) -> None:
        if msg.get("method") == "workspace/configuration" and "id" in msg:
            with self.cv:
                self.held.append(msg["id"])
                self.cv.notify_all()
            return
        super()._dispatch(msg)

    def wait_held(self, n: int, timeout: float = 30) -> list[Any]:
        with self.cv:
            if not self.cv.wait_for(lambda: len(self.held) >= n or self.closed, timeout):
                raise self._gone(f"{n} settings pulls never came")
            return list(self.held)

    def answer(self, id_: Any, section: dict) -> None:
        self.send(message({"jsonrpc": "2.0", "id": id_, "result": [section]}))


class Pulls(unittest.TestCase):
    def test_the_rule_is_reported_by_default(self):
        # the control for the tests below: without settings, UNTAGGED has the finding
        s = RawPeer()
        try:
            s.initialize()
            self.assertIn("untagged-image", codes(s))
        finally:
            s.close()

    def test_a_pull_that_is_never_answered_keeps_the_current_settings(self):
        s = RawPeer(policy=lambda method, params: ("ignore", None), env={"LAYERWISE_CLIENT_TIMEOUT_MS": "300"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": OFF})
            self.assertIn("result", r)
            s.notify("initialized", {})
            for _ in range(8):  # more pulls than the framework has handler slots
                s.notify("workspace/didChangeConfiguration", {"settings": None})
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
            wait_for_log(s, "no answer to workspace/configuration within 300 ms; keeping the current settings")
            found = codes(s)
            self.assertNotIn("untagged-image", found)
            self.assertTrue(found, "the other rules still report")
        finally:
            s.close()

    def test_an_old_answer_does_not_overwrite_a_newer_one(self):
        # a long time limit: the held pulls must not time out however slow the machine is
        s = HoldingPeer(env={"LAYERWISE_CLIENT_TIMEOUT_MS": "600000", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            s.initialize(CAPS)  # `initialized` pulls (1)
            s.wait_held(1)
            s.notify("workspace/didChangeConfiguration", {"settings": None})  # pulls again (2)
            first, second = s.wait_held(2)
            s.answer(second, OFF)
            s.answer(first, ON)  # older, and later: dropped
            wait_for_log(s, "settings answer 1 dropped: answer 2 is newer")
            self.assertNotIn("untagged-image", codes(s))
        finally:
            s.proc.kill()
            s.close()

    def test_an_answer_to_an_earlier_pull_is_applied_while_a_later_one_is_out(self):
        # the newest the server has: applied; the later pull then never answers
        s = HoldingPeer(env={"LAYERWISE_CLIENT_TIMEOUT_MS": "600000", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": ON})
            self.assertIn("result", r)
            s.notify("initialized", {})
            s.wait_held(1)
            s.notify("workspace/didChangeConfiguration", {"settings": None})
            first, _ = s.wait_held(2)
            s.answer(first, OFF)
            wait_for_log(s, "settings answer 1 applied")
            self.assertNotIn("untagged-image", codes(s))
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
        finally:
            s.proc.kill()
            s.close()


if __name__ == "__main__":
    unittest.main()
