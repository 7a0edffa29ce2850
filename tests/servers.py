"""Loopback fixture portals: serve fixture pages under a portal's real URL paths on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


def page(path: Path | str, content_type: str = "text/html; charset=utf-8", status: int = 200) -> Route:
    return Route(Path(path).read_bytes(), content_type, status)


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 drops connections under Scrapy's concurrency
    daemon_threads = True


class FixtureServer:
    """``routes`` maps a path with its query (``/news/view/1``, ``/list?page=2``) to a Route.

    ``{BASE}`` in a served body is replaced by the server's own base URL, so feeds can link pages.
    Unknown paths get 404. Every request path is recorded in ``requests``, and with when it came and the
    User-Agent it named in ``seen``. ``host`` is any loopback address (127.0.0.2 is another host to Scrapy).
    """

    def __init__(self, routes: dict[str, Route] | None = None, host: str = "127.0.0.1"):
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[str] = []
        self.seen: list[tuple[str, float, str]] = []  # (path, time.monotonic(), User-Agent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                server.seen.append((self.path, time.monotonic(), self.headers.get("User-Agent", "")))
                route = server.routes.get(self.path) or Route(b"<html><body>not found</body></html>", status=404)
                body = route.body.replace(b"{BASE}", server.base_url.encode())
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = _Server((host, 0), Handler)
        self.base_url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
