"""Core protocol behaviour of `layerwise lsp`: lifecycle, versions, encodings, incremental
changes, hover and completion basics."""
import unittest

from harness import Session, pos

NODE = """FROM node:20 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-slim
COPY --from=build /app/dist /app
CMD ["node", "/app/main.js"]
"""


class Lifecycle(unittest.TestCase):
    def test_initialize_advertises_features_and_exits_cleanly(self):
        with Session() as s:
            caps = s.server_capabilities
            self.assertEqual(caps["positionEncoding"], "utf-16")
            self.assertEqual(caps["textDocumentSync"]["change"], 2)
            for key in ("hoverProvider", "completionProvider", "executeCommandProvider"):
                self.assertIn(key, caps)
        self.assertEqual(s.exit_code, 0)

    def test_negotiates_utf8_when_offered_first(self):
        with Session(encodings=["utf-8", "utf-16"]) as s:
            self.assertEqual(s.server_capabilities["positionEncoding"], "utf-8")


class Documents(unittest.TestCase):
    def test_diagnostics_carry_the_version_and_follow_edits(self):
        with Session() as s:
            uri = s.open("Dockerfile", "FROM node\nWORKDIR /app\n")
            d = s.diagnostics(uri)
            self.assertIn("untagged-image", [x["code"] for x in d])
            # type a tag: an incremental change at the end of line 0
            v = s.change(uri, [{"range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 9}}, "text": ":20-slim"}])
            d = s.diagnostics(uri, v)
            self.assertNotIn("untagged-image", [x["code"] for x in d])

    def test_half_typed_line_keeps_the_rest_of_the_file(self):
        with Session() as s:
            uri = s.open("Dockerfile", NODE)
            s.diagnostics(uri)
            line, col = pos(NODE, "RUN npm ci")
            v = s.change(uri, [{"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "COP"}])
            codes = [x["code"] for x in s.diagnostics(uri, v)]
            # the broken line is reported, the stages still resolve (no errors about --from=build)
            self.assertTrue(any(c in ("unknown-instruction", "syntax-error") for c in codes) or codes == [], codes)
            text = s.hover(uri, *pos(NODE, "--from=build", after=True))
            self.assertIn("build", text or "")

    def test_utf16_positions_with_astral_characters(self):
        with Session() as s:
            text = 'FROM alpine:3.20\nLABEL note="\U0001F600" v=1\nENV X=1\n'
            uri = s.open("Dockerfile", text)
            s.diagnostics(uri)
            # hover on ENV keyword in the line after the emoji line
            self.assertIn("ENV", s.hover(uri, 2, 1))
            # an edit right after the emoji (UTF-16 column 13)
            v = s.change(uri, [{"range": {"start": {"line": 1, "character": 14}, "end": {"line": 1, "character": 14}}, "text": "!"}])
            s.diagnostics(uri, v)
            self.assertIn("ENV", s.hover(uri, 2, 1))


class Features(unittest.TestCase):
    def test_hover_on_base_image_shows_size(self):
        with Session() as s:
            uri = s.open("Dockerfile", NODE)
            text = s.hover(uri, *pos(NODE, "node:20 AS"))
            self.assertIn("compressed", text)
            self.assertIn("MB", text)
            self.assertIn("approximate", text)

    def test_hover_on_variable_shows_its_value(self):
        with Session() as s:
            t = "ARG V=1.22\nFROM golang:${V}-alpine\nENV GOFLAGS=-mod=vendor\nRUN go build $GOFLAGS\n"
            uri = s.open("Dockerfile", t)
            self.assertIn("1.22", s.hover(uri, *pos(t, "{V}", after=False)) or "")
            self.assertIn("-mod=vendor", s.hover(uri, *pos(t, "$GOFLAGS", after=True)) or "")

    def test_completion_of_stage_names_after_copy_from(self):
        with Session() as s:
            t = NODE.replace("COPY --from=build", "COPY --from=")
            uri = s.open("Dockerfile", t)
            items = s.complete(uri, *pos(t, "--from=", after=True))
            self.assertEqual([i["label"] for i in items], ["build"])
            self.assertIn("node:20", items[0]["detail"])

    def test_completion_only_from_and_arg_before_first_from(self):
        with Session() as s:
            t = "\nFROM alpine:3.20\n"
            uri = s.open("Dockerfile", t)
            labels = {i["label"] for i in s.complete(uri, 0, 0)}
            self.assertEqual(labels, {"FROM", "ARG"})

    def test_completion_of_cache_mount_targets_for_the_package_manager(self):
        with Session() as s:
            t = "FROM python:3.12\nRUN --mount=type=cache,target= pip install -r requirements.txt\n"
            uri = s.open("Dockerfile", t)
            items = s.complete(uri, *pos(t, "target=", after=True))
            self.assertEqual(items[0]["label"], "/root/.cache/pip")

    def test_completion_on_the_fresh_line_after_the_last_newline(self):
        with Session() as s:
            uri = s.open("Dockerfile", NODE)
            labels = {i["label"] for i in s.complete(uri, NODE.count("\n"), 0)}
            self.assertIn("RUN", labels)
            self.assertIn("COPY", labels)

    def test_settings_with_empty_maps_as_arrays(self):
        with Session(init_options={"rules": [], "groups": None, "registry": {"offline": True}}) as s:
            uri = s.open("Dockerfile", "FROM node\n")
            self.assertIn("untagged-image", [x["code"] for x in s.diagnostics(uri)])
        with Session(init_options={"rules": {"untagged-image": "off"}, "registry": {"offline": True}}) as s:
            uri = s.open("Dockerfile", "FROM node\n")
            self.assertNotIn("untagged-image", [x["code"] for x in s.diagnostics(uri)])

    def test_requests_on_unknown_documents_answer_null(self):
        with Session() as s:
            self.assertIsNone(s.hover("file:///nowhere/Dockerfile", 0, 0))


if __name__ == "__main__":
    unittest.main()
