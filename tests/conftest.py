"""Engine and script tests run without Odoo: pytest's ``pythonpath`` option (pyproject.toml)
puts the add-on folder and ``scripts/`` on the path, so the engine is imported as the
top-level ``bce_engine`` (see README, "Using the engine without Odoo")."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_BCE = REPO.parent / "shared" / "bce"
