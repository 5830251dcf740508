from . import rgpd_code_import_wizard
from . import rgpd_bce_import_wizard
from . import rgpd_opposition_wizard
from . import rgpd_blacklist_lift_wizard
from . import rgpd_anonymise_wizard
