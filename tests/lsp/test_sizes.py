"""Layer sizes through the built server: inlay hints (base, per step, stage totals, final
image), code lenses, pending figures that become real once the build context and lockfile are
read, and the settings that turn both off. Registry offline: base sizes come from the
embedded catalogue."""
import json
import sys
import time
import unittest

from harness import ROOT, TIMEOUT, Session

# layerwise's byte formatting and hints by line, written once for the registry tests too
sys.path.insert(0, str(ROOT / "tests" / "registry"))
from lsp_support import format_bytes, labels  # noqa: E402

CAPS = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {"inlayHint": {}, "codeLens": {}, "publishDiagnostics": {"versionSupport": True}},
    "workspace": {"configuration": False, "inlayHint": {"refreshSupport": True},
                  "codeLens": {"refreshSupport": True}},
}

SINGLE = """FROM node:20
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
EXPOSE 3000
CMD ["node", "src/index.js"]
"""

MULTI = """FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim AS runtime
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
CMD ["node", "dist/index.js"]
"""

PACKAGE_JSON = '{"name": "demo", "version": "1.0.0", "dependencies": {"express": "^4"}}\n'
LOCK = json.dumps({
    "name": "demo", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "demo"},
        "node_modules/express": {"version": "4.19.2"},
        "node_modules/accepts": {"version": "1.3.8"},
        "node_modules/body-parser": {"version": "1.20.2"},
        "node_modules/typescript": {"version": "5.4.5", "dev": True},
        "node_modules/@esbuild/darwin-arm64": {"version": "0.20.2", "os": ["darwin"], "cpu": ["arm64"]},
    },
}, indent=2) + "\n"
INDEX_JS = "const express = require('express');\n" * 100


def write_project(s: Session) -> None:
    s.write("package.json", PACKAGE_JSON)
    s.write("package-lock.json", LOCK)
    s.write("src/index.js", INDEX_JS)
    s.write(".dockerignore", "node_modules\n*.log\n")
    s.write("debug.log", "x" * 50_000)


def hints(s: Session, uri: str, text: str) -> list[dict]:
    lines = text.split("\n")
    end = {"line": len(lines), "character": 0}
    return s.request("textDocument/inlayHint", {"textDocument": {"uri": uri},
                                                 "range": {"start": {"line": 0, "character": 0}, "end": end}})


