"""The synthetic extract generator: exact BCE spelling, realistic proportions, and an update
that really is the difference between two fulls (checked with an apply written here, sharing
nothing with the generator or the engine)."""

import csv
import io
import re
import subprocess
import sys
import zipfile
from collections import Counter

import pytest
from bce_engine.codes import nace_parent_code, read_code_table
from bce_synth import HEADERS, generate_full, generate_update
from conftest import REPO, SHARED_BCE

REAL = SHARED_BCE / "full_0127_partial"
TABLES = ("enterprise", "establishment", "denomination", "address", "contact", "activity", "branch")
KEY = {"enterprise": "EnterpriseNumber", "establishment": "EstablishmentNumber", "branch": "Id"}
ENTERPRISE = re.compile(r"^[01]\d{3}\.\d{3}\.\d{3}$")
UNIT = re.compile(r"^[29]\.\d{3}\.\d{3}\.\d{3}$")


def mod97_ok(number):
    digits = number.replace(".", "")
    return len(digits) == 10 and 97 - int(digits[:8]) % 97 == int(digits[8:])


def member(zip_path, name):
    with zipfile.ZipFile(zip_path) as archive:
        return archive.read(name)


def rows(zip_path, table):
    text = member(zip_path, f"{table}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def raw_lines(zip_path, name):
    return member(zip_path, name).decode("utf-8").split("\n")[:-1]


def shape(line):
    """Q for a quoted field, D for an unquoted date, N for NULL: the spelling, not the value."""
    fields = re.findall(r'("(?:[^"]|"")*"|[^,]*)(?:,|$)', line)[:-1]
    return tuple("Q" if f.startswith('"') else "D" if f else "N" for f in fields)


@pytest.fixture(scope="module")
def full_5000(tmp_path_factory):
    return generate_full(tmp_path_factory.mktemp("full5000"), enterprises=5000, seed=11)


@pytest.fixture(scope="module")
def update_set(tmp_path_factory):
    folder = tmp_path_factory.mktemp("update")
    full = generate_full(folder, enterprises=3000, seed=4)
    update, later = generate_update(full, folder, seed=9)
    return full, update, later


# --- format ---------------------------------------------------------------------------------
@pytest.mark.parametrize("table", ["meta", "enterprise", "address", "branch"])
def test_headers_match_the_real_files(full_5000, table):
    real_header = (REAL / f"{table}.csv").read_bytes().split(b"\n")[0]
    assert member(full_5000, f"{table}.csv").split(b"\n")[0] == real_header


@pytest.mark.parametrize("table", [*TABLES, "code"])
def test_headers_are_the_documented_ones_quoted(full_5000, table):
    expected = ",".join(f'"{h}"' for h in HEADERS[table])
    assert raw_lines(full_5000, f"{table}.csv")[0] == expected


def test_zip_holds_the_flat_official_members_and_name(full_5000):
    assert full_5000.name == "KboOpenData_0147_2025_10_12_Full.zip"
    names = zipfile.ZipFile(full_5000).namelist()
    assert sorted(names) == sorted(["meta.csv", "code.csv"] + [f"{t}.csv" for t in TABLES])


@pytest.mark.parametrize("table", ["enterprise", "address", "branch"])
def test_row_spellings_occur_in_the_real_files(full_5000, table):
    """Quoting, NULLs and unquoted dates as in the real rows (legal persons only for the
    enterprise table: the real sample has no natural person)."""
    real = {shape(line) for line in (REAL / f"{table}.csv").read_text("utf-8").splitlines()[1:]}
    lines = raw_lines(full_5000, f"{table}.csv")[1:]
    if table == "enterprise":
        lines = [line for line in lines if ',"2",' in line]
    ours = Counter(shape(line) for line in lines)
    assert set(ours) <= real
    if table == "address":
        assert len(ours) >= 2  # with and without DateStrikingOff


def test_field_spelling_line_by_line(full_5000):
    day = r"\d{2}-\d{2}-\d{4}"
    ent = r'"[01]\d{3}\.\d{3}\.\d{3}"'
    unit = r'\.\d{3}\.\d{3}\.\d{3}"'
    patterns = {
        "enterprise": rf'^{ent},"AC","\d{{3}}","[012]",("\d{{3}}")?,("\d{{3}}")?,{day}$',
        "establishment": rf'^"2{unit},{day},{ent}$',
        "branch": rf'^"9{unit},{day},{ent}$',
        "activity": r'^"[0-9.]+","00[1-7]","(2003|2008|2025)","(\d{5}|\d{7})","(MAIN|SECO|ANCI)"$',
        "contact": r'^"[0-9.]+","(ENT|EST|BRA)","(EMAIL|TEL|WEB|FAX)","([^"]|"")+"$',
        "denomination": r'^"[0-9.]+","[0-4]","00[1-4]","([^"]|"")+"$',
    }
    for table, pattern in patterns.items():
        bad = [
            line for line in raw_lines(full_5000, f"{table}.csv")[1:] if not re.match(pattern, line)
        ]
        assert bad == [], (table, bad[:3])


def test_dates_are_never_quoted_and_empty_texts_exist(full_5000):
    for table in TABLES:
        assert not re.search(r'"\d{2}-\d{2}-\d{4}"', member(full_5000, f"{table}.csv").decode())
    assert ',"",' in member(full_5000, "address.csv").decode()
    assert re.search(r'"Denomination"\n|""[A-Za-z]', member(full_5000, "denomination.csv").decode())


def test_meta(full_5000):
    meta = {r["Variable"]: r["Value"] for r in rows(full_5000, "meta")}
    assert meta["SnapshotDate"] == "11-10-2025"
    assert re.fullmatch(r"12-10-2025 \d{2}:\d{2}:\d{2}", meta["ExtractTimestamp"])
    assert (meta["ExtractType"], meta["ExtractNumber"]) == ("full", "147")
    assert list(meta) == [
        "SnapshotDate",
        "ExtractTimestamp",
        "ExtractType",
        "ExtractNumber",
        "Version",
    ]


# --- numbers ----------------------------------------------------------------------------------
def test_numbers_are_well_spelled_valid_and_sorted(full_5000):
    enterprises = [r["EnterpriseNumber"] for r in rows(full_5000, "enterprise")]
    assert all(ENTERPRISE.match(n) and mod97_ok(n) for n in enterprises)
    assert enterprises == sorted(set(enterprises))
    assert any(n.startswith("1") for n in enterprises) and any(
        n.startswith("0") for n in enterprises
    )
    for table, column in (("establishment", "EstablishmentNumber"), ("branch", "Id")):
        units = [r[column] for r in rows(full_5000, table)]
        assert units and all(UNIT.match(n) and mod97_ok(n) for n in units)
        assert {r["EnterpriseNumber"] for r in rows(full_5000, table)} <= set(enterprises)


def test_mod97_check_catches_a_wrong_number():
    assert mod97_ok("0200.065.765") and not mod97_ok("0200.065.766")


# --- determinism and options --------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    one = generate_full(tmp_path / "a.zip", enterprises=300, seed=5)
    two = generate_full(tmp_path / "b.zip", enterprises=300, seed=5)
    three = generate_full(tmp_path / "c.zip", enterprises=300, seed=6)
    assert one.read_bytes() == two.read_bytes()
    assert member(one, "denomination.csv") != member(three, "denomination.csv")


def test_bom_and_crlf_options(tmp_path):
    path = generate_full(tmp_path, enterprises=200, seed=2, bom=True, crlf=True)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert data.startswith(b"\xef\xbb\xbf"), name
            assert data.count(b"\n") == data.count(b"\r\n") >= 1, name
    plain = generate_full(tmp_path / "plain.zip", enterprises=200, seed=2)
    assert b"\r" not in member(plain, "enterprise.csv")
    assert member(path, "activity.csv")[3:].replace(b"\r\n", b"\n") == member(plain, "activity.csv")


def test_folder_and_stored_options(tmp_path):
    folder = generate_full(tmp_path, enterprises=100, seed=2, as_folder=True)
    assert folder.is_dir() and (folder / "enterprise.csv").is_file()
    stored = generate_full(tmp_path / "s.zip", enterprises=100, seed=2, stored=True)
    infos = zipfile.ZipFile(stored).infolist()
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert (folder / "enterprise.csv").read_bytes() == member(stored, "enterprise.csv")


def test_real_code_table_can_be_embedded(tmp_path):
    real = SHARED_BCE / "code.csv"
    path = generate_full(tmp_path, enterprises=100, seed=2, code_csv_path=real)
    assert member(path, "code.csv") == real.read_bytes()


# --- code table -----------------------------------------------------------------------------
def used_codes(path):
    used = Counter()
    for r in rows(path, "enterprise"):
        used.update(
            {
                ("JuridicalSituation", r["JuridicalSituation"]),
                ("TypeOfEnterprise", r["TypeOfEnterprise"]),
            }
        )
        used.update(
            {("JuridicalForm", c) for c in (r["JuridicalForm"], r["JuridicalFormCAC"]) if c}
        )
    for r in rows(path, "activity"):
        used.update(
            {
                (f"Nace{r['NaceVersion']}", r["NaceCode"]),
                ("ActivityGroup", r["ActivityGroup"]),
                ("Classification", r["Classification"]),
            }
        )
    for r in rows(path, "denomination"):
        used.update({("Language", r["Language"]), ("TypeOfDenomination", r["TypeOfDenomination"])})
    used.update(("TypeOfAddress", r["TypeOfAddress"]) for r in rows(path, "address"))
    for r in rows(path, "contact"):
        used.update({("EntityContact", r["EntityContact"]), ("ContactType", r["ContactType"])})
    return used


@pytest.mark.parametrize("table_path", ["synthetic", "real"])
def test_every_used_code_is_in_the_code_table_with_its_parents(full_5000, table_path):
    """The synthetic table covers what the generator uses; so does the real one (the codes are
    real NACE-BEL numbers). FAX is, as in reality, absent from the table."""
    data = (
        member(full_5000, "code.csv")
        if table_path == "synthetic"
        else (SHARED_BCE / "code.csv").read_bytes()
    )
    table = read_code_table(data)
    missing = [(cat, code) for cat, code in used_codes(full_5000) if code not in table.get(cat, {})]
    assert missing == [("ContactType", "FAX")]
    for category, code in used_codes(full_5000):
        if category.startswith("Nace"):
            parent = nace_parent_code(code)
            while parent:
                assert parent in table[category], (category, code, parent)
                parent = nace_parent_code(parent)
    if table_path == "synthetic":
        labels = table["JuridicalForm"]["610"]
        assert set(labels) == {"FR", "NL", "DE"} and all(labels.values())


def test_synthetic_code_table_is_not_the_real_one(full_5000):
    ours = member(full_5000, "code.csv").decode().splitlines()
    real = set((SHARED_BCE / "code.csv").read_text("utf-8-sig").splitlines())
    assert len(real.intersection(ours[1:])) < len(ours) / 10


# --- proportions ------------------------------------------------------------------------------
def test_proportions_look_national(full_5000):
    enterprises = rows(full_5000, "enterprise")
    n = len(enterprises)
    assert n == 5000
    kinds = Counter(r["TypeOfEnterprise"] for r in enterprises)
    assert 0.36 < kinds["1"] / n < 0.44 and 0 < kinds["0"] / n < 0.02
    ratios = {t: len(rows(full_5000, t)) / n for t in TABLES}
    assert 0.7 < ratios["establishment"] < 1.1  # a few chains weigh a lot
    assert 0.28 < ratios["contact"] < 0.45
    assert 16 < ratios["activity"] < 22
    assert 1.3 < ratios["denomination"] < 2.0
    assert 0 < ratios["branch"] < 0.02
    forms = Counter(r["JuridicalForm"] for r in enterprises if r["TypeOfEnterprise"] == "2")
    assert {"610", "014", "015", "017"} <= set(forms)
    assert all(r["JuridicalForm"] == "" for r in enterprises if r["TypeOfEnterprise"] == "1")
    assert any(r["JuridicalFormCAC"] == "610" for r in enterprises if r["JuridicalForm"] == "015")
    activity = rows(full_5000, "activity")
    versions = Counter(r["NaceVersion"] for r in activity)
    assert versions["2008"] == versions["2025"] and 0 < versions["2003"] < versions["2008"]
    assert set(Counter(r["Classification"] for r in activity)) == {"MAIN", "SECO", "ANCI"}
    assert len({r["ActivityGroup"] for r in activity}) >= 5
    assert any(len(r["NaceCode"]) == 7 for r in activity)


def test_natural_persons_have_person_names_and_no_seat(full_5000):
    natural = {
        r["EnterpriseNumber"] for r in rows(full_5000, "enterprise") if r["TypeOfEnterprise"] == "1"
    }
    addresses = rows(full_5000, "address")
    assert not [
        a for a in addresses if a["EntityNumber"] in natural and a["TypeOfAddress"] == "REGO"
    ]
    with_establishment = {r["EnterpriseNumber"] for r in rows(full_5000, "establishment")}
    assert len(natural & with_establishment) > 0.85 * len(natural)
    names = [
        d["Denomination"]
        for d in rows(full_5000, "denomination")
        if d["EntityNumber"] in natural and d["TypeOfDenomination"] == "001"
    ]
    assert len(names) == len(natural)
    assert all(re.fullmatch(r"[\w' -]+, [\w-]+", name) for name in names)


def test_addresses_are_belgian_with_struck_off_and_foreign_ones(full_5000):
    addresses = rows(full_5000, "address")
    assert {a["TypeOfAddress"] for a in addresses} == {"REGO", "BAET", "ABBR"}
    belgian = [a for a in addresses if not a["CountryNL"]]
    assert all(re.fullmatch(r"[1-9]\d{3}", a["Zipcode"]) for a in belgian)
    brussels = [a for a in belgian if 1000 <= int(a["Zipcode"]) < 1300]
    assert any(a["MunicipalityNL"] != a["MunicipalityFR"] for a in brussels)
    assert all(
        a["MunicipalityNL"] == a["MunicipalityFR"] for a in belgian if int(a["Zipcode"]) >= 1300
    )
    zips = {int(a["Zipcode"]) for a in belgian}
    for low, high in (
        (1000, 1299),
        (1300, 1499),
        (1500, 3999),
        (4000, 7999),
        (4700, 4799),
        (8000, 9999),
    ):
        assert any(low <= z <= high for z in zips), (low, high)
    foreign = [a for a in addresses if a["CountryNL"]]
    assert foreign and all(a["CountryFR"] and a["TypeOfAddress"] == "REGO" for a in foreign)
    assert any(a["DateStrikingOff"] for a in addresses)


def test_contacts_mix_generic_nominative_private_messy_and_shared(full_5000):
    contacts = rows(full_5000, "contact")
    assert {c["EntityContact"] for c in contacts} >= {"ENT", "EST"}
    assert {c["ContactType"] for c in contacts} == {"EMAIL", "TEL", "WEB", "FAX"}
    mails = [c["Value"] for c in contacts if c["ContactType"] == "EMAIL"]
    assert any(m.startswith("info@") for m in mails)
    assert any(re.match(r"^[a-z]+\.[a-z]+@(?!gmail)", m) for m in mails)
    assert any(m.endswith(("@gmail.com", "@skynet.be", "@telenet.be")) for m in mails)
    phones = [c["Value"] for c in contacts if c["ContactType"] == "TEL"]
    assert any(re.fullmatch(r"0\d{1,2}/\d+-\d\d-\d\d", p) for p in phones)
    assert any(re.fullmatch(r"\+32 \d{1,2} [\d ]+", p) for p in phones)
    assert any(re.fullmatch(r"04\d\d \d\d \d\d \d\d", p) for p in phones)
    owners = {}
    for c in contacts:
        if c["ContactType"] == "EMAIL":
            owners.setdefault(c["Value"], set()).add(c["EntityNumber"])
    assert max(len(v) for v in owners.values()) >= 3  # an accountant's address


# --- updates ----------------------------------------------------------------------------------
def apply_update(full, update):
    """The BCE rule, written independently: delete every row of each listed key, then insert.
    Returns {table: set of row tuples}; duplicate insert lines collapse in the set."""
    result = {}
    for table in TABLES:
        key = KEY.get(table, "EntityNumber")
        gone = {r[key] for r in rows(update, f"{table}_delete")}
        kept = {tuple(r.values()) for r in rows(full, table) if r[key] not in gone}
        result[table] = kept | {tuple(r.values()) for r in rows(update, f"{table}_insert")}
    return result


def test_full_plus_update_is_the_later_full(update_set):
    full, update, later = update_set
    applied = apply_update(full, update)
    for table in TABLES:
        expected = [tuple(r.values()) for r in rows(later, table)]
        assert len(expected) == len(set(expected)), table
        assert applied[table] == set(expected), table


def test_update_without_its_deletes_does_not_give_the_later_full(update_set, tmp_path):
    full, update, later = update_set
    crippled = tmp_path / "crippled.zip"
    with zipfile.ZipFile(update) as src, zipfile.ZipFile(crippled, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(
                name, data.split(b"\n")[0] + b"\n" if name.endswith("_delete.csv") else data
            )
    applied = apply_update(full, crippled)
    assert any(applied[t] != {tuple(r.values()) for r in rows(later, t)} for t in TABLES)


def test_update_names_meta_and_members(update_set):
    full, update, later = update_set
    assert update.name == "KboOpenData_0148_2025_10_13_Update.zip"
    assert later.name == "KboOpenData_0148_2025_10_13_Full.zip"
    for path, kind in ((update, "update"), (later, "full")):
        meta = {r["Variable"]: r["Value"] for r in rows(path, "meta")}
        assert (meta["ExtractType"], meta["ExtractNumber"], meta["SnapshotDate"]) == (
            kind,
            "148",
            "12-10-2025",
        )
    names = set(zipfile.ZipFile(update).namelist())
    assert names == {"meta.csv", "code.csv"} | {
        f"{t}_{op}.csv" for t in TABLES for op in ("delete", "insert")
    }
    for table in TABLES:
        assert raw_lines(update, f"{table}_delete.csv")[0] == f'"{KEY.get(table, "EntityNumber")}"'
        assert raw_lines(update, f"{table}_insert.csv")[0] == raw_lines(full, f"{table}.csv")[0]


def test_update_holds_the_expected_kinds_of_change(update_set):
    full, update, later = update_set
    before = {r["EnterpriseNumber"] for r in rows(full, "enterprise")}
    after = {r["EnterpriseNumber"] for r in rows(later, "enterprise")}
    assert before - after and after - before  # stopped and new enterprises
    assert min(after - before) > max(before)
    deleted = {
        t: {r[KEY.get(t, "EntityNumber")] for r in rows(update, f"{t}_delete")} for t in TABLES
    }
    inserted = {t: [tuple(r.values()) for r in rows(update, f"{t}_insert")] for t in TABLES}
    assert any(UNIT.match(k) for k in deleted["address"])  # an establishment moved
    assert any(UNIT.match(k) for k in deleted["contact"] | {r[0] for r in inserted["contact"]})
    quiet = {r[0] for r in inserted["contact"]} - set().union(*(deleted[t] for t in TABLES))
    quiet -= {r[0] for t in TABLES if t != "contact" for r in inserted[t]}
    assert quiet  # a contact added to an otherwise unchanged enterprise
    assert any(n > 1 for t in TABLES for n in Counter(inserted[t]).values())  # duplicate lines
    mixed = deleted["activity"] | deleted["denomination"] | deleted["address"]
    assert any(ENTERPRISE.match(k) for k in mixed) and any(UNIT.match(k) for k in mixed)


def test_update_keeps_bom_and_crlf_and_still_applies(tmp_path):
    full = generate_full(tmp_path, enterprises=400, seed=3, bom=True, crlf=True)
    update, later = generate_update(full, tmp_path, seed=1, changes={"stop": 5, "new": 4})
    for path in (update, later):
        data = member(path, "enterprise_insert.csv" if path == update else "enterprise.csv")
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\n") == data.count(b"\r\n")
    applied = apply_update(full, update)
    assert applied["enterprise"] == {tuple(r.values()) for r in rows(later, "enterprise")}
    assert len(rows(full, "enterprise")) - 5 + 4 == len(rows(later, "enterprise"))


def test_updates_chain_and_are_deterministic(update_set, tmp_path):
    full, update, later = update_set
    again_update, again_later = generate_update(full, tmp_path / "again", seed=9)
    assert again_update.read_bytes() == update.read_bytes()
    assert again_later.read_bytes() == later.read_bytes()
    next_update, next_full = generate_update(later, tmp_path / "next", seed=10)
    assert next_full.name == "KboOpenData_0149_2025_10_14_Full.zip"
    applied = apply_update(later, next_update)
    assert applied["activity"] == {tuple(r.values()) for r in rows(next_full, "activity")}


# --- command line -----------------------------------------------------------------------------
def test_command_line(tmp_path):
    script = str(REPO / "scripts" / "generate_bce_extract.py")
    help_text = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True)
    assert help_text.returncode == 0 and "update" in help_text.stdout
    out = subprocess.run(
        [sys.executable, script, "full", "-n", "150", "--seed", "1", "-o", f"{tmp_path}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [str(tmp_path / "KboOpenData_0147_2025_10_12_Full.zip")]
    done = subprocess.run(
        [sys.executable, script, "update", out[0], "-o", str(tmp_path), "--change", "stop=2"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [p.rsplit("/", 1)[1] for p in done] == [
        "KboOpenData_0148_2025_10_13_Update.zip",
        "KboOpenData_0148_2025_10_13_Full.zip",
    ]
    assert len(rows(done[0], "enterprise_delete")) >= 2


def test_nace_conversion_rewrites_a_share_of_the_activity_groups(tmp_path):
    full = generate_full(tmp_path / "src", enterprises=2000, seed=4)
    update, later = generate_update(full, tmp_path / "next", seed=9, nace_conversion=0.5)
    applied = apply_update(full, update)
    for table in TABLES:
        assert applied[table] == {tuple(r.values()) for r in rows(later, table)}, table
    groups = {r["EntityNumber"] for r in rows(full, "activity")}
    converted = {r["EntityNumber"] for r in rows(update, "activity_delete")}
    assert 0.4 < len(converted) / len(groups) < 0.6  # a mass update, not a daily one
    before = {(r["EntityNumber"], r["NaceVersion"], r["NaceCode"]) for r in rows(full, "activity")}
    after = {(r["EntityNumber"], r["NaceVersion"], r["NaceCode"]) for r in rows(later, "activity")}
    assert {row[1] for row in before - after if row[0] in converted} >= {"2025"}
