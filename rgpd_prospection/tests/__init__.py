from . import test_access_rights
from . import test_blacklist
from . import test_code_table
from . import test_enterprise_number
from . import test_partner_search
