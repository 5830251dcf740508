"""Full extracts: a population of enterprises, establishments and branches drawn at random,
written table by table in key order.

Rows are assembled with numpy byte matrices, chunk by chunk, so a national-size full
(1.94 M enterprises, 36 M activity rows) fits in minutes and bounded memory.
"""

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from .contacts import CONTACT_TYPES, ContactMaker
from .extract_format import (
    BOM,
    CHUNK,
    DATA_TABLES,
    HEADERS,
    ExtractWriter,
    Quoted,
    date_spelling,
    days_since_epoch,
    enterprise_spelling,
    escape_csv,
    escaped_array,
    extract_file_name,
    extract_timestamp,
    format_row,
    header_line,
    meta_rows,
    numbers_with_check,
    render,
    unit_spelling,
    write_small_table,
)
from .vocabulary import (
    BRUSSELS_STREETS,
    COINED,
    CONNECTOR,
    DETAIL_SUFFIX,
    FAMILY,
    FIRST,
    FOREIGN,
    FOREIGN_FORM,
    FORMS,
    MUNICIPALITIES,
    NACE,
    NACE_SECTIONS,
    NACE_WITH_DETAIL,
    OTHER_CODES,
    SECTOR,
    SITUATIONS,
    STREETS,
    SUFFIX,
    TONGUES,
)


def weighted_choice(rng, weights, size):
    weights_array = np.asarray(weights, dtype=float)
    return rng.choice(len(weights_array), size=size, p=weights_array / weights_array.sum())


def _stacked_by_tongue(groups):
    """Stack per-tongue lists into one escaped array, returning (array, offsets, lengths)."""
    flat, offsets, lengths = [], [], []
    for items in groups:
        offsets.append(len(flat))
        lengths.append(len(items))
        flat += items
    return escaped_array(flat), np.array(offsets), np.array(lengths)


_MUNI_ZIP = escaped_array([row[0] for row in MUNICIPALITIES])
_MUNI_NL = escaped_array([row[1] for row in MUNICIPALITIES])
_MUNI_FR = escaped_array([row[2] for row in MUNICIPALITIES])
_MUNI_REGION = np.array(["BWVD".index(row[3]) for row in MUNICIPALITIES])
_MUNI_WEIGHT = np.array([row[4] for row in MUNICIPALITIES], dtype=float)
_STREET_NL, _STREET_OFF, _STREET_LEN = _stacked_by_tongue(
    [[pair[0] for pair in BRUSSELS_STREETS], STREETS["W"], STREETS["V"], STREETS["D"]]
)
_STREET_FR = escaped_array(
    [pair[1] for pair in BRUSSELS_STREETS] + STREETS["W"] + STREETS["V"] + STREETS["D"]
)
_FAMILY, _FAMILY_OFF, _FAMILY_LEN = _stacked_by_tongue([FAMILY[t] for t in TONGUES])
_FIRST, _FIRST_OFF, _FIRST_LEN = _stacked_by_tongue([FIRST[t] for t in TONGUES])
_SECTOR, _SECTOR_OFF, _SECTOR_LEN = _stacked_by_tongue([SECTOR[t] for t in TONGUES])
_CONNECTOR, _CONNECTOR_OFF, _CONNECTOR_LEN = _stacked_by_tongue([CONNECTOR[t] for t in TONGUES])
_COINED = escaped_array(COINED)
_SUFFIX = escaped_array(SUFFIX)
_FORM_CODE = escaped_array([row[0] for row in FORMS])
_FORM_CAC = escaped_array([row[5] or "" for row in FORMS])
_SITUATION = escaped_array([row[0] for row in SITUATIONS])
_HOUSE = escaped_array([str(i) for i in range(1, 301)])
_HOUSE_ODD = escaped_array(["12A", "3-5", "SN", "1B", "27bis", "0", "2-4", "Z/N"])
_BOX = escaped_array(["", "1", "2", "3", "A", "B", "0.1", "b001", "bus 3"])
_EXTRA = escaped_array(
    ["", "Hôtel de Ville", "Zoning industriel", "Bâtiment B", "Résidence Les Pins"]
)
_NACE = {v: escaped_array([row[i] for row in NACE]) for i, v in enumerate(("2008", "2025", "2003"))}
NACE_WEIGHT = np.array([row[6] for row in NACE], dtype=float)
_NACE_DETAIL = np.array([row[0] in NACE_WITH_DETAIL for row in NACE])
_GROUP = escaped_array([g[0] for g in OTHER_CODES["ActivityGroup"]])
_LANG_DIGIT = escaped_array(["0", "1", "2", "3", "4"])


