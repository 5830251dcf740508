"""Choosing the legal persons of a perimeter and building their ``Company`` records,
batch by batch, with the data flagged or shared handled as the configuration says."""

import dataclasses
import re
import unicodedata
from collections import namedtuple

import numpy as np
import pandas as pd

from . import reasons
from .emails import GENERIC_WORDS, PARTICLES
from .emails import first_names as known_first_names
from .frames import (
    category_values,
    first_per_entity,
    group_bounds,
    in_sorted,
    is_member,
    rows_for,
    run_starts,
)
from .language import company_language, postal_code_number, region_language
from .model import Company
from .numbers import normalize_enterprise_number
from .reading import CLASSIFICATIONS

NAME_LANGUAGES = {0: None, 1: "fr", 2: "nl", 3: "de", 4: "en"}
LANGUAGE_CODES = {language: code for code, language in NAME_LANGUAGES.items()}
# Fallback order of name languages after the preferred one and the region's.
NAME_FALLBACK = (1, 2, 3, 4, 0)

# Forms a single founder can hold, under which a company is often named after him:
# SRL/BV, the former SPRL/BVBA and SPRLU/EBVBA, their social-purpose variants, and
# the limited partnerships (named after the active partner).
ONE_PERSON_FORMS = frozenset({"010", "015", "510", "515", "610", "012", "612"})
LEGAL_FORM_WORDS = frozenset(
    ("bv", "bvba", "ebvba", "srl", "sprl", "sprlu", "comm", "commv", "v", "scomm", "scs")
    + ("gcv", "cv", "nv", "sa")
)
_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return text.encode("ascii", "ignore").decode()


def is_personal_name(name, juridical_form=None, juridical_form_cac=None):
    """A one-person company named after a natural person: under a form of
    ``ONE_PERSON_FORMS``, the name without its legal form is two or three words
    (particles such as ``van den`` aside), none a generic business word, one a known
    first name (the frozen lists of the e-mail classifier, read the same way)."""
    if not name or not {juridical_form, juridical_form_cac} & ONE_PERSON_FORMS:
        return False
    if _DIGIT.search(name):
        return False
    words = [
        word
        for word in _WORD.findall(_fold(name))
        if word not in LEGAL_FORM_WORDS and word not in PARTICLES
    ]
    if not 2 <= len(words) <= 3 or any(len(word) < 2 or word in GENERIC_WORDS for word in words):
        return False
    first_names = known_first_names()
    return any(word in first_names for word in words)


def _seat_postal_numbers(state, numbers):
    """Belgian postal code (int, 0 if none) of each enterprise of ``numbers``
    (sorted): the seat is an entity's first address row. Searched in the sorted
    rows, no hash table of the country's numbers."""
    addresses = state.addresses
    entities = addresses["entity"].to_numpy()
    if not len(entities):
        return np.zeros(len(numbers), dtype=np.int64)
    seats = run_starts(entities)
    codes = addresses["postal_code"].cat.codes.to_numpy()[seats]
    categories = addresses["postal_code"].cat.categories
    postal = np.array([postal_code_number(code) or 0 for code in categories] + [0], np.int64)
    postal = np.where(addresses["abroad"].to_numpy()[seats], 0, postal[codes])
    entities = entities[seats]
    positions = np.minimum(np.searchsorted(entities, numbers), len(entities) - 1)
    return np.where(entities[positions] == numbers, postal[positions], 0)


def _isin_numbers(numbers, texts):
    return np.isin(numbers, np.asarray([int(number) for number in texts], dtype=np.int64))


def select(state, perimeter, drops, only=None):
    """Enterprise numbers (int64, sorted) of the legal persons inside ``perimeter``."""
    enterprises = state.enterprises
    numbers = enterprises["bce"].to_numpy()
    mask = np.ones(len(numbers), dtype=bool)
    if only is not None:
        wanted = [int(normalize_enterprise_number(number)) for number in only]
        mask &= np.isin(numbers, np.asarray(wanted, dtype=np.int64))
    excluded = np.asarray([int(number) for number in perimeter.excluded], dtype=np.int64)
    blacklisted = mask & np.isin(numbers, excluded)
    erased = blacklisted & _isin_numbers(numbers, perimeter.erased)
    expired = blacklisted & ~erased & _isin_numbers(numbers, perimeter.expired)
    drops[reasons.ERASED] += int(erased.sum())
    drops[reasons.EXPIRED] += int(expired.sum())
    drops[reasons.BLACKLISTED] += int((blacklisted & ~erased & ~expired).sum())
    mask &= ~blacklisted
    inside = perimeter.postal_mask(_seat_postal_numbers(state, numbers))
    if perimeter.forms_in or perimeter.forms_out:
        forms = category_values(enterprises["juridical_form"], lambda code: code)
        forms_cac = category_values(enterprises["juridical_form_cac"], lambda code: code)
        inside &= np.fromiter(
            map(perimeter.form_matches, forms, forms_cac), dtype=bool, count=len(numbers)
        )
    if perimeter.nace_prefixes:
        activities = state.activities
        matching = category_values(activities["code"], perimeter.nace_matches, bool, False)
        rows = activities["entity"].to_numpy()[matching]
        holders = state.owners(rows)
        inside &= np.isin(numbers, holders[holders >= 0])
    drops[reasons.OUTSIDE_PERIMETER] += int((mask & ~inside).sum())
    return np.sort(numbers[mask & inside])


