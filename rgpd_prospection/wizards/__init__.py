from . import rgpd_code_import_wizard
from . import rgpd_bce_import_wizard
from . import rgpd_opposition_wizard
from . import rgpd_blacklist_lift_wizard
from . import rgpd_anonymise_wizard
from . import mailing_mailing_test
from . import mailing_sms_test
