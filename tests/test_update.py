"""Update extracts: delete every row of each listed key, then insert; what changed
per enterprise; nothing kept of an entity not shown to be a legal person."""

import dataclasses
from collections import Counter
from datetime import date

import bce_synth
import pytest
from bce_engine import (
    BceFormatError,
    Company,
    EngineConfig,
    Perimeter,
    apply_update_extract,
    engine,
    read_full_extract,
)
from bce_engine.companies import build_companies
from test_reader import (
    address_row,
    digits,
    ent_row,
    enterprise,
    extract_files,
    make_extract,
    unit,
    write_zip,
)

A, B, C, D, E, NEW, PERSON = (enterprise(4000000 + i) for i in range(7))
SHOP = unit(30000001)
EVERYWHERE = Perimeter(postal_codes="1000-9999")


def all_companies(state, config=None):
    numbers = state.enterprises["bce"].sort_values().to_numpy()
    companies = build_companies(state, numbers, config or EngineConfig(), Counter())
    return {company.bce_number: company for company in companies}


@pytest.fixture
def base(tmp_path):
    tables = {
        "enterprise": [ent_row(n) for n in (A, B, C, D, E)] + [ent_row(PERSON, kind="1")],
        "denomination": [(n, "1", "001", f"Firm {n}") for n in (A, B, C, D, E)],
        "address": [address_row(n, "5000", "Namur", "Namen") for n in (A, B, C, D, E)],
        "contact": [
            (A, "ENT", "EMAIL", "info@a.be"),
            (B, "ENT", "EMAIL", "office@fidu.be"),
            (C, "ENT", "EMAIL", "office@fidu.be"),
            (D, "ENT", "EMAIL", "office@fidu.be"),
        ],
        "activity": [(n, "001", "2008", "62010", "MAIN") for n in (A, B, C, D, E)],
    }
    return read_full_extract(make_extract(tmp_path / "full.zip", tables))


def update(tmp_path, tables, **options):
    return make_extract(tmp_path / "update.zip", tables, update=True, **options)


def test_delete_then_insert_replaces_the_rows(base, tmp_path):
    path = update(
        tmp_path,
        {
            "contact_delete": [(A,)],
            "contact_insert": [(A, "ENT", "EMAIL", "sales@a.be"), (A, "ENT", "TEL", "081223344")],
        },
    )
    result = apply_update_extract(path, base.state)
    company = all_companies(result.state)[digits(A)]
    assert company.emails == ("sales@a.be",)
    assert company.phones == ("+3281223344",)
    assert result.updated == {digits(A)}
    assert result.created == result.stopped == set()
    assert result.state.meta.extract_number == 148
    assert company.extract_number == 148
    # the state given is left as it was
    assert all_companies(base.state)[digits(A)].emails == ("info@a.be",)


def test_deleted_and_not_reinserted_has_stopped(base, tmp_path):
    deletes = {f"{table}_delete": [(A,)] for table in ("denomination", "address", "contact")}
    path = update(tmp_path, {"enterprise_delete": [(A,)], **deletes})
    result = apply_update_extract(path, base.state)
    assert result.stopped == {digits(A)}
    assert digits(A) not in all_companies(result.state)
    # nothing of it is left, even rows the update did not list (its activity)
    assert int(digits(A)) not in set(result.state.activities["entity"].tolist())


def test_duplicate_insert_lines_are_tolerated(base, tmp_path):
    row = (A, "ENT", "EMAIL", "sales@a.be")
    enterprise_row = ent_row(A, form="014")
    path = update(
        tmp_path,
        {
            "enterprise_delete": [(A,)],
            "enterprise_insert": [enterprise_row, enterprise_row],
            "contact_delete": [(A,)],
            "contact_insert": [row, row],
        },
    )
    result = apply_update_extract(path, base.state)
    company = all_companies(result.state)[digits(A)]
    assert company.emails == ("sales@a.be",)
    assert company.juridical_form == "014"
    assert result.updated == {digits(A)}


