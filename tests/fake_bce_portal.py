"""A stand-in for the BCE open-data portal on 127.0.0.1, for the downloader's tests.

It behaves as the public clients of the real portal show it: a Spring Security form login at
``/kbo-open-data/static/j_spring_security_check`` (fields ``j_username``, ``j_password``) that
redirects to the home page with a ``JSESSIONID`` cookie, or to ``login?error``; a listing at
``/kbo-open-data/affiliation/xml/?files`` linking ``files/<name>.zip``; downloads that send a
logged-out client to the login form; downloads honour a ``Range: bytes=N-`` header (206 with
``Content-Range``) unless ``ranges`` is off. Switches let a test break one thing at a time.
"""

import secrets
import threading
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

CONTEXT = "/kbo-open-data"
LOGIN_FORM = (
    '<html><body><form method="post" action="{context}/static/j_spring_security_check">'
    "{error}"
    '<input type="text" name="j_username"><input type="password" name="j_password">'
    '<input type="submit" name="submit" value="Login"></form></body></html>'
)


class FakeBcePortal:
    """Serves ``files`` (name -> bytes) to ``user``/``password``; use as a context manager."""

    def __init__(self, files, user="customer@example.be", password="Pa55-w0rd!"):
        self.files = dict(files)
        self.user = user
        self.password = password
        self.truncated = set()
        self.ranges = True
        self.range_requests = []
        self.html_instead = set()
        self.expire_before_listing = False
        self.sessions = set()
        self.served = []
        self.login_attempts = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.portal = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}{CONTEXT}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        """Keep the test output clean."""

    @property
    def portal(self):
        return self.server.portal

    def _logged_in(self):
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        session = cookie.get("JSESSIONID")
        return session is not None and session.value in self.portal.sessions

    def _redirect(self, location, cookie=None):
        self.send_response(302)
        self.send_header("Location", location)
        if cookie:
            self.send_header("Set-Cookie", f"JSESSIONID={cookie}; Path={CONTEXT}; HttpOnly")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _page(self, html, status=200):
        body = html.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        if urlsplit(self.path).path != f"{CONTEXT}/static/j_spring_security_check":
            self._page("<html>not found</html>", 404)
            return
        user = form.get("j_username", [""])[0]
        self.portal.login_attempts.append(user)
        if user == self.portal.user and form.get("j_password", [""])[0] == self.portal.password:
            session = secrets.token_hex(16)
            self.portal.sessions.add(session)
            self._redirect(f"{CONTEXT}/", cookie=session)
        else:
            self._redirect(f"{CONTEXT}/login?error")

    def do_GET(self):
        url = urlsplit(self.path)
        files_prefix = f"{CONTEXT}/affiliation/xml/files/"
        listing = url.path == f"{CONTEXT}/affiliation/xml/" and url.query == "files"
        if url.path == f"{CONTEXT}/login":
            error = "<p>Bad credentials</p>" if "error" in url.query else ""
            self._page(LOGIN_FORM.format(context=CONTEXT, error=error))
        elif not self._logged_in() or (listing and self.portal.expire_before_listing):
            self._redirect(f"{CONTEXT}/login")
        elif url.path == f"{CONTEXT}/":
            self._page(f"<html><body>Welcome {self.portal.user}</body></html>")
        elif listing:
            self._listing()
        elif url.path.startswith(files_prefix):
            self._download(unquote(url.path[len(files_prefix) :]))
        else:
            self._page("<html>not found</html>", 404)

    def _listing(self):
        rows = "".join(
            f'<tr><td><a href="files/{name}">{name}</a></td><td>{len(data)}</td></tr>'
            for name, data in self.portal.files.items()
        )
        self._page(
            '<html><body><a href="../">up</a>'
            f'<a href="{CONTEXT}/static/KBOCookbook_EN.pdf">cookbook</a>'
            f"<table>{rows}</table></body></html>"
        )

    def _download(self, name):
        data = self.portal.files.get(name)
        if data is None:
            self._page("<html>not found</html>", 404)
            return
        self.portal.served.append(name)
        if name in self.portal.html_instead:
            self._page("<html><body>Your session has expired</body></html>")
            return
        asked = self.headers.get("Range")
        start = int(asked[len("bytes=") : -1]) if asked and self.portal.ranges else 0
        if asked:
            self.portal.range_requests.append((name, asked))
        if start >= len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        body = data[: len(data) // 2] if name in self.portal.truncated else data
        try:
            self.wfile.write(body[start:])
        except (BrokenPipeError, ConnectionResetError):
            return  # the client closed early: it already had what it wanted (the size)
