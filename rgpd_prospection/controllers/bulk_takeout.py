import json

from odoo import http
from odoo.addons.rpc.controllers.json2 import WebJson2Controller
from odoo.addons.web.controllers.export import CSVExport, ExcelExport
from odoo.addons.web.controllers.json import WebJsonController
from odoo.http import request


class RgpdWebJsonController(WebJsonController):
    """The JSON route hands a whole list out at once: mark its reads, so that
    the contacts refuse it their prospects' e-mails and phones unless the
    caller is a manager (``res.partner.web_read``). The mark comes from here
    only; a caller adding it to his context only restricts himself."""

    @http.route()
    def web_json_1(self, subpath, **kwargs):
        request.update_context(rgpd_bulk_takeout=True)
        return super().web_json_1(subpath, **kwargs)


class RgpdWebJson2Controller(WebJson2Controller):
    """Odoo 19's JSON-2 API (``/json/2/<model>/<method>``, an API key) is a
    program's door: every read through it is a bulk take-out, whatever the
    method (``read``, ``search_read``, ``web_search_read``...). The caller's
    own context cannot lift the mark: it is set over it."""

    @http.route()
    def web_json_2_rpc(self, __model__, __method__, ids=(), context=None, **kwargs):
        context = dict(context or {}, rgpd_bulk_takeout=True)
        return super().web_json_2_rpc(__model__, __method__, ids=ids, context=context, **kwargs)


class RgpdExportGroupsMixin:
    """An export grouped by an e-mail or a phone lists them as group titles,
    which ``export_data`` does not see: the same rule as for the columns."""

    def base(self, data):
        params = json.loads(data)
        groupby = params.get("groupby") or []
        if params.get("model") == "res.partner" and not params.get("import_compat") and groupby:
            Partner = request.env["res.partner"]
            partners = (
                Partner.browse(params["ids"])
                if params.get("ids")
                else Partner.search(params.get("domain") or [])
            )
            partners._rgpd_check_takeout({spec.split(":")[0] for spec in groupby})
        return super().base(data)


class RgpdCSVExport(RgpdExportGroupsMixin, CSVExport):
    pass


class RgpdExcelExport(RgpdExportGroupsMixin, ExcelExport):
    pass
