#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 reverse proxy for registry tests.

Sits on 127.0.0.1 in front of a real registry and, per request (seeded, so
a failing run can be replayed):
  * answers 500 or 503 with probability --error-rate; half of those are
    injected *after* forwarding (the registry did the work, the client never
    hears of it — the nastiest case for an uploader);
  * resets the connection (TCP RST) with probability --reset-rate, either
    before forwarding or in the middle of the response body.
Everything else is forwarded unchanged (Host kept, so the registry's Location
headers point back at the proxy). Counts are written to --stats-file on every
request as JSON: {"requests", "errors", "resets", "forwarded"}.

  fault_proxy.py --upstream http://127.0.0.1:5000 --port-file F
                 [--error-rate 0.3] [--reset-rate 0.05] [--seed 1] [--stats-file S]
"""
import argparse, http.client, json, random, socket, struct, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
       "proxy-connection", "content-length"}


class State:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.stats = {"requests": 0, "errors": 0, "resets": 0, "forwarded": 0}

    def decide(self):
        with self.lock:
            self.stats["requests"] += 1
            r = self.rng.random()
            half = self.rng.random() < 0.5
        a = self.args
        if r < a.error_rate:
            return ("error_after" if half else "error_before"), half
        if r < a.error_rate + a.reset_rate:
            return ("reset_mid" if half else "reset_before"), half
        return "forward", half

    def count(self, key):
        with self.lock:
            self.stats[key] += 1
            if self.args.stats_file:
                with open(self.args.stats_file, "w") as f:
                    json.dump(self.stats, f)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0") or 0)
        return self.rfile.read(n) if n else b""

    def reset(self):
        self.state.count("resets")
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def error(self):
        self.state.count("errors")
        status = 503 if self.state.rng.random() < 0.5 else 500
        body = b'{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        action, _ = self.state.decide()
        if action == "reset_before" and self.command in ("PUT", "PATCH", "POST"):
            # Read part of the body first: the client is mid-upload when cut.
            n = int(self.headers.get("Content-Length", "0") or 0)
            if n:
                self.rfile.read(min(n, 4096))
            return self.reset()
        if action == "reset_before":
            return self.reset()
        body = self.read_body()
        if action == "error_before":
            return self.error()
        up = urlparse(self.state.args.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        if body or self.command in ("PUT", "POST", "PATCH"):
            headers["Content-Length"] = str(len(body))
        conn.request(self.command, self.path, body=body if body else None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        resp_headers = resp.getheaders()
        conn.close()
        self.state.count("forwarded")
        if action == "error_after":
            return self.error()
        self.send_response(resp.status)
        length = None
        for k, v in resp_headers:
            if k.lower() == "content-length":
                length = v
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", length if self.command == "HEAD" and length else str(len(data)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if action == "reset_mid" and len(data) > 1:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            return self.reset()
        self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--upstream", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--error-rate", type=float, default=0.3)
    p.add_argument("--reset-rate", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stats-file", default="")
    args = p.parse_args()
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
