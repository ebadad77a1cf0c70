#!/usr/bin/env python3
"""A webhook receiver for the system tests, written apart from the service: it checks each request's Standard Webhooks
signature with Python's own hmac module and records every request, as it arrives, as one JSON line.

Usage: webhook-receiver.py <whsec_ secret> <output file>; prints the port it listens on (127.0.0.1).
Paths: /hang* never answers in time, /slow* answers after 0.3 s, anything else at once (200 when the signature holds).
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET, OUT = sys.argv[1], sys.argv[2]
KEY = base64.b64decode(SECRET[len("whsec_"):])
LOCK = threading.Lock()
out = open(OUT, "a", buffering=1, encoding="utf-8")


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        webhook_id = self.headers.get("webhook-id", "")
        timestamp = self.headers.get("webhook-timestamp", "0")
        signatures = self.headers.get("webhook-signature", "")
        expected = base64.b64encode(hmac.new(KEY, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()).decode()
        verified = any(hmac.compare_digest(s[3:], expected) for s in signatures.split(" ") if s.startswith("v1,"))
        fresh = abs(time.time() - int(timestamp)) < 300
        event = json.loads(body)
        with LOCK:
            out.write(json.dumps({"path": self.path, "webhookId": webhook_id, "verified": verified and fresh,
                                  "contentType": self.headers.get("Content-Type"), "event": event}) + "\n")
        if self.path.startswith("/hang"):
            time.sleep(120)
        elif self.path.startswith("/slow"):
            time.sleep(0.3)
        self.send_response(200 if verified and fresh else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
