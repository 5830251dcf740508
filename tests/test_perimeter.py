"""Perimeter filters: postal codes and ranges, NACE prefixes, juridical forms, and
the blacklist that wins over everything."""

from datetime import date

import pytest
from bce_engine import Company, EmptyPerimeterError, Perimeter, read_full_extract
from test_reader import address_row, digits, ent_row, enterprise, make_extract

BXL, GENT, LIEGE, ABROAD, NO_SEAT = (enterprise(5000000 + i) for i in range(5))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tables = {
        "enterprise": [
            ent_row(BXL, form="610"),
            ent_row(GENT, form="014"),
            ent_row(LIEGE, form="015", cac="610"),
            ent_row(ABROAD, form="030"),
            ent_row(NO_SEAT, form="017"),
        ],
        "denomination": [
            (n, "1", "001", name)
            for n, name in ((BXL, "Bxl"), (GENT, "Gent"), (LIEGE, "Liège"), (ABROAD, "Far"))
        ],
        "address": [
            address_row(BXL, "1000"),
            address_row(GENT, "9000", "Gand", "Gent"),
            address_row(LIEGE, "4000", "Liège", "Luik"),
            address_row(ABROAD, "1000", "Lausanne", "Lausanne", country="Zwitserland"),
        ],
        "activity": [
            (BXL, "001", "2008", "62010", "MAIN"),
            (GENT, "001", "2025", "62100", "SECO"),
            (LIEGE, "001", "2008", "47110", "MAIN"),
            (LIEGE, "001", "2003", "62010", "MAIN"),  # NACE 2003 is not kept
            (ABROAD, "001", "2008", "62010", "MAIN"),
        ],
    }
    return read_full_extract(make_extract(tmp_path_factory.mktemp("p") / "full.zip", tables))


def numbers(result, perimeter):
    return [company.bce_number for company in result.companies(perimeter)]


def test_empty_perimeter_is_refused(result):
    with pytest.raises(EmptyPerimeterError, match="1000-9999"):
        result.companies(Perimeter(forms_in="610", excluded=[BXL]))


def test_whole_country_must_be_asked_for(result):
    found = numbers(result, Perimeter(postal_codes="1000-9999"))
    assert found == [digits(n) for n in (BXL, GENT, LIEGE)]  # abroad and no seat are out
    assert result.select(Perimeter(postal_codes="1000-9999")).drops["outside_perimeter"] == 2


def test_postal_codes_and_ranges():
    perimeter = Perimeter(postal_codes="1000-1299, 1300;9000-9099")
    assert perimeter.postal_codes == ((1000, 1299), (1300, 1300), (9000, 9099))
    assert Perimeter(postal_codes=["4000", "1000-1010"]).postal_codes == (
        (1000, 1010),
        (4000, 4000),
    )
    for bad in ("12", "2000-1000", "abcd", "1000-"):
        with pytest.raises(ValueError):
            Perimeter(postal_codes=bad)


def test_postal_filter(result):
    assert numbers(result, Perimeter(postal_codes="9000-9999,4000")) == [
        digits(GENT),
        digits(LIEGE),
    ]


def test_foreign_postal_code_never_matches(result):
    assert numbers(result, Perimeter(postal_codes="1000")) == [digits(BXL)]


def test_nace_prefix_any_version_with_or_without_dots(result):
    assert Perimeter(nace_prefixes="62.01, 47").nace_prefixes == ("47", "6201")
    # without a postal criterion, a foreign seat is no reason to leave a company out
    assert numbers(result, Perimeter(nace_prefixes="62")) == [
        digits(BXL),
        digits(GENT),
        digits(ABROAD),
    ]
    assert numbers(result, Perimeter(nace_prefixes="62.01")) == [digits(BXL), digits(ABROAD)]
    assert numbers(result, Perimeter(nace_prefixes="4711")) == [digits(LIEGE)]
    with pytest.raises(ValueError):
        Perimeter(nace_prefixes="IT")


def test_nace_and_postal_combine(result):
    assert numbers(result, Perimeter(postal_codes="9000-9999", nace_prefixes="62")) == [
        digits(GENT)
    ]


def test_juridical_forms_in_and_out(result):
    everywhere = "1000-9999"
    # LIEGE is an old SPRL (015) under the new code an SRL (610): either form matches
    assert numbers(result, Perimeter(postal_codes=everywhere, forms_in="610")) == [
        digits(BXL),
        digits(LIEGE),
    ]
    assert numbers(result, Perimeter(postal_codes=everywhere, forms_out=["610"])) == [digits(GENT)]


def test_blacklist_wins_over_everything(result):
    perimeter = Perimeter(postal_codes="1000-9999", nace_prefixes="62", excluded=[f"BE{BXL}"])
    assert numbers(result, perimeter) == [digits(GENT)]
    selection = result.select(perimeter)
    assert selection.drops["blacklisted"] == 1
    assert selection.drops["outside_perimeter"] == 3


def test_bad_blacklist_number_is_refused():
    with pytest.raises(ValueError):
        Perimeter(postal_codes="1000", excluded=["0200.065.766"])


def test_contains_agrees_with_the_vectorised_filter(result):
    companies = list(result.companies(Perimeter(nace_prefixes=list("0123456789"))))
    assert len(companies) == 4
    for candidate in (
        Perimeter(postal_codes="9000-9999"),
        Perimeter(nace_prefixes="62"),
        Perimeter(postal_codes="1000-9999", forms_in="610", excluded=[LIEGE]),
    ):
        expected = numbers(result, candidate)
        assert [c.bce_number for c in companies if candidate.contains(c)] == expected


def test_contains_on_a_company():
    company = Company(
        bce_number=digits(BXL),
        name="X",
        name_language="fr",
        juridical_form="610",
        juridical_form_cac=None,
        start_date=date(2020, 1, 1),
        postal_code="1000",
        municipality_fr=None,
        municipality_nl=None,
        nace_codes=(("2008", "62010", "MAIN"),),
    )
    assert Perimeter(postal_codes="1000-1299", nace_prefixes="62").contains(company)
    assert not Perimeter(postal_codes="1000-1299", excluded=[BXL]).contains(company)
    assert not Perimeter(nace_prefixes="47").contains(company)
