#!/usr/bin/env python3
"""A small Docker-registry token service for the fixture (distribution's "token" auth).

usage: token_server.py PORT SIGNING_KEY SIGNING_CERT USER PASSWORD IDENTITY_TOKEN ISSUER

GET  /token?service=S&scope=repository:R:pull   anonymous -> pull only; Basic USER:PASSWORD -> all
                                                asked; wrong Basic -> 401
POST /token  (form: grant_type=refresh_token, refresh_token=IDENTITY_TOKEN, service, scope)
                                                the OAuth2 flow Docker uses for identity tokens
Tokens are RS256 JWTs signed with `openssl dgst` and carry the signing certificate in `x5c`,
which the registry checks against its rootcertbundle. Listens on 127.0.0.1 only.
"""
import base64, json, subprocess, sys, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT, KEY, CERT, USER, PASSWORD, IDENTITY, ISSUER = sys.argv[1:8]
CERT_DER = subprocess.run(["openssl", "x509", "-in", CERT, "-outform", "DER"], check=True, capture_output=True).stdout
GOOD_BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict) -> str:
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(CERT_DER).decode()]}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing_input.encode(),
                               check=True, capture_output=True).stdout
    return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def issue(self, params, subject):
        access = []
        for scope in params.get("scope", []):
            for one in scope.split():
                parts = one.split(":")
                if len(parts) < 3:
                    continue
                actions = [a for a in parts[-1].split(",") if a and (subject or a == "pull")]
                access.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": actions})
        now = int(time.time())
        token = jwt({"iss": ISSUER, "sub": subject, "aud": params.get("service", [""])[0], "exp": now + 300,
                     "nbf": now - 10, "iat": now, "jti": str(uuid.uuid4()), "access": access})
        self.reply(200, json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode())

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            return self.reply(404)
        auth = self.headers.get("Authorization")
        if auth and auth != GOOD_BASIC:
            return self.reply(401, b'{"details":"bad credentials"}')
        self.issue(parse_qs(url.query), USER if auth else "")

    def do_POST(self):
        if urlparse(self.path).path != "/token":
            return self.reply(404)
        length = min(int(self.headers.get("Content-Length") or 0), 65536)
        form = parse_qs(self.rfile.read(length).decode())
        if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token") != [IDENTITY]:
            return self.reply(401, b'{"error":"invalid_grant"}')
        self.issue(form, USER)


ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler).serve_forever()
