#!/usr/bin/env python3
"""A static HTTP server for the update tests: serves DIR on 127.0.0.1 at a free port, which it
prints on its first line of stdout, with the faults a device must survive set per run:

  --die-after N   for *.cordon files: send the full Content-Length, then N bytes, then hang up
  --no-length     for *.cordon files: no Content-Length, the body ends when the connection closes
                  (the client cannot know the size in advance and must stop on its own)

usage: update_server.py DIR [--die-after N] [--no-length]
"""
import argparse
import functools
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    die_after = None
    no_length = False

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        if not path.endswith(".cordon") or not os.path.isfile(path) or (self.die_after is None and not self.no_length):
            return super().do_GET()
        with open(path, "rb") as fh:
            data = fh.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if self.no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.die_after is not None:
            data = data[: self.die_after]
            self.close_connection = True
        self.wfile.write(data)
        self.wfile.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--die-after", type=int)
    ap.add_argument("--no-length", action="store_true")
    args = ap.parse_args()
    Handler.die_after = args.die_after
    Handler.no_length = args.no_length
    Handler.protocol_version = "HTTP/1.0" if args.no_length else "HTTP/1.1"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=args.dir))
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