# --- the population model ---------------------------------------------------------------------
@dataclass
class Population:
    """Everything per entity that more than one table needs, as numpy columns."""

    snapshot: int
    ent: dict = field(default_factory=dict)
    est: dict = field(default_factory=dict)
    br: dict = field(default_factory=dict)


def sequential_prefixes(rng, start, n):
    return start + np.cumsum(rng.integers(1, 4, n, dtype=np.int64))


def make_population(
    rng, n, snapshot, ent_prefixes=None, est_after=20_000_000, br_after=90_000_000, newborn=False
):
    """Draw ``n`` enterprises with their establishments and branches.

    ``ent_prefixes`` (sorted 8-digit prefixes) replaces the random number draw, and
    ``newborn`` dates everything on the snapshot: both serve the new entities of an update."""
    snap = days_since_epoch(snapshot)
    if ent_prefixes is None:
        n_new = int(round(n * 0.15))
        old = rng.choice(8_000_000, n - n_new, replace=False) + 2_000_000
        new = rng.choice(max(300_000, 2 * n_new), n_new, replace=False) + 10_000_000
        ent_prefixes = np.sort(np.concatenate([old, new]))
    ents = {"num": numbers_with_check(ent_prefixes)}
    kind = rng.choice(3, n, p=[0.005, 0.40, 0.595])
    ents["type"] = kind
    legal = kind == 2
    form = np.full(n, -1)
    form[legal] = weighted_choice(rng, [row[4] for row in FORMS], int(legal.sum()))
    ents["form"] = form
    cac_p = np.array([row[6] for row in FORMS])
    ents["cac"] = (form >= 0) & (rng.random(n) < cac_p[form])
    situation = weighted_choice(rng, [row[4] for row in SITUATIONS], n)
    situation[kind == 1] = np.where(rng.random(int((kind == 1).sum())) < 0.97, 0, 1)
    ents["situation"] = situation
    if newborn:
        ents["start"] = np.full(n, snap)
    else:
        age = rng.exponential(16 * 365.25, n)
        age = np.minimum(age, np.where(kind == 1, 60, 120) * 365.25).astype(np.int64)
        start = snap - age
        for k in range(3):  # older numbers, older enterprises, within each type
            start[kind == k] = np.sort(start[kind == k])
        start[legal & (rng.random(n) < 0.03)] = days_since_epoch(
            date(1968, 1, 1)
        )  # historical bulk load
        ents["start"] = start
    muni = weighted_choice(rng, _MUNI_WEIGHT, n)
    ents["muni"] = muni
    region = _MUNI_REGION[muni]
    tongue = np.array([0, 0, 1, 2])[region]
    tongue[(region == 0) & (rng.random(n) < 0.2)] = 1  # Dutch-speaking Brussels
    ents["tongue"] = tongue
    lang = tongue + 1
    lang[rng.random(n) < np.where(kind == 1, 0.3, 0.08)] = 0
    ents["lang"] = lang
    ents["pattern"] = rng.choice(5, n, p=[0.2, 0.2, 0.35, 0.15, 0.1])
    ents["name_draw"] = rng.integers(0, 1 << 30, n)
    ents["word_draw"] = rng.integers(0, 1 << 30, n)
    ents["first"] = _FIRST_OFF[tongue] + rng.integers(0, 1 << 30, n) % _FIRST_LEN[tongue]
    ents["family"] = _FAMILY_OFF[tongue] + rng.integers(0, 1 << 30, n) % _FAMILY_LEN[tongue]
    foreign = form == [row[0] for row in FORMS].index(FOREIGN_FORM)
    ents["abroad"] = (foreign & (rng.random(n) < 0.85)) | (legal & (rng.random(n) < 0.003))
    ents["rego"] = legal | ((kind == 0) & (rng.random(n) < 0.5))
    ents["bilingual"] = legal & (region == 0) & (rng.random(n) < 0.3)
    ents["abbrev"] = legal & (rng.random(n) < 0.08)
    ents["commercial"] = rng.random(n) < np.where(legal, 0.10, 0.12)
    ents["contacts"] = np.where(rng.random(n) < 0.2, rng.geometric(0.7, n), 0)

    n_est = np.where(
        kind == 1,
        rng.choice(4, n, p=[0.06, 0.86, 0.06, 0.02]),
        np.where(rng.random(n) < 0.52, 0, rng.geometric(0.83, n)),
    )
    chains = legal & (rng.random(n) < 0.001)
    n_est[chains] = rng.integers(20, 300, int(chains.sum()))
    n_est[foreign] = 0
    n_br = np.where(foreign & (rng.random(n) < 0.7), rng.choice([1, 1, 1, 2], n), 0)

    total = int(n_est.sum())
    parent = np.repeat(np.arange(n), n_est)
    ests = {"num": numbers_with_check(sequential_prefixes(rng, est_after, total)), "parent": parent}
    pstart = ents["start"][parent]
    ests["start"] = pstart + (rng.random(total) * (snap - pstart + 1)).astype(np.int64)
    ests["muni"] = np.where(
        rng.random(total) < 0.7, muni[parent], weighted_choice(rng, _MUNI_WEIGHT, total)
    )
    ests["lang"] = lang[parent]
    ests["tongue"] = tongue[parent]
    ests["commercial"] = rng.random(total) < 0.3
    ests["name_draw"] = rng.integers(0, 1 << 30, total)
    ests["contacts"] = np.where(rng.random(total) < 0.05, rng.geometric(0.6, total), 0)

    n_branch = int(n_br.sum())
    bparent = np.repeat(np.arange(n), n_br)
    branches = {
        "num": numbers_with_check(sequential_prefixes(rng, br_after, n_branch)),
        "parent": bparent,
    }
    bstart = ents["start"][bparent]
    branches["start"] = bstart + (rng.random(n_branch) * (snap - bstart + 1)).astype(np.int64)
    branches["muni"] = weighted_choice(rng, _MUNI_WEIGHT, n_branch)
    branches["contacts"] = (rng.random(n_branch) < 0.1).astype(np.int64)
    return Population(snap, ents, ests, branches)


