#!/usr/bin/env python3
"""Download new BCE/KBO open-data extracts from the BCE portal into a folder.

    BCE_USER=me@example.be BCE_PASSWORD=... download_bce_extracts.py --dest /srv/bce --since 147

The portal (kbopub.economie.fgov.be/kbo-open-data) is a Spring Security web application: a form
login sets a session cookie, a page lists the extract ZIPs as links, and each ZIP is a plain GET
in that session. It keeps about 31 days of extracts, so a daily run keeps the folder current.

What the folder already holds is kept (same name and size), and each download goes to
``NAME.part`` and is renamed only once complete and readable as a ZIP holding ``meta.csv``: the
importer never sees half a file. Give the password through ``BCE_PASSWORD`` rather than
``--password``, which every user of the machine can read in the process list.

``--only needed`` fetches just what the importer lacks after extract ``--since``: the following
updates when all of them are listed, else the latest full (a first run downloads one full, not
the 31 the portal keeps).

Exit codes: 0 done (also when nothing is new), 1 portal or download failure, 2 bad usage,
3 login refused.
"""

import argparse
import getpass
import http.client
import http.cookiejar
import logging
import os
import re
import sys
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

_logger = logging.getLogger("download_bce_extracts")


class PortalError(Exception):
    """Anything that keeps new extracts from reaching the folder; the message says what."""


class LoginError(PortalError):
    """The portal refused the account: retrying will not help until the credentials change."""


@dataclass(frozen=True, order=True)
class Extract:
    """One ZIP listed by the portal; sorts in the order the importer applies them."""

    number: int
    kind: str
    name: str
    url: str = field(compare=False)


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

    def _open(self, url, data=None):
        try:
            return self._opener.open(url, data=data, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code in (401, 403):
                raise LoginError(
                    f"the BCE portal refused access to {url} (HTTP {exc.code}): check the user "
                    "name, the password and that the account may download the open data"
                ) from exc
            raise PortalError(f"the BCE portal answered HTTP {exc.code} for {url}") from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise PortalError(f"cannot reach the BCE portal at {url}: {reason}") from exc

    def login(self, user, password):
        """Open a session; a refused login comes back as the login form or ``?error``."""
        if not user or not password:
            raise LoginError("no BCE portal user name or password (set BCE_USER and BCE_PASSWORD)")
        form = urlencode({"j_username": user, "j_password": password}).encode()
        with self._open(self.base_url + LOGIN_PATH, form) as response:
            landing = response.geturl()
            page = _read_page(response)
        if "error" in parse_qs(urlsplit(landing).query, keep_blank_values=True) or (
            page.asks_password
        ):
            raise LoginError(
                f"the BCE portal refused the login of user {user!r}: check the user name and "
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
                extracts[name] = Extract(*parsed, name=name, url=link)
        if not extracts:
            raise PortalError(f"the BCE portal lists no extract at {url}")
        return sorted(extracts.values())

    def fetch(self, extract, dest):
        """Download ``extract`` into ``dest``; False when a file of the same size is there."""
        target = Path(dest) / extract.name
        part = target.with_name(target.name + ".part")
        with self._open(extract.url) as response:
            expected = _content_length(response)
            if target.exists() and (
                target.stat().st_size == expected
                if expected is not None
                else zipfile.is_zipfile(target)
            ):
                _logger.info("kept %s (already in %s)", extract.name, dest)
                return False
            if response.headers.get_content_type() == "text/html":
                raise PortalError(
                    f"the BCE portal sent a web page instead of {extract.name} "
                    "(session expired or file withdrawn)"
                )
            try:
                received = _save(response, part, extract.name)
                if expected is not None and received != expected:
                    raise PortalError(
                        f"download of {extract.name} stopped after {received} of {expected} bytes"
                    )
                check_extract_zip(part, extract.name)
            except BaseException:
                part.unlink(missing_ok=True)
                raise
        os.replace(part, target)
        _logger.info("downloaded %s (%.1f MB)", extract.name, received / 1e6)
        return True


def _save(response, path, name):
    received = 0
    try:
        with open(path, "wb") as out:
            while chunk := response.read(CHUNK_SIZE):
                out.write(chunk)
                received += len(chunk)
    except (OSError, http.client.HTTPException) as exc:
        raise PortalError(f"download of {name} failed after {received} bytes: {exc}") from exc
    return received


def connect(base_url, user, password, timeout=60):
    """A logged-in :class:`BcePortal`."""
    portal = BcePortal(base_url, timeout)
    portal.login(user, password)
    return portal


def download_new_extracts(base_url, user, password, dest, only="all", since=None, timeout=60):
    """Download the listed extracts ``dest`` lacks; return the paths written, in apply order.

    ``since`` skips extracts numbered up to it (the last one applied), ``only`` is one of
    ``all``, ``full``, ``update``, ``needed``. Raises :class:`PortalError` (:class:`LoginError`
    for a refused account); files completed before a failure stay in ``dest``.
    """
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PortalError(f"cannot use the destination folder {dest}: {exc}") from exc
    portal = connect(base_url or DEFAULT_URL, user, password, timeout)
    wanted = select_extracts(portal.list_extracts(), only, since)
    if not wanted:
        _logger.info("nothing new on the BCE portal")
    return [dest / e.name for e in wanted if portal.fetch(e, dest)]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Exit codes: 0 done, 1 portal or download failure, 2 bad usage, 3 login refused.",
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="portal base URL (default: %(default)s)")
    parser.add_argument("--user", default=os.environ.get("BCE_USER"), help="default: $BCE_USER")
    parser.add_argument(
        "--password", help="default: $BCE_PASSWORD, the safer way: a command line is public"
    )
    parser.add_argument("--dest", required=True, type=Path, help="folder the ZIPs go to")
    parser.add_argument(
        "--only",
        choices=ONLY_CHOICES,
        default="all",
        help="which extracts (default: all; needed: what the importer lacks after --since)",
    )
    parser.add_argument(
        "--since", type=int, metavar="NUMBER", help="skip extracts numbered NUMBER or lower"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be downloaded")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default: 60)")
    args = parser.parse_args(argv)
    password = args.password or os.environ.get("BCE_PASSWORD")
    if not password and args.user and sys.stdin.isatty():
        password = getpass.getpass(f"BCE portal password for {args.user}: ")
    progress = logging.StreamHandler(sys.stdout)
    _logger.addHandler(progress)
    _logger.setLevel(logging.INFO)
    try:
        if args.dry_run:
            portal = connect(args.url, args.user, password, args.timeout)
            for extract in select_extracts(portal.list_extracts(), args.only, args.since):
                state = "present" if (args.dest / extract.name).exists() else "new"
                print(f"{extract.name}\t{state}")
        else:
            written = download_new_extracts(
                args.url, args.user, password, args.dest, args.only, args.since, args.timeout
            )
            print(f"{len(written)} extract(s) downloaded into {args.dest}")
    except PortalError as exc:
        print(f"download_bce_extracts: {exc}", file=sys.stderr)
        return 3 if isinstance(exc, LoginError) else 1
    finally:
        _logger.removeHandler(progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
