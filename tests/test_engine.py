"""The GDPR filter and the minimised companies, on a hand-made extract whose every
row is there for a rule, and on generated extracts."""

from collections import Counter
from datetime import date

import bce_synth
import pytest
from bce_engine import (
    Company,
    EngineConfig,
    LegalPersonState,
    Perimeter,
    is_personal_name,
    read_full_extract,
)
from bce_engine.companies import build_companies
from bce_engine.language import company_language, region_language
from test_reader import address_row, digits, ent_row, enterprise, make_extract, unit

ACME, PERSON, UNKNOWN, PEETERS, EUPEN, NAMUR = (enterprise(3000000 + i) for i in range(6))
ACME_SHOP, PERSON_SHOP, ORPHAN = unit(20000001), unit(20000002), enterprise(3000099)
EVERYWHERE = Perimeter(postal_codes="1000-9999")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    shared = "office@fiduciaire-centrale.be"
    tables = {
        "enterprise": [
            ent_row(ACME, form="014", start=date(1999, 3, 4)),
            ent_row(PERSON, kind="1", form=None),
            ent_row(UNKNOWN, kind="0", form=None),
            ent_row(PEETERS, form="610"),
            ent_row(EUPEN, form="610"),
            ent_row(NAMUR, form="017", cac="017"),
        ],
        "establishment": [
            (ACME_SHOP, date(2001, 1, 1), ACME),
            (PERSON_SHOP, date(2001, 1, 1), PERSON),
        ],
        "denomination": [
            (ACME, "1", "001", "Acme Belgique"),
            (ACME, "2", "001", "Acme België"),
            (ACME, "1", "003", "Acme Shop"),
            (PERSON, "1", "001", "Jean Dupont"),
            (PERSON_SHOP, "1", "003", "Chez Jean"),
            (UNKNOWN, "1", "001", "Mystery"),
            (PEETERS, "2", "001", "Jan Peeters"),
            (EUPEN, "3", "001", "Eupener Werkstatt"),
            (NAMUR, "1", "001", "Les Amis de Namur"),
            (ORPHAN, "1", "001", "Nobody"),
        ],
        "address": [
            address_row(ACME, "1000", "Bruxelles", "Brussel"),
            address_row(ACME_SHOP, "9000", "Gand", "Gent", kind="BAET"),
            address_row(PERSON, "5000", "Namur", "Namen", kind="BAET"),
            address_row(PEETERS, "9000", "Gand", "Gent"),
            address_row(EUPEN, "4700", "Eupen", "Eupen"),
            address_row(NAMUR, "5000", "Namur", "Namen"),
        ],
        "contact": [
            (ACME, "ENT", "EMAIL", "Info@Acme.be"),
            (ACME, "ENT", "EMAIL", "jean.dupont@acme.be"),
            (ACME, "ENT", "FAX", "02 123 45 68"),
            (ACME_SHOP, "EST", "EMAIL", "sales@acme.be"),
            (ACME_SHOP, "EST", "TEL", "02/511.22.33"),
            (PERSON, "ENT", "EMAIL", "jean.dupont@skynet.be"),
            (PERSON_SHOP, "EST", "TEL", "081 22 33 44"),
            (PEETERS, "ENT", "TEL", "0475 12 34 56"),
            (PEETERS, "ENT", "TEL", "12"),
            (EUPEN, "ENT", "EMAIL", "werkstatt@gmail.com"),
            (ORPHAN, "ENT", "EMAIL", "info@orphan.be"),
            *((number, "ENT", "EMAIL", shared) for number in (ACME, PEETERS, EUPEN, NAMUR)),
        ],
        "activity": [
            (ACME, "001", "2008", "62010", "MAIN"),
            (ACME, "003", "2008", "62010", "SECO"),
            (ACME, "001", "2025", "62100", "MAIN"),
            (ACME, "001", "2003", "72200", "MAIN"),
            (ACME, "001", "2008", "70220", "ANCI"),
            (ACME_SHOP, "001", "2008", "47410", "MAIN"),
            (PERSON, "001", "2008", "62010", "MAIN"),
            (PERSON_SHOP, "001", "2008", "56101", "MAIN"),
            (NAMUR, "001", "2025", "94991", "MAIN"),
        ],
    }
    return read_full_extract(make_extract(tmp_path_factory.mktemp("full") / "full.zip", tables))


def by_number(companies):
    return {company.bce_number: company for company in companies}


