"""A stand-in for a payment provider's API, run by the shop as a process of its own.

It listens on 127.0.0.1 (a free port, printed as the first line of its output) and
answers ``POST /v1/charges`` after 40 ms and ``POST /v1/receipts`` after 20 ms, as
a provider across a network would. It exits when its stdin closes: the shop holds
the other end, so however the shop ends, this process ends with it.

Standard library only, and run as a script: it starts in the shop's interpreter
without importing the shop.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: How long each answer takes, in seconds: a provider's network and processing time.
DELAYS_S = {"/v1/charges": 0.040, "/v1/receipts": 0.020}

_charge_numbers = itertools.count(1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the shop's client reuses its connections
    # Headers and body leave in two writes: without this, the second waits for the
    # client's delayed acknowledgement (Nagle's algorithm), 40 ms on Linux.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        delay = DELAYS_S.get(self.path)
        if delay is None:
            self._answer(404, {"error": f"no endpoint {self.path}"})
            return
        time.sleep(delay)  # this server's threads wait; the shop's loop does not
        if self.path == "/v1/charges":
            answer = {"id": f"ch_{next(_charge_numbers):06d}", "amount": request.get("amount")}
        else:
            answer = {"sent_to": request.get("email")}
        self._answer(200, answer)

    def _answer(self, status: int, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line a request on the shop's stderr would drown its own messages


def _exit_when_stdin_closes() -> None:
    sys.stdin.buffer.read()
    os._exit(0)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
