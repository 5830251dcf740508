#!/usr/bin/env python3
"""Turn a BCE full extract into a GDPR-filtered prospect list (Excel).

    prospects.py EXTRACT.zip --postal 1000-1299 --nace 62 -o prospects.xlsx

The workbook has the prospects, a sheet explaining what was excluded and why
(counts per reason only: listing left-out names or e-mails would copy the very
personal data the filter exists to drop) and a sheet on the source. Every text is
written as text, never as a formula (``bce_engine.spreadsheet``).
"""

import argparse
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rgpd_prospection"))

from bce_engine import (  # noqa: E402
    BceFormatError,
    EngineConfig,
    Perimeter,
    read_full_extract,
    read_meta,
    reasons,
)
from bce_engine.codes import read_code_table  # noqa: E402
from bce_engine.numbers import format_enterprise_number  # noqa: E402
from bce_engine.reader import Extract  # noqa: E402
from bce_engine.source import LICENCE_NOTE, SOURCE_NAME, source_statement  # noqa: E402
from bce_engine.spreadsheet import append_text_row  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Font  # noqa: E402

REASON_EXPLANATIONS = {
    reasons.NATURAL_PERSON: "natural person (TypeOfEnterprise 1): never kept",
    reasons.UNKNOWN_TYPE: "unknown type of enterprise (TypeOfEnterprise 0): never kept",
    reasons.NOT_LEGAL_PERSON: "row of an entity not shown to be a legal person",
    reasons.OUTSIDE_PERIMETER: "legal person outside the postal/NACE/juridical-form perimeter",
    reasons.BLACKLISTED: "enterprise number in the opt-out blacklist",
    reasons.INVALID_EMAIL: "e-mail address not valid",
    reasons.PRIVATE_MAILBOX: "e-mail at a private mailbox provider (personal data)",
    reasons.NOMINATIVE_EMAIL: "e-mail naming a person (personal data)",
    reasons.INVALID_PHONE: "phone number not valid",
    reasons.SHARED_CONTACT: "e-mail or phone shared by many enterprises (an intermediary's)",
    reasons.PERSONAL_NAME: "company named after a person (flagged or left out by configuration)",
    reasons.MOBILE_PHONE: "mobile number (may reach a person; flagged or left out)",
    reasons.UNKNOWN_CODE: "code unknown to the format where it may grow (e.g. a FAX contact)",
}
PROSPECT_COLUMNS = (
    "Enterprise number",
    "Name",
    "Juridical form",
    "Start date",
    "Postal code",
    "Municipality",
    "Language",
    "E-mails",
    "Phones",
    "Main NACE 2025",
    "Main NACE 2008",
    "Other NACE codes",
    "Flags",
)


class Progress:
    """A one-line progress bar on stderr, redrawn at most twice a second."""

    def __init__(self, enabled):
        self.enabled = enabled
        self.last = 0.0
        self.started = time.monotonic()

    def __call__(self, step, done, total=None):
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.5:
            return
        self.last = now
        if total:
            filled = int(30 * min(done, total) / total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done:,}/{total:,}"
        else:
            bar = f"{done:,}"
        sys.stderr.write(f"\r{step:<14} {bar} {now - self.started:6.0f}s")
        sys.stderr.flush()

    def close(self):
        if self.enabled:
            sys.stderr.write("\n")


def juridical_form_labels(zip_path, language):
    with Extract(zip_path) as extract:
        if "code.csv" not in extract.names:
            return {}
        table = read_code_table(extract.read_bytes("code.csv"))
    return {
        code: labels.get(language.upper()) or next(iter(labels.values()), "")
        for code, labels in table.get("JuridicalForm", {}).items()
    }


def company_row(company, form_labels, language):
    def main_codes(version):
        return [c for v, c, kind in company.nace_codes if kind == "MAIN" and v == version]

    others = [code for _version, code, kind in company.nace_codes if kind != "MAIN"]
    form = company.juridical_form_cac or company.juridical_form
    municipality = (
        (company.municipality_nl if language == "nl" else company.municipality_fr)
        or company.municipality_fr
        or company.municipality_nl
    )
    return (
        format_enterprise_number(company.bce_number),
        company.name,
        f"{form} {form_labels.get(form, '')}".strip() if form else None,
        company.start_date,
        company.postal_code,
        municipality,
        company.language,
        ", ".join(company.emails),
        ", ".join(company.phones),
        ", ".join(dict.fromkeys(main_codes("2025"))),
        ", ".join(dict.fromkeys(main_codes("2008"))),
        ", ".join(dict.fromkeys(others)),
        ", ".join(company.flags),
    )


