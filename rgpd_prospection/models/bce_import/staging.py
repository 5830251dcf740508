"""The contacts prepared in committed steps, in the staging tables
``rgpd_bce_staging_<id>``, so that the all-or-nothing last step stays short."""

import bisect
import logging
from collections import Counter

from odoo import models
from odoo.tools import SQL

from ...bce_engine import EmptyPerimeterError
from .partner_sync import _PartnerSync

_logger = logging.getLogger(__name__)

STAGE_BATCH = 100_000  # companies prepared per committed step


class RgpdBceImport(models.Model):
    """The contacts prepared step by step before the last step."""

    _inherit = "rgpd.bce.import"

    def _stages(self):
        """Whether the next step prepares contacts: on the set-based path only
        (the ORM path, for the benchmark and tests, creates them at the end),
        and not for an update of a few changes, applied in one step."""
        if self.stage_done or self.env.context.get("rgpd_bce_orm_create"):
            return False
        if self.extract_type == "update" and not self._full_sync():
            changes = self.engine_changes or {}
            return len(changes.get("created", [])) + len(changes.get("updated", [])) > STAGE_BATCH
        return True

    def _staging_table(self):
        return f"rgpd_bce_staging_{self.id}"

    def _staging_tables(self):
        """The staged contact rows (shaped as ``res_partner``), their many2many
        links, and what the last step needs of each enterprise number."""
        table = self._staging_table()
        return table, f"{table}_links", f"{table}_seen"

    def _drop_staging(self):
        for record in self:
            for name in record._staging_tables():
                self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(name)))

    def _forget_staged(self, numbers):
        """Take the erased enterprises out of the contacts prepared by these
        imports: the tables would keep their name, e-mail and phone until the
        last step, which leaves them out anyway (they are blacklisted).
        Returns the number of imports whose tables held some."""
        cr = self.env.cr
        changed = 0
        for record in self:
            rows, links, seen = record._staging_tables()
            cr.execute(
                "SELECT to_regclass(%s), to_regclass(%s), to_regclass(%s)", [rows, links, seen]
            )
            if not all(cr.fetchone()):
                continue
            rows, links, seen = map(SQL.identifier, (rows, links, seen))
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE partner_id IN "
                    "(SELECT id FROM %s WHERE bce_number = ANY(%s))",
                    links,
                    rows,
                    numbers,
                )
            )
            cr.execute(SQL("DELETE FROM %s WHERE bce_number = ANY(%s)", rows, numbers))
            deleted = cr.rowcount
            cr.execute(SQL("DELETE FROM %s WHERE bce_number = ANY(%s)", seen, numbers))
            changed += bool(deleted or cr.rowcount)
        return changed

    def _create_staging(self):
        self._drop_staging()
        rows, links, seen = map(SQL.identifier, self._staging_tables())
        cr = self.env.cr
        cr.execute(SQL("CREATE UNLOGGED TABLE %s (LIKE res_partner INCLUDING DEFAULTS)", rows))
        cr.execute(SQL("ALTER TABLE %s ADD PRIMARY KEY (id)", rows))
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s (field varchar NOT NULL, partner_id integer NOT NULL, "
                "target_id integer NOT NULL)",
                links,
            )
        )
        cr.execute(
            SQL(
                "CREATE UNLOGGED TABLE %s (bce_number varchar PRIMARY KEY, partner_id integer, "
                "bce_values jsonb)",
                seen,
            )
        )

    def _staging_current(self):
        """Whether what is staged still fits: prepared with the settings of now,
        into a table that still has the columns of ``res_partner`` (a module
        installed meanwhile may have added some), and still there."""
        if self.stage_signature != self._settings_signature():
            return False
        table = self._staging_table()
        self.env.cr.execute(
            SQL(
                """SELECT table_name, array_agg(column_name::text ORDER BY column_name)
                   FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name IN (%s, %s)
                   GROUP BY table_name""",
                "res_partner",
                table,
            )
        )
        shapes = dict(self.env.cr.fetchall())
        if shapes.get(table) != shapes.get("res_partner"):
            return False
        # the tables are unlogged (no WAL for rows read once): a crash of
        # PostgreSQL empties them, and what they held is prepared again
        _rows, _links, seen = self._staging_tables()
        self.env.cr.execute(SQL("SELECT EXISTS (SELECT FROM %s)", SQL.identifier(seen)))
        return self.env.cr.fetchone()[0] or not self.stage_count

    def _restart_staging(self):
        _logger.info(
            "BCE import %s: settings or contact columns changed, or the prepared contacts "
            "were lost, contacts prepared again",
            self.file_name,
        )
        self._drop_staging()
        self.write(self._staging_start_values())

    def _staging_start_values(self):
        return {
            "stage_done": False,
            "stage_after": False,
            "stage_count": 0,
            "stage_total": 0,
            "stage_columns": False,
            "stage_drops": False,
            "stage_signature": False,
            "progress": 40,
            "progress_step": self.env._("Preparing the contacts"),
        }

    def _run_staging_step(self):
        """Prepare the next companies of the perimeter in the staging tables:
        the slow part of creating contacts, in steps committed one by one, so
        that the all-or-nothing last step stays short."""
        try:
            with self.env.cr.savepoint():
                if self.stage_after and not self._staging_current():
                    self._restart_staging()
                result, perimeter, _full_sync, _changed = self._sync_inputs()
                # held as int64 (``EnterpriseNumbers``): bisecting and slicing
                # read as text only the numbers they touch
                numbers = result.select(perimeter).numbers
                if not self.stage_after:
                    self._create_staging()
                    self.stage_signature = self._settings_signature()
                todo = numbers[bisect.bisect_right(numbers, self.stage_after or "") :]
                batch = todo[:STAGE_BATCH]
                built_drops = Counter()
                columns = self.stage_columns or {"columns": [], "many2many": []}
                if batch:
                    sync = _PartnerSync(
                        self.env["res.partner"].sudo(),
                        result.meta,
                        perimeter.excluded,
                        bce_import=self,
                    )
                    given, many2many = sync.stage(
                        result.company_rows_of(batch, built_drops),  # streamed
                        batch,
                        self._staging_table(),
                    )
                    columns = {
                        "columns": sorted(set(columns["columns"]) | set(given)),
                        "many2many": sorted(set(columns["many2many"]) | set(many2many)),
                    }
                if len(todo) <= STAGE_BATCH:
                    for name in self._staging_tables():
                        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(name)))
                count = self.stage_count + len(batch)
                self.write(
                    {
                        "stage_after": batch[-1] if batch else self.stage_after,
                        "stage_count": count,
                        "stage_total": len(numbers),
                        "stage_columns": columns,
                        "stage_drops": dict(Counter(self.stage_drops or {}) + built_drops),
                        "stage_done": len(todo) <= STAGE_BATCH,
                        "progress": 40 + int(50 * count / max(len(numbers), 1)),
                        "progress_step": self.env._(
                            "Preparing the contacts: %(count)s of %(total)s",
                            count=count,
                            total=len(numbers),
                        ),
                    }
                )
        except (EmptyPerimeterError, ValueError) as error:
            self._fail(error)
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning("BCE import %s: preparation failed", self.file_name, exc_info=True)
            self._fail(error)
