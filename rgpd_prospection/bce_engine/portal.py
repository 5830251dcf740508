"""Client of the BCE/KBO open-data portal: log in, list the extracts, download them.

The portal (kbopub.economie.fgov.be/kbo-open-data) is a Spring Security web application: a form
login sets a session cookie, a page lists the extract ZIPs as links, and each ZIP is a plain GET
in that session. It keeps about 31 days of extracts, so a daily run keeps the folder current.

A download goes to ``NAME.part`` and is renamed only once complete and readable as a ZIP holding
``meta.csv``: the importer never sees half a file. A download stopped by its time budget or a
broken connection leaves the ``.part``; the next call resumes it with an HTTP ``Range`` request
when the portal honours one, else starts it again.

Pure Python (standard library only): the scheduled action of the add-on and the command line
``scripts/download_bce_extracts.py`` share it.
"""

import http.client
import http.cookiejar
import logging
import os
import re
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlencode, urljoin, urlsplit

DEFAULT_URL = "https://kbopub.economie.fgov.be/kbo-open-data"
LOGIN_PATH = "static/j_spring_security_check"
LISTING_PATH = "affiliation/xml/?files"
USER_AGENT = "rgpd_prospection-download_bce_extracts/1.0"
EXTRACT_NAME = re.compile(r"KboOpenData_(\d{4})_\d{4}_\d{2}(?:_\d{2})?_(Full|Update)\.zip")
ONLY_CHOICES = ("all", "full", "update", "needed")
CHUNK_SIZE = 1 << 20
PART_SUFFIX = ".part"
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")

_logger = logging.getLogger(__name__)


class PortalError(Exception):
    """Anything that keeps new extracts from reaching the folder; the message says what."""


class LoginError(PortalError):
    """The portal refused the account: retrying will not help until the credentials change."""


@dataclass(frozen=True, order=True)
class PortalExtract:
    """One ZIP listed by the portal; sorts in the order the importer applies them."""

    number: int
    kind: str
    name: str
    url: str = field(compare=False)


@dataclass(frozen=True)
class DownloadStep:
    """What one call of ``download_next_extract`` did: ``name`` was downloaded whole
    (``finished``) or in part; ``more``: a later call has work left."""

    name: str
    finished: bool
    more: bool


def parse_extract_name(name):
    """``(ExtractNumber, "full"|"update")`` of a BCE extract file name, else None."""
    match = EXTRACT_NAME.fullmatch(name)
    if not match:
        return None
    return int(match[1]), match[2].lower()


def select_extracts(extracts, only="all", since=None):
    """The extracts to fetch, in ExtractNumber order, full before update of the same number."""
    if only not in ONLY_CHOICES:
        raise ValueError(f"only must be one of {', '.join(ONLY_CHOICES)}, not {only!r}")
    extracts = sorted(e for e in extracts if since is None or e.number > since)
    if only == "needed":
        return _needed(extracts, since)
    return [e for e in extracts if only == "all" or e.kind == only]


def _needed(extracts, since):
    """Updates since+1… when every one is listed, else the latest full (it holds them all)."""
    updates = {e.number: e for e in extracts if e.kind == "update"}
    fulls = [e for e in extracts if e.kind == "full"]
    if not updates and not fulls:
        return []
    last = max(e.number for e in extracts)
    if since is not None and all(n in updates for n in range(since + 1, last + 1)):
        return [updates[n] for n in range(since + 1, last + 1)]
    if not fulls:
        gap = "" if since is None else f"updates after extract {since} are missing and "
        raise PortalError(f"{gap}the BCE portal lists no full extract to start from")
    return [fulls[-1]]


class _PageReader(HTMLParser):
    """Collects link targets, and notices the portal's login form (its ``j_password`` field)."""

    def __init__(self):
        super().__init__()
        self.links = []
        self.asks_password = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "input" and attrs.get("name") == "j_password":
            self.asks_password = True