def _slice_columns(part, span):
    return {k: v[span] for k, v in part.items()}


def _tongue_pick(values, offsets, lengths, tongue, r):
    return values[offsets[tongue] + r % lengths[tongue]]


def _legal_names(ents, idx):
    """Escaped enterprise names for rows ``idx`` of ``ents`` (composed, not quoted)."""
    tongue, name_draw, word_draw, pattern = (
        ents["tongue"][idx],
        ents["name_draw"][idx],
        ents["word_draw"][idx],
        ents["pattern"][idx],
    )
    family = _FAMILY[ents["family"][idx]]
    sector = _tongue_pick(_SECTOR, _SECTOR_OFF, _SECTOR_LEN, tongue, word_draw)
    coined = _COINED[name_draw % len(_COINED)]
    add = np.strings.add
    choices = [
        add(family, _tongue_pick(_CONNECTOR, _CONNECTOR_OFF, _CONNECTOR_LEN, tongue, name_draw)),
        add(add(sector, b" "), family),
        add(add(coined, b" "), _SUFFIX[word_draw % len(_SUFFIX)]),
        np.strings.upper(coined),
        add(add(add(sector, b' ""'), coined), b'""'),
    ]
    out = choices[0]
    for i in range(1, len(choices)):
        out = np.where(pattern == i, choices[i], out)
    return out


def _names(ents, idx):
    person = np.strings.add(
        np.strings.add(_FAMILY[ents["family"][idx]], b", "), _FIRST[ents["first"][idx]]
    )
    return np.where(ents["type"][idx] == 1, person, _legal_names(ents, idx))


def _commercial_names(tongue, draw):
    sector = _tongue_pick(_SECTOR, _SECTOR_OFF, _SECTOR_LEN, tongue, draw >> 7)
    return np.strings.add(np.strings.add(sector, b" "), _COINED[draw % len(_COINED)])


