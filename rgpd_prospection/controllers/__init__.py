from . import main
from . import rgpd_unsubscribe
