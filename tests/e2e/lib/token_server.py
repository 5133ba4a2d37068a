#!/usr/bin/env python3
"""A small Docker registry token server for tests (distribution's token auth).

Issues RS256-signed JWTs that docker-registry (distribution 2.8) accepts: the
JWT header carries the signing certificate in `x5c`, and the registry checks
it against the CA given as `auth.token.rootcertbundle`.

Policy, simple on purpose so tests can predict it:
  * GET /token  (Basic auth optional) and POST /token (OAuth2 password form);
  * valid credentials get every action they ask for on any repository;
  * anonymous requests get `pull` only when --anonymous-pull is given;
  * wrong credentials get 401, as real token servers answer.

Signing shells out to `openssl dgst` so only the Python standard library is
needed. The chosen port is written to --port-file once the socket listens, so
callers never race for a port.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parse_scope(scope: str):
    """'repository:name/x:pull,push' -> dict; names may contain ':' (ports)."""
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    return {"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")}


class Issuer:
    def __init__(self, args):
        self.args = args
        with open(args.cert, "rb") as f:
            pem = f.read().decode()
        der_b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
        self.x5c = [der_b64]
        self.lock = threading.Lock()
        self.issued = 0

    def sign(self, signing_input: bytes) -> bytes:
        out = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", self.args.key],
            input=signing_input, capture_output=True, check=True)
        return out.stdout

    def token(self, subject: str, access, service: str) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": self.x5c}
        claims = {
            "iss": self.args.issuer,
            "sub": subject,
            "aud": service,
            "exp": now + self.args.ttl,
            "nbf": now - 10,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        with self.lock:
            self.issued += 1
        return signing_input.decode() + "." + b64url(self.sign(signing_input))


def make_handler(issuer: Issuer, users):
    args = issuer.args

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *a):
            sys.stderr.write("token-server: " + (fmt % a) + "\n")

        def reply(self, code, body, extra_headers=()):
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in extra_headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def basic_user(self):
            """(user or None, ok): ok is False for wrong credentials."""
            auth = self.headers.get("Authorization", "")
            if not auth.lower().startswith("basic "):
                return None, True
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return None, False
            return user, users.get(user) == password

        def grant(self, user, scopes, service):
            if service != args.service:
                return None
            access = []
            for s in scopes:
                parsed = parse_scope(s)
                if not parsed:
                    continue
                if user is None:
                    if not args.anonymous_pull:
                        continue
                    parsed["actions"] = [a for a in parsed["actions"] if a == "pull"]
                    if not parsed["actions"]:
                        continue
                access.append(parsed)
            return issuer.token(user or "", access, service)

        def deny(self):
            self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                         "message": "invalid username or password"}]},
                       [("WWW-Authenticate", 'Basic realm="xbuild-test-token"')])

        def do_GET(self):
            url = urlparse(self.path)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            q = parse_qs(url.query)
            user, ok = self.basic_user()
            if not ok:
                return self.deny()
            tok = self.grant(user, q.get("scope", []), q.get("service", [""])[0])
            if tok is None:
                return self.reply(400, {"error": "unknown service"})
            self.reply(200, {"token": tok, "access_token": tok, "expires_in": args.ttl,
                             "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})

        def do_POST(self):
            url = urlparse(self.path)
            if url.path != "/token":
                return self.reply(404, {"error": "not found"})
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            if form.get("grant_type", [""])[0] != "password":
                return self.reply(400, {"error": "unsupported_grant_type"})
            user = form.get("username", [""])[0]
            if users.get(user) != form.get("password", [None])[0]:
                return self.deny()
            scopes = " ".join(form.get("scope", [])).split()
            tok = self.grant(user, scopes, form.get("service", [""])[0])
            if tok is None:
                return self.reply(400, {"error": "unknown service"})
            self.reply(200, {"access_token": tok, "expires_in": args.ttl, "scope": " ".join(scopes)})

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--key", required=True, help="PEM RSA private key that signs tokens")
    p.add_argument("--cert", required=True, help="PEM certificate of that key (sent as x5c)")
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", action="append", default=[], help="USER:PASSWORD, repeatable")
    p.add_argument("--anonymous-pull", action="store_true")
    p.add_argument("--ttl", type=int, default=300)
    p.add_argument("--port-file", required=True)
    args = p.parse_args()

    users = dict(u.split(":", 1) for u in args.user)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(Issuer(args), users))
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