def _rows_of(state, table, entities):
    frame = getattr(state, table)
    frame = frame.take(rows_for(frame["entity"].to_numpy(), entities))
    return frame.assign(owner=state.owners(frame["entity"].to_numpy()))


def _shared_values(state, values, limit):
    """Values among ``values`` (``None``: all) held by more than ``limit``
    enterprises."""
    contacts = state.contacts
    rows = contacts if values is None else contacts[contacts["value"].isin(values).to_numpy()]
    holders = pd.DataFrame(
        {"value": rows["value"].to_numpy(dtype=object), "owner": state.owners(rows["entity"])}
    ).drop_duplicates()
    counts = holders["value"].value_counts()
    return set(counts.index[counts > limit])


BUILD_BATCH = 20_000
# A ``Company`` as a named tuple, its fields in the same order: made several
# times faster than the frozen dataclass, for a caller that reads each once
# (the preparation of a million contacts).
CompanyRow = namedtuple("CompanyRow", [field.name for field in dataclasses.fields(Company)])


def build_companies(state, numbers, config, drops):
    """``Company`` records of the enterprises ``numbers`` (int64, sorted) present in
    ``state``; flagged or shared data handled as ``config`` says, drops counted.
    Built by batches, so that listing the whole country stays in bounded memory."""
    return (Company(*row) for row in build_company_rows(state, numbers, config, drops))


def build_company_rows(state, numbers, config, drops):
    """``build_companies`` as ``CompanyRow`` tuples, the same values."""
    known = state.enterprises["bce"].to_numpy()
    numbers = np.asarray(numbers, dtype=np.int64)
    numbers = numbers[in_sorted(numbers, known)]
    lookups = _Lookups(state, config) if len(numbers) > BUILD_BATCH else None
    for start in range(0, len(numbers), BUILD_BATCH):
        yield from _build_batch(state, numbers[start : start + BUILD_BATCH], config, drops, lookups)


class _Lookups:
    """What each batch would otherwise look up in the whole state (the units
    of its enterprises, the contact values held by too many), looked up once
    for all the batches of a long list: a national step builds five batches,
    each of which scanned every unit and contact of the register."""

    def __init__(self, state, config):
        order = np.argsort(state.units["bce"].to_numpy(), kind="stable")
        self.unit_owners = state.units["bce"].to_numpy()[order]
        self.units = state.units["unit"].to_numpy()[order]
        self.shared = _shared_values(state, None, config.max_shared_contacts)

    def units_of(self, numbers):
        return self.units[rows_for(self.unit_owners, numbers)]


def _nace_rows(activities):
    """Positions of the activity rows to give, in order: one per (owner, version,
    code) with its strongest classification; MAIN first, then 2025 before 2008,
    then by code."""
    owners = activities["owner"].to_numpy()
    versions = activities["version"].to_numpy().astype(np.int64)
    ranks = activities["classification"].to_numpy()
    codes = activities["code"]
    lexical = np.argsort(np.argsort(np.asarray(codes.cat.categories, dtype=object)))
    code_ranks = lexical[codes.cat.codes.to_numpy()] if len(lexical) else codes.cat.codes
    code_ranks = np.asarray(code_ranks, dtype=np.int64)
    later = versions.max(initial=0) - versions  # 2025 before 2008
    order = _sorted_order((owners, later, code_ranks, ranks))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (
        (owners[order][1:] != owners[order][:-1])
        | (versions[order][1:] != versions[order][:-1])
        | (code_ranks[order][1:] != code_ranks[order][:-1])
    )
    rows = order[first]
    return rows[_sorted_order((owners[rows], ranks[rows], later[rows], code_ranks[rows]))]


