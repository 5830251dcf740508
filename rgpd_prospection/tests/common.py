import json
from contextlib import contextmanager
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase
from odoo.tools import mute_logger

CODE_CSV = """\ufeff"Category","Code","Language","Description"
"Nace2008","J","FR","SECTION J -- INFORMATION ET COMMUNICATION"
"Nace2008","J","NL","SECTIE J -- INFORMATIE EN COMMUNICATIE"
"Nace2008","62","FR","Programmation, conseil et autres activités informatiques"
"Nace2008","62","NL","Computerprogrammering, consultancy en aanverwante activiteiten"
"Nace2008","620","FR","Programmation, conseil et autres activités informatiques"
"Nace2008","620","NL","Computerprogrammering, consultancy en aanverwante activiteiten"
"Nace2008","6201","FR","Programmation informatique"
"Nace2008","6201","NL","Ontwerpen en programmeren van computerprogramma's"
"Nace2008","62010","FR","Programmation informatique"
"Nace2008","62010","NL","Ontwerpen en programmeren van computerprogramma's"
"Nace2008","6202","FR","Conseil informatique"
"Nace2008","6202","NL","Computerconsultancy-activiteiten"
"Nace2008","6202001","FR","Conseil en systèmes informatiques"
"Nace2008","6202001","NL","Advies inzake computersystemen"
"Nace2008","47","FR","Commerce de détail"
"Nace2008","47","NL","Detailhandel"
"Nace2008","4762","FR","Commerce de détail de journaux"
"Nace2008","4762","NL","Detailhandel in kranten"
"Nace2025","K","FR","TÉLÉCOMMUNICATIONS, PROGRAMMATION INFORMATIQUE, CONSEIL"
"Nace2025","K","NL","TELECOMMUNICATIE, COMPUTERPROGRAMMERING, CONSULTANCY"
"Nace2025","62","FR","Programmation informatique, conseil"
"Nace2025","62","NL","Computerprogrammering, consultancy"
"Nace2025","6210","FR","Programmation informatique"
"Nace2025","6210","NL","Computerprogrammering"
"Nace2003","7220","FR","Réalisation de logiciels"
"Nace2003","7220","NL","Ontwerpen van software"
"JuridicalForm","014","FR","Société anonyme"
"JuridicalForm","014","NL","Naamloze vennootschap"
"JuridicalForm","014","DE","Aktiengesellschaft"
"JuridicalSituation","000","FR","Situation normale"
"JuridicalSituation","000","NL","Normale toestand"
""".encode()


def enterprise_number(base):
    """A 10-digit enterprise number whose mod-97 check holds."""
    return f"{base:08d}{97 - base % 97:02d}"


def plan_on_partner_copy(cr, query, params, index_like):
    """The plan of ``query`` on an empty temporary copy of ``res_partner``
    with the same indexes, which shadows the table, and the name of the copy's
    index whose definition is ``LIKE index_like``. PostgreSQL leaves aside an
    index built over updated rows (``pg_index.indcheckxmin``) while any
    transaction older than it runs in the cluster, so the real table's plan
    would depend on the rest of the machine."""
    cr.execute("CREATE TEMP TABLE res_partner (LIKE public.res_partner INCLUDING INDEXES)")
    cr.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname LIKE 'pg_temp%%' "
        "AND tablename = 'res_partner' AND indexdef LIKE %s",
        [index_like],
    )
    (index,) = cr.fetchone()
    cr.execute("SET LOCAL enable_seqscan = off")
    try:
        cr.execute(f"EXPLAIN {query}", params)
        plan = "\n".join(line for (line,) in cr.fetchall())
    finally:
        cr.execute("RESET enable_seqscan")
        cr.execute("DROP TABLE pg_temp.res_partner")
    return plan, index


def fresh_dncm_list(env):
    """A Do Not Call Me list of today, with no number, in force: without one
    every prospecting call is refused (``test_dncm`` tests that)."""
    env["rgpd.dncm.load"].sudo().create(
        {
            "file_name": "dncm_test.txt",
            "source": "upload",
            "list_date": env.cr.now().date(),
            "state": "done",
        }
    )


def json2_request(case, user, model, method, payload):
    """Call Odoo 19's JSON-2 API (``/json/2/<model>/<method>``) from the HTTP
    case ``case`` as ``user``, with an API key of his valid for a day."""
    key = (
        case.env["res.users.apikeys"]
        .with_user(user)
        ._generate(scope="rpc", name="rgpd test", expiration_date=datetime.now() + timedelta(1))
    )
    with mute_logger("odoo.http"):
        return case.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
        )


class RgpdCase(TransactionCase):
    """Shared set-up: mail tracking off, messages in English whatever the
    languages of the database, the small code table built above."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # New cursors (the wizard's history, the scheduler's) wrap the test's
        # own, as in Odoo's HttpCase: nothing a test does is committed.
        if not issubclass(cls, HttpCase):  # HttpCase enters it by itself
            cls.registry_enter_test_mode_cls()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, lang="en_US"))
        cls.Partner = cls.env["res.partner"]
        cls.Nace = cls.env["rgpd.nace"]
        cls.Blacklist = cls.env["rgpd.blacklist"]
        fresh_dncm_list(cls.env)

    @classmethod
    def _load_small_code_table(cls):
        from ..bce_engine.codes import read_code_table

        return cls.env["rgpd.code.table"]._load_code_table(read_code_table(CODE_CSV))

    @classmethod
    def _nace(cls, code, version="2008"):
        return cls.Nace.search([("code", "=", code), ("version", "=", version)])

    @contextmanager
    def assertRefusedUnchanged(self, text, exception=UserError):
        """The block raises ``exception`` saying ``text`` and leaves the
        database as the case's ``_snapshot()`` saw it before."""
        before = self._snapshot()
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))
        self.assertEqual(self._snapshot(), before, "nothing was written")

    def run_cron(self, cron):
        """Run ``cron`` as Odoo's scheduler does: the job acquired, then
        processed in its own (test) cursors, committing between steps; it
        never fails."""
        # due now in the test's transaction, whose clock stands still
        cron.nextcall = self.env.cr.now() - timedelta(minutes=1)
        self.env.flush_all()
        job = self.registry["ir.cron"]._acquire_one_job(self.cr, cron.id)
        self.assertTrue(job, f"{cron.name} is ready to run")
        with self.registry.cursor() as cron_cr:
            self.registry["ir.cron"]._process_job(cron_cr, job)
        self.env.invalidate_all()
        self.assertTrue(cron.active)
        self.assertEqual(cron.failure_count, 0, f"{cron.name} never fails")
