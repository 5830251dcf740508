from . import rgpd_nace
from . import rgpd_juridical_form
from . import rgpd_code_table
from . import rgpd_blacklist
from . import res_partner
