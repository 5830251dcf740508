# The model first, then its concerns: each extends it.
from . import rgpd_bce_import
from . import sequence
from . import files

# after files: it tells its own errors in words
from . import settings
from . import staging
from . import sanity
from . import download
from . import contact_lists
from . import history_guard
from . import state_tables
