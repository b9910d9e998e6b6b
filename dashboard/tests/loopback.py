"""A real HTTP server on 127.0.0.1 in a thread, for tests that need the network path
itself (respx stops requests before the connect-time address guard runs)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Serves `handler` (a BaseHTTPRequestHandler class) on a free loopback port."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], tls=None, host="127.0.0.1"):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.origin = f"{scheme}://{host}:{self.server.server_address[1]}"
        # A short poll interval makes shutdown() at teardown quick.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Host:
    """A real HTTP server on 127.0.0.1 that answers GETs and POSTs from `routes` and
    records their paths. A route is (status, headers, body) or a callable writing the
    answer itself."""

    def __init__(self, routes):
        self.routes = routes
        self.paths: list[str] = []
        host = self

        class Handler(QuietHandler):
            def do_GET(self):
                host.paths.append(self.path)
                route = host.routes.get(self.path.split("?", 1)[0], (404, {}, b"no"))
                if callable(route):
                    route(self)
                    return
                status, headers, body = route
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

        self.loopback = LoopbackServer(Handler)
        self.url = self.loopback.origin

    def close(self):
        self.loopback.close()
