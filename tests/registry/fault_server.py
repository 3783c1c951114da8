#!/usr/bin/env python3
"""A misbehaving registry for fault tests, on 127.0.0.1 only.

usage: fault_server.py fault PORT SINK_PORT USER PASSWORD   the registry (repositories fault/*)
       fault_server.py sink PORT                            the "other host" redirects point to

Every repository serves the same small valid image (tag "1") unless its name says otherwise:
  fault/ok          normal, anonymous
  fault/notfound    404 MANIFEST_UNKNOWN            fault/forbidden   403
  fault/private     401 unless Basic USER:PASSWORD  fault/ratelimited 429, Retry-After: 120
  fault/broken      500                             fault/slow        answers after 5 s
  fault/oversized   manifest of 5 MiB with Content-Length
  fault/oversized-stream  manifest of 5 MiB without Content-Length (close-delimited)
  fault/malformed   manifest that is not JSON       fault/mismatch    content differs from digest
  fault/redirect    needs Basic auth; its config blob redirects to the sink, which serves it
  fault/redirect-auth  config blob redirects to the sink, which answers 401
  fault/paged       tag list of 5 tags, 2 per page with Link headers
GET /seen on either server returns the Authorization headers it received (JSON list).
"""
import base64, hashlib, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

ROLE, PORT = sys.argv[1], int(sys.argv[2])
SINK_PORT = int(sys.argv[3]) if ROLE == "fault" else 0
USER, PASSWORD = (sys.argv[4], sys.argv[5]) if ROLE == "fault" else ("", "")
GOOD_BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SEEN, SEEN_LOCK = [], threading.Lock()

CONFIG = json.dumps({"architecture": "amd64", "os": "linux", "created": "2025-01-01T00:00:00Z",
                     "config": {"User": "app"}, "rootfs": {"type": "layers", "diff_ids": []}}).encode()
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
LAYER_SIZES = [3000, 4500]
MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": CONFIG_DIGEST, "size": len(CONFIG)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + f"{i + 1:064x}", "size": s}
               for i, s in enumerate(LAYER_SIZES)]}).encode()
OTHER = MANIFEST.replace(b'"size": 3000', b'"size": 3001')
MALFORMED = b"{this is not json"
BIG = 5 * 1024 * 1024
MT = "application/vnd.oci.image.manifest.v1+json"


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=(), length=True):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, headers=()):
        body = json.dumps({"errors": [{"code": code, "message": code.lower().replace("_", " ")}]}).encode()
        self.send(status, body, [("Content-Type", "application/json")] + list(headers))

    def do_HEAD(self):
        self.handle_request()

    def do_GET(self):
        self.handle_request()

    def handle_request(self):
        with SEEN_LOCK:
            SEEN.append(self.headers.get("Authorization"))
        path = urlparse(self.path).path
        if path == "/seen":
            with SEEN_LOCK:
                return self.send(200, json.dumps(SEEN).encode())
        if ROLE == "sink":
            return self.sink(path)
        if path == "/v2/":
            return self.send(401, b"{}", [("WWW-Authenticate", 'Basic realm="fault"'),
                                          ("Docker-Distribution-API-Version", "registry/2.0")])
        parts = path.split("/")  # ['', 'v2', 'fault', NAME, kind, ref...]
        if len(parts) < 6 or parts[2] != "fault":
            return self.error(404, "NAME_UNKNOWN")
        name, kind, ref = parts[3], parts[4], "/".join(parts[5:])
        authed = self.headers.get("Authorization") == GOOD_BASIC
        if name in ("private", "redirect") and not authed:
            return self.error(401, "UNAUTHORIZED", [("WWW-Authenticate", 'Basic realm="fault"')])
        if name == "notfound":
            return self.error(404, "MANIFEST_UNKNOWN")
        if name == "forbidden":
            return self.error(403, "DENIED")
        if name == "ratelimited":
            return self.error(429, "TOOMANYREQUESTS", [("Retry-After", "120")])
        if name == "broken":
            return self.error(500, "UNKNOWN")
        if name == "slow":
            time.sleep(5)
        if kind == "tags" and name == "paged":
            return self.tags(parse_qs(urlparse(self.path).query))
        if kind == "manifests":
            return self.manifest(name, ref)
        if kind == "blobs":
            return self.blob(name, ref)
        return self.error(404, "UNSUPPORTED")

    def manifest(self, name, ref):
        body, advertised = MANIFEST, digest(MANIFEST)
        if name == "malformed":
            body = advertised_body = MALFORMED
            advertised = digest(advertised_body)
        if name == "mismatch":
            body = OTHER  # served for the digest of MANIFEST
        if name in ("oversized", "oversized-stream"):
            if self.command == "HEAD":
                return self.send(200, b"", [("Docker-Content-Digest", "sha256:" + "ab" * 32), ("Content-Type", MT)])
            self.send_response(200)
            self.send_header("Content-Type", MT)
            if name == "oversized":
                self.send_header("Content-Length", str(BIG))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            chunk = b"{" + b" " * 65535
            try:
                for _ in range(BIG // len(chunk)):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send(200, body, [("Docker-Content-Digest", advertised), ("Content-Type", MT)])

    def blob(self, name, ref):
        if ref != CONFIG_DIGEST:
            return self.error(404, "BLOB_UNKNOWN")
        if name in ("redirect", "redirect-auth"):
            target = "blobs" if name == "redirect" else "private"
            return self.send(307, b"", [("Location", f"http://127.0.0.1:{SINK_PORT}/{target}/{ref}")])
        self.send(200, CONFIG, [("Content-Type", "application/octet-stream")])

    def tags(self, query):
        all_tags = ["a", "b", "c", "d", "e"]
        n = int(query.get("n", ["2"])[0])
        n = 2 if n > 2 else n
        last = query.get("last", [None])[0]
        start = all_tags.index(last) + 1 if last in all_tags else 0
        page = all_tags[start:start + n]
        headers = [("Content-Type", "application/json")]
        if start + n < len(all_tags):
            headers.append(("Link", f'</v2/fault/paged/tags/list?last={page[-1]}&n={n}>; rel="next"'))
        self.send(200, json.dumps({"name": "fault/paged", "tags": page}).encode(), headers)

    def sink(self, path):
        if path.startswith("/private/"):
            return self.send(401, b"", [("WWW-Authenticate", 'Basic realm="sink"')])
        if path == f"/blobs/{CONFIG_DIGEST}":
            return self.send(200, CONFIG, [("Content-Type", "application/octet-stream")])
        self.send(404)


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
