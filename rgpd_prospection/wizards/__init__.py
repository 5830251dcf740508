from . import rgpd_code_import_wizard
