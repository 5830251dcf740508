"""The import history is written by the import alone.

Its state, extract number, counts and messages are what later imports trust: a ``done`` set by
hand, or an extract number raised to 9001, would make later real extracts skipped and deleted.
Direct writes over RPC are refused, even to a manager; the import's own methods (the entry points
below, and whatever they call) carry a marker no RPC call can send, and the superuser (the cron,
the wizard's history written apart) passes.
"""

from odoo import api, models
from odoo.exceptions import AccessError

# An object, not a value: a JSON or XML-RPC context can hold a copy of a value, never this one.
IMPORT_WRITES = object()
CONTEXT_KEY = "rgpd_bce_import_writes"


class RgpdBceImportHistoryGuard(models.Model):
    _inherit = "rgpd.bce.import"

    def _as_the_import(self):
        return self.with_context(**{CONTEXT_KEY: IMPORT_WRITES})

    def _is_the_import(self):
        return self.env.su or self.env.context.get(CONTEXT_KEY) is IMPORT_WRITES

    def _history_fields(self, fnames):
        """The history's own fields among ``fnames``: not the chatter's or the activities'."""
        return sorted(
            fname
            for fname in fnames
            if fname in self._fields
            and not fname.startswith(("message_", "activity_", "website_message"))
        )

    def _check_written_by_the_import(self, fnames):
        written = self._history_fields(fnames)
        if written and not self._is_the_import():
            raise AccessError(
                self.env._(
                    "The import history is written by the import alone; %(fields)s cannot be "
                    "set by hand. Run the import again, or confirm or reject the extract.",
                    fields=", ".join(written),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_written_by_the_import(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_written_by_the_import(vals)
        return super().write(vals)

    # ------------------------------------------------------------------ the import's doors
    # The methods a user, the wizard or a cron calls: every write of the history goes
    # through one of them, which marks the import's own code.

    @api.model
    def _cron_import_extracts(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._cron_import_extracts()

    @api.model
    def _cron_download_bce_extracts(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._cron_download_bce_extracts()

    def action_run_now(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).action_run_now()

    @api.model
    def run_pending_imports(self, max_steps=None):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).run_pending_imports(
            max_steps=max_steps
        )

    @api.model
    def import_file(self, file_name):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).import_file(file_name)

    @api.model
    def _import_path(self, path):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._import_path(path)

    @api.model
    def _import_one_step(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._import_one_step()

    @api.model
    def _usable_folder(self, record_problem=False):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._usable_folder(
            record_problem=record_problem
        )

    @api.model
    def _remove_old_set_aside_files(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import())._remove_old_set_aside_files()

    @api.model
    def download_next_extract(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).download_next_extract()

    def action_confirm_extract(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).action_confirm_extract()

    def action_reject_extract(self):
        return super(RgpdBceImportHistoryGuard, self._as_the_import()).action_reject_extract()
