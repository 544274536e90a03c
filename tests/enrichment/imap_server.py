"""A small IMAP4rev1 server on 127.0.0.1 for the bid-invite import's contract tests: LOGIN, SELECT/EXAMINE,
UID SEARCH TO, UID FETCH RFC822, LOGOUT — enough for imaplib, answering from a list of RFC 5322 messages.
``greeting_delay`` holds the greeting (a slow server), ``login_answers`` scripts LOGIN's answers in turn
(e.g. ``NO [UNAVAILABLE]`` once), ``connections`` counts who connected."""

from __future__ import annotations

import re
import socketserver
import threading
import time


class ImapServer:
    def __init__(self, messages: list[bytes], *, user="intake", password="secret"):
        self.messages, self.user, self.password = messages, user, password
        self.greeting_delay = 0.0
        self.login_answers: list[str] = []
        self.connections = 0
        self.searches: list[str] = []
        server = self

        class Handler(socketserver.StreamRequestHandler):
            def send(self, line: bytes):
                self.wfile.write(line)
                self.wfile.flush()

            def handle(self):
                server.connections += 1
                time.sleep(server.greeting_delay)
                try:
                    self.send(b"* OK [CAPABILITY IMAP4rev1] GTMOS test IMAP ready\r\n")
                    while True:
                        line = self.rfile.readline()
                        if not line:
                            return
                        tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
                        command, _, args = rest.partition(" ")
                        if not self.dispatch(tag, command.upper(), args):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    return

            def dispatch(self, tag, command, args) -> bool:
                ok = f"{tag} OK done\r\n".encode()
                if command == "CAPABILITY":
                    self.send(b"* CAPABILITY IMAP4rev1\r\n" + ok)
                elif command == "LOGIN":
                    if server.login_answers:
                        answer = server.login_answers.pop(0)
                        self.send(f"{tag} {answer}\r\n".encode())
                        return not answer.startswith("NO")
                    user, password = [a.strip('"') for a in args.split(" ", 1)]
                    self.send(
                        ok
                        if (user, password) == (server.user, server.password)
                        else f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n".encode()
                    )
                elif command in ("SELECT", "EXAMINE"):
                    self.send(
                        f"* {len(server.messages)} EXISTS\r\n* OK [UIDVALIDITY 1]\r\n{tag} OK [READ-ONLY] done\r\n".encode()
                    )
                elif command == "UID":
                    sub, _, rest = args.partition(" ")
                    if sub.upper() == "SEARCH":
                        server.searches.append(rest)
                        wanted = re.search(r'TO "([^"]*)"', rest)
                        hits = [
                            str(i + 1)
                            for i, m in enumerate(server.messages)
                            if wanted and wanted.group(1).lower().encode() in _header(m, b"To").lower()
                        ]
                        self.send(f"* SEARCH {' '.join(hits)}\r\n".encode() + ok)
                    elif sub.upper() == "FETCH":
                        uid = int(rest.split(" ", 1)[0])
                        body = server.messages[uid - 1]
                        self.send(
                            f"* {uid} FETCH (UID {uid} RFC822 {{{len(body)}}}\r\n".encode() + body + b")\r\n" + ok
                        )
                    else:
                        self.send(f"{tag} BAD unknown\r\n".encode())
                elif command == "LOGOUT":
                    self.send(b"* BYE logging out\r\n" + ok)
                    return False
                else:
                    self.send(f"{tag} BAD unknown command\r\n".encode())
                return True

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _header(message: bytes, name: bytes) -> bytes:
    for line in message.split(b"\r\n"):
        if line.lower().startswith(name.lower() + b":"):
            return line
    return b""
