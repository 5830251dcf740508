import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)


def uninstall_hook(env):
    """An uninstall drops the prospecting blacklist: say how many oppositions
    go with it (the export to keep them is described in the readme). The
    staging tables of an unfinished import are not the ORM's: drop them."""
    env.cr.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename LIKE 'rgpd\\_bce\\_staging\\_%'"
    )
    for (table,) in env.cr.fetchall():
        env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
    env.cr.execute("SELECT count(*) FROM rgpd_blacklist WHERE active")
    count = env.cr.fetchone()[0]
    if count:
        _logger.warning(
            "Uninstalling rgpd_prospection deletes %s active oppositions to prospecting; "
            "export the blacklist first and import it after a reinstall.",
            count,
        )


def migrate_nace_links_and_stored_purposes(env):
    """From 18.0.1.0.0, where every NACE code of a company was a many2many row
    and every prospect stored the default purposes: the codes become the text
    of ``bce_nace_codes``, and only purposes that differ from the defaults
    (chosen by hand, or left by withdrawn consents) stay stored."""
    cr = env.cr
    cr.execute("SELECT to_regclass('res_partner_rgpd_nace_rel')")
    if cr.fetchone()[0]:
        cr.execute(
            """UPDATE res_partner p SET bce_nace_codes = codes.text
               FROM (
                   SELECT r.partner_id,
                          string_agg(n.version || ':' || n.code, ' '
                                     ORDER BY n.version || ':' || n.code COLLATE "C") AS text
                   FROM res_partner_rgpd_nace_rel r JOIN rgpd_nace n ON n.id = r.nace_id
                   GROUP BY r.partner_id
               ) codes
               WHERE p.id = codes.partner_id AND p.bce_nace_codes IS NULL"""
        )
        _logger.info("rgpd_prospection: NACE codes of %s companies kept as text", cr.rowcount)
        cr.execute("DROP TABLE res_partner_rgpd_nace_rel")
        cr.execute("DELETE FROM ir_model_relation WHERE name = 'res_partner_rgpd_nace_rel'")
    cr.execute(
        """UPDATE res_partner p SET rgpd_purpose_chosen = true
           WHERE NOT coalesce(p.rgpd_purpose_chosen, false) AND CASE
               WHEN p.is_bce_prospect AND p.is_company THEN
                   ARRAY(SELECT purpose_id FROM res_partner_rgpd_purpose_rel r
                         WHERE r.partner_id = p.id ORDER BY 1)
                   IS DISTINCT FROM
                   ARRAY(SELECT id FROM rgpd_purpose WHERE is_default ORDER BY 1)
               ELSE EXISTS (SELECT 1 FROM res_partner_rgpd_purpose_rel r
                            WHERE r.partner_id = p.id)
           END"""
    )
    _logger.info("rgpd_prospection: purposes of %s contacts kept as chosen", cr.rowcount)
    cr.execute(
        """DELETE FROM res_partner_rgpd_purpose_rel r USING res_partner p
           WHERE p.id = r.partner_id AND NOT coalesce(p.rgpd_purpose_chosen, false)"""
    )
    env.invalidate_all()


def migrate_nace_levels(env):
    """Before 18.0.1.2.0 an import created the NACE codes its code table lacked
    one level too shallow (a 5-digit subclass at 4, a section at 2), and the
    NACE views filter on the level: recompute every code's level from its
    spelling, as ``rgpd.nace`` does for a new code."""
    naces = env["rgpd.nace"].with_context(active_test=False).search([])
    env.add_to_compute(naces._fields["level"], naces)
    naces.flush_recordset(["level"])
    _logger.info("rgpd_prospection: level of %s NACE codes recomputed", len(naces))


def migrate_drop_lines(env):
    """From 18.0.1.1.0, where an import kept its drops as one JSON value: a
    line per reason, for the graph and pivot views. The history of imports
    before it counted expired and erased companies with the oppositions."""
    env.cr.execute("SELECT id FROM rgpd_bce_import WHERE drops IS NOT NULL ORDER BY id")
    imports = env["rgpd.bce.import"].browse([row[0] for row in env.cr.fetchall()])
    imports._sync_drop_lines()
    _logger.info("BCE import history: drop lines written for %s imports", len(imports))


def migrate_mobile_numbers(env):
    """From 18.0: Odoo 19 keeps one ``phone`` per contact. Where a contact had
    both, ``phone`` keeps its number (the BCE's main one for a prospect) and the
    mobile becomes ``rgpd_other_phone``; a mobile alone becomes the phone. The
    blacklists and the Do Not Call Me check then cover both numbers."""
    cr = env.cr
    cr.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = 'res_partner' AND column_name = 'mobile'"
    )
    if not cr.fetchone():
        return
    cr.execute(
        """UPDATE res_partner SET rgpd_other_phone = mobile
            WHERE COALESCE(mobile, '') != '' AND COALESCE(phone, '') != ''
              AND mobile != phone AND COALESCE(rgpd_other_phone, '') = ''
        RETURNING id"""
    )
    moved = [row[0] for row in cr.fetchall()]
    cr.execute(
        """UPDATE res_partner SET phone = mobile
            WHERE COALESCE(mobile, '') != '' AND COALESCE(phone, '') = ''
        RETURNING id"""
    )
    promoted = [row[0] for row in cr.fetchall()]
    partners = env["res.partner"].with_context(active_test=False).browse(moved + promoted)
    env.invalidate_all()
    env.add_to_compute(env["res.partner"]._fields["phone_sanitized"], partners)
    partners.flush_recordset()
    # the oppositions' phone blacklist learns the numbers that moved
    partners._rgpd_feed_opposition()
    _logger.info("%s mobile numbers kept as other phone, %s as phone", len(moved), len(promoted))