# --- per-table row writers -------------------------------------------------------------------
# Each takes the population, a part ("ent", "est", "br"), a slice and a generator, and returns
# CSV bytes for those entities, in key order.


def _rows_enterprise(pop, part, span, rng, eol):
    ents = _slice_columns(pop.ent, span)
    form = ents["form"]
    no_form = form < 0
    cac_null = no_form | ~ents["cac"]
    safe = np.maximum(form, 0)
    return render(
        [
            Quoted(enterprise_spelling(ents["num"])),
            b'"AC"',
            Quoted(_SITUATION[ents["situation"]]),
            Quoted(_LANG_DIGIT[ents["type"]]),
            Quoted(np.where(no_form, b"", _FORM_CODE[safe]), no_form),
            Quoted(np.where(cac_null, b"", _FORM_CAC[safe]), cac_null),
            date_spelling(ents["start"]),
        ],
        eol,
    )


def _rows_unit(pop, part, span, rng, eol):
    units = _slice_columns(getattr(pop, part), span)
    parents = pop.ent["num"][units["parent"]]
    return render(
        [
            Quoted(unit_spelling(units["num"])),
            date_spelling(units["start"]),
            Quoted(enterprise_spelling(parents)),
        ],
        eol,
    )


def _interleave(blocks, owners):
    """Rows built per kind (a column list per block) -> one column list grouped by owner."""
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    columns = []
    for i, first in enumerate(blocks[0]):
        if isinstance(first, bytes) and all(blk[i] == first for blk in blocks):
            columns.append(first)
            continue
        parts = []
        for blk, own in zip(blocks, owners, strict=True):
            value = blk[i].values if isinstance(blk[i], Quoted) else blk[i]
            parts.append(np.full(len(own), value) if isinstance(value, bytes) else value)
        merged = np.concatenate(parts)[order]
        columns.append(Quoted(merged) if isinstance(first, Quoted) else merged)
    return columns


def _rows_denomination(pop, part, span, rng, eol):
    ents = pop.ent
    if part == "ent":
        idx = np.arange(len(ents["num"]))[span]
        keys = enterprise_spelling(ents["num"][idx])
        lang, tongue, names = ents["lang"][idx], ents["tongue"][idx], _names(ents, idx)
        blocks, owners = [], []

        def block(mask, lang_codes, kind, texts):
            pos = np.flatnonzero(mask)
            blocks.append(
                [Quoted(keys[pos]), Quoted(_LANG_DIGIT[lang_codes[pos]]), kind, Quoted(texts[pos])]
            )
            owners.append(pos)

        full = np.ones(len(idx), bool)
        block(full, lang, b'"001"', names)
        block(ents["bilingual"][idx], np.where(lang == 2, 1, 2), b'"001"', names)
        letters = rng.integers(65, 91, (len(idx), 4), dtype=np.uint8)
        letters[:, 3][rng.random(len(idx)) < 0.5] = 0
        block(ents["abbrev"][idx], lang, b'"002"', np.ascontiguousarray(letters).view("S4").ravel())
        block(
            ents["commercial"][idx],
            lang,
            b'"003"',
            _commercial_names(tongue, ents["word_draw"][idx]),
        )
        return render(_interleave(blocks, owners), eol)
    if part == "est":
        ests = _slice_columns(pop.est, span)
        pos = np.flatnonzero(ests["commercial"])
        return render(
            [
                Quoted(unit_spelling(ests["num"][pos])),
                Quoted(_LANG_DIGIT[ests["lang"][pos]]),
                b'"003"',
                Quoted(_commercial_names(ests["tongue"][pos], ests["name_draw"][pos])),
            ],
            eol,
        )
    branches = _slice_columns(pop.br, span)
    names = np.strings.add(_names(ents, branches["parent"]), b" - Belgian Branch")
    return render(
        [Quoted(unit_spelling(branches["num"])), b'"4"', b'"004"', Quoted(names)],
        eol,
    )


