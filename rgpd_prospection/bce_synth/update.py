"""Updates: the later full is written from a mutated copy of the earlier one, then the update is
*derived* as the per-key difference of the two fulls, never written from the mutations directly.
"""

import csv
import io
import re
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter
from pathlib import Path

import numpy as np

from .contacts import CONTACT_TYPES, ContactMaker
from .derive import derive_update, key_group_blocks, read_meta, report_progress
from .extract_format import (
    BOM,
    DATA_TABLES,
    ExtractReader,
    ExtractWriter,
    extract_file_name,
    extract_timestamp,
    format_row,
    numbers_with_check,
    unit_spelling,
    write_meta,
)
from .full import population_rows
from .population import NACE_WEIGHT, make_population, sequential_prefixes, weighted_choice
from .vocabulary import BRUSSELS_STREETS, MUNICIPALITIES, NACE, STREETS

# --- updates ----------------------------------------------------------------------------------
DEFAULT_CHANGE_RATES = {
    # kind: share of enterprises (national: about a thousand changes a day), at least 3 each
    "stop": 1e-4,
    "new": 1e-4,
    "situation": 5e-5,
    "rename": 5e-5,
    "move": 5e-5,
    "establishment_move": 5e-5,
    "establishment_new": 3e-5,
    "establishment_close": 3e-5,
    "contact_add": 5e-5,
    "contact_change": 5e-5,
    "establishment_contact": 3e-5,
    "activity": 1e-4,
    "duplicates": 2e-5,
}


def quoted_key(key):
    """A key as it appears, quoted, at the start of a line."""
    return f'"{key}"'.encode()


def _parse_line(line):
    return next(csv.reader([line.decode("utf-8")]))


@dataclass
class _Plan:
    """What changes between two fulls: dropped keys, edited groups, added rows per table."""

    drop: dict = field(default_factory=lambda: {t: set() for t in DATA_TABLES})
    edit: dict = field(default_factory=lambda: {t: {} for t in DATA_TABLES})
    add: dict = field(default_factory=lambda: {t: [] for t in DATA_TABLES})
    rewrite: dict = field(default_factory=dict)  # table -> function of a block's lines