def settled_hints(s: Session, uri: str, text: str) -> list[dict]:
    """Hints once nothing is pending (the context walk and the lockfile read run in the
    background; the first answers may say "pending")."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        got = hints(s, uri, text) or []
        if got and not any("pending" in h["label"] for h in got):
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"hints still pending: {[h['label'] for h in got]}")
        time.sleep(0.1)


class InlayHints(unittest.TestCase):
    def test_single_stage_node(self):
        with Session(capabilities=CAPS) as s:
            write_project(s)
            uri = s.open("Dockerfile", SINGLE)
            lines = labels(settled_hints(s, uri, SINGLE))
            # FROM: the catalogue's unpacked size of node:20.
            self.assertEqual(lines[0], ["base ≈ 1.10 GB"])
            # COPY of two files: their real sizes.
            two_files = len(PACKAGE_JSON.encode()) + len(LOCK.encode())
            self.assertEqual(lines[2], ["+" + format_bytes(two_files)])
            # npm ci --omit=dev: 3 linux production packages × 100–900 kB, plus npm's cache.
            self.assertEqual(lines[3], ["+300 kB–2.70 MB + ?"])
            self.assertEqual(lines[4], ["+" + format_bytes(len(INDEX_JS.encode()))])
            # No hint for config-only instructions; the final total at the end of the stage.
            self.assertNotIn(1, lines)
            self.assertNotIn(5, lines)
            self.assertEqual(len(lines[6]), 1)
            self.assertTrue(lines[6][0].startswith("final image ≈ 1.10 GB + ?"), lines[6])
            # The server asked the client to refresh once the background work was done.
            self.assertGreaterEqual(s.client.log.server_requests["workspace/inlayHint/refresh"], 1)

    def test_tooltips_say_where_figures_come_from(self):
        with Session(capabilities=CAPS) as s:
            write_project(s)
            uri = s.open("Dockerfile", SINGLE)
            got = settled_hints(s, uri, SINGLE)
            tips = {h["position"]["line"]: h["tooltip"]["value"] for h in got}
            self.assertIn("offline catalogue", tips[0])
            self.assertIn("380 MB compressed", tips[0])
            self.assertIn("build context", tips[2])
            self.assertIn("package-lock.json", tips[3])
            self.assertIn("dev dependencies skipped", tips[3])

    def test_multi_stage_builder_discarded_and_final_total(self):
        with Session(capabilities=CAPS) as s:
            write_project(s)
            uri = s.open("Dockerfile", MULTI)
            lines = labels(settled_hints(s, uri, MULTI))
            self.assertEqual(lines[0], ["base ≈ 1.10 GB"])
            self.assertEqual(lines[3], ["+400 kB–3.60 MB + ?"])  # npm ci with dev dependencies
            self.assertEqual(lines[5][0], "+?")  # npm run build
            self.assertEqual(len(lines[5]), 2)
            self.assertRegex(lines[5][1], r"^stage total ≈ 1\.10 GB \+ \? · discarded$")
            self.assertEqual(lines[7], ["base ≈ 200 MB"])
            # node_modules copied out of the builder: the builder's npm ci estimate, without
            # npm's download cache (that stays behind in /root/.npm).
            self.assertEqual(lines[9], ["+400 kB–3.60 MB"])
            self.assertEqual(lines[10], ["+?"])  # dist: made by npm run build
            final = lines[11]
            self.assertEqual(len(final), 1)
            self.assertRegex(final[0], r"^final image 20\d–20\d MB \+ \? \(build ≈ 1\.10 GB \+ \? discarded\)$")

    def test_range_limits_hints(self):
        with Session(capabilities=CAPS) as s:
            write_project(s)
            uri = s.open("Dockerfile", MULTI)
            settled_hints(s, uri, MULTI)
            got = s.request("textDocument/inlayHint", {"textDocument": {"uri": uri}, "range": {
                "start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 100}}})
            self.assertEqual([h["label"] for h in got], ["base ≈ 200 MB"])

    def test_disabled_by_initialization_options(self):
        opts = {"registry": {"offline": True}, "inlayHints": {"enabled": False}, "codeLens": {"enabled": False}}
        with Session(capabilities=CAPS, init_options=opts) as s:
            write_project(s)
            uri = s.open("Dockerfile", SINGLE)
            s.diagnostics(uri)
            self.assertEqual(hints(s, uri, SINGLE), [])
            self.assertEqual(s.request("textDocument/codeLens", {"textDocument": {"uri": uri}}), [])


class CodeLenses(unittest.TestCase):
    def test_stage_and_file_lenses(self):
        with Session(capabilities=CAPS) as s:
            write_project(s)
            uri = s.open("Dockerfile", MULTI)
            settled_hints(s, uri, MULTI)
            lenses = s.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
            titles = [l["command"]["title"] for l in lenses]
            self.assertEqual(len(titles), 3, titles)
            self.assertRegex(titles[0], r"^final image 20\d–20\d MB \+ \? \(build ≈ 1\.10 GB \+ \? discarded\)$")
            self.assertEqual(titles[1], "stage `build` · from node:20 (≈ 1.10 GB) · ≈ 1.10 GB + ? · discarded · used by: runtime")
            self.assertRegex(titles[2], r"^stage `runtime` · from node:20-slim \(≈ 200 MB\) · 20\d–20\d MB \+ \? · final$")
            self.assertEqual(lenses[1]["range"]["start"]["line"], 0)
            self.assertEqual(lenses[2]["range"]["start"]["line"], 7)
            # The command is harmless: it answers with the image's facts.
            cmd = lenses[1]["command"]
            self.assertEqual(cmd["command"], "layerwise.imageSize")
            facts = s.request("workspace/executeCommand", {"command": cmd["command"], "arguments": cmd["arguments"]})
            self.assertEqual(facts["source"]["kind"], "catalogue")

    def test_capabilities_advertised(self):
        with Session(capabilities=CAPS) as s:
            caps = s.server_capabilities
            self.assertTrue(caps.get("inlayHintProvider"))
            self.assertIn("codeLensProvider", caps)


if __name__ == "__main__":
    unittest.main()
