"""pytest plugin: make pytest-odoo run tests the way Odoo's own runner does.

Odoo's runner marks the running test in ``odoo.modules.module.current_test``
and Odoo relies on it (a mail sent from a test never reaches an SMTP server,
test cursors check which test they belong to). pytest-odoo sets it only from
Odoo 19 on; without it a test behaves differently under the two runners.
``run_tests.py`` loads it with ``-p``: a ``conftest.py`` in the add-on would be
imported before pytest-odoo can name it ``odoo.addons.…``.
"""

import pytest
from odoo.modules import module


@pytest.fixture(autouse=True)
def _odoo_current_test(request):
    previous = module.current_test
    module.current_test = getattr(request, "instance", None) or True
    yield
    module.current_test = previous