def _read_columns(source, table, columns):
    """Selected columns of a table, one list each, without keeping the rows."""
    with io.TextIOWrapper(source.open(f"{table}.csv"), "utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = next(reader)
        where = [header.index(c) for c in columns]
        out = [[] for _ in columns]
        for row in reader:
            for i, w in enumerate(where):
                out[i].append(row[w])
    return out


def _change_counts(n, changes):
    counts = {k: max(3, round(n * rate)) for k, rate in DEFAULT_CHANGE_RATES.items()}
    counts.update(changes or {})
    return counts


@dataclass
class _Keys:
    """The key columns of the earlier full: all a plan needs, small enough at national size."""

    ent: list
    ent_types: list
    est: list
    est_parents: list
    br: list
    br_parents: list
    with_contact: set


def _read_keys(source):
    ent, ent_types = _read_columns(source, "enterprise", ["EnterpriseNumber", "TypeOfEnterprise"])
    est, est_parents = _read_columns(
        source, "establishment", ["EstablishmentNumber", "EnterpriseNumber"]
    )
    br, br_parents = _read_columns(source, "branch", ["Id", "EnterpriseNumber"])
    with_contact = set(_read_columns(source, "contact", ["EntityNumber"])[0])
    return _Keys(ent, ent_types, est, est_parents, br, br_parents, with_contact)


class _EnterpriseDraw:
    """Enterprises in one random order, handed out once: each enterprise-level change goes
    to enterprises no other change touched."""

    def __init__(self, rng, keys, counts):
        self.keys, self.counts = keys, counts
        self.order = rng.permutation(len(keys.ent))
        self.taken = 0

    def take(self, kind, allowed=None):
        chosen = []
        while len(chosen) < self.counts[kind] and self.taken < len(self.order):
            i = self.order[self.taken]
            self.taken += 1
            if allowed is None or allowed(i):
                chosen.append(self.keys.ent[i])
        return chosen

    def is_legal_person(self, i):
        return self.keys.ent_types[i] == "2"

    def has_contact(self, i):
        return self.keys.ent[i] in self.keys.with_contact


_UNIT_TABLES = ("establishment", "branch", "denomination", "address", "contact", "activity")


def _plan_stops(plan, keys, stopped):
    """A stopped enterprise leaves every table, with its establishments and branches."""
    for key in stopped:
        for table in DATA_TABLES:
            if table not in ("establishment", "branch"):
                plan.drop[table].add(quoted_key(key))
    for units, parents in ((keys.est, keys.est_parents), (keys.br, keys.br_parents)):
        for unit, parent in zip(units, parents, strict=True):
            if parent in stopped:
                for table in _UNIT_TABLES:
                    plan.drop[table].add(quoted_key(unit))


def _plan_enterprise_edits(plan, rng, draw, maker, eol):
    for key in draw.take("situation", draw.is_legal_person):
        plan.edit["enterprise"][quoted_key(key)] = _edit_situation
    for key in draw.take("rename", draw.is_legal_person):
        plan.edit["denomination"][quoted_key(key)] = _edit_rename
    for key in draw.take("move", draw.is_legal_person):
        plan.edit["address"][quoted_key(key)] = _edit_move(rng)
    for key in draw.take("activity"):
        plan.edit["activity"][quoted_key(key)] = _edit_activity(rng)
    for key in draw.take("contact_change", draw.has_contact):
        plan.edit["contact"][quoted_key(key)] = _edit_contact(rng)
    for key in draw.take("contact_add"):  # nothing else changes for these enterprises
        kind = ["EMAIL", "TEL", "WEB"][rng.integers(3)]
        value = maker.value(rng, kind, "Nova Services", "Jan", "Peeters", False)
        row = format_row("contact", [key, "ENT", kind, value], eol)
        plan.add["contact"].append((quoted_key(key), row))


def _plan_establishment_change(plan, rng, keys, maker, action, key, eol):
    if action == "move":
        plan.edit["address"][quoted_key(key)] = _edit_move(rng)
    elif action == "close":
        for table in ("establishment", "denomination", "address", "contact", "activity"):
            plan.drop[table].add(quoted_key(key))
    elif key in keys.with_contact:
        plan.edit["contact"][quoted_key(key)] = _edit_contact(rng)
    else:
        value = maker.value(rng, "TEL", "", "Jan", "Peeters", False)
        row = format_row("contact", [key, "EST", "TEL", value], eol)
        plan.add["contact"].append((quoted_key(key), row))


def _plan_establishment_changes(plan, rng, keys, counts, stopped, maker, eol):
    """Moves, closures and contact changes go to distinct establishments of live enterprises."""
    live = [i for i, parent in enumerate(keys.est_parents) if parent not in stopped]
    picks = rng.permutation(live)
    cut = 0
    for label, action in (
        ("establishment_move", "move"),
        ("establishment_close", "close"),
        ("establishment_contact", "contact"),
    ):
        for i in picks[cut : cut + counts[label]]:
            _plan_establishment_change(plan, rng, keys, maker, action, keys.est[i], eol)
        cut += counts[label]


def _prefix(number):
    """The 8-digit prefix of a dotted number (its last two digits are the check)."""
    return int(number.replace(".", "")[:8])


def _plan_mutations(rng, source, changes, new_snapshot, eol, seed):
    """Choose which entities change. Only key columns are read, so that a national full fits
    in memory; enterprise-level changes go to distinct enterprises."""
    keys = _read_keys(source)
    counts = _change_counts(len(keys.ent), changes)
    plan = _Plan()
    draw = _EnterpriseDraw(rng, keys, counts)
    stopped = set(draw.take("stop"))
    _plan_stops(plan, keys, stopped)
    maker = ContactMaker(seed, 1000)
    _plan_enterprise_edits(plan, rng, draw, maker, eol)
    last_prefix = _prefix(max(keys.est, default="2.000.000.000"))
    for i, parent in enumerate(draw.take("establishment_new")):
        number = int(numbers_with_check([last_prefix + 1 + i])[0])
        _add_establishment(plan, rng, parent, number, new_snapshot, eol)
    _plan_establishment_changes(plan, rng, keys, counts, stopped, maker, eol)
    maxima = {
        "ent": max(_prefix(key) for key in keys.ent) if keys.ent else 2_000_000,
        "est": last_prefix + counts["establishment_new"],
        "br": max([_prefix(key) for key in keys.br] or [90_000_000]),
    }
    return plan, maxima, counts


def _edit_situation(rows):
    out = []
    for raw, values in rows:
        if values is None:
            values = _parse_line(raw)
        values[2] = "012" if values[2] == "000" else "000"
        out.append((None, values))
    return out


def _edit_rename(rows):
    out = []
    for raw, values in rows:
        values = _parse_line(raw)
        if values[2] == "001":
            values[3] = values[3] + " Group" if not values[3].endswith(" Group") else values[3][:-6]
            out.append((None, values))
        else:
            out.append((raw, None))
    return out


def _edit_move(rng):
    street_i = int(rng.integers(len(STREETS["V"])))
    number = str(int(rng.integers(1, 200)))

    def edit(rows):
        out = []
        for raw, _ in rows:
            values = _parse_line(raw)
            if values[1] in ("REGO", "BAET"):
                values[2:13] = [
                    "",
                    "",
                    "9000",
                    "Gent",
                    "Gent",
                    STREETS["V"][street_i],
                    STREETS["V"][street_i],
                    number,
                    "",
                    "",
                    "",
                ]
                out.append((None, values))
            else:
                out.append((raw, None))
        return out

    return edit


def _edit_activity(rng):
    nace = int(weighted_choice(rng, NACE_WEIGHT, 1)[0])
    change_main = rng.random() < 0.5

    def edit(rows):
        parsed = [_parse_line(raw) for raw, _ in rows]
        if change_main:
            for values in parsed:
                if values[4] == "MAIN" and values[2] in ("2008", "2025"):
                    values[3] = NACE[nace][0 if values[2] == "2008" else 1]
        else:
            key = parsed[0][0]
            parsed += [
                [key, "001", "2008", NACE[nace][0], "SECO"],
                [key, "001", "2025", NACE[nace][1], "SECO"],
            ]
        return [(None, values) for values in parsed]

    return edit


_NACE_2025 = re.compile(rb'^("[^"]*)(","[^"]*","2025",")([0-9]*)"', re.M)


def _nace_conversion(share):
    """A new NACE version's conversion (NACE-BEL 2025 came as one update): in a
    ``share`` of the activity groups, chosen by key, every 2025 code becomes the
    next one of the vocabulary, so the update deletes the group and inserts it
    whole again."""
    codes = sorted({row[1] for row in NACE})
    following = {
        code.encode(): codes[(i + 1) % len(codes)].encode() for i, code in enumerate(codes)
    }
    cut = int(share * (1 << 32))

    def convert(match):
        if zlib.crc32(match[1]) >= cut:
            return match[0]
        return match[1] + match[2] + following.get(match[3], match[3]) + b'"'

    def rewrite(lines):  # lines without their ending, as key_group_blocks gives them
        return _NACE_2025.sub(convert, b"\n".join(lines)).split(b"\n")

    return rewrite


def _edit_contact(rng):
    maker = ContactMaker(int(rng.integers(1 << 30)), 1000)
    drop = rng.random() < 0.3

    def edit(rows):
        parsed = [_parse_line(raw) for raw, _ in rows]
        if drop and len(parsed) > 1:
            return [(None, values) for values in parsed[1:]]
        values = parsed[0]
        kind = values[2] if values[2] in CONTACT_TYPES else "EMAIL"
        new = maker.value(rng, kind, "Orion Partners", "Marie", "Lambert", False)
        values[3] = new if new != values[3] else new + "x"
        return [(None, values) for values in parsed]

    return edit


def _add_establishment(plan, rng, parent, number, snapshot, eol):
    key = unit_spelling(np.array([number]))[0].decode()
    quoted = quoted_key(key)
    day = f"{snapshot:%d-%m-%Y}"
    muni = MUNICIPALITIES[int(rng.integers(len(MUNICIPALITIES)))]
    street = STREETS["V"][0] if muni[3] != "W" else STREETS["W"][0]
    if muni[3] == "B":
        street = BRUSSELS_STREETS[0]
    street_nl, street_fr = street if isinstance(street, tuple) else (street, street)
    nace = NACE[int(weighted_choice(rng, NACE_WEIGHT, 1)[0])]
    plan.add["establishment"].append((quoted, format_row("establishment", [key, day, parent], eol)))
    plan.add["address"].append(
        (
            quoted,
            format_row(
                "address",
                [
                    key,
                    "BAET",
                    "",
                    "",
                    muni[0],
                    muni[1],
                    muni[2],
                    street_nl,
                    street_fr,
                    str(int(rng.integers(1, 99))),
                    "",
                    "",
                    "",
                ],
                eol,
            ),
        )
    )
    for version, code in (("2008", nace[0]), ("2025", nace[1])):
        plan.add["activity"].append(
            (quoted, format_row("activity", [key, "006", version, code, "MAIN"], eol))
        )


def _stream_table(source, sink, table, plan, extra, bom, eol):
    """Copy a table of the earlier full into the later one, applying the plan group by group
    and merging the added rows (sorted by key) in their place; lines in between are copied
    in bulk."""
    added = sorted(plan.add[table] + extra, key=lambda item: item[0])
    drop, edit = plan.drop[table], plan.edit[table]
    touched = sorted(drop | edit.keys())
    rewrite = plan.rewrite.get(table)
    pos = 0
    blocks = key_group_blocks(source.open(f"{table}.csv"), f"{table}.csv")
    header = next(blocks)
    with sink.open(f"{table}.csv") as out:
        out.write((BOM if bom else b"") + header + eol)
        for lines, keys in blocks:
            if rewrite:
                lines = rewrite(lines)
            events = []  # (line index, 0 = added row | 1 = touched group, payload)
            while pos < len(added) and added[pos][0] <= keys[-1]:
                events.append((bisect_right(keys, added[pos][0]), 0, added[pos][1]))
                pos += 1
            for key in touched[bisect_left(touched, keys[0]) : bisect_right(touched, keys[-1])]:
                lo = bisect_left(keys, key)
                if lo < len(keys) and keys[lo] == key:
                    events.append((lo, 1, key))
            pieces, done = [], 0
            for at, kind, payload in sorted(events, key=itemgetter(0, 1)):
                if at > done:
                    pieces.append(eol.join(lines[done:at]) + eol)
                    done = at
                if kind == 0:
                    pieces.append(payload)
                    continue
                end = bisect_right(keys, payload)
                if payload in edit:
                    edited = edit[payload]([(raw, None) for raw in lines[at:end]])
                    rows = [
                        raw + eol if values is None else format_row(table, values, eol)
                        for raw, values in edited
                    ]
                    pieces += dict.fromkeys(rows)  # a full holds no duplicate rows
                done = end
            if done < len(lines):
                pieces.append(eol.join(lines[done:]) + eol)
            out.write(b"".join(pieces))
        out.write(b"".join(line for _, line in added[pos:]))


def _population_lines(pop, table, seed, eol):
    data = b"".join(population_rows(pop, table, seed, eol, ContactMaker(seed, 1000)))
    return [(line[: line.find(b",")], line + eol) for line in data.split(eol) if line]


def generate_update(full_path, out_dir, seed=2, changes=None, nace_conversion=0.0):
    """From a full extract, write the next update and the later full it leads to.

    The later full comes from the earlier one with mutations (stops, new enterprises, renames,
    moves, contact and activity changes…); the update is then derived by :func:`derive_update`.
    ``changes`` overrides the number of each kind of change (see ``DEFAULT_CHANGE_RATES``).
    ``nace_conversion``: the share of activity groups whose 2025 codes all change besides (a
    mass update: NACE-BEL 2025 came as one update of 7.28 M changes).
    Returns ``(update_zip, later_full_zip)``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = ExtractReader(full_path)
    try:
        meta = read_meta(source)
        with source.open("enterprise.csv") as f:
            head = f.read(4096)
        bom = head.startswith(BOM)
        eol = b"\r\n" if b"\r\n" in head else b"\n"
        snapshot = datetime.strptime(meta["SnapshotDate"], "%d-%m-%Y").date() + timedelta(days=1)
        number = int(meta["ExtractNumber"]) + 1
        rng = np.random.default_rng([seed, 1])
        plan, maxima, counts = _plan_mutations(rng, source, changes, snapshot, eol, seed)
        if nace_conversion:
            plan.rewrite["activity"] = _nace_conversion(nace_conversion)
        prefixes = sequential_prefixes(rng, maxima["ent"], counts["new"])
        newcomers = make_population(
            rng,
            counts["new"],
            snapshot,
            ent_prefixes=prefixes,
            est_after=maxima["est"],
            br_after=maxima["br"],
            newborn=True,
        )
        stamp = extract_timestamp(seed, snapshot)
        later = out_dir / extract_file_name(number, snapshot, "Full")
        sink = ExtractWriter(later, False, False, stamp)
        try:
            write_meta(sink, snapshot, stamp, "full", number, bom, eol)
            with sink.open("code.csv") as f:
                f.write(source.read("code.csv"))
            for table in DATA_TABLES:
                extra = _population_lines(newcomers, table, seed, eol)
                report_progress(f"later full: writing {table}.csv")
                _stream_table(source, sink, table, plan, extra, bom, eol)
        finally:
            sink.close()
    finally:
        source.close()
    update = derive_update(
        full_path,
        later,
        out_dir / extract_file_name(number, snapshot, "Update"),
        seed=seed,
        duplicates=counts["duplicates"],
    )
    return update, later
