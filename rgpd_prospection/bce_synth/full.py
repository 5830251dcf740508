"""Full extracts: a population of enterprises, establishments and branches drawn at random,
written table by table in key order.

Rows are assembled with numpy byte matrices, chunk by chunk, so a national-size full
(1.94 M enterprises, 36 M activity rows) fits in minutes and bounded memory.
"""

import sys
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
    enterprise_spelling,
    escape_csv,
    escaped_array,
    extract_file_name,
    extract_timestamp,
    format_row,
    header_line,
    render,
    unit_spelling,
    write_meta,
    write_small_table,
)
from .population import (
    BOX_BYTES,
    EXTRA_BYTES,
    FORM_CAC_BYTES,
    FORM_CODE_BYTES,
    GROUP_BYTES,
    HOUSE_BYTES,
    HOUSE_ODD_BYTES,
    LANG_DIGIT_BYTES,
    MUNI_FR_BYTES,
    MUNI_NL_BYTES,
    MUNI_REGION,
    MUNI_ZIP_BYTES,
    NACE_BYTES,
    NACE_HAS_DETAIL,
    NACE_WEIGHT,
    SITUATION_BYTES,
    STREET_COUNTS,
    STREET_FR_BYTES,
    STREET_NL_BYTES,
    STREET_OFFSETS,
    commercial_names,
    entity_names,
    make_population,
    slice_columns,
    weighted_choice,
)
from .vocabulary import (
    DETAIL_SUFFIX,
    FOREIGN,
    FORMS,
    NACE,
    NACE_SECTIONS,
    NACE_WITH_DETAIL,
    OTHER_CODES,
    SITUATIONS,
)

# --- per-table row writers -------------------------------------------------------------------
# Each takes the population, a part ("ent", "est", "br"), a slice and a generator, and returns
# CSV bytes for those entities, in key order.


def _rows_enterprise(pop, part, span, rng, eol):
    ents = slice_columns(pop.ent, span)
    form = ents["form"]
    no_form = form < 0
    cac_null = no_form | ~ents["cac"]
    safe = np.maximum(form, 0)
    return render(
        [
            Quoted(enterprise_spelling(ents["num"])),
            b'"AC"',
            Quoted(SITUATION_BYTES[ents["situation"]]),
            Quoted(LANG_DIGIT_BYTES[ents["type"]]),
            Quoted(np.where(no_form, b"", FORM_CODE_BYTES[safe]), no_form),
            Quoted(np.where(cac_null, b"", FORM_CAC_BYTES[safe]), cac_null),
            date_spelling(ents["start"]),
        ],
        eol,
    )


def _rows_unit(pop, part, span, rng, eol):
    units = slice_columns(getattr(pop, part), span)
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
        lang, tongue, names = ents["lang"][idx], ents["tongue"][idx], entity_names(ents, idx)
        blocks, owners = [], []

        def block(mask, lang_codes, kind, texts):
            pos = np.flatnonzero(mask)
            blocks.append(
                [
                    Quoted(keys[pos]),
                    Quoted(LANG_DIGIT_BYTES[lang_codes[pos]]),
                    kind,
                    Quoted(texts[pos]),
                ]
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
            commercial_names(tongue, ents["word_draw"][idx]),
        )
        return render(_interleave(blocks, owners), eol)
    if part == "est":
        ests = slice_columns(pop.est, span)
        pos = np.flatnonzero(ests["commercial"])
        return render(
            [
                Quoted(unit_spelling(ests["num"][pos])),
                Quoted(LANG_DIGIT_BYTES[ests["lang"][pos]]),
                b'"003"',
                Quoted(commercial_names(ests["tongue"][pos], ests["name_draw"][pos])),
            ],
            eol,
        )
    branches = slice_columns(pop.br, span)
    names = np.strings.add(entity_names(ents, branches["parent"]), b" - Belgian Branch")
    return render(
        [Quoted(unit_spelling(branches["num"])), b'"4"', b'"004"', Quoted(names)],
        eol,
    )


def _belgian_address(rng, muni):
    n = len(muni)
    region = MUNI_REGION[muni]
    street_i = STREET_OFFSETS[region] + rng.integers(0, 1 << 30, n) % STREET_COUNTS[region]
    house = HOUSE_BYTES[np.minimum(rng.geometric(0.03, n), len(HOUSE_BYTES)) - 1]
    odd = rng.random(n)
    house = np.where(odd < 0.03, HOUSE_ODD_BYTES[rng.integers(0, len(HOUSE_ODD_BYTES), n)], house)
    house = np.where(odd > 0.98, b"", house)
    box = np.where(rng.random(n) < 0.85, b"", BOX_BYTES[rng.integers(1, len(BOX_BYTES), n)])
    extra = np.where(rng.random(n) < 0.98, b"", EXTRA_BYTES[rng.integers(1, len(EXTRA_BYTES), n)])
    return {
        "CountryNL": np.full(n, b""),
        "CountryFR": np.full(n, b""),
        "Zipcode": MUNI_ZIP_BYTES[muni],
        "MunicipalityNL": MUNI_NL_BYTES[muni],
        "MunicipalityFR": MUNI_FR_BYTES[muni],
        "StreetNL": STREET_NL_BYTES[street_i],
        "StreetFR": STREET_FR_BYTES[street_i],
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
        "HouseNumber": HOUSE_BYTES[rng.integers(0, 200, n)],
        "Box": np.full(n, b""),
        "ExtraAddressInfo": np.full(n, b""),
    }


def _rows_address(pop, part, span, rng, eol):
    if part == "ent":
        ents = slice_columns(pop.ent, span)
        pos = np.flatnonzero(ents["rego"])
        keys, kind, muni, start = (
            enterprise_spelling(ents["num"][pos]),
            b'"REGO"',
            ents["muni"][pos],
            ents["start"][pos],
        )
        abroad = ents["abroad"][pos]
    else:
        units = slice_columns(getattr(pop, part), span)
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
        units = slice_columns(getattr(pop, part), span)
        counts, keys, owner = units["contacts"], unit_spelling(units["num"]), units["parent"]
        who = "EST" if part == "est" else "BRA"
    pos = np.flatnonzero(counts)
    if not len(pos):
        return b""
    names = entity_names(ents, owner[pos])
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
        units = slice_columns(pop.ent, span)
        keys, mean, groups = (
            enterprise_spelling(units["num"]),
            5.0,
            [0.7, 0.01, 0.1, 0.01, 0.02, 0.15, 0.01],
        )
    else:
        units = slice_columns(pop.est, span)
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
    detail = (rng.random(n_rows) < 0.2) & NACE_HAS_DETAIL[nace]
    # n_rows full holds no duplicate rows: keep the first of identical activities of an entity
    identity = ((owner * 8 + group_i) * 256 + nace) * 2 + (classification == b'"SECO"')
    _, firsts = np.unique(identity, return_index=True)
    keep_rows = np.sort(firsts)
    owner, classification = owner[keep_rows], classification[keep_rows]
    group, nace, detail = GROUP_BYTES[group_i[keep_rows]], nace[keep_rows], detail[keep_rows]
    n_rows = len(owner)
    blocks, owners = [], []
    for version, keep in (("2008", None), ("2025", None), ("2003", rng.random(n_rows) < 0.15)):
        code = NACE_BYTES[version][nace]
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
            sys.stderr.write(f"  {table} [{part}] {done:,}/{size:,}\n")
            sys.stderr.flush()

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
        write_meta(sink, snapshot_date, stamp, "full", extract_number, bom, eol)
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