def _sorted_order(keys):
    """``np.lexsort`` of ``keys`` (the first the most significant), by one
    stable sort of the keys packed in an int64 when they fit: several times
    faster on the million activity rows of a batch."""
    keys = [np.asarray(key, dtype=np.int64) for key in keys]
    if not len(keys[0]):
        return np.empty(0, dtype=np.intp)
    lows = [int(key.min()) for key in keys]
    bits = [int(key.max()) - low for key, low in zip(keys, lows, strict=True)]
    bits = [value.bit_length() for value in bits]
    if sum(bits) > 62:
        return np.lexsort(keys[::-1])
    packed = np.zeros(len(keys[0]), dtype=np.int64)
    for key, low, width in zip(keys, lows, bits, strict=True):
        packed = (packed << width) | (key - low)
    return np.argsort(packed, kind="stable")


def _build_batch(state, numbers, config, drops, lookups=None):
    batch = _Batch(state, numbers, config, drops, lookups)
    return (row for row in map(batch.row, range(len(numbers))) if row is not None)


class _Batch:
    """The rows of a batch of enterprises gathered column by column (a few numpy
    operations for all of them), then one ``CompanyRow`` per enterprise."""

    def __init__(self, state, numbers, config, drops, lookups=None):
        self.numbers, self.config, self.drops, self.meta = numbers, config, drops, state.meta
        self.lookups = lookups
        if lookups:
            units = lookups.units_of(numbers)
        else:
            units = state.units[is_member(state.units["bce"].to_numpy(), pd.Index(numbers))]
            units = units["unit"].to_numpy()
        entities = np.union1d(numbers, units)
        known = state.enterprises["bce"].to_numpy()
        enterprises = state.enterprises.take(np.searchsorted(known, numbers))
        self.forms = _texts(enterprises["juridical_form"])
        self.forms_cac = _texts(enterprises["juridical_form_cac"])
        self.start_dates = (
            enterprises["start_date"].to_numpy().astype("datetime64[D]").astype(object).tolist()
        )
        # Python lists and ints: read once per company, numpy scalars cost more
        self.number_texts = [f"{number:010d}" for number in numbers.tolist()]
        self.preferred = LANGUAGE_CODES[config.preferred_name_language]
        self._gather_seats(state, entities)
        self._gather_names(state, entities)
        self._gather_contacts(state, entities)
        self._gather_activities(state, entities)

    def _gather_seats(self, state, entities):
        seats = first_per_entity(_rows_of(state, "addresses", entities))
        self.seat_position = pd.Index(seats["entity"].to_numpy()).get_indexer(self.numbers).tolist()
        self.seat_postal = _texts(seats["postal_code"])
        self.seat_fr = _texts(seats["municipality_fr"])
        self.seat_nl = _texts(seats["municipality_nl"])
        self.seat_abroad = seats["abroad"].to_numpy().tolist()

    def _gather_names(self, state, entities):
        names = _rows_of(state, "names", entities).sort_values(["owner"], kind="stable")
        self.name_bounds = _bounds(names["owner"].to_numpy(), self.numbers)
        self.name_languages = names["language"].to_numpy().tolist()
        self.name_texts = names["name"].to_numpy(dtype=object).tolist()

    def _gather_contacts(self, state, entities):
        contacts = _rows_of(state, "contacts", entities).sort_values(
            ["owner", "kind", "value"], kind="stable"
        )
        contacts = contacts.drop_duplicates(["owner", "kind", "value"])
        if self.lookups:
            self.shared = self.lookups.shared
        else:
            self.shared = _shared_values(
                state, contacts["value"].to_numpy(dtype=object), self.config.max_shared_contacts
            )
        self.contact_bounds = _bounds(contacts["owner"].to_numpy(), self.numbers)
        self.contact_kinds = contacts["kind"].astype(object).to_numpy().tolist()
        self.contact_values = contacts["value"].to_numpy(dtype=object).tolist()
        self.contact_mobile = contacts["mobile"].to_numpy().tolist()

    def _gather_activities(self, state, entities):
        activities = _rows_of(state, "activities", entities)
        activities = activities.take(_nace_rows(activities))
        self.activity_bounds = _bounds(activities["owner"].to_numpy(), self.numbers)
        self.nace = _nace_tuples(activities)

    def _seat(self, index):
        """Postal code and municipalities of the Belgian seat (``None`` abroad)."""
        position = self.seat_position[index]
        if position < 0 or self.seat_abroad[position]:
            return None, None, None
        if not self.config.keep_municipality:
            return self.seat_postal[position], None, None
        return self.seat_postal[position], self.seat_fr[position], self.seat_nl[position]

    def _contacts(self, index, flags):
        """E-mails and phones given; shared values and, if flagged data is dropped,
        mobile phones counted as dropped."""
        start, end = self.contact_bounds[0][index], self.contact_bounds[1][index]
        if start == end:
            return (), ()
        emails, phones = [], []
        for row in range(start, end):
            value, mobile = self.contact_values[row], self.contact_mobile[row]
            if value in self.shared:
                self.drops[reasons.SHARED_CONTACT] += 1
            elif self.contact_kinds[row] == "EMAIL":
                emails.append(value)
            elif mobile and self.config.drop_flagged:
                self.drops[reasons.MOBILE_PHONE] += 1
            else:
                if mobile:
                    flags.append(reasons.MOBILE_PHONE)
                phones.append(value)
        return tuple(emails), tuple(phones)

    def row(self, index):
        """The ``CompanyRow`` of the batch's ``index``-th enterprise, ``None`` if dropped."""
        config = self.config
        postal, municipality_fr, municipality_nl = self._seat(index)
        start, end = self.name_bounds[0][index], self.name_bounds[1][index]
        name, name_language = _choose_name(
            self.name_languages[start:end],
            self.name_texts[start:end],
            self.preferred,
            region_language(postal),
        )
        flags = []
        form, form_cac = self.forms[index], self.forms_cac[index]
        # the form first: most companies are not under a one-person form
        one_person = form in ONE_PERSON_FORMS or form_cac in ONE_PERSON_FORMS
        if one_person and is_personal_name(name, form, form_cac):
            if config.drop_flagged:
                self.drops[reasons.PERSONAL_NAME] += 1
                return None
            flags.append(reasons.PERSONAL_NAME)
        emails, phones = self._contacts(index, flags)
        start, end = self.activity_bounds[0][index], self.activity_bounds[1][index]
        return CompanyRow(
            bce_number=self.number_texts[index],
            name=name,
            name_language=name_language,
            juridical_form=form,
            juridical_form_cac=form_cac,
            start_date=self.start_dates[index],
            postal_code=postal,
            municipality_fr=municipality_fr,
            municipality_nl=municipality_nl,
            emails=emails,
            phones=phones,
            language=company_language(postal, name_language, config.preferred_name_language),
            nace_codes=tuple(self.nace[start:end]),
            flags=tuple(sorted(set(flags))) if flags else (),
            extract_number=self.meta.extract_number,
            snapshot_date=self.meta.snapshot_date,
        )