def write_workbook(output, meta, perimeter_text, rows, drops, kept):
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Prospects"
    sheet.append(PROSPECT_COLUMNS)
    for row in rows:
        append_text_row(sheet, row)
    for (cell,) in sheet.iter_rows(min_row=2, min_col=4, max_col=4):
        cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    excluded = workbook.create_sheet("Excluded")
    excluded.append(("Reason", "Count", "What it means"))
    for reason, count in sorted(drops.items(), key=lambda item: -item[1]):
        append_text_row(excluded, (reason, count, REASON_EXPLANATIONS.get(reason, "")))
    about = workbook.create_sheet("About")
    for item in (
        ("Source", SOURCE_NAME),
        ("Extract type", meta.extract_type),
        ("Extract number", meta.extract_number),
        ("Snapshot date", meta.snapshot_date),
        ("Cite as", source_statement(meta.extract_number, meta.snapshot_date)),
        ("Licence", LICENCE_NOTE),
        ("Perimeter", perimeter_text),
        ("Prospects", kept),
        ("Generated", datetime.now().replace(microsecond=0)),
        (
            "Note",
            "Legal persons only; personal e-mails and natural persons excluded "
            "before anything was stored. Excluded data is counted, never listed.",
        ),
    ):
        append_text_row(about, item)
    for worksheet in workbook.worksheets:
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
    workbook.save(output)


def build_parser():
    parser = argparse.ArgumentParser(
        description="GDPR-filtered prospect list from a BCE full extract."
    )
    parser.add_argument("extract", type=Path, help="a BCE full extract ZIP")
    parser.add_argument("--postal", help="postal codes and ranges, e.g. 1000-1299,1300")
    parser.add_argument("--nace", help="NACE code prefixes of any version, e.g. 62,63.1")
    parser.add_argument("--forms", help="juridical form codes to keep only, e.g. 014,610")
    parser.add_argument("--exclude-forms", help="juridical form codes to leave out")
    parser.add_argument("--blacklist", type=Path, help="file of enterprise numbers, one a line")
    parser.add_argument("--name-language", choices=("fr", "nl", "de"), default="fr")
    parser.add_argument(
        "--drop-flagged",
        action="store_true",
        help="drop what may identify a person instead of flagging it",
    )
    parser.add_argument("-o", "--output", type=Path, default=Path("prospects.xlsx"))
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    return parser


def main(argv=None):
    options = build_parser().parse_args(argv)
    excluded = []
    if options.blacklist:
        excluded = [
            line.strip() for line in options.blacklist.read_text().splitlines() if line.strip()
        ]
    try:
        perimeter = Perimeter(
            postal_codes=options.postal,
            nace_prefixes=options.nace,
            forms_in=options.forms,
            forms_out=options.exclude_forms,
            excluded=excluded,
        )
        perimeter.check_not_empty()
        meta = read_meta(options.extract)
        if meta.extract_type != "full":
            raise ValueError(
                f"{options.extract.name} is an {meta.extract_type} extract: "
                "a prospect list needs a full extract"
            )
        progress = Progress(sys.stderr.isatty() if options.progress is None else options.progress)
        config = EngineConfig(
            preferred_name_language=options.name_language, drop_flagged=options.drop_flagged
        )
        result = read_full_extract(options.extract, config=config, progress=progress)
        labels = juridical_form_labels(options.extract, options.name_language)
        drops = Counter(result.drops)
        rows = [
            company_row(company, labels, options.name_language)
            for company in result.companies(perimeter, drops=drops)
        ]
        drops = +drops  # reasons that left nothing out are not listed
        progress.close()
    except (BceFormatError, ValueError, OSError) as error:
        name = options.extract.name
        print(f"prospects: {'' if name in str(error) else name + ': '}{error}", file=sys.stderr)
        return 2
    perimeter_text = f"postal {options.postal or 'any'}; NACE {options.nace or 'any'}"
    write_workbook(options.output, meta, perimeter_text, rows, drops, len(rows))
    print(
        f"{len(rows)} prospects written to {options.output} "
        f"(extract {meta.extract_number}, snapshot {meta.snapshot_date:%d-%m-%Y}); "
        f"excluded: " + ", ".join(f"{r} {c}" for r, c in sorted(drops.items()))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