def _read_page(response):
    charset = response.headers.get_content_charset() or "utf-8"
    try:
        html = response.read().decode(charset, errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        raise PortalError(f"the BCE portal broke off {response.geturl()}: {exc}") from exc
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    return reader


def _content_length(response):
    value = response.headers.get("Content-Length")
    return int(value) if value and value.isdigit() else None


def check_extract_zip(path, name=None):
    """Raise PortalError unless ``path`` is a whole, CRC-clean ZIP with ``meta.csv``."""
    name = name or Path(path).name
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            members = archive.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise PortalError(f"{name} is not a readable ZIP file ({exc})") from exc
    if damaged:
        raise PortalError(f"{name} is damaged: {damaged} fails its CRC check")
    if "meta.csv" not in members:
        raise PortalError(f"{name} is a ZIP file but not a BCE extract (no meta.csv)")


class BcePortal:
    """A logged-in conversation with the portal: one cookie jar, one timeout."""

    def __init__(self, base_url=DEFAULT_URL, timeout=60):
        self.base_url = base_url.rstrip("/") + "/"
        self.timeout = timeout
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self._opener = urllib.request.build_opener(cookies)
        self._opener.addheaders = [("User-Agent", USER_AGENT)]

    def _open(self, url, data=None, headers=None):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            return self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (401, 403):
                raise LoginError(
                    f"the BCE portal refused access to {url} (HTTP {exc.code}): check the user "
                    "name, the password and that the account may download the open data"
                ) from exc
            error = PortalError(f"the BCE portal answered HTTP {exc.code} for {url}")
            error.status = exc.code
            raise error from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise PortalError(f"cannot reach the BCE portal at {url}: {reason}") from exc

    def login(self, login, password):
        """Open a session; a refused login comes back as the login form or ``?error``."""
        if not login or not password:
            raise LoginError("no BCE portal user name or password (set BCE_USER and BCE_PASSWORD)")
        form = urlencode({"j_username": login, "j_password": password}).encode()
        with self._open(self.base_url + LOGIN_PATH, form) as response:
            landing = response.geturl()
            page = _read_page(response)
        if "error" in parse_qs(urlsplit(landing).query, keep_blank_values=True) or (
            page.asks_password
        ):
            raise LoginError(
                f"the BCE portal refused the login of user {login!r}: check the user name and "
                "password"
            )

    def list_extracts(self):
        """Every extract ZIP the listing page links to, sorted; an empty listing is an error."""
        url = self.base_url + LISTING_PATH
        with self._open(url) as response:
            page_url = response.geturl()
            page = _read_page(response)
        if page.asks_password:
            raise LoginError(
                "the BCE portal answered the file listing with its login page: the session was "
                "not accepted (check the user name and password)"
            )
        extracts = {}
        for href in page.links:
            link = urljoin(page_url, href)
            name = PurePosixPath(unquote(urlsplit(link).path)).name
            parsed = parse_extract_name(name)
            if parsed:
                extracts[name] = PortalExtract(*parsed, name=name, url=link)
        if not extracts:
            raise PortalError(f"the BCE portal lists no extract at {url}")
        return sorted(extracts.values())

    def fetch(self, extract, dest, deadline=None):
        """Download ``extract`` into ``dest``, resuming its ``.part``.

        Returns ``"kept"`` when a file of the same size is there, ``"downloaded"``,
        or ``"partial"`` when ``deadline`` (a ``time.monotonic()`` value) came first:
        the ``.part`` waits for the next call."""
        target = Path(dest) / extract.name
        part = target.with_name(target.name + PART_SUFFIX)
        offset = part.stat().st_size if part.exists() and not target.exists() else 0
        headers = {"Range": f"bytes={offset}-"} if offset else None
        try:
            response = self._open(extract.url, headers=headers)
        except PortalError as exc:
            if not offset or getattr(exc, "status", None) != 416:
                raise
            part.unlink()  # a range the portal cannot serve: start again
            return self.fetch(extract, dest, deadline)
        with response:
            total = _content_length(response)
            resumed = offset and response.status == 206
            if resumed:
                match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", ""))
                if not match or int(match[1]) != offset:
                    part.unlink()
                    raise PortalError(
                        f"the BCE portal resumed {extract.name} at the wrong place: "
                        "it starts again at the next run"
                    )
                total = int(match[3]) if match[3] != "*" else None
            else:
                offset = 0
                if target.exists() and (
                    target.stat().st_size == total
                    if total is not None
                    else zipfile.is_zipfile(target)
                ):
                    _logger.info("kept %s (already in %s)", extract.name, dest)
                    return "kept"
            if response.headers.get_content_type() == "text/html":
                raise PortalError(
                    f"the BCE portal sent a web page instead of {extract.name} "
                    "(session expired or file withdrawn)"
                )
            received, complete = _save(response, part, extract.name, offset, deadline)
        size = offset + received
        if not complete:
            _logger.info("%s: %.1f MB so far, resumed at the next run", extract.name, size / 1e6)
            return "partial"
        if total is not None and size != total:
            if size > total:
                part.unlink(missing_ok=True)
            raise PortalError(f"download of {extract.name} stopped after {size} of {total} bytes")
        try:
            check_extract_zip(part, extract.name)
        except PortalError:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, target)
        _logger.info("downloaded %s (%.1f MB)", extract.name, size / 1e6)
        return "downloaded"


