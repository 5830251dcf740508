#!/usr/bin/env python3
"""Write synthetic BCE/KBO open-data extracts (full, or the next update and later full).

Examples::

    generate_bce_extract.py full -n 2000 --seed 1 -o /tmp/out/
    generate_bce_extract.py update /tmp/out/KboOpenData_0147_2025_10_12_Full.zip -o /tmp/out/
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rgpd_prospection"))

from bce_synth import DEFAULT_CHANGE_RATES, generate_full, generate_update  # noqa: E402


def _change(text):
    kind, _, count = text.partition("=")
    if kind not in DEFAULT_CHANGE_RATES or not count.isdigit():
        raise argparse.ArgumentTypeError(
            f"expected KIND=COUNT with KIND in {', '.join(DEFAULT_CHANGE_RATES)}"
        )
    return kind, int(count)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    full = commands.add_parser("full", help="write a full extract")
    full.add_argument("-n", "--enterprises", type=int, default=1000, help="default 1000")
    full.add_argument("--seed", type=int, default=1)
    full.add_argument("-o", "--output", default=".", help="folder, or a .zip path")
    full.add_argument("--extract-number", type=int, default=147)
    full.add_argument(
        "--snapshot-date",
        type=date.fromisoformat,
        default=date(2025, 10, 11),
        help="YYYY-MM-DD (default 2025-10-11)",
    )
    full.add_argument("--bom", action="store_true", help="start every CSV with a UTF-8 BOM")
    full.add_argument("--crlf", action="store_true", help="end lines with CRLF")
    full.add_argument("--code-csv", help="embed this real code.csv instead of the synthetic one")
    full.add_argument("--stored", action="store_true", help="ZIP without compression (faster)")
    full.add_argument("--folder", action="store_true", help="write the CSV files into a folder")

    update = commands.add_parser("update", help="write the next update and the later full")
    update.add_argument("full", help="a full extract (ZIP or folder)")
    update.add_argument("-o", "--output", default=".", help="output folder")
    update.add_argument("--seed", type=int, default=2)
    update.add_argument(
        "--change",
        type=_change,
        action="append",
        default=[],
        metavar="KIND=COUNT",
        help="override how many changes of one kind (repeatable)",
    )
    update.add_argument(
        "--nace-conversion",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="a mass update besides: the 2025 codes of this share of the activity groups change "
        "(0.175: about 7 M changes on a national extract, as NACE-BEL 2025 came)",
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    if args.command == "full":
        path = generate_full(
            args.output,
            enterprises=args.enterprises,
            seed=args.seed,
            extract_number=args.extract_number,
            snapshot_date=args.snapshot_date,
            bom=args.bom,
            crlf=args.crlf,
            code_csv_path=args.code_csv,
            stored=args.stored,
            as_folder=args.folder,
        )
        print(path)
    else:
        for path in generate_update(
            args.full,
            args.output,
            seed=args.seed,
            changes=dict(args.change),
            nace_conversion=args.nace_conversion,
        ):
            print(path)
    print(f"done in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
