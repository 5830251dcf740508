"""The download of the extracts from the BCE portal, apart from the import: a
failure there never stops the import of what the folder holds."""

import logging

from odoo import api, fields, models
from odoo.tools import SQL, LazyTranslate, config

from ...bce_engine import portal as bce_portal
from .settings import PARAM

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

DOWNLOAD_LOCK = "rgpd_prospection.bce_download"


class RgpdBceImport(models.Model):
    """The extracts downloaded from the BCE portal."""

    _inherit = "rgpd.bce.import"

    @api.model
    def _cron_download_bce_extracts(self):
        """One file per call, within the cron's time limit: the cron framework
        calls again while files remain."""
        step = self.download_next_extract()
        remaining = 1 if step and step.more else 0
        self.env["ir.cron"]._commit_progress(1 if step else 0, remaining=remaining)

    @api.model
    def download_next_extract(self):
        """Download, or go on downloading, the next extract the folder lacks
        from the BCE portal with the customer's account, when one is set.

        Runs apart from the import: a failure (refused login, no network) is
        recorded once, and the import goes on with what the folder holds.
        Returns the portal's ``DownloadStep``, or None."""
        self._check_manager()
        portal_login = self._param("portal_user")
        portal_password = self._param("portal_password")
        folder = self._folder()
        if not (portal_login and portal_password and folder):
            return None
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", DOWNLOAD_LOCK))
        if not self.env.cr.fetchone()[0]:
            return None
        try:
            step = bce_portal.download_next_extract(
                self._param("portal_url") or bce_portal.DEFAULT_URL,
                portal_login,
                portal_password,
                folder,
                since=self._last_number(),
                seconds=self._download_seconds(),
            )
        except bce_portal.PortalError as error:
            _logger.warning("BCE portal download failed: %s", error)
            self._record_download_failure(str(error))
            return None
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "download_error", False)
        if step and step.more:
            self._trigger_cron("ir_cron_rgpd_bce_download")
        if step and step.finished:
            self._trigger_cron()
        return step

    @api.model
    def _download_seconds(self):
        """Half the time a cron may run (``limit_time_real_cron``, else
        ``limit_time_real``); an hour when neither limits it."""
        limit = config.get("limit_time_real_cron")
        if limit is None or limit < 0:
            limit = config.get("limit_time_real")
        return limit / 2 if limit and limit > 0 else 3600

    @api.model
    def _record_download_failure(self, message):
        """A failed history record, once per cause: the cron retries every run."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(PARAM + "download_error") == message:
            return self.browse()
        params.set_param(PARAM + "download_error", message)
        now = fields.Datetime.now()
        return self.create(
            {
                "state": "failed",
                "file_name": self.env._("BCE portal download"),
                **self._message(
                    _lt(
                        "The download from the BCE portal failed: %(error)s. The extracts already "
                        "in the folder are still applied; the download is tried again at the next "
                        "run.",
                        error=message,
                    )
                ),
                "date_start": now,
                "date_end": now,
            }
        )