def _belgian_address(rng, muni):
    n = len(muni)
    region = _MUNI_REGION[muni]
    street_i = _STREET_OFF[region] + rng.integers(0, 1 << 30, n) % _STREET_LEN[region]
    house = _HOUSE[np.minimum(rng.geometric(0.03, n), len(_HOUSE)) - 1]
    odd = rng.random(n)
    house = np.where(odd < 0.03, _HOUSE_ODD[rng.integers(0, len(_HOUSE_ODD), n)], house)
    house = np.where(odd > 0.98, b"", house)
    box = np.where(rng.random(n) < 0.85, b"", _BOX[rng.integers(1, len(_BOX), n)])
    extra = np.where(rng.random(n) < 0.98, b"", _EXTRA[rng.integers(1, len(_EXTRA), n)])
    return {
        "CountryNL": np.full(n, b""),
        "CountryFR": np.full(n, b""),
        "Zipcode": _MUNI_ZIP[muni],
        "MunicipalityNL": _MUNI_NL[muni],
        "MunicipalityFR": _MUNI_FR[muni],
        "StreetNL": _STREET_NL[street_i],
        "StreetFR": _STREET_FR[street_i],
        "HouseNumber": house,
        "Box": box,
        "ExtraAddressInfo": extra,
    }


def _foreign_address(rng, n):
    which = rng.integers(0, len(FOREIGN), n)
    zips = np.array([escape_csv(rng.choice(FOREIGN[w][2])) for w in which], dtype=bytes)
    col = {
        k: escaped_array([FOREIGN[w][i] for w in which])
        for i, k in ((0, "CountryNL"), (1, "CountryFR"), (3, "MunicipalityNL"), (4, "StreetNL"))
    }
    return {
        "CountryNL": col["CountryNL"],
        "CountryFR": col["CountryFR"],
        "Zipcode": zips,
        "MunicipalityNL": col["MunicipalityNL"],
        "MunicipalityFR": col["MunicipalityNL"],
        "StreetNL": col["StreetNL"],
        "StreetFR": col["StreetNL"],
        "HouseNumber": _HOUSE[rng.integers(0, 200, n)],
        "Box": np.full(n, b""),
        "ExtraAddressInfo": np.full(n, b""),
    }


def _rows_address(pop, part, span, rng, eol):
    if part == "ent":
        ents = _slice_columns(pop.ent, span)
        pos = np.flatnonzero(ents["rego"])
        keys, kind, muni, start = (
            enterprise_spelling(ents["num"][pos]),
            b'"REGO"',
            ents["muni"][pos],
            ents["start"][pos],
        )
        abroad = ents["abroad"][pos]
    else:
        units = _slice_columns(getattr(pop, part), span)
        keys = unit_spelling(units["num"])
        kind = b'"BAET"' if part == "est" else b'"ABBR"'
        muni, start = units["muni"], units["start"]
        abroad = np.zeros(len(keys), bool)
    n = len(keys)
    if n == 0:
        return b""
    cols = _belgian_address(rng, muni)
    if abroad.any():
        foreign = _foreign_address(rng, int(abroad.sum()))
        for k in cols:
            cols[k] = cols[k].astype(np.result_type(cols[k], foreign[k]))
            cols[k][abroad] = foreign[k]
    struck = rng.random(n) < 0.005
    strike = start + (rng.random(n) * (pop.snapshot - start)).astype(np.int64)
    country_null = ~abroad
    return render(
        [
            Quoted(keys),
            kind,
            Quoted(cols["CountryNL"], country_null),
            Quoted(cols["CountryFR"], country_null),
        ]
        + [Quoted(cols[k]) for k in HEADERS["address"][4:12]]
        + [np.where(struck, date_spelling(strike), b"")],
        eol,
    )


def _rows_contact(pop, part, span, rng, eol, maker):
    """Few rows (0.36 per enterprise), so a Python loop per row is affordable here."""
    ents = pop.ent
    if part == "ent":
        idx = np.arange(len(ents["num"]))[span]
        counts, keys, owner, who = (
            ents["contacts"][idx],
            enterprise_spelling(ents["num"][idx]),
            idx,
            "ENT",
        )
    else:
        units = _slice_columns(getattr(pop, part), span)
        counts, keys, owner = units["contacts"], unit_spelling(units["num"]), units["parent"]
        who = "EST" if part == "est" else "BRA"
    pos = np.flatnonzero(counts)
    if not len(pos):
        return b""
    names = _names(ents, owner[pos])
    out = []
    for i, at in enumerate(pos):
        owner_i = owner[at]
        name = names[i].decode()
        first, family = maker.first[ents["first"][owner_i]], maker.family[ents["family"][owner_i]]
        key, seen = keys[at].decode(), set()
        for kind in rng.choice(CONTACT_TYPES, counts[at], p=[0.45, 0.38, 0.12, 0.05]):
            value = maker.value(rng, kind, name, first, family, ents["type"][owner_i] == 1)
            if (kind, value) not in seen:  # a full holds no duplicate rows
                seen.add((kind, value))
                out.append(format_row("contact", [key, who, str(kind), value], eol))
    return b"".join(out)


