import io
import logging
import os
from collections import namedtuple
from datetime import date, timedelta

import pyarrow.csv as pa_csv
from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..bce_engine.dncm import DncmFormat, DncmFormatError, date_in_name, read_dncm_list
from ..tools import file_checksum

_logger = logging.getLogger(__name__)

PARAM = "rgpd_prospection.dncm_"
# Licensees must download the list again at least every five days (art. VI.113).
MAX_AGE_DAYS = 5
LIST_SUFFIXES = (".txt", ".csv")

# What ``_call_decisions`` answers for a partner: ``fact`` names the cell of
# the table (one of the constants below), ``allowed`` whether a prospecting
# call may be scheduled, ``reason`` the text shown to the user, ``list_date``
# the date of the list that was checked (False when none).
DncmDecision = namedtuple("DncmDecision", "fact allowed reason list_date")
CLEAR = "clear"
NO_LIST = "no_list"
STALE = "stale"
LISTED = "listed"
CONSENT = "consent"


class RgpdDncmLoad(models.Model):
    """One Do Not Call Me list loaded: the history proves which list was in
    force and what it changed. The newest loaded list replaces the numbers
    of the previous one as a whole."""

    _name = "rgpd.dncm.load"
    _description = "Do Not Call Me list load"
    _order = "loaded_on desc, id desc"
    _rec_name = "file_name"

    file_name = fields.Char(required=True, readonly=True)
    source = fields.Selection(
        [("upload", "Uploaded"), ("folder", "Folder")], required=True, readonly=True
    )
    list_date = fields.Date(
        string="List date",
        readonly=True,
        help="The list's own date (in its file name or a header line), else when it was "
        "downloaded: its age counts from this date.",
    )
    list_date_origin = fields.Selection(
        [("name", "File name"), ("content", "File content"), ("download", "Download date")],
        string="List date taken from",
        readonly=True,
    )
    loaded_on = fields.Datetime(string="Loaded on", default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    checksum = fields.Char(string="File checksum", readonly=True, index=True)
    state = fields.Selection(
        [("done", "In force or replaced"), ("refused", "Refused")], required=True, readonly=True
    )
    refusal = fields.Char(
        string="Refused because", readonly=True, help="Why the list was not loaded."
    )
    lines_read = fields.Integer(string="Lines read", readonly=True, help="Lines holding a number.")
    numbers_count = fields.Integer(string="Numbers", readonly=True, help="Distinct numbers.")
    lines_refused = fields.Integer(string="Lines refused", readonly=True)
    refused_sample = fields.Text(
        string="Refused lines", readonly=True, help="The first refused lines: number and text."
    )
    newly_listed = fields.Integer(
        string="Contacts newly listed",
        readonly=True,
        help="Companies and contact persons marked by this list that the previous one did not.",
    )
    released = fields.Integer(
        string="Contacts released",
        readonly=True,
        help="Companies and contact persons the previous list marked and this one no longer does.",
    )

    # -- settings ---------------------------------------------------------

    @api.model
    def _param(self, key, default=False):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM + key, default)

    @api.model
    def _file_format(self):
        """The layout of the licensee's file, as set; refused when unreadable."""
        separator = {"tab": "\t"}.get(self._param("separator"), self._param("separator") or ";")
        try:
            return DncmFormat(separator, self._param("column_order") or "number_date")
        except DncmFormatError as error:
            raise UserError(
                self.env._("The Do Not Call Me file settings are invalid: %(error)s", error=error)
            ) from error

    # -- loading ------------------------------------------------------------

    @api.model
    def _current(self):
        """The list in force: the newest loaded, by its own date."""
        return self.sudo().search(
            [("state", "=", "done")], order="list_date desc, id desc", limit=1
        )

    @api.model
    def _load_list(self, file_name, data, downloaded_on, source):
        """Read ``data`` (the file's bytes) and, unless it is older than the
        list in force, replace the numbers and the prospects' flags."""
        self.env["res.partner"]._rgpd_check_manager(self.env._("load a Do Not Call Me list"))
        listed = read_dncm_list(data.decode("utf-8-sig", errors="replace"), self._file_format())
        list_date, origin = date_in_name(file_name), "name"
        if list_date is None:
            list_date, origin = listed.list_date, "content"
        if list_date is None:
            list_date, origin = downloaded_on, "download"
        vals = {
            "file_name": file_name,
            "source": source,
            "list_date": list_date,
            "list_date_origin": origin,
            "lines_read": listed.lines_read,
            "numbers_count": len(listed.table),
            "lines_refused": listed.refused_count,
            "refused_sample": "\n".join(
                f"{line}: {text} ({why})" for line, text, why in listed.refused
            ),
        }
        current = self._current()
        if current and list_date < current.list_date:
            vals.update(
                state="refused",
                refusal=self.env._(
                    "Older than the list in force (%(current)s of %(date)s).",
                    current=current.file_name,
                    date=current.list_date,
                ),
            )
        elif not len(listed.table):
            vals.update(state="refused", refusal=self.env._("The file holds no number."))
        else:
            self._replace_numbers(listed.table)
            vals["newly_listed"], vals["released"] = self.env["res.partner"]._rgpd_dncm_match()
            vals["state"] = "done"
        return self.sudo().create(vals)

    @api.model
    def _replace_numbers(self, table):
        """The new list replaces the old one in one transaction: TRUNCATE and
        COPY, so readers see either list, never a mix."""
        self.env.flush_all()
        buffer = io.BytesIO()
        pa_csv.write_csv(
            table,
            buffer,
            pa_csv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none"),
        )
        buffer.seek(0)
        cr = self.env.cr
        cr.execute("TRUNCATE rgpd_dncm_number")
        cr._obj.copy_expert(
            "COPY rgpd_dncm_number (number, registration_date) FROM STDIN "
            "WITH (FORMAT csv, DELIMITER E'\\t', NULL '')",
            buffer,
        )
        cr.execute("ANALYZE rgpd_dncm_number")
        self.env["rgpd.dncm.number"].invalidate_model()

    # -- the folder ----------------------------------------------------------

    @api.model
    def _cron_load_folder(self):
        self.action_load_folder()

    @api.model
    def action_load_folder(self):
        """Load the newest list file of the folder, unless already loaded."""
        folder = self._param("folder")
        if not folder:
            return self.browse()
        if not os.path.isdir(folder):
            _logger.warning("Do Not Call Me folder %s does not exist", folder)
            return self.browse()
        files = [
            entry
            for entry in os.scandir(folder)
            if entry.is_file() and entry.name.lower().endswith(LIST_SUFFIXES)
        ]
        if not files:
            return self.browse()

        def downloaded(entry):
            return date.fromtimestamp(entry.stat().st_mtime)

        newest = max(
            files, key=lambda e: (date_in_name(e.name) or downloaded(e), e.stat().st_mtime)
        )
        checksum = file_checksum(newest.path)
        if self.sudo().search_count([("checksum", "=", checksum)]):
            return self.browse()
        with open(newest.path, "rb") as stream:
            load = self._load_list(newest.name, stream.read(), downloaded(newest), "folder")
        load.checksum = checksum
        return load

    # -- age -------------------------------------------------------------------

    @api.model
    def _stale_since(self):
        """``(stale, since)``: whether prospecting calls are refused for a
        missing or outdated list, and since which date (False when none was
        ever loaded)."""
        current = self._current()
        if not current:
            return True, False
        since = current.list_date + timedelta(days=MAX_AGE_DAYS + 1)
        return fields.Date.context_today(self) >= since, since

    @api.model
    def _stale_banner(self):
        stale, since = self._stale_since()
        if not stale:
            return False
        if not since:
            return self.env._(
                "No Do Not Call Me list is loaded: prospecting calls are refused for every "
                "prospect."
            )
        return self.env._(
            "The Do Not Call Me list is more than %(days)s days old: prospecting calls are "
            "refused for every prospect since %(since)s. Load the latest list.",
            days=MAX_AGE_DAYS,
            since=since,
        )

    # -- the decision ------------------------------------------------------------

    @api.model
    def _call_decisions(self, partners, purpose=None):
        """What the list says of a prospecting call to each of ``partners``,
        for the contact policy's Do Not Call Me rule (which alone decides,
        after the events that exempt a call).

        Returns ``{partner_id: DncmDecision(fact, allowed, reason, list_date)}``.
        A call on a company reaches its numbers and its contact persons'; a
        call on a contact person reaches its own numbers. A listed number
        is allowed only with a consent of that number's holder recorded after
        the registration (a company's consent never covers a person's own
        number). A missing or stale list refuses all.
        """
        current = self._current()
        list_date = current.list_date or False
        stale, _since = self._stale_since()
        decisions = {}
        numbers = self._listed_numbers(partners)
        for partner in partners:
            company = partner.commercial_partner_id
            if stale:
                decisions[partner.id] = DncmDecision(
                    NO_LIST if not current else STALE, False, self._stale_banner(), list_date
                )
                continue
            holders = partner | (partner.child_ids if partner == company else partner.browse())
            blocked = [
                (holder, number, registered)
                for holder in holders
                for number, registered in numbers.get(holder.id, ())
                if not self._has_call_consent(holder, registered, purpose)
            ]
            if blocked:
                holder, number, _registered = blocked[0]
                decisions[partner.id] = DncmDecision(
                    LISTED,
                    False,
                    self.env._(
                        "%(number)s of %(holder)s is on the Do Not Call Me list: no prospecting "
                        "call without the holder's consent recorded after its registration.",
                        number=number,
                        holder=holder.display_name,
                    ),
                    list_date,
                )
            elif any(numbers.get(holder.id) for holder in holders):
                decisions[partner.id] = DncmDecision(
                    CONSENT,
                    True,
                    self.env._("Listed, but the holder consented to calls after registering."),
                    list_date,
                )
            else:
                decisions[partner.id] = DncmDecision(CLEAR, True, "", list_date)
        return decisions

    @api.model
    def _listed_numbers(self, partners):
        """``{partner_id: [(number, registration date)]}`` of the listed
        numbers of ``partners`` and their contact persons, in one query."""
        self.env.flush_all()
        ids = (partners | partners.child_ids).ids
        self.env.cr.execute(
            SQL(
                """SELECT p.id, n.number, n.registration_date
                     FROM res_partner p
                     JOIN rgpd_dncm_number n
                       ON n.number IN (p.phone_sanitized, p.rgpd_other_phone_sanitized)
                    WHERE p.id = ANY(%s)""",
                ids,
            )
        )
        found = {}
        for partner_id, number, registered in self.env.cr.fetchall():
            found.setdefault(partner_id, []).append((number, registered))
        return found

    @api.model
    def _has_call_consent(self, holder, registered, purpose):
        """A consent of the holder itself, given, dated and recorded after
        the registration; the recording time (``create_date``) is set by the
        ORM and nobody can edit it."""
        if not registered:
            return False
        consents = (
            self.env["rgpd.consent"]
            .sudo()
            .search(
                [("partner_id", "=", holder.id), ("state", "=", "given"), ("date", ">", registered)]
            )
        )
        if purpose:
            consents = consents.filtered(lambda c: c.purpose_id == purpose)
        return any(c.create_date.date() > registered for c in consents)