def _save(response, path, name, offset, deadline):
    """Write the body after ``offset`` bytes of ``path``; ``(bytes written, whole
    body read)``. What arrived before a broken connection is kept for a resume."""
    received = 0
    try:
        with open(path, "r+b" if offset else "wb") as out:
            out.seek(offset)
            out.truncate()
            while True:
                try:
                    chunk = response.read(CHUNK_SIZE)
                except http.client.IncompleteRead as exc:
                    chunk = exc.partial
                    out.write(chunk)
                    return received + len(chunk), True
                if not chunk:
                    return received, True
                out.write(chunk)
                received += len(chunk)
                if deadline is not None and time.monotonic() >= deadline:
                    return received, False
    except (OSError, http.client.HTTPException) as exc:
        raise PortalError(f"download of {name} failed after {received} bytes: {exc}") from exc


def connect(base_url, login, password, timeout=60):
    """A logged-in :class:`BcePortal`."""
    portal = BcePortal(base_url or DEFAULT_URL, timeout)
    portal.login(login, password)
    return portal


def _destination(dest):
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PortalError(f"cannot use the destination folder {dest}: {exc}") from exc
    return dest


def download_new_extracts(base_url, login, password, dest, only="all", since=None, timeout=60):
    """Download the listed extracts ``dest`` lacks; return the paths written, in apply order.

    ``since`` skips extracts numbered up to it (the last one applied), ``only`` is one of
    ``all``, ``full``, ``update``, ``needed``. Raises :class:`PortalError` (:class:`LoginError`
    for a refused account); files completed before a failure stay in ``dest``.
    """
    dest = _destination(dest)
    portal = connect(base_url, login, password, timeout)
    wanted = select_extracts(portal.list_extracts(), only, since)
    if not wanted:
        _logger.info("nothing new on the BCE portal")
    return [dest / e.name for e in wanted if portal.fetch(e, dest) == "downloaded"]


def download_next_extract(base_url, login, password, dest, since=None, timeout=60, seconds=None):
    """Download, or go on downloading, the first extract the importer needs after
    extract ``since`` that ``dest`` lacks, for at most about ``seconds``.

    One file per call, so that a scheduled action stays within its time limit:
    returns a :class:`DownloadStep`, or None when ``dest`` holds every extract
    needed. A file of the extract's name in ``dest`` counts as there."""
    dest = _destination(dest)
    deadline = None if seconds is None else time.monotonic() + seconds
    portal = connect(base_url, login, password, timeout)
    missing = [
        extract
        for extract in select_extracts(portal.list_extracts(), "needed", since)
        if not (dest / extract.name).exists()
    ]
    if not missing:
        return None
    status = portal.fetch(missing[0], dest, deadline)
    finished = status != "partial"
    return DownloadStep(missing[0].name, finished, more=not finished or len(missing) > 1)
