from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from ..tools import is_rgpd_manager

REQUEST_TYPES = [
    ("access", "Access (art. 15)"),
    ("rectification", "Rectification (art. 16)"),
    ("erasure", "Erasure (art. 17)"),
    ("restriction", "Restriction (art. 18)"),
    ("portability", "Portability (art. 20)"),
    ("opposition", "Opposition (art. 21)"),
]
IDENTITY_CHECKS = [
    ("not_checked", "Not checked yet"),
    ("known_email", "Sent from an address we hold"),
    ("phone_callback", "Called back on a known number"),
    ("signed_letter", "Signed letter"),
    ("id_document", "Identity document shown"),
    ("in_person", "In person"),
]
STATES = [
    ("new", "Received"),
    ("in_progress", "In progress"),
    ("done", "Answered"),
    ("refused", "Refused"),
]
OPEN_STATES = ("new", "in_progress")
ANSWER_MONTHS = 1
MAX_EXTENSION_MONTHS = 2
REMINDER_DAYS = 7
TODO_XMLID = "mail.mail_activity_data_todo"
# An object, not a value: a JSON or XML-RPC context can hold a copy of a value, never this one.
REQUEST_EVENT = object()


class RgpdRequest(models.Model):
    """A data subject's request (GDPR art. 12 and 15 to 21): answered within
    one month of receipt, extendable by two more months with a reason."""

    _name = "rgpd.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Data subject request"
    _order = "due_date, id"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    request_type = fields.Selection(REQUEST_TYPES, string="Type", required=True, tracking=True)
    received_date = fields.Date(
        string="Received on", required=True, default=fields.Date.context_today, tracking=True
    )
    identity_check = fields.Selection(
        IDENTITY_CHECKS,
        string="Identity checked by",
        required=True,
        default="not_checked",
        tracking=True,
        help="How the requester's identity was checked before answering (art. 12.6).",
    )
    identity_note = fields.Text(string="Identity check notes")
    requester_name = fields.Char(string="Requester", required=True, tracking=True)
    requester_email = fields.Char(string="Requester e-mail")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", tracking=True, help="The company or person concerned."
    )
    company_partner_id = fields.Many2one(
        "res.partner", related="partner_id.commercial_partner_id", string="Company", store=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", default=lambda self: self.env.user, tracking=True
    )
    extension_months = fields.Integer(
        string="Extension (months)",
        tracking=True,
        copy=False,
        help="Up to two more months when the request is complex or the requests many "
        "(art. 12.3); the requester must be told why within the first month.",
    )
    extension_reason = fields.Text(tracking=True, copy=False)
    extension_date = fields.Date(
        string="Extended on",
        readonly=True,
        copy=False,
        help="When the answer was postponed: within one month of the receipt, once (art. 12.3).",
    )
    can_extend = fields.Boolean(
        compute="_compute_can_extend",
        help="Open, not extended yet, and still within one month of its receipt.",
    )
    due_date = fields.Date(
        compute="_compute_due_date", store=True, tracking=True, help="Answer at the latest on."
    )
    state = fields.Selection(STATES, required=True, default="new", tracking=True)
    answer = fields.Html()
    answer_date = fields.Date(string="Answered on", readonly=True, copy=False)
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still open after its due date.",
    )

    @api.depends("received_date", "extension_months")
    def _compute_due_date(self):
        for request in self:
            request.due_date = request.received_date and request.received_date + relativedelta(
                months=ANSWER_MONTHS + (request.extension_months or 0)
            )

    @api.depends("received_date", "extension_date", "state")
    def _compute_can_extend(self):
        """Read from the saved request (``_origin``): the form keeps its
        fields open while an extension is typed."""
        today = fields.Date.context_today(self)
        for request in self:
            request.can_extend = (
                request.state in OPEN_STATES
                and not request.extension_date
                and not request._origin.extension_months
                and bool(request.received_date)
                and today <= request._extension_deadline(request.received_date)
            )

    @staticmethod
    def _extension_deadline(received_date):
        """The requester is told of the extension and its reasons within one
        month of the receipt (art. 12.3): the last day it may be decided."""
        return received_date + relativedelta(months=ANSWER_MONTHS)

    @api.depends("due_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = (
                request.state in OPEN_STATES and bool(request.due_date) and request.due_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search overdue requests with “is set” or “is not set”."))
        overdue = [
            ("state", "in", OPEN_STATES),
            ("due_date", "<", fields.Date.context_today(self)),
        ]
        return overdue if (operator == "=") == value else ["!", "&", *overdue]

    @api.constrains("extension_months", "extension_reason")
    def _check_extension(self):
        for request in self:
            if not 0 <= request.extension_months <= MAX_EXTENSION_MONTHS:
                raise ValidationError(
                    self.env._(
                        "The answer may be postponed by two months at most (GDPR art. 12.3)."
                    )
                )
            if request.extension_months and not (request.extension_reason or "").strip():
                raise ValidationError(self.env._("Give the reason of the extension."))

    @api.constrains("received_date")
    def _check_received_date(self):
        """The deadline runs from the receipt: a receipt to come would put it off."""
        today = fields.Date.context_today(self)
        for request in self:
            if request.received_date > today:
                raise ValidationError(self.env._("A request cannot be received in the future."))

    def _check_deadline(self, vals):
        """The due date follows from the receipt and the legal extension alone (art. 12.3):
        nobody sets it, and the receipt, once recorded, is only ever corrected to an earlier
        day, which never puts the answer off."""
        if "answer_date" in vals and not self._is_event():
            raise AccessError(
                self.env._("A request's answer date is set when it is answered or refused.")
            )
        moved = [request.state for request in self] if self else ["new"]
        if "state" in vals and not self._is_event() and set(moved) != {vals["state"]}:
            raise AccessError(
                self.env._(
                    "A request's status follows its events: start, answer, refuse or reopen it "
                    "with its buttons, which record when it was answered."
                )
            )
        if "due_date" in vals and not self.env.su:
            raise AccessError(
                self.env._(
                    "The due date is one month after the receipt, extended by two months at "
                    "most with a reason: set the extension, not the date."
                )
            )
        if vals.get("received_date") and not self.env.su:
            received = fields.Date.to_date(vals["received_date"])
            if any(received > request.received_date for request in self):
                raise AccessError(
                    self.env._(
                        "A request's receipt date is only corrected to an earlier day: a later "
                        "one would put off the answer the law requires."
                    )
                )

    def _check_extension_event(self, vals):
        """An extension is decided once, within one month of the receipt, and
        stays as the requester was told of it: its length and reason are not
        rewritten afterwards, and no second one follows. Returns the date the
        write records as ``extension_date`` when it extends, else None."""
        if "extension_date" in vals and not self._is_event():
            raise AccessError(
                self.env._("A request's extension date is set when the answer is postponed.")
            )
        if self:
            changing = self.filtered(lambda r: r._changes_extension(vals))
            received = fields.Date.to_date(vals.get("received_date"))
            receipts = [(r.name, received or r.received_date, r.extension_months) for r in changing]
        elif vals.get("extension_months"):  # create
            received = vals.get("received_date") or fields.Date.context_today(self)
            receipts = [(vals.get("name") or "", fields.Date.to_date(received), 0)]
        else:
            receipts = []
        for name, received, months in receipts:
            self._check_extension_allowed(name, received, months)
        if receipts and vals.get("extension_months"):
            return fields.Date.context_today(self)
        return None

    def _check_extension_allowed(self, name, received, months):
        """Refuse a second extension, or one decided after the first month."""
        if months:
            raise ValidationError(
                self.env._(
                    "Request %(name)s has already been postponed once: the law allows one "
                    "extension of two months at most, as the requester was told of it "
                    "(GDPR art. 12.3). Its length and reason stay as recorded.",
                    name=name,
                )
            )
        deadline = self._extension_deadline(received)
        if fields.Date.context_today(self) > deadline:
            raise ValidationError(
                self.env._(
                    "The answer can no longer be postponed: the requester must be told of an "
                    "extension and its reasons within one month of the receipt (GDPR art. "
                    "12.3), that is by %(date)s.",
                    date=format_date(self.env, deadline),
                )
            )

    def _changes_extension(self, vals):
        """``vals`` extends this request, or rewrites its extension (the
        erasure, as superuser, may still mask the reason)."""
        if "extension_months" in vals and (vals["extension_months"] or 0) != self.extension_months:
            return True
        return (
            "extension_reason" in vals
            and bool(self.extension_months)
            and not self.env.su
            and (vals["extension_reason"] or False) != (self.extension_reason or False)
        )

    def _is_event(self):
        return self.env.su or self.env.context.get("rgpd_request_event") is REQUEST_EVENT

    def _event(self, vals):
        """Write what an event of the request (answered, refused, reopened) sets."""
        self.check_access("write")
        self.with_context(rgpd_request_event=REQUEST_EVENT).write(vals)

    def _rgpd_is_manager(self):
        return is_rgpd_manager(self.env)

    def _check_requester_takeout(self, fnames):
        """The requester's address is a data subject's contact data: taken
        out in bulk (export, JSON route) by a manager only."""
        if self and "requester_email" in fnames and not self._rgpd_is_manager():
            raise AccessError(
                self.env._(
                    "Only a GDPR prospecting manager may take the requesters' addresses "
                    "out of Odoo."
                )
            )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        self._check_requester_takeout({path[0] for path in fields if path})
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def web_read(self, specification):
        if self.env.context.get("rgpd_bulk_takeout"):
            self._check_requester_takeout(specification)
        return super().web_read(specification)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_deadline(vals)
            extended_on = self._check_extension_event(vals)
            if extended_on:
                vals["extension_date"] = extended_on
            if not self._rgpd_is_manager():
                # the reference goes to the erasure log: numbered, never typed
                vals.pop("name", None)
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("rgpd.request") or self.env._(
                    "New"
                )
        requests = super().create(vals_list)
        requests._schedule_reminder()
        return requests

    def write(self, vals):
        self._check_deadline(vals)
        extended_on = self._check_extension_event(vals)
        extended = self.filtered(lambda r: not r.extension_months) if extended_on else None
        if "name" in vals and not self._rgpd_is_manager():
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may change the reference of a request.")
            )
        result = super().write(vals)
        if extended:
            extended._event({"extension_date": extended_on})
        if {"extension_months", "received_date", "user_id"} & set(vals):
            self.filtered(lambda r: r.state in OPEN_STATES)._schedule_reminder()
        return result

    def _reminder_date(self):
        today = fields.Date.context_today(self)
        return max(self.due_date - relativedelta(days=REMINDER_DAYS), min(today, self.due_date))

    def _schedule_reminder(self):
        """One to-do per open request for its responsible, a week before it is
        due, moved when the due date or the responsible changes."""
        for request in self.filtered("user_id"):
            reminder = request.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref(TODO_XMLID)
            )
            values = {
                "date_deadline": request._reminder_date(),
                "user_id": request.user_id.id,
                "summary": request._reminder_summary(),
            }
            if reminder:
                reminder.write(values)
            else:
                request.activity_schedule(TODO_XMLID, **values)

    def _reminder_summary(self):
        """Stored on the to-do: written in its assignee's language, the date
        formatted for it, and rewritten when the due date moves."""
        env = self.with_context(lang=self.user_id.lang or self.env.lang).env
        return env._(
            "Answer the data subject request before %(date)s",
            date=format_date(env, self.due_date),
        )

    def action_extend(self):
        """Postpone the answer by the two further months of art. 12.3, for the
        reason typed on the request."""
        for request in self:
            self._check_extension_allowed(
                request.name, request.received_date, request.extension_months
            )
        self.write({"extension_months": MAX_EXTENSION_MONTHS})

    def action_start(self):
        self._event({"state": "in_progress"})

    def action_done(self):
        self._event({"state": "done", "answer_date": fields.Date.context_today(self)})
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref(TODO_XMLID)
        ).action_feedback(feedback=self.env._("Request answered."))

    def action_refuse(self):
        self._event({"state": "refused", "answer_date": fields.Date.context_today(self)})
        self.activity_unlink([TODO_XMLID])

    def action_reopen(self):
        self._event({"state": "in_progress", "answer_date": False})
        self._schedule_reminder()

    def _check_partner(self):
        for request in self:
            if not request.partner_id:
                raise UserError(self.env._("Link the request to a contact first."))

    def action_export_access(self):
        """Attach the access file (Excel) and, for portability, the JSON file."""
        self._check_partner()
        Report = self.env["rgpd.access.report"]
        for request in self:
            formats = ["json"] if request.request_type == "portability" else ["xlsx"]
            attachments = self.env["ir.attachment"]
            for file_format in formats:
                attachments |= Report._attach_export(
                    request.company_partner_id, file_format, request
                )
            request.message_post(
                body=self.env._("Copy of the personal data produced."),
                attachment_ids=attachments.ids,
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_execute(self):
        """Opposition: blacklist the company. Erasure: blacklist it and erase
        its personal data. Both close the request."""
        self._check_partner()
        for request in self:
            if request.request_type not in ("opposition", "erasure"):
                raise UserError(
                    self.env._("Only opposition and erasure requests are executed here.")
                )
            company = request.company_partner_id
            reason = self.env._("Request %(name)s", name=request.name)
            if company.bce_number:
                self.env["rgpd.blacklist"]._add([company.bce_number], "request", reason)
            if request.request_type == "erasure":
                company._rgpd_erase(reason, request_reference=request.name)
        self.action_done()
