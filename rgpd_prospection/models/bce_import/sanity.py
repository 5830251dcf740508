"""The checks that stop an abnormal extract before the contacts step: it waits
for a manager, who confirms or rejects it."""

import logging

import numpy as np
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, LazyTranslate
from odoo.tools.misc import formatLang

from ...bce_engine.model import STATE_TABLES

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

# Tables of the legal persons' state a sound extract never leaves empty.
CORE_TABLES = ("enterprises", "names", "addresses", "activities")
SANITY_DEFAULTS = {
    "sanity_full_percent": 5.0,
    "sanity_update_percent": 1.0,
    "sanity_min_prospects": 50,
    "sanity_shrink_percent": 20.0,
}


def _percent(env, value):
    """A percentage setting as the reader writes numbers: ``5`` or ``2,5``."""
    return formatLang(env, value, digits=0 if float(value).is_integer() else 1)


class RgpdBceImport(models.Model):
    """An extract that looks abnormal waits for a manager's confirmation."""

    _inherit = "rgpd.bce.import"

    @api.model
    def _sanity_setting(self, key):
        """One of the checks' limits as stored: a percentage from 0 to 100, or
        a count of prospects; a value the settings would refuse fails the
        import in words (``BceSettingsError``), never replaced."""
        default = SANITY_DEFAULTS[key]
        high = 100.0 if isinstance(default, float) else 10**9
        return self._number_setting(key, self._sanity_label(key), default, 0, high)

    @api.model
    def _sanity_label(self, key):
        return {
            "sanity_full_percent": self.env._("Archives allowed in a full extract (%)"),
            "sanity_update_percent": self.env._("Archives allowed in an update (%)"),
            "sanity_min_prospects": self.env._("Archives checked from"),
            "sanity_shrink_percent": self.env._("Tables may shrink by (%)"),
        }[key]

    def _sanity_values(self, result):
        """The figures of the checks, and the "needs confirmation" state when
        the extract looks abnormal: it would archive an abnormal share of the
        prospects for a reason the BCE gives (stopped, struck off), or a core
        table is empty or shrank sharply against the last applied full."""
        for key in SANITY_DEFAULTS:  # each read, so that a bad one fails any extract
            self._sanity_setting(key)
        counts = result.table_counts or {
            table: len(getattr(result.state, table)) for table in STATE_TABLES
        }
        problems = []
        for table in CORE_TABLES:
            if not counts[table]:
                problems.append(self.env._("Table %(table)s is empty.", table=table))
        shrink = self._sanity_setting("sanity_shrink_percent")
        previous = self._last_done_full()
        for table in CORE_TABLES:
            before = (previous.table_counts or {}).get(table) or 0
            if counts[table] and before and counts[table] < before * (1 - shrink / 100):
                problems.append(
                    self.env._(
                        "Table %(table)s shrank from %(before)s to %(after)s rows (%(percent)s %%) "
                        "against full extract %(number)s; the limit is %(limit)s %%.",
                        table=table,
                        before=formatLang(self.env, before, digits=0),
                        after=formatLang(self.env, counts[table], digits=0),
                        percent=formatLang(
                            self.env, 100 * (counts[table] - before) / before, digits=1
                        ),
                        number=previous.extract_number,
                        limit=_percent(self.env, shrink),
                    )
                )
        archived, active = self._bce_archives(result)
        key = "sanity_full_percent" if self.extract_type == "full" else "sanity_update_percent"
        limit, minimum = self._sanity_setting(key), self._sanity_setting("sanity_min_prospects")
        if archived >= minimum and archived > active * limit / 100:
            problems.append(
                self.env._(
                    "It would archive %(archived)s of the %(active)s active prospects "
                    "(%(percent)s %%) that the BCE stopped or struck off; the limit for one "
                    "%(type)s extract is %(limit)s %% (from %(minimum)s prospects).",
                    archived=formatLang(self.env, archived, digits=0),
                    active=formatLang(self.env, active, digits=0),
                    percent=formatLang(self.env, 100 * archived / max(active, 1), digits=1),
                    type=dict(self._fields["extract_type"]._description_selection(self.env))[
                        self.extract_type
                    ].lower(),
                    limit=_percent(self.env, limit),
                    minimum=formatLang(self.env, minimum, digits=0),
                )
            )
        values = {"table_counts": counts, "count_bce_archived": archived}
        if problems:
            _logger.warning("BCE import %s needs confirmation: %s", self.file_name, problems)
            problems.append(
                self.env._(
                    "A manager confirms the extract to apply it, or rejects it: it is then set "
                    "aside, and a full extract is needed."
                )
            )
            values.update(
                state="confirm",
                sanity_message="\n".join(problems),
                progress_step=self.env._("Waiting for a manager's confirmation"),
            )
        return values

    @api.model
    def _last_done_full(self):
        return self.search(
            [("state", "=", "done"), ("extract_type", "=", "full"), ("table_counts", "!=", False)],
            order="extract_number desc, id desc",
            limit=1,
        )

    def _bce_archives(self, result):
        """Active prospects the extract archives because the BCE stopped them
        or struck them off, and the active prospects (``None`` for an update
        archiving fewer than the minimum: the share does not matter then; for
        an update, counted only as far as the share needs)."""
        self.env.flush_all()
        if self.extract_type == "update":
            # counted in the database, by number: an update reads no list of
            # every prospect, and counts them only when the share matters
            self.env.cr.execute(
                SQL(
                    """SELECT count(*) FROM res_partner
                       WHERE bce_number = ANY(%s)
                         AND is_bce_prospect AND active AND bce_number IS NOT NULL""",
                    sorted(result.stopped),
                )
            )
            archived = self.env.cr.fetchone()[0]
            if archived < self._sanity_setting("sanity_min_prospects"):
                return archived, None
            # the share is too high only if fewer than archived * 100 / limit
            # prospects are active: counted up to one more, not the register
            limit = self._sanity_setting("sanity_update_percent")
            enough = int(archived * 100 / limit) + 1 if limit > 0 else None
            self.env.cr.execute(
                SQL(
                    """SELECT count(*) FROM (
                           SELECT FROM res_partner
                           WHERE is_bce_prospect AND active AND bce_number IS NOT NULL
                           LIMIT %s) prospects""",
                    enough,
                )
            )
            return archived, self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """SELECT bce_number FROM res_partner
                   WHERE is_bce_prospect AND active AND bce_number IS NOT NULL"""
            )
        )
        prospects = [number for (number,) in self.env.cr.fetchall()]
        numbers = np.asarray([int(n) for n in prospects if n.isdigit()], dtype=np.int64)
        known = result.state.enterprises["bce"].to_numpy()
        return int((~np.isin(numbers, known)).sum()), len(prospects)

    def action_confirm_extract(self):
        """A manager applies an extract the checks stopped."""
        self._check_manager()
        for record in self:
            record._check_needs_confirmation()
            record.write(
                {
                    "state": "ready",
                    "confirmed_by_id": self.env.uid,
                    "sanity_message": "\n".join(
                        [
                            record.sanity_message or "",
                            self.env._(
                                "Confirmed by %(name)s on %(date)s.",
                                name=self.env.user.name,
                                date=fields.Datetime.now(),
                            ),
                        ]
                    ),
                    "progress_step": self.env._("Preparing the contacts"),
                }
            )
        self._trigger_cron()
        return True

    def action_reject_extract(self):
        """A manager rejects an extract the checks stopped: it breaks the
        chain as a failure does."""
        self._check_manager()
        for record in self:
            record._check_needs_confirmation()
            record._drop_staging()
            record.write(
                {
                    "state": "failed",
                    "format_error": True,
                    "confirmed_by_id": self.env.uid,
                    **self._message(
                        _lt(
                            "Rejected by %(name)s after the checks:\n%(checks)s\nNothing was "
                            "changed; the file is set aside.",
                            name=self.env.user.name,
                            checks=record.sanity_message,
                        )
                    ),
                    "date_end": fields.Datetime.now(),
                    "progress_step": False,
                }
            )
        self._trigger_cron()
        return True

    def _check_needs_confirmation(self):
        if self.state != "confirm":
            raise UserError(
                self.env._("%(name)s does not wait for a confirmation.", name=self.name)
            )
