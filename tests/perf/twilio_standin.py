"""A tiny local stand-in for Twilio's create-message call (POST …/Messages.json), for the SMS
reuse test and the bench: HTTP/1.1 keep-alive, TCP_NODELAY, each answer sent in ONE write (so
the client never waits on Nagle/delayed ACK), and a count of the TCP connections it accepted.
A GET (the reconciliation's list of messages) answers an empty list."""

from __future__ import annotations

import json
import socket
import socketserver
import threading

ACCOUNT_SID = "AC" + "1" * 32


class TwilioStandIn:
    def __init__(self):
        self.connections = 0
        self.requests = 0
        self.lock = threading.Lock()
        stand_in = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                sock = self.request
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with stand_in.lock:
                    stand_in.connections += 1
                buffer = b""
                while True:
                    while b"\r\n\r\n" not in buffer:
                        chunk = sock.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    length = 0
                    for line in head.split(b"\r\n")[1:]:
                        name, _, value = line.partition(b":")
                        if name.strip().lower() == b"content-length":
                            length = int(value.strip())
                    while len(buffer) < length:
                        chunk = sock.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                    buffer = buffer[length:]
                    with stand_in.lock:
                        stand_in.requests += 1
                        count = stand_in.requests
                    if head.startswith(b"GET "):
                        status = b"200 OK"
                        payload = {"messages": [], "next_page_uri": None}
                    else:
                        status = b"201 Created"
                        payload = {
                            "account_sid": ACCOUNT_SID,
                            "sid": f"SM{count:032d}",
                            "status": "queued",
                        }
                    body = json.dumps(payload).encode()
                    sock.sendall(
                        b"HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (status, len(body), body)
                    )

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
