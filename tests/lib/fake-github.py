#!/usr/bin/python3
"""fake-github.py STATE PORTFILE - the part of GitHub's REST API that
scripts/ci-action uses for its pull-request comment (list an issue's
comments by page, create one, update one), on 127.0.0.1 at a free port
written to PORTFILE. STATE is a JSON file {"comments": [...], "requests":
[...]}: read at the start (seeded comments), rewritten after each request,
so that a test can see what was posted. A request without "Authorization:
Bearer ..." gets 401. It stops by itself after 300 seconds."""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlparse, parse_qs

state_file, port_file = sys.argv[1], sys.argv[2]
with open(state_file) as f:
    state = json.load(f)
state.setdefault("comments", [])
state.setdefault("requests", [])
lock = threading.Lock()


def save():
    with open(state_file + ".tmp", "w") as f:
        json.dump(state, f, indent=1)
    os.replace(state_file + ".tmp", state_file)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self, method):
        url = urlparse(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(n) or b"null") if n else None
        with lock:
            state["requests"].append({"method": method, "path": url.path,
                                      "query": url.query})
            if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                save()
                return self.reply(401, {"message": "Requires authentication"})
            m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", url.path)
            if m and method == "GET":
                q = parse_qs(url.query)
                per = int(q.get("per_page", ["30"])[0])
                page = int(q.get("page", ["1"])[0])
                mine = [c for c in state["comments"] if c["issue"] == int(m.group(2))]
                save()
                return self.reply(200, mine[(page - 1) * per:page * per])
            if m and method == "POST":
                c = {"id": 1000 + len(state["comments"]), "issue": int(m.group(2)),
                     "body": data["body"], "user": {"login": "github-actions[bot]"}}
                state["comments"].append(c)
                save()
                return self.reply(201, c)
            m = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", url.path)
            if m and method == "PATCH":
                for c in state["comments"]:
                    if c["id"] == int(m.group(2)):
                        c["body"] = data["body"]
                        save()
                        return self.reply(200, c)
            save()
            return self.reply(404, {"message": "Not Found"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