def test_new_legal_person_is_created_with_its_rows(base, tmp_path):
    path = update(
        tmp_path,
        {
            "enterprise_insert": [ent_row(NEW)],
            "establishment_insert": [(SHOP, None, NEW)],
            "denomination_insert": [(NEW, "2", "001", "Nieuw")],
            "address_insert": [address_row(NEW, "9000", "Gand", "Gent")],
            "contact_insert": [(SHOP, "EST", "EMAIL", "winkel@nieuw.be")],
            "activity_insert": [(SHOP, "001", "2025", "47110", "MAIN")],
        },
    )
    result = apply_update_extract(path, base.state)
    assert result.created == {digits(NEW)}
    company = next(iter(result.companies(EVERYWHERE)))
    assert (company.name, company.language, company.emails) == ("Nieuw", "nl", ("winkel@nieuw.be",))
    assert company.nace_codes == (("2025", "47110", "MAIN"),)


def test_rows_of_an_entity_not_shown_to_be_a_legal_person_are_dropped(base, tmp_path):
    path = update(
        tmp_path,
        {
            "contact_insert": [
                (PERSON, "ENT", "EMAIL", "info@person.be"),
                (NEW, "ENT", "EMAIL", "info@new.be"),
            ],
            "denomination_insert": [(PERSON, "1", "001", "Jean Dupont")],
            "establishment_insert": [(SHOP, None, PERSON)],
        },
    )
    result = apply_update_extract(path, base.state)
    assert result.drops["not_legal_person"] == 4
    values = set(result.state.contacts["value"].tolist())
    assert not {"info@person.be", "info@new.be"} & values
    assert "Jean Dupont" not in result.state.names["name"].tolist()
    assert len(result.state.units) == 0
    assert result.created == result.updated == result.stopped == set()


def test_a_legal_person_becoming_a_natural_person_stops(base, tmp_path):
    path = update(
        tmp_path, {"enterprise_delete": [(E,)], "enterprise_insert": [ent_row(E, kind="1")]}
    )
    result = apply_update_extract(path, base.state)
    assert result.stopped == {digits(E)}
    assert result.drops["natural_person"] == 1
    assert int(digits(E)) not in set(result.state.names["entity"].tolist())


def test_sharing_is_counted_against_the_state(base, tmp_path):
    # office@fidu.be is held by B, C and D; a fourth holder makes it shared for all
    path = update(
        tmp_path,
        {"contact_delete": [(E,)], "contact_insert": [(E, "ENT", "EMAIL", "office@fidu.be")]},
    )
    result = apply_update_extract(path, base.state)
    companies = all_companies(result.state)
    assert all(not companies[digits(n)].emails for n in (B, C, D, E))
    assert result.updated == {digits(n) for n in (B, C, D)}
    assert result.drops["shared_contact"] == 0
    drops = Counter()
    changed = list(result.companies(EVERYWHERE, drops=drops))
    assert {company.bce_number for company in changed} == result.updated
    assert drops["shared_contact"] == 3  # one shared address left out of each


def test_update_companies_respects_perimeter_and_blacklist(base, tmp_path):
    path = update(
        tmp_path,
        {
            "address_delete": [(A,), (B,)],
            "address_insert": [address_row(A, "9000", "Gand", "Gent"), address_row(B, "1000")],
        },
    )
    result = apply_update_extract(path, base.state)
    assert result.updated == {digits(A), digits(B)}
    perimeter = Perimeter(postal_codes="9000-9999,1000", excluded=[B])
    selection = result.select(perimeter)
    assert selection.numbers == [digits(A)]
    assert [company.bce_number for company in result.companies(perimeter)] == [digits(A)]
    assert selection.drops["blacklisted"] == 1


def test_gap_in_extract_numbers_is_refused(base, tmp_path):
    path = update(tmp_path, {}, meta={"ExtractNumber": "150"})
    with pytest.raises(BceFormatError, match="gap"):
        apply_update_extract(path, base.state)


def test_full_given_as_update_is_refused(base, tmp_path):
    with pytest.raises(BceFormatError, match="full extract"):
        apply_update_extract(make_extract(tmp_path / "f.zip", {}), base.state)


def test_missing_update_file_is_named(base, tmp_path):
    files = extract_files({}, update=True)
    del files["address_insert.csv"]
    with pytest.raises(BceFormatError, match="address_insert.csv"):
        apply_update_extract(write_zip(tmp_path / "u.zip", files), base.state)


