"""Time loading a national Do Not Call Me list and matching it against the prospects.

Runs Odoo as a library against a database where ``rgpd_prospection`` is installed,
inside one transaction that is rolled back at the end, so the database is left as
it was. Use the Python of Odoo, e.g.::

    /opt/odoo19/venv/bin/python scripts/benchmark_dncm.py -d bench \\
        --db_host=/tmp/pgsock --db_port=5432 --addons-path=/opt/odoo19/addons,. \\
        --numbers 1500000 --prospects 1000000

The list and the prospects are synthetic: ``--prospects`` companies (the size of a
national import) and a contact person for every fifth, inserted by SQL, and a list of
``--numbers`` numbers in the DNCM's text format, ``--listed`` of them the prospects'.
Prints the seconds of each step (read the file, replace the numbers, match the
prospects) and each as a ratio against a floor measured in the same run: a raw
PostgreSQL COPY of the same numbers into a plain table, which no loader can beat.
"""

import argparse
import io
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "rgpd_prospection"))

from bce_engine.dncm import read_dncm_list  # noqa: E402


def company_number(i):
    """A Belgian landline per company: +32 2 and seven digits, then other zones."""
    return f"+32{20000000 + i}"


def person_number(i):
    return f"+32470{i:06d}"


def make_list(numbers, prospects, listed, seed=1):
    """The DNCM file: ``listed`` numbers of the prospects, the rest random mobiles,
    in the usual spellings, each with a registration date; and the same numbers
    in E.164 as COPY text for the floor."""
    rng = random.Random(seed)
    start = date(2015, 1, 1)
    spellings = (
        lambda n: "0" + n[3:],
        lambda n: n,
        lambda n: "00" + n[1:],
        lambda n: f"0{n[3:6]} {n[6:8]} {n[8:10]} {n[10:]}",
    )
    lines, floor = [], []
    chosen = rng.sample(range(prospects), min(listed, prospects))
    for k in range(numbers):
        if k < len(chosen):
            i = chosen[k]
            number = person_number(i // 5) if i % 10 == 0 else company_number(i)
        else:
            number = f"+324{rng.randint(60, 99)}{rng.randint(0, 999999):06d}"
        registered = start + timedelta(days=rng.randint(0, 3600))
        lines.append(f"{spellings[k % 4](number)};{registered.isoformat()}")
        floor.append(f"{number}\t{registered.isoformat()}")
    return ("\n".join(lines) + "\n").encode(), "\n".join(floor) + "\n"


def insert_prospects(cr, prospects):
    """National-size prospects by SQL: ``prospects`` companies with a landline,
    a contact person with a mobile for every fifth."""
    cr.execute(
        """INSERT INTO res_partner (name, is_company, active, is_bce_prospect, type,
                                    phone, phone_sanitized)
           SELECT 'Bench ' || i, TRUE, TRUE, TRUE, 'contact', %s || (20000000 + i),
                  %s || (20000000 + i)
             FROM generate_series(0, %s - 1) i""",
        ("+32", "+32", prospects),
    )
    cr.execute(
        """UPDATE res_partner SET commercial_partner_id = id
            WHERE commercial_partner_id IS NULL AND name LIKE 'Bench %'"""
    )
    cr.execute(
        """INSERT INTO res_partner (name, is_company, active, type, parent_id,
                                    commercial_partner_id, phone, phone_sanitized)
           SELECT 'Bench person ' || c.rn, FALSE, TRUE, 'contact', c.id, c.id,
                  '+32470' || lpad((c.rn / 5)::text, 6, '0'),
                  '+32470' || lpad((c.rn / 5)::text, 6, '0')
             FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) AS rn FROM res_partner
                    WHERE name LIKE 'Bench %' AND is_company) c
            WHERE c.rn % 5 = 0"""
    )
    cr.execute("ANALYZE res_partner")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--numbers", type=int, default=1_500_000)
    parser.add_argument("--prospects", type=int, default=1_000_000)
    parser.add_argument("--listed", type=int, default=100_000)
    options, odoo_args = parser.parse_known_args(argv)

    import odoo
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(odoo_args)
    started = time.perf_counter()
    data, floor_text = make_list(options.numbers, options.prospects, options.listed)
    print(f"list of {options.numbers:,} numbers generated in {time.perf_counter() - started:.1f} s")
    registry = odoo.modules.registry.Registry(options.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Load = env["rgpd.dncm.load"]
        try:
            started = time.perf_counter()
            insert_prospects(cr, options.prospects)
            print(
                f"{options.prospects:,} prospects inserted in {time.perf_counter() - started:.1f} s"
            )

            cr.execute("CREATE TEMP TABLE dncm_floor (number varchar, registration_date date)")
            started = time.perf_counter()
            cr._obj.copy_expert("COPY dncm_floor FROM STDIN", io.StringIO(floor_text))
            floor = time.perf_counter() - started
            print(f"floor: raw COPY of the numbers {floor:.2f} s")

            started = time.perf_counter()
            listed = read_dncm_list(data.decode(), Load._file_format())
            read = time.perf_counter() - started
            started = time.perf_counter()
            Load._replace_numbers(listed.table)
            replace = time.perf_counter() - started
            started = time.perf_counter()
            newly, released = env["res.partner"]._rgpd_dncm_match()
            match = time.perf_counter() - started
            started = time.perf_counter()
            load = Load._load_list("dncm_bench.txt", data, date.today(), "upload")
            whole = time.perf_counter() - started
            for label, seconds in (
                ("read the file", read),
                ("replace the numbers (TRUNCATE, COPY, index)", replace),
                ("match every prospect (two UPDATEs)", match),
                ("whole load through _load_list, again", whole),
            ):
                print(f"{label}: {seconds:.2f} s, {seconds / floor:.1f}x the floor")
            print(
                f"{len(listed.table):,} distinct numbers, {listed.refused_count} lines refused, "
                f"{newly:,} contacts newly listed, {released:,} released; "
                f"second load: {load.newly_listed} newly listed, {load.released} released"
            )
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()
