"""Semantic tokens through the built binary: full, range and delta, and a 10,000-line file."""
import unittest

from harness import Session

TEXT = """ARG TAG=20
FROM node:${TAG} AS build
RUN --mount=type=cache,target=/root/.npm npm ci && \\
    npm run build
FROM nginx:1.27
COPY --from=build /app/dist /usr/share/nginx/html
EXPOSE 8080/tcp
"""


def decode(data, legend, text):
    """[(line, col, text, type, modifiers)] from the flat array (UTF-16 columns; ASCII text here)."""
    lines = text.split("\n")
    out, line, col = [], 0, 0
    for i in range(0, len(data), 5):
        dl, ds, length, ty, mods = data[i:i + 5]
        line += dl
        col = ds if dl else col + ds
        out.append((line, col, lines[line][col:col + length], legend["tokenTypes"][ty], mods))
    return out


def apply_edits(old, edits):
    data = list(old)
    for e in sorted(edits, key=lambda e: e["start"], reverse=True):
        data[e["start"]:e["start"] + e["deleteCount"]] = e.get("data", [])
    return data


def big_file(lines=10_000):
    parts = ["# syntax=docker/dockerfile:1", "ARG V=1"]
    i = 0
    while len(parts) < lines:
        parts += [
            f"FROM node:20 AS s{i}",
            f"ENV N{i}=${{V}} \\",
            '    M="x y"',
            f"RUN --mount=type=cache,target=/c echo $N{i} && \\",
            "    ls 'q' | wc -l",
            f"COPY --from=s{i} /a /b",
            "EXPOSE 8080/tcp",
        ]
        i += 1
    return "\n".join(parts) + "\n"


class SemanticTokens(unittest.TestCase):
    def test_legend_and_full_tokens(self):
        with Session() as s:
            provider = s.server_capabilities["semanticTokensProvider"]
            legend = provider["legend"]
            self.assertTrue(provider["range"])
            self.assertEqual(provider["full"], {"delta": True})
            for t in ("keyword", "parameter", "property", "variable", "string", "class", "type", "comment", "operator", "number"):
                self.assertIn(t, legend["tokenTypes"])
            uri = s.open("Dockerfile", TEXT)
            r = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
            self.assertTrue(r["resultId"])
            toks = decode(r["data"], legend, TEXT)
            got = {(t[2], t[3]) for t in toks}
            for want in [("ARG", "keyword"), ("TAG", "variable"), ("${TAG}", "variable"), ("node:", "type"),
                         ("build", "class"), ("--mount", "parameter"), ("target", "property"), ("&&", "operator"),
                         ("--from", "parameter"), ("8080", "number"), ("AS", "keyword")]:
                self.assertIn(want, got)
            decl = legend["tokenModifiers"].index("declaration")
            self.assertTrue(any(t[2] == "build" and t[4] & (1 << decl) for t in toks))
            # `build` after --from is the stage, on line 5
            self.assertIn((5, 12, "build", "class", 0), toks)

    def test_range_request(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            legend = s.server_capabilities["semanticTokensProvider"]["legend"]
            r = s.request("textDocument/semanticTokens/range", {"textDocument": {"uri": uri},
                          "range": {"start": {"line": 6, "character": 0}, "end": {"line": 7, "character": 0}}})
            toks = decode(r["data"], legend, TEXT)
            self.assertEqual([(t[0], t[2], t[3]) for t in toks], [(6, "EXPOSE", "keyword"), (6, "8080", "number"), (6, "/", "operator"), (6, "tcp", "enumMember")])

    def test_delta_after_an_edit_equals_a_fresh_full_result(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            first = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
            s.diagnostics(uri)
            # insert a line in the middle
            v = s.change(uri, [{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}}, "text": "RUN echo $TAG\n"}])
            s.diagnostics(uri, v)
            delta = s.request("textDocument/semanticTokens/full/delta", {"textDocument": {"uri": uri}, "previousResultId": first["resultId"]})
            self.assertIn("edits", delta)
            self.assertNotEqual(delta["resultId"], first["resultId"])
            self.assertEqual(len(delta["edits"]), 1)
            patched = apply_edits(first["data"], delta["edits"])
            fresh = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
            self.assertEqual(patched, fresh["data"])
            # a delta against the latest id with no change is empty
            again = s.request("textDocument/semanticTokens/full/delta", {"textDocument": {"uri": uri}, "previousResultId": fresh["resultId"]})
            self.assertEqual(again["edits"], [])
            # an unknown id gets full tokens
            full = s.request("textDocument/semanticTokens/full/delta", {"textDocument": {"uri": uri}, "previousResultId": "nope"})
            self.assertEqual(full["data"], fresh["data"])

    def test_ten_thousand_line_file(self):
        text = big_file()
        self.assertGreaterEqual(text.count("\n"), 10_000)
        with Session() as s:
            legend = s.server_capabilities["semanticTokensProvider"]["legend"]
            uri = s.open("Dockerfile", text)
            r = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
            toks = decode(r["data"], legend, text)
            self.assertGreater(len(toks), 20_000)
            last_line = text.rstrip("\n").split("\n")[-1]
            self.assertEqual(toks[-1][:4], (text.count("\n") - 1, len(last_line) - 3, "tcp", "enumMember"))
            # every token is non-empty and on one line
            self.assertTrue(all(t[2] for t in toks))


if __name__ == "__main__":
    unittest.main()
