# The model first, then its concerns: each extends it.
from . import rgpd_bce_import
from . import settings
from . import sequence
from . import files
from . import staging
from . import sanity
from . import download
from . import contact_lists
from . import history_guard
