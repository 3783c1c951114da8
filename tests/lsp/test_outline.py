"""Outline through the built binary: document symbols as a tree of stages and instructions,
and workspace symbols for stages across open documents."""
import unittest

from harness import Session

APP = """ARG NODE=20
FROM node:${NODE} AS build
WORKDIR /app
RUN npm ci
FROM node:${NODE}-slim
COPY --from=build /app /app
CMD ["node", "main.js"]
"""

WORKER = """FROM golang:1.22 AS builder
RUN go build -o /w .
FROM scratch AS worker
COPY --from=builder /w /w
"""

CLASS, MODULE, VARIABLE, FUNCTION = 5, 2, 13, 12


class Outline(unittest.TestCase):
    def test_document_symbols_are_stages_containing_instructions(self):
        with Session() as s:
            uri = s.open("Dockerfile", APP)
            syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            self.assertEqual([(x["name"], x["kind"]) for x in syms], [("NODE", VARIABLE), ("build", CLASS), ("stage 1", MODULE)])
            build = syms[1]
            self.assertEqual(build["detail"], "node:${NODE}")
            self.assertEqual(build["range"]["start"], {"line": 1, "character": 0})
            self.assertEqual(build["range"]["end"]["line"], 3)
            self.assertEqual(build["selectionRange"]["start"], {"line": 1, "character": 21})
            self.assertEqual([(c["name"], c["kind"]) for c in build["children"]], [("WORKDIR /app", 4), ("RUN npm ci", FUNCTION)])
            self.assertEqual(len(syms[2]["children"]), 2)

    def test_outline_follows_edits(self):
        with Session() as s:
            uri = s.open("Dockerfile", APP)
            s.diagnostics(uri)
            v = s.change(uri, [{"range": {"start": {"line": 4, "character": 22}, "end": {"line": 4, "character": 22}}, "text": " AS runtime"}])
            s.diagnostics(uri, v)
            syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            self.assertEqual([x["name"] for x in syms], ["NODE", "build", "runtime"])

    def test_workspace_symbols_cover_every_open_dockerfile(self):
        with Session() as s:
            app = s.open("app/Dockerfile", APP)
            worker = s.open("worker/Dockerfile", WORKER)
            found = s.request("workspace/symbol", {"query": ""})
            got = sorted((x["name"], x["location"]["uri"]) for x in found)
            self.assertEqual(got, sorted([("build", app), ("stage 1", app), ("builder", worker), ("worker", worker)]))
            found = s.request("workspace/symbol", {"query": "bldr"})
            self.assertEqual([(x["name"], x["containerName"]) for x in found], [("builder", "Dockerfile")])
            self.assertEqual(found[0]["location"]["range"]["start"], {"line": 0, "character": 20})


if __name__ == "__main__":
    unittest.main()
