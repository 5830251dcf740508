from . import main
from . import rgpd_unsubscribe
from . import bulk_takeout