def _rows_activity(pop, part, span, rng, eol):
    """About 19 rows per enterprise overall; each activity is written in NACE 2008 and 2025,
    some also in 2003, and n_rows few with the 7-digit national detail."""
    if part == "ent":
        units = _slice_columns(pop.ent, span)
        keys, mean, groups = (
            enterprise_spelling(units["num"]),
            5.0,
            [0.7, 0.01, 0.1, 0.01, 0.02, 0.15, 0.01],
        )
    else:
        units = _slice_columns(pop.est, span)
        keys, mean, groups = unit_spelling(units["num"]), 4.3, [0.3, 0, 0.1, 0, 0.02, 0.58, 0]
    n = len(keys)
    per_unit = rng.geometric(1 / mean, n)
    owner = np.repeat(np.arange(n), per_unit)
    n_rows = len(owner)
    first = np.ones(n_rows, bool)
    first[1:] = owner[1:] != owner[:-1]
    classification = np.where(
        first, b'"MAIN"', np.where(rng.random(n_rows) < 0.85, b'"SECO"', b'"ANCI"')
    )
    group_i = weighted_choice(rng, groups, n_rows)
    nace = weighted_choice(rng, NACE_WEIGHT, n_rows)
    detail = (rng.random(n_rows) < 0.2) & _NACE_DETAIL[nace]
    # n_rows full holds no duplicate rows: keep the first of identical activities of an entity
    identity = ((owner * 8 + group_i) * 256 + nace) * 2 + (classification == b'"SECO"')
    _, firsts = np.unique(identity, return_index=True)
    keep_rows = np.sort(firsts)
    owner, classification = owner[keep_rows], classification[keep_rows]
    group, nace, detail = _GROUP[group_i[keep_rows]], nace[keep_rows], detail[keep_rows]
    n_rows = len(owner)
    blocks, owners = [], []
    for version, keep in (("2008", None), ("2025", None), ("2003", rng.random(n_rows) < 0.15)):
        code = _NACE[version][nace]
        if version != "2003":
            code = np.where(detail, np.strings.add(code, DETAIL_SUFFIX.encode()), code)
        sel = slice(None) if keep is None else keep
        blocks.append(
            [
                Quoted(keys[owner[sel]]),
                Quoted(group[sel]),
                f'"{version}"'.encode(),
                Quoted(code[sel]),
                classification[sel],
            ]
        )
        owners.append(owner[sel])
    return render(_interleave(blocks, owners), eol)


ROW_WRITERS = {
    "enterprise": (_rows_enterprise, ("ent",)),
    "establishment": (_rows_unit, ("est",)),
    "branch": (_rows_unit, ("br",)),
    "denomination": (_rows_denomination, ("ent", "est", "br")),
    "address": (_rows_address, ("ent", "est", "br")),
    "contact": (_rows_contact, ("ent", "est", "br")),
    "activity": (_rows_activity, ("ent", "est")),
}


def population_rows(pop, table, seed, eol=b"\n", maker=None, progress=None):
    """Yield CSV byte chunks of ``table`` for the whole population, in key order."""
    writer, parts = ROW_WRITERS[table]
    table_id = DATA_TABLES.index(table) + 1
    for part_id, part in enumerate(parts):
        size = len(getattr(pop, part)["num"])
        for chunk, begin in enumerate(range(0, size, CHUNK)):
            rng = np.random.default_rng([seed, table_id, part_id, chunk])
            span = slice(begin, min(size, begin + CHUNK))
            if table == "contact":
                yield writer(pop, part, span, rng, eol, maker)
            else:
                yield writer(pop, part, span, rng, eol)
            if progress:
                progress(table, part, span.stop, size)


