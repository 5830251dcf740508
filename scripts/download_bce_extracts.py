#!/usr/bin/env python3
"""Download new BCE/KBO open-data extracts from the BCE portal into a folder.

    BCE_USER=me@example.be BCE_PASSWORD=... download_bce_extracts.py --dest /srv/bce --since 147

A command line over the add-on's portal client (``rgpd_prospection/bce_engine/portal.py``),
which the add-on's scheduled action uses too. What the folder already holds is kept (same name
and size); each download goes to ``NAME.part``, renamed once complete and checked, and an
interrupted one is resumed at the next run. Give the password through ``BCE_PASSWORD`` rather
than ``--password``, which every user of the machine can read in the process list.

``--only needed`` fetches just what the importer lacks after extract ``--since``: the following
updates when all of them are listed, else the latest full (a first run downloads one full, not
the 31 the portal keeps).

Exit codes: 0 done (also when nothing is new), 1 portal or download failure, 2 bad usage,
3 login refused.
"""

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rgpd_prospection"))

from bce_engine import portal  # noqa: E402
from bce_engine.portal import (  # noqa: E402
    DEFAULT_URL,
    ONLY_CHOICES,
    LoginError,
    PortalError,
    connect,
    download_new_extracts,
    select_extracts,
)


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
    log = logging.getLogger(portal.__name__)
    log.addHandler(progress)
    log.setLevel(logging.INFO)
    try:
        if args.dry_run:
            session = connect(args.url, args.user, password, args.timeout)
            for extract in select_extracts(session.list_extracts(), args.only, args.since):
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
        log.removeHandler(progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