def test_natural_persons_and_unknown_types_leave_no_trace(scenario):
    state = scenario.state
    gone = {int(digits(number)) for number in (PERSON, UNKNOWN, ORPHAN, PERSON_SHOP)}
    for table in ("names", "addresses", "contacts", "activities"):
        assert not gone & set(getattr(state, table)["entity"].tolist()), table
    assert not gone & set(state.enterprises["bce"].tolist())
    assert not gone & set(state.units["unit"].tolist())
    assert "Jean Dupont" not in state.names["name"].tolist()
    assert scenario.drops["natural_person"] == 1
    assert scenario.drops["unknown_type"] == 1
    companies = by_number(scenario.companies(EVERYWHERE))
    assert set(companies) == {digits(n) for n in (ACME, PEETERS, EUPEN, NAMUR)}


def test_rows_not_shown_to_be_of_a_legal_person_are_counted(scenario):
    # person: 1 name, 1 BAET address, 1 e-mail, 1 activity; its establishment: 1 name,
    # 1 phone, 1 activity and its establishment row; unknown: 1 name; orphan: 1 name, 1 e-mail
    assert scenario.drops["not_legal_person"] == 11


def test_minimised_company(scenario):
    acme = by_number(scenario.companies(EVERYWHERE))[digits(ACME)]
    assert acme == Company(
        bce_number=digits(ACME),
        name="Acme Belgique",
        name_language="fr",
        juridical_form="014",
        juridical_form_cac=None,
        start_date=date(1999, 3, 4),
        postal_code="1000",
        municipality_fr="Bruxelles",
        municipality_nl="Brussel",
        emails=("info@acme.be", "sales@acme.be"),
        phones=("+3225112233",),
        language="fr",
        nace_codes=(
            ("2025", "62100", "MAIN"),
            ("2008", "47410", "MAIN"),
            ("2008", "62010", "MAIN"),
            ("2008", "70220", "ANCI"),
        ),
        flags=(),
        extract_number=147,
        snapshot_date=date(2025, 10, 11),
    )


def test_contacts_are_filtered_with_their_reason(scenario):
    built = Counter()
    companies = by_number(scenario.companies(EVERYWHERE, drops=built))
    assert scenario.drops["nominative_email"] == 1  # jean.dupont@acme.be
    assert scenario.drops["private_mailbox"] == 1  # gmail (skynet was a natural person's)
    assert scenario.drops["invalid_phone"] == 1
    assert scenario.drops["unknown_code"] == 1  # FAX
    assert built["shared_contact"] == 4  # one address held by four enterprises
    assert scenario.drops["shared_contact"] == 0  # reading drops only: building adds to ``built``
    every_email = {email for company in companies.values() for email in company.emails}
    assert every_email == {"info@acme.be", "sales@acme.be"}


def test_shared_contact_limit_is_configurable(scenario):
    numbers = scenario.state.enterprises["bce"].sort_values().to_numpy()
    config = EngineConfig(max_shared_contacts=4)
    companies = by_number(build_companies(scenario.state, numbers, config, Counter()))
    assert companies[digits(NAMUR)].emails == ("office@fiduciaire-centrale.be",)


def test_person_named_company_and_mobile_are_flagged(scenario):
    peeters = by_number(scenario.companies(EVERYWHERE))[digits(PEETERS)]
    assert peeters.flags == ("mobile_phone", "personal_name")
    assert peeters.phones == ("+32475123456",)
    assert peeters.language == "nl"


def test_drop_flagged_drops_them(scenario):
    numbers = scenario.state.enterprises["bce"].sort_values().to_numpy()
    drops = Counter()
    config = EngineConfig(drop_flagged=True)
    companies = by_number(build_companies(scenario.state, numbers, config, drops))
    assert digits(PEETERS) not in companies
    assert drops["personal_name"] == 1
    assert all(not company.flags for company in companies.values())


def test_numbers_then_companies_of_them_give_the_companies(tmp_path):
    """The import lists the numbers first and builds the companies slice by
    slice: the same companies and drops as building them at once."""
    full = read_full_extract(bce_synth.generate_full(tmp_path, enterprises=400, seed=5))
    perimeter = Perimeter(postal_codes="1000-5999")
    expected_drops = Counter()
    expected = list(full.companies(perimeter, drops=expected_drops))
    selection = full.select(perimeter)
    numbers = selection.numbers
    assert numbers == sorted(numbers)
    assert {company.bce_number for company in expected} <= set(numbers)
    assert selection.drops["outside_perimeter"] > 0
    drops = Counter(selection.drops)
    built = [
        company
        for start in range(0, len(numbers), 50)
        for company in full.companies_of(numbers[start : start + 50], drops)
    ]
    assert built == expected
    assert drops == expected_drops
    assert list(full.companies_of(["0000000097"])) == []  # not a legal person of the state


