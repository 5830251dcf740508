"""Engine and script tests run without Odoo: the engine is imported from the
add-on folder put on ``sys.path`` (see README, "Using the engine without Odoo")."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for folder in (REPO / "rgpd_prospection", REPO / "scripts"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

SHARED_BCE = REPO.parent / "shared" / "bce"
