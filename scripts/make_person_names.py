"""Regenerate the engine's frozen person names from Faker (the only place that reads Faker).

    python3 scripts/make_person_names.py [OUTPUT]

The e-mail classifier must give the same verdict whatever Faker is installed, so it reads
``bce_engine/data/person_names.txt`` and this script writes that file. Names are folded to
lower-case ASCII letters and glued (``Jean-Pierre`` -> ``jeanpierre``, ``van den Broeck`` ->
``vandenbroeck``); a compound first name counts by part too. The engine applies its own
length limits and generic words on load.
"""

import re
import sys
import unicodedata
from importlib import import_module
from importlib.metadata import version
from pathlib import Path

OUTPUT = (
    Path(__file__).resolve().parent.parent
    / "rgpd_prospection"
    / "bce_engine"
    / "data"
    / "person_names.txt"
)
# Surnames of Belgium, its neighbours and its largest communities may stand alone or glued to
# an initial; the others, full of ordinary English words (green, king, park), only count
# beside a first name or an initial.
CORE_LOCALES = ("de_AT", "de_CH", "de_DE", "de_LU", "es_ES", "fr_BE", "fr_CH", "fr_FR") + (
    "it_IT",
    "nl_BE",
    "nl_NL",
    "pl_PL",
    "pt_PT",
    "ro_RO",
    "tr_TR",
)
OTHER_LOCALES = ("en_GB", "en_IE", "en_IN", "en_US", "fr_QC", "pt_BR")
# pl_PL keeps its surnames apart from the usual ``last_names``.
SURNAME_ATTRIBUTES = ("last_names", "unisex_last_names", "male_last_names")
_FOLD = str.maketrans({"ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"})


def name_parts(name):
    """Lower-case ASCII letter runs of a name, as it appears in a mailbox name."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_FOLD))
    return re.findall("[a-z]+", text.encode("ascii", "ignore").decode())


def person_names():
    """(first names, core surnames, other surnames), each a sorted list."""
    first, core, other = set(), set(), set()
    for locale in sorted(CORE_LOCALES + OTHER_LOCALES):
        provider = import_module(f"faker.providers.person.{locale}").Provider
        for name in provider.first_names:
            parts = name_parts(name)
            first.add("".join(parts))
            first.update(parts)
        for attribute in SURNAME_ATTRIBUTES:
            surnames = {"".join(name_parts(name)) for name in getattr(provider, attribute, ())}
            (core if locale in CORE_LOCALES else other).update(surnames)
    return sorted(first - {""}), sorted(core - {""}), sorted(other - core - {""})


def render():
    first, core, other = person_names()
    header = f"""\
# Person names of bce_engine.emails (nominative e-mail addresses) and bce_engine.companies
# (companies named after a person), frozen so that no verdict depends on the installed Faker.
# Source: Faker {version("faker")} (faker.providers.person), MIT licence,
# Copyright (c) 2012 Daniele Faraglia; https://github.com/joke2k/faker
# Core locales (surnames may stand alone): {" ".join(CORE_LOCALES)}
# Other locales (surnames only beside a first name or an initial): {" ".join(OTHER_LOCALES)}
# Folded to lower-case ASCII letters and glued; compound first names also by part.
# Regenerate with: python3 scripts/make_person_names.py
"""
    sections = [("first_names", first), ("core_surnames", core), ("other_surnames", other)]
    body = "".join(
        f"[{title}]\n" + "".join(f"{name}\n" for name in names) for title, names in sections
    )
    return header + body


def main(path=OUTPUT):
    Path(path).write_text(render(), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:2])