def _bounds(owners, numbers):
    """``group_bounds`` as two lists of ints."""
    starts, ends = group_bounds(owners, numbers)
    return starts.tolist(), ends.tolist()


def _nace_tuples(activities):
    """The (version, code, classification) of each activity row, one tuple
    made per distinct triple and shared by its rows."""
    later = activities["version"].to_numpy() == 2025
    codes = activities["code"]
    categories = np.append(np.asarray(codes.cat.categories, dtype=object), np.nan)
    code_ids = codes.cat.codes.to_numpy().astype(np.int64)  # -1 (NULL): the last, NaN
    code_ids[code_ids < 0] = len(categories) - 1
    classes = activities["classification"].to_numpy().astype(np.int64)
    keys = (later * len(categories) + code_ids) * len(CLASSIFICATIONS) + classes
    # the keys are small: counted in an array of them rather than sorted
    present = np.zeros(2 * len(categories) * len(CLASSIFICATIONS), dtype=bool)
    present[keys] = True
    distinct = np.flatnonzero(present)
    positions = (np.cumsum(present) - 1)[keys]
    triples = np.empty(len(distinct), dtype=object)
    for index, key in enumerate(distinct.tolist()):  # one by one: a tuple is an item
        triples[index] = (
            "2025" if key // len(CLASSIFICATIONS) >= len(categories) else "2008",
            categories[key // len(CLASSIFICATIONS) % len(categories)],
            CLASSIFICATIONS[key % len(CLASSIFICATIONS)],
        )
    return triples[positions].tolist()


def _texts(column):
    """A categorical column as a list of texts, ``None`` for NULL."""
    categories = np.asarray(column.cat.categories, dtype=object)
    texts = np.append(categories, None)  # code -1 (NULL) takes the last item
    return texts[column.cat.codes.to_numpy()].tolist()


def _choose_name(languages, texts, preferred, region):
    """Type-001 name: in the preferred language, else the region's, else French,
    Dutch, German, English, unknown."""
    if len(texts) < 2:
        return (texts[0], NAME_LANGUAGES[languages[0]]) if len(texts) else (None, None)
    order = [preferred]
    if region:
        order.append(LANGUAGE_CODES[region])
    order += NAME_FALLBACK
    best = min(range(len(texts)), key=lambda i: (order.index(languages[i]), texts[i]))
    return texts[best], NAME_LANGUAGES[languages[best]]