def test_bad_delete_key_names_line_and_column(base, tmp_path):
    files = extract_files({"contact_delete": [(A,)]}, update=True)
    files["contact_delete.csv"] += '"0200.065.766"\n'
    with pytest.raises(BceFormatError) as error:
        apply_update_extract(write_zip(tmp_path / "u.zip", files), base.state)
    assert (error.value.file, error.value.line, error.value.column) == (
        "contact_delete.csv",
        3,
        "EntityNumber",
    )


@pytest.mark.parametrize("seed", [2, 5])
def test_full_plus_update_equals_the_later_full(tmp_path, seed):
    """The generator derives the update from two fulls it wrote itself, sharing no
    code with the engine: reading full + update must give the later full."""
    full = bce_synth.generate_full(tmp_path / "full.zip", enterprises=1500, seed=seed)
    changes = {"stop": 6, "new": 6, "contact_change": 8, "establishment_contact": 5}
    update_zip, later = bce_synth.generate_update(
        full, tmp_path / "next", seed=seed, changes=changes
    )
    before = read_full_extract(full)
    result = apply_update_extract(update_zip, before.state)
    expected = read_full_extract(later)
    old, new, target = (
        all_companies(state) for state in (before.state, result.state, expected.state)
    )
    assert new == target
    assert result.created == set(target) - set(old)
    assert result.stopped == set(old) - set(target)
    changed = {n for n in set(old) & set(target) if not old[n].same_data(target[n])}
    assert result.updated == changed
    assert result.created and result.updated


def test_undecodable_insert_names_line_and_column(base, tmp_path):
    files = extract_files({"contact_insert": [(A, "ENT", "EMAIL", "info@a.be")]}, update=True)
    files["contact_insert.csv"] = files["contact_insert.csv"].encode() + (
        f'"{A}","ENT","EMAIL","caf\xe9@a.be"\n'.encode("latin-1")
    )
    with pytest.raises(BceFormatError, match="undecodable") as error:
        apply_update_extract(write_zip(tmp_path / "u.zip", files), base.state)
    assert (error.value.file, error.value.line, error.value.column) == (
        "contact_insert.csv",
        3,
        "Value",
    )


def test_candidates_compared_by_slices_give_the_same_changes(tmp_path, monkeypatch):
    """An update compares its candidates' companies a slice at a time (a mass
    update has a million): slices of a few enterprises find the same created,
    updated and stopped as one slice of all."""
    full = bce_synth.generate_full(tmp_path / "full.zip", enterprises=800, seed=3)
    changes = {"stop": 5, "new": 5, "contact_change": 8, "establishment_contact": 5}
    update_zip, _later = bce_synth.generate_update(full, tmp_path / "next", seed=3, changes=changes)
    before = read_full_extract(full)
    whole = apply_update_extract(update_zip, before.state)
    monkeypatch.setattr(engine, "COMPARE_BATCH", 7)
    sliced = apply_update_extract(update_zip, before.state)
    assert (sliced.created, sliced.updated, sliced.stopped) == (
        whole.created,
        whole.updated,
        whole.stopped,
    )
    assert whole.created and whole.updated and whole.stopped


def test_same_data_ignores_only_the_extract_read_from():
    """Two companies are the same data whatever extract they were read from,
    and differ as soon as any other field does."""
    company = Company(
        bce_number="0200000001",
        name="Alpha",
        name_language="fr",
        juridical_form="014",
        juridical_form_cac=None,
        start_date=date(2020, 1, 1),
        postal_code="1000",
        municipality_fr="Bruxelles",
        municipality_nl="Brussel",
        emails=("info@alpha.be",),
        phones=("+3221234567",),
        extract_number=140,
        snapshot_date=date(2025, 10, 12),
    )
    later = dataclasses.replace(company, extract_number=141, snapshot_date=date(2025, 10, 13))
    assert company.same_data(later)
    for item in dataclasses.fields(Company):
        if item.name in ("extract_number", "snapshot_date"):
            continue
        other = dataclasses.replace(later, **{item.name: "changed"})
        assert not company.same_data(other), item.name
