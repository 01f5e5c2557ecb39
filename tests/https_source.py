"""A local https server for download tests, with a certificate from a throw-away CA (trustme)
that the test makes the downloader trust through SSL_CERT_FILE, as an operator would.

Besides plain files it misbehaves on request, by path: `/truncated/NAME` promises the whole
file and sends half of it, `/slow` drips a byte at a time, `/endless` streams without a length,
`/huge` announces more than the size cap, `/to-http/NAME` redirects to plain http.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme


@dataclass
class HttpsSource:
    base_url: str
    ca_file: Path
    files: dict[str, bytes]
    requests: Counter[str] = field(default_factory=Counter)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def _handler(source: HttpsSource, huge: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = self.path.lstrip("/")
            source.requests[path] = source.requests[path] + 1
            kind, _, name = path.partition("/")
            if path in source.files:
                self._send(source.files[path])
            elif kind == "truncated" and name in source.files:
                body = source.files[name]
                self._headers(len(body))
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
            elif kind == "to-http":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/{name}")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "huge":
                self._headers(huge)
                self.close_connection = True
            elif path in ("slow", "endless"):
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.end_headers()
                self.close_connection = True
                block = b"%PDF-" if path == "slow" else b"x" * 65536
                try:
                    while True:
                        self.wfile.write(block)
                        self.wfile.flush()
                        if path == "slow":
                            time.sleep(0.2)
                except OSError:  # the client gave up
                    return
            else:
                self.send_error(404)

        def _headers(self, length: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(length))
            self.end_headers()

        def _send(self, body: bytes) -> None:
            self._headers(len(body))
            self.wfile.write(body)

    return Handler


@contextmanager
def https_source(files: dict[str, bytes], folder: Path, huge: int) -> Iterator[HttpsSource]:
    """Serve `files` over https on 127.0.0.1; `huge` is the length `/huge` announces."""
    ca = trustme.CA()
    certificate = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    source = HttpsSource("", ca_file, files)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(source, huge))
    server.daemon_threads = True
    source.base_url = f"https://127.0.0.1:{server.server_address[1]}"
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield source
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
