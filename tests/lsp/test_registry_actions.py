"""Code actions that use image facts, through the built server: "Pin … to its current digest"
with the digest the loopback registry resolved the tag to (offered only once the registry or
its cache answered, never from the offline catalogue), and "Switch to <slimmer variant>" with
the size saved in the title.

The pin tests skip without the registry fixture (tests/registry/fixture.sh); fail without it
when LAYERWISE_REQUIRE_REGISTRY=1. The slimmer-variant test needs no registry.
"""
import sys
import tempfile
import unittest

from harness import ROOT, Session

sys.path.insert(0, str(ROOT / "tests" / "registry"))
import lsp_support as rs  # noqa: E402


def actions(s: Session, uri: str, line: int, character: int = 0) -> list[dict]:
    return s.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}},
        "context": {"diagnostics": []}}) or []


def apply(text: str, edit: dict, uri: str) -> str:
    """Applies a WorkspaceEdit's edits of `uri` (plain `changes` or `documentChanges`)."""
    edits = list(edit.get("changes", {}).get(uri, []))
    for dc in edit.get("documentChanges", []):
        if dc.get("textDocument", {}).get("uri") == uri:
            edits.extend(dc["edits"])
    lines = text.split("\n")

    def offset(p):
        return sum(len(l) + 1 for l in lines[:p["line"]]) + p["character"]

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[:offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]):]
    return text


def titled(got: list[dict], prefix: str) -> dict | None:
    return next((a for a in got if a["title"].startswith(prefix)), None)


class PinToDigest(unittest.TestCase):
    def test_pin_uses_the_registry_digest(self):
        fx = rs.fixture()
        cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        with rs.GatedProxy(fx["FIXTURE_PLAIN"]) as proxy, \
                Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache)) as s:
            ref = f"{proxy.host}/fixture/hello:multi"
            text = f"# app\nFROM --platform=linux/arm64 {ref} AS app\nCMD [\"/app/run\"]\n"
            uri = s.open("Dockerfile", text)
            # No digest yet (the registry is held): no pin action.
            self.assertIsNone(titled(actions(s, uri, 1), "Pin "))
            before = rs.refreshes(s)
            proxy.open()
            rs.wait_until("the registry's answer", lambda: rs.refreshes(s) > before)
            act = rs.wait_until("the pin action", lambda: titled(actions(s, uri, 1), "Pin "))
            digest = fx["FIXTURE_INDEX_DIGEST"]
            self.assertEqual(act["title"], f"Pin {ref} to its current digest ({digest[:19]}…)")
            out = apply(text, act["edit"], uri)
            # The index digest: the pinned reference still names every platform.
            self.assertEqual(out, f"# app\nFROM --platform=linux/arm64 {ref}@{digest} AS app\nCMD [\"/app/run\"]\n")
            # The pinned file resolves to the same image, and offers no second pin.
            s.change(uri, [{"text": out}])
            col = len("FROM --platform=linux/arm64 ") + 3
            h = rs.wait_until("hover of the pinned image", lambda: (lambda h: h if h and "| compressed" in h else None)(s.hover(uri, 1, col)))
            self.assertIn(f"| compressed (download) | {rs.format_bytes(int(fx['FIXTURE_ARM64_LAYER_BYTES']))} |", h)
            self.assertIsNone(titled(actions(s, uri, 1), "Pin "))

    def test_no_pin_from_the_offline_catalogue(self):
        with Session(capabilities=rs.CAPS) as s:  # offline: catalogue figures only
            uri = s.open("Dockerfile", "FROM node:20\nCMD [\"node\", \"a.js\"]\n")
            got = actions(s, uri, 0)
            self.assertTrue(got, "some action is offered on a FROM line")
            self.assertIsNone(titled(got, "Pin "))


class SlimmerVariant(unittest.TestCase):
    def test_switch_to_a_slimmer_variant_with_the_size_saved(self):
        with Session(capabilities=rs.CAPS) as s:  # offline: the catalogue knows node:20 and its variants
            text = "FROM node:20 AS runtime\nCMD [\"node\", \"a.js\"]\n"
            uri = s.open("Dockerfile", text)
            got = actions(s, uri, 0, 6)
            act = titled(got, "Switch to node:20-slim (saves ≈")
            self.assertIsNotNone(act, [a["title"] for a in got])
            self.assertRegex(act["title"], r"^Switch to node:20-slim \(saves ≈\d+(\.\d+)? (MB|GB)\)$")
            self.assertEqual(apply(text, act["edit"], uri), "FROM node:20-slim AS runtime\nCMD [\"node\", \"a.js\"]\n")


if __name__ == "__main__":
    unittest.main()
