"""The case of the tests that import generated extracts from a folder of their own."""

import shutil
import tempfile
from pathlib import Path

from odoo.addons.rgpd_prospection.models.bce_import.settings import PARAM

from .common import RgpdCase


def load_generator():
    """The project's generator of BCE extracts (``bce_synth``), shipped with the add-on."""
    from .. import bce_synth

    return bce_synth


class ImportCase(RgpdCase):
    """Generated extracts, made once per class: a full (147) of ``extract_enterprises``
    enterprises and, as ``extract_updates`` asks, its update (148) with the later full
    it leads to, then the next update (149) with its full. Each test gets an empty
    extract folder; the whole country is the perimeter."""

    extract_enterprises = 300
    extract_updates = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["rgpd.bce.import"]
        synth = load_generator()
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_bce_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = synth.generate_full(
            cls.source / "a/", enterprises=cls.extract_enterprises, seed=1
        )
        if cls.extract_updates >= 1:
            cls.update, cls.later_full = synth.generate_update(cls.full, cls.source / "b", seed=2)
        if cls.extract_updates >= 2:
            cls.next_update, cls.next_full = synth.generate_update(
                cls.later_full, cls.source / "c", seed=3
            )
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="rgpd_bce_folder_"))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(self.folder))

    def put(self, *paths):
        """Drop extracts into the folder the scheduled import reads."""
        for path in paths:
            shutil.copy(path, self.folder / Path(path).name)

    def prospects(self, active=True):
        return self.Partner.with_context(active_test=False).search(
            [("is_bce_prospect", "=", True), ("active", "=", active)]
        )