def test_selection_returns_its_own_drops(tmp_path):
    """Each selection counts its drops apart: a second one neither resets nor adds
    to the first's, and the reading drops stay as read."""
    full = read_full_extract(bce_synth.generate_full(tmp_path, enterprises=300, seed=6))
    read_drops = Counter(full.drops)
    wide = full.select(Perimeter(postal_codes="1000-9999"))
    narrow = full.select(Perimeter(postal_codes="1000-1299"))
    assert narrow.drops["outside_perimeter"] > wide.drops["outside_perimeter"]
    assert wide == full.select(Perimeter(postal_codes="1000-9999"))
    list(full.companies(Perimeter(postal_codes="1000-9999")))
    assert full.drops == read_drops


def test_listed_numbers_are_the_legal_persons_of_the_state(scenario):
    """``listed`` (the archiving's "still at the BCE") keeps the numbers the
    state holds as legal persons, searched in its sorted column: not a natural
    person, an orphan or a number never seen, in any order asked."""
    kept = {digits(number) for number in (NAMUR, ACME)}
    asked = [digits(number) for number in (NAMUR, PERSON, ORPHAN, ACME)] + ["9999999999"]
    assert scenario.listed(asked) == kept
    assert scenario.listed(iter(reversed(asked))) == kept
    assert scenario.listed([]) == set()


def test_language_follows_the_seat(scenario):
    companies = by_number(scenario.companies(EVERYWHERE))
    assert companies[digits(EUPEN)].language == "de"
    assert companies[digits(NAMUR)].language == "fr"
    assert companies[digits(ACME)].language == "fr"  # Brussels: the name's language


def test_preferred_name_language(scenario):
    numbers = scenario.state.enterprises["bce"].sort_values().to_numpy()
    config = EngineConfig(preferred_name_language="nl", keep_municipality=False)
    companies = by_number(build_companies(scenario.state, numbers, config, Counter()))
    acme = companies[digits(ACME)]
    assert (acme.name, acme.name_language, acme.language) == ("Acme België", "nl", "nl")
    assert acme.municipality_fr is None
    # no Dutch name: the region's language (German in Eupen) comes next
    assert companies[digits(EUPEN)].name_language == "de"


def test_config_is_validated():
    with pytest.raises(ValueError):
        EngineConfig(preferred_name_language="en")


def test_state_round_trips(scenario, tmp_path):
    state = scenario.state
    path = tmp_path / "state.npz"
    state.save(path)
    loaded = LegalPersonState.load(path)
    assert loaded.meta == state.meta
    numbers = state.enterprises["bce"].sort_values().to_numpy()
    before = list(build_companies(state, numbers, EngineConfig(), Counter()))
    after = list(build_companies(loaded, numbers, EngineConfig(), Counter()))
    assert before == after


def test_region_language():
    assert region_language("9000") == "nl"
    assert region_language("1348") == "fr"
    assert region_language("4700") == "de"
    assert region_language("4800") == "fr"  # Verviers, next to the German-speaking area
    assert region_language("3790") == "nl"  # Voeren
    assert region_language("1050") is None
    assert company_language("1050", "nl") == "nl"
    assert company_language("1050", "de") == "fr"
    assert company_language(None, "de") == "de"


@pytest.mark.parametrize(
    "name,form,expected",
    [
        ("Jan Peeters", "610", True),
        ("Marie Dubois SRL", "610", True),
        ("Peeters Jan BV", "015", True),
        ("Jan Peeters", "014", False),  # an SA is not a one-person company
        ("Bakkerij Peeters", "610", False),
        ("Acme", "610", False),
        ("Jan 2 Peeters", "610", False),
    ],
)
def test_personal_name_rule(name, form, expected):
    assert is_personal_name(name, form) is expected


def test_generated_extract_keeps_no_natural_person(tmp_path):
    path = bce_synth.generate_full(tmp_path / "full.zip", enterprises=600, seed=3)
    result = read_full_extract(path)
    natural = set()
    with __import__("zipfile").ZipFile(path) as archive:
        for line in archive.read("enterprise.csv").decode().splitlines()[1:]:
            fields = line.split(",")
            if fields[3] != '"2"':
                natural.add(int(fields[0].strip('"').replace(".", "")))
    assert natural
    kept = set(result.state.enterprises["bce"].tolist())
    assert not natural & kept
    for table in ("names", "addresses", "contacts", "activities"):
        owners = result.state.owners(getattr(result.state, table)["entity"].to_numpy())
        assert (owners >= 0).all() and not natural & set(owners.tolist())
    drops = Counter()
    companies = list(result.companies(EVERYWHERE, drops=drops))
    assert len(companies) + drops["outside_perimeter"] == len(kept)
    assert not natural & {int(company.bce_number) for company in companies}
