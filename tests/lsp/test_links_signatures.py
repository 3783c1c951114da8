"""Document links and signature help through the built binary."""
import time
import unittest

from harness import Session, pos

TEXT = """FROM node:20 AS build
COPY package.json ./
COPY --from=ghcr.io/org/tools:1 /bin/tool /bin/tool
FROM gcr.io/distroless/nodejs20-debian12
COPY --from=build /app /app
"""


class DocumentLinks(unittest.TestCase):
    def test_images_link_to_registry_pages_and_sources_to_files(self):
        with Session() as s:
            s.write("package.json", "{}\n")
            uri = s.open("Dockerfile", TEXT)
            deadline = time.time() + 15
            while True:
                links = s.request("textDocument/documentLink", {"textDocument": {"uri": uri}})
                targets = {l["target"] for l in links}
                # the build context is read in the background; the file link comes with it
                if any(t.startswith("file:") for t in targets) or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertIn("https://hub.docker.com/_/node", targets)
            self.assertIn("https://ghcr.io/org/tools", targets)
            self.assertIn("https://console.cloud.google.com/gcr/images/distroless/GLOBAL/nodejs20-debian12", targets)
            self.assertIn((s.workspace / "package.json").as_uri(), targets)
            # `--from=build` is a stage, not an image
            self.assertFalse(any("hub.docker.com/_/build" in t for t in targets))
            node = next(l for l in links if l["target"] == "https://hub.docker.com/_/node")
            self.assertEqual(node["range"], {"start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 12}})


class SignatureHelp(unittest.TestCase):
    def active(self, r):
        sig = r["signatures"][r["activeSignature"]]
        if r.get("activeParameter") is None:
            return sig["label"], None
        a, b = sig["parameters"][r["activeParameter"]]["label"]
        return sig["label"], sig["label"][a:b]

    def test_instruction_forms_with_the_active_argument(self):
        with Session() as s:
            self.assertIn(" ", s.server_capabilities["signatureHelpProvider"]["triggerCharacters"])
            text = "FROM alpine:3.20\nCOPY a.txt b.txt \n"
            uri = s.open("Dockerfile", text)
            line, col = pos(text, "b.txt ", after=True)
            r = s.request("textDocument/signatureHelp", {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
            label, param = self.active(r)
            self.assertTrue(label.startswith("COPY ["), label)
            self.assertEqual(param, "<dest>")

    def test_mount_fields(self):
        with Session() as s:
            text = "FROM alpine:3.20\nRUN --mount=type=cache,sharing=locked apk add curl\n"
            uri = s.open("Dockerfile", text)
            line, col = pos(text, "sharing=", after=True)
            r = s.request("textDocument/signatureHelp", {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}})
            label, param = self.active(r)
            self.assertTrue(label.startswith("--mount=type=cache,target=<path>"), label)
            self.assertEqual(param, "sharing=<shared|private|locked>")

    def test_no_help_outside_instructions(self):
        with Session() as s:
            uri = s.open("Dockerfile", "# just a comment\nFROM alpine:3.20\n")
            self.assertIsNone(s.request("textDocument/signatureHelp", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 5}}))


if __name__ == "__main__":
    unittest.main()