# --- code table -------------------------------------------------------------------------------
def _nace_section(version, code):
    division = int(code[:2])
    return [letter for first, letter in NACE_SECTIONS[version] if first <= division][-1]


def synthetic_code_rows():
    """Every code the generator uses, with parents, labelled in FR, NL and DE."""
    labels = {}
    for category, rows in OTHER_CODES.items():
        for code, *texts in rows:
            labels[(category, code)] = texts
    for code, fr, nl, de, *_ in FORMS:
        labels[("JuridicalForm", code)] = [fr, nl, de]
    for code, fr, nl, de, _ in SITUATIONS:
        labels[("JuridicalSituation", code)] = [fr, nl, de]
    for i, version in enumerate(("2008", "2025", "2003")):
        category = f"Nace{version}"
        for row in NACE:
            code = row[i]
            labels[(category, code)] = list(row[3:6])
            if version != "2003" and row[0] in NACE_WITH_DETAIL:
                detail = [f"{t} (détail)" for t in row[3:4]] + [f"{t} (detail)" for t in row[4:6]]
                labels[(category, code + DETAIL_SUFFIX)] = detail
            labels[(category, code[:4])] = [
                f"Classe {code[:2]}.{code[2:4]}",
                f"Klasse {code[:2]}.{code[2:4]}",
                f"Klasse {code[:2]}.{code[2:4]}",
            ]
            labels[(category, code[:3])] = [
                f"Groupe {code[:2]}.{code[2]}",
                f"Groep {code[:2]}.{code[2]}",
                f"Gruppe {code[:2]}.{code[2]}",
            ]
            labels[(category, code[:2])] = [
                f"Division {code[:2]}",
                f"Afdeling {code[:2]}",
                f"Abteilung {code[:2]}",
            ]
            section = _nace_section(version, code)
            labels[(category, section)] = [
                f"Section {section}",
                f"Sectie {section}",
                f"Abschnitt {section}",
            ]
    rows = []
    for (category, code), texts in sorted(labels.items()):
        for language, text in zip(("DE", "FR", "NL"), (texts[2], texts[0], texts[1]), strict=True):
            rows.append([category, code, language, text])
    return rows


def _progress_printer(total_enterprises):
    if total_enterprises < 200_000:
        return None

    def show(table, part, done, size):
        if done == size or done % (10 * CHUNK) == 0:
            print(f"  {table} [{part}] {done:,}/{size:,}", file=sys.stderr, flush=True)

    return show


def generate_full(
    path,
    enterprises=1000,
    seed=1,
    extract_number=147,
    snapshot_date=date(2025, 10, 11),
    bom=False,
    crlf=False,
    code_csv_path=None,
    stored=False,
    as_folder=False,
):
    """Write a full extract and return its path.

    ``path`` may be a folder (existing, or ending in ``/``): the official file name is then
    used inside it. ``as_folder`` writes the CSV files into a folder instead of a ZIP."""
    path = Path(path)
    name = extract_file_name(extract_number, snapshot_date, "Full")
    if path.is_dir() or str(path).endswith("/") or path.suffix == "":
        path = path / (name[:-4] if as_folder else name)
    eol = b"\r\n" if crlf else b"\n"
    stamp = extract_timestamp(seed, snapshot_date)
    pop = make_population(np.random.default_rng([seed, 0]), enterprises, snapshot_date)
    maker = ContactMaker(seed, enterprises)
    progress = _progress_printer(enterprises)
    sink = ExtractWriter(path, as_folder, stored, stamp)
    try:
        write_small_table(
            sink,
            "meta.csv",
            "meta",
            HEADERS["meta"],
            meta_rows(snapshot_date, stamp, "full", extract_number),
            bom,
            eol,
        )
        if code_csv_path:
            with sink.open("code.csv") as f:
                f.write(Path(code_csv_path).read_bytes())
        else:
            write_small_table(
                sink, "code.csv", "code", HEADERS["code"], synthetic_code_rows(), bom, eol
            )
        for table in DATA_TABLES:
            with sink.open(f"{table}.csv") as f:
                f.write((BOM if bom else b"") + header_line(table, eol))
                for block in population_rows(pop, table, seed, eol, maker, progress):
                    f.write(block)
    finally:
        sink.close()
    return path
