#!/usr/bin/env python3
"""Fail on any user-facing string of the add-on left untranslated.

Every entry of ``i18n/rgpd_prospection.pot`` must have a translation, not
fuzzy, in ``fr.po`` and ``nl.po``; entries that reach prospects (mail
templates) need one in ``de.po`` too. With ``--exported`` (a .pot freshly
exported by Odoo) it also fails when the committed .pot misses a string, so a
new string cannot slip past the check by never being exported.
"""

import argparse
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "rgpd_prospection" / "i18n"
POT = I18N / "rgpd_prospection.pot"
USER_LANGUAGES = ("fr", "nl")
PROSPECT_LANGUAGES = ("de",)


def reaches_prospects(entry):
    return any(place.startswith("model:mail.template") for place, _line in entry.occurrences) or (
        "model:mail.template" in (entry.comment or "")
    )


def missing_translations(pot, language):
    path = I18N / f"{language}.po"
    if not path.exists():
        return [f"{path.name} does not exist"]
    translated = {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(str(path))
        if entry.msgstr.strip() and "fuzzy" not in entry.flags and not entry.obsolete
    }
    wanted = [e for e in pot if e.msgid and (language in USER_LANGUAGES or reaches_prospects(e))]
    return [
        f"{path.name}: untranslated {entry.msgid[:80]!r}"
        for entry in wanted
        if (entry.msgctxt, entry.msgid) not in translated
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exported", help="a .pot just exported by Odoo, to compare with")
    options = parser.parse_args()
    if not POT.exists():
        print(f"translations: {POT} is missing")
        return 1
    pot = polib.pofile(str(POT))
    problems = []
    if options.exported:
        committed = {entry.msgid for entry in pot}
        problems += [
            f"{POT.name}: misses {entry.msgid[:80]!r} (export the .pot again)"
            for entry in polib.pofile(options.exported)
            if entry.msgid and entry.msgid not in committed
        ]
    else:
        for language in USER_LANGUAGES + PROSPECT_LANGUAGES:
            if language in PROSPECT_LANGUAGES and not any(reaches_prospects(e) for e in pot):
                continue
            problems += missing_translations(pot, language)
    for problem in problems:
        print(f"translations: {problem}")
    print(f"translations: {len(pot)} strings checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
