"""The population a synthetic full is written from: enterprises, establishments and
branches drawn at random as numpy columns, with the vocabulary encoded once as
escaped byte arrays (stacked per tongue where a name depends on the language)."""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .extract_format import days_since_epoch, escaped_array, numbers_with_check
from .vocabulary import (
    BRUSSELS_STREETS,
    COINED,
    CONNECTOR,
    FAMILY,
    FIRST,
    FOREIGN_FORM,
    FORMS,
    MUNICIPALITIES,
    NACE,
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


MUNI_ZIP_BYTES = escaped_array([row[0] for row in MUNICIPALITIES])
MUNI_NL_BYTES = escaped_array([row[1] for row in MUNICIPALITIES])
MUNI_FR_BYTES = escaped_array([row[2] for row in MUNICIPALITIES])
MUNI_REGION = np.array(["BWVD".index(row[3]) for row in MUNICIPALITIES])
MUNI_WEIGHT = np.array([row[4] for row in MUNICIPALITIES], dtype=float)
STREET_NL_BYTES, STREET_OFFSETS, STREET_COUNTS = _stacked_by_tongue(
    [[pair[0] for pair in BRUSSELS_STREETS], STREETS["W"], STREETS["V"], STREETS["D"]]
)
STREET_FR_BYTES = escaped_array(
    [pair[1] for pair in BRUSSELS_STREETS] + STREETS["W"] + STREETS["V"] + STREETS["D"]
)
FAMILY_BYTES, FAMILY_OFFSETS, FAMILY_COUNTS = _stacked_by_tongue([FAMILY[t] for t in TONGUES])
FIRST_BYTES, FIRST_OFFSETS, FIRST_COUNTS = _stacked_by_tongue([FIRST[t] for t in TONGUES])
SECTOR_BYTES, SECTOR_OFFSETS, SECTOR_COUNTS = _stacked_by_tongue([SECTOR[t] for t in TONGUES])
CONNECTOR_BYTES, CONNECTOR_OFFSETS, CONNECTOR_COUNTS = _stacked_by_tongue(
    [CONNECTOR[t] for t in TONGUES]
)
COINED_BYTES = escaped_array(COINED)
SUFFIX_BYTES = escaped_array(SUFFIX)
FORM_CODE_BYTES = escaped_array([row[0] for row in FORMS])
FORM_CAC_BYTES = escaped_array([row[5] or "" for row in FORMS])
SITUATION_BYTES = escaped_array([row[0] for row in SITUATIONS])
HOUSE_BYTES = escaped_array([str(i) for i in range(1, 301)])
HOUSE_ODD_BYTES = escaped_array(["12A", "3-5", "SN", "1B", "27bis", "0", "2-4", "Z/N"])
BOX_BYTES = escaped_array(["", "1", "2", "3", "A", "B", "0.1", "b001", "bus 3"])
EXTRA_BYTES = escaped_array(
    ["", "Hôtel de Ville", "Zoning industriel", "Bâtiment B", "Résidence Les Pins"]
)
NACE_BYTES = {
    v: escaped_array([row[i] for row in NACE]) for i, v in enumerate(("2008", "2025", "2003"))
}
NACE_WEIGHT = np.array([row[6] for row in NACE], dtype=float)
NACE_HAS_DETAIL = np.array([row[0] in NACE_WITH_DETAIL for row in NACE])
GROUP_BYTES = escaped_array([g[0] for g in OTHER_CODES["ActivityGroup"]])
LANG_DIGIT_BYTES = escaped_array(["0", "1", "2", "3", "4"])


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
    muni = weighted_choice(rng, MUNI_WEIGHT, n)
    ents["muni"] = muni
    region = MUNI_REGION[muni]
    tongue = np.array([0, 0, 1, 2])[region]
    tongue[(region == 0) & (rng.random(n) < 0.2)] = 1  # Dutch-speaking Brussels
    ents["tongue"] = tongue
    lang = tongue + 1
    lang[rng.random(n) < np.where(kind == 1, 0.3, 0.08)] = 0
    ents["lang"] = lang
    ents["pattern"] = rng.choice(5, n, p=[0.2, 0.2, 0.35, 0.15, 0.1])
    ents["name_draw"] = rng.integers(0, 1 << 30, n)
    ents["word_draw"] = rng.integers(0, 1 << 30, n)
    ents["first"] = FIRST_OFFSETS[tongue] + rng.integers(0, 1 << 30, n) % FIRST_COUNTS[tongue]
    ents["family"] = FAMILY_OFFSETS[tongue] + rng.integers(0, 1 << 30, n) % FAMILY_COUNTS[tongue]
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
        rng.random(total) < 0.7, muni[parent], weighted_choice(rng, MUNI_WEIGHT, total)
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
    branches["muni"] = weighted_choice(rng, MUNI_WEIGHT, n_branch)
    branches["contacts"] = (rng.random(n_branch) < 0.1).astype(np.int64)
    return Population(snap, ents, ests, branches)


def slice_columns(part, span):
    return {k: v[span] for k, v in part.items()}


def _tongue_pick(values, offsets, lengths, tongue, draw):
    """A word of the entity's tongue, picked by a random ``draw``."""
    return values[offsets[tongue] + draw % lengths[tongue]]


def _legal_names(ents, idx):
    """Escaped enterprise names for rows ``idx`` of ``ents`` (composed, not quoted)."""
    tongue, name_draw, word_draw, pattern = (
        ents["tongue"][idx],
        ents["name_draw"][idx],
        ents["word_draw"][idx],
        ents["pattern"][idx],
    )
    family = FAMILY_BYTES[ents["family"][idx]]
    sector = _tongue_pick(SECTOR_BYTES, SECTOR_OFFSETS, SECTOR_COUNTS, tongue, word_draw)
    coined = COINED_BYTES[name_draw % len(COINED_BYTES)]
    add = np.strings.add
    choices = [
        add(
            family,
            _tongue_pick(CONNECTOR_BYTES, CONNECTOR_OFFSETS, CONNECTOR_COUNTS, tongue, name_draw),
        ),
        add(add(sector, b" "), family),
        add(add(coined, b" "), SUFFIX_BYTES[word_draw % len(SUFFIX_BYTES)]),
        np.strings.upper(coined),
        add(add(add(sector, b' ""'), coined), b'""'),
    ]
    out = choices[0]
    for i in range(1, len(choices)):
        out = np.where(pattern == i, choices[i], out)
    return out


def entity_names(ents, idx):
    person = np.strings.add(
        np.strings.add(FAMILY_BYTES[ents["family"][idx]], b", "), FIRST_BYTES[ents["first"][idx]]
    )
    return np.where(ents["type"][idx] == 1, person, _legal_names(ents, idx))


def commercial_names(tongue, draw):
    sector = _tongue_pick(SECTOR_BYTES, SECTOR_OFFSETS, SECTOR_COUNTS, tongue, draw >> 7)
    return np.strings.add(np.strings.add(sector, b" "), COINED_BYTES[draw % len(COINED_BYTES)])
