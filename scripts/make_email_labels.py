"""Generate tests/data/email_labels.csv: synthetic, hand-templated, labelled e-mail addresses.

Labels come from the template that built each address (written before any rule). Names are
common first names and surnames (Faker's locale lists and a hand-written Belgian list); domains
are invented company domains; no address belongs to a real person.
"""

import csv
import random
import re
import sys
import unicodedata

from faker.providers.person import de_AT, de_CH, de_DE, fr_BE, fr_FR, nl_BE, nl_NL

rng = random.Random(20251124)


def words(text):
    return text.split()


def fold(text):
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z.-]", "", text.lower())


ROLES = words(
    """info contact sales vente ventes verkoop admin administratie administration
boekhouding comptabilite compta accounting accounts facturation facturatie invoice invoices
billing office bureau kantoor secretariat secretariaat onthaal accueil reception receptie hr rh
jobs job recrutement vacatures careers emploi support helpdesk service klantendienst orders
bestellingen commande commandes shop webshop boutique winkel marketing communication
communicatie pers press presse direction directie management mail post postmaster webmaster
noreply privacy dpo legal juridique finance tresorerie achats aankoop purchasing logistique
logistiek planning technique atelier garage magasin expedition transport reservation reservaties
booking reservations hello hallo bonjour welkom team equipe algemeen general enquiries inquiries
offerte offertes devis quotes export import dispatch klachten reclamations complaints
boekhoudkantoor fiduciaire verwaltung buchhaltung kontakt vertrieb verkauf zentrale empfang
personal rechnung rechnungen bestellung anfrage service-client serviceclient aftersales
apres-vente naverkoop herstellingen reparation reparatie onderhoud entretien maintenance
facility it ict informatique projects projets projecten studiebureau bureau-etude engineering
quality qualite kwaliteit safety securite veiligheid events evenementen evenements info.be
newsletter nieuwsbrief abonnement subscriptions membres leden members school ecole
inschrijvingen inscriptions agenda afspraken rendez-vous rdv verhuur location rental
immo vastgoed cabinet praktijk apotheek pharmacie labo laboratoire"""
)

MULTI_ROLES = words(
    """customer.service customer-service customerservice service.clients service-clients
service.client accounts.payable accounts-receivable e-invoice e-invoicing e-facturation
no-reply do-not-reply sales.support tech.support technical.support after.sales
human.resources ressources.humaines personeelsdienst dienst.personeel sales-admin
info-sales order.desk orderdesk boekhouding.facturen factures.fournisseurs
aankoopfacturen purchase.invoices ap.invoices info.nl info.fr info.de contact.fr
sales.be sales.benelux info.belgium ventes.belgique verkoop.belgie office.gent
office.liege bureau.bruxelles kantoor.antwerpen info.bxl accueil.namur onthaal.brugge
admin.mons secretariat.direction direction.generale algemene.directie
service.commercial commercial dienst.verkoop planning.transport info2 info1 sales2 office1
contact2 facturation2"""
)

# Invented company names (no known real firm meant).
BRANDS = words(
    """axiatech novabuild greenlogix zentralis belfinance medisolve optivision primeimmo
quadrafix solarwave techwerk verdisol brixo klimatec dakwerkenplus elektrowatt carrosseriemax
tuinplan fidubel drukwerkpro schoonmaakservice nettoyagenet horecamat bouwteam constructplus
ecobati isolatec renovia logistix transmodal agrivert vitacare pharmalink dentalis opticlair
kinecenter juristix auditcorp finconsult taxadvice immoplus vastgoedpro archidesign
studiomodul webfactory codeworks datalytics netforce cloudbay printshop grafimedia
eventiz cateringplus foodbox bakeline vleeswaren chocotrade biermakers vinotheque
autocenter bikehouse pneuservice glasswork metalform houtbouw steelcon betonplus
sanitherm chauffagepro electroflux lumitec securitas7 alarmtec cleanpro"""
)

TLDS = ["be"] * 8 + ["eu", "com", "lu", "nl", "fr", "de"]


def company_domain():
    brand = rng.choice(BRANDS)
    style = rng.random()
    if style < 0.15:
        brand = brand[: len(brand) // 2] + "-" + brand[len(brand) // 2 :]
    elif style < 0.25:
        brand = rng.choice(["groupe-", "groep-", "bureau-", "atelier-"]) + brand
    return f"{brand}.{rng.choice(TLDS)}"


PRIVATE_DOMAINS = words(
    """gmail.com gmail.com gmail.com hotmail.com hotmail.be hotmail.fr hotmail.nl
hotmail.co.uk outlook.com outlook.be outlook.fr live.be live.com live.fr live.nl msn.com
yahoo.com yahoo.fr yahoo.be yahoo.co.uk skynet.be skynet.be telenet.be telenet.be pandora.be
scarlet.be voo.be base.be icloud.com me.com mac.com gmx.de gmx.net gmx.at gmx.ch web.de
orange.fr free.fr laposte.net wanadoo.fr proton.me protonmail.com googlemail.com
t-online.de sfr.fr"""
)

BE_FIRST = words(
    """Wout Jens Lotte Fien Nele Sien Jelle Stijn Bram Kobe Ruben Seppe Lore Elien Ine Griet
Hilde Veerle Katrien Sofie Els Kris Geert Dirk Luc Marc Koen Bart Tom Wim Gert Lieve Mieke
Annemie Godelieve Benoît Thibault Quentin Maxime Aurélie Séverine Delphine Nathalie Véronique
Ghislain Baudouin Gaëtan Amaury Géraldine Pieter Joris Tine Joke Inge Hans Filip Pascale
Christophe Frédéric Sébastien Jérôme Cédric Ludovic Arnaud Aline Manon Camille Chloé Louise
Elise Margaux Jonas Lars Nils Siebe Warre Mathis Noah Emma Olivia Marie Julie Laura Sarah
Mohamed Fatima Youssef Mehmet Ayse Giuseppe Salvatore Khadija Karim Samira Jo An Lut Nand
Sven Dries Ward Tijs Lien Leen Ann Anke Evi Femke Hanne Ilse Jolien Kaat Lisa Marthe Nina"""
)

BE_LAST = words(
    """Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Lambert
Dupont Martin Simon Laurent Lejeune Leclercq Renard Hermans Michiels Vermeulen Desmet Dumont
Claessens Verstraete Pauwels Aerts Cools Lemmens Verhoeven Vandenberghe Stevens Segers
Coppens Smets Bosmans Declercq Wuyts Timmermans Hendrickx Mathieu Denis Mahieu Goffin
Charlier Lemaire Piron Collard Wathelet Thiry Delvaux Noel Gerard Vanhove Vanderstraeten
Vandamme Vercammen Verbruggen Deprez Devos Dewulf Deconinck Vanlaere Lannoo Baert Huysmans
Moens Dierckx Govaerts Van.Damme Van.den.Broeck De.Smet De.Backer Van.Dyck Van.de.Velde
Benali Yilmaz Kaya Rossi Russo Esposito Nowak Kowalski El.Amrani Bouzid"""
)


def faker_first():
    mod = rng.choice([fr_BE, nl_BE, nl_BE, fr_BE, de_DE, de_AT, de_CH, fr_FR, nl_NL])
    return rng.choice(list(mod.Provider.first_names))


def faker_last():
    mod = rng.choice([fr_BE, nl_BE, nl_BE, fr_BE, de_DE, de_AT, fr_FR, nl_NL])
    return rng.choice(list(mod.Provider.last_names))


def first():
    return fold(rng.choice(BE_FIRST) if rng.random() < 0.45 else faker_first())


def last(particles=True):
    name = rng.choice(BE_LAST) if rng.random() < 0.45 else faker_last()
    if not particles:
        name = name.replace(".", "")
    return fold(name).replace("-", "")


def nominative_local():
    f, sur = first(), last()
    flat = sur.replace(".", "")
    templates = [
        lambda: f"{f}.{flat}",
        lambda: f"{f}.{sur}",
        lambda: f"{flat}.{f}",
        lambda: f"{f[0]}.{flat}",
        lambda: f"{f[0]}{flat}",
        lambda: f,
        lambda: f"{f}-{flat}",
        lambda: f"{f}_{flat}",
        lambda: f"{f}{rng.randint(1, 99)}",
        lambda: f"{f}{rng.choice(['1978', '1985', '2001', '69', '07'])}",
        lambda: f"{f}{flat}",
        lambda: f"{f}.{flat}{rng.randint(1, 9)}",
        lambda: f"{f}.{flat[0]}",
        lambda: f"{flat}{f[0]}",
        lambda: f"{flat}",
        lambda: f"{f}-{first()}.{flat}",
        lambda: f"{flat}_{f[0]}",
    ]
    weights = [14, 5, 6, 8, 8, 10, 4, 3, 4, 3, 6, 3, 3, 2, 3, 3, 2]
    return rng.choices(templates, weights)[0]()


def generic_local():
    r = rng.random()
    if r < 0.55:
        return rng.choice(ROLES)
    if r < 0.80:
        return rng.choice(MULTI_ROLES)
    if r < 0.90:
        return rng.choice(BRANDS)
    return rng.choice(ROLES) + rng.choice([".", "-", "_"]) + rng.choice(BRANDS)


def private_local():
    r = rng.random()
    if r < 0.6:
        return nominative_local()
    if r < 0.8:
        return rng.choice(ROLES + BRANDS)
    brand, separator = rng.choice(BRANDS), rng.choice(["", ".", "_"])
    return brand + separator + rng.choice(["bv", "srl", "sprl", "bvba"])


TRICKY = [
    ("info@proximus.be", "generic"),
    ("contact@proximus.be", "generic"),
    ("jean.dupont@proximus.be", "nominative"),
    ("customer.service@novabuild.be", "generic"),
    ("an.peeters@klimatec.be", "nominative"),
    ("an@klimatec.be", "nominative"),
    ("jo.maes@axiatech.eu", "nominative"),
    ("info@marie-fleurs.be", "generic"),
    ("contact@dupont-construct.be", "generic"),
    ("info@peeters-bouw.be", "generic"),
    ("marketing@brixo.be", "generic"),
    ("info.france@zentralis.fr", "generic"),
    ("info@skynet.be", "private"),
    ("contact@telenet.be", "private"),
    ("Info@Gmail.com", "private"),
    ("  Sales@Verdisol.BE ", "generic"),
    ("Marie.Dubois@Techwerk.be", "nominative"),
    ("j.vandenbroeck@fidubel.be", "nominative"),
    ("jan.van.damme@renovia.be", "nominative"),
    ("pieter-jan.desmet@houtbouw.be", "nominative"),
    ("jean-pierre@lumitec.be", "nominative"),
    ("marie-claire.lambert@dentalis.be", "nominative"),
    ("direction@ecobati.be", "generic"),
    ("zaakvoerder@bouwteam.be", "generic"),
    ("gerant@opticlair.be", "generic"),
    ("bestuur@agrivert.be", "generic"),
    ("secretariat.direction@juristix.be", "generic"),
    ("boekhouding@fidubel.be", "generic"),
    ("administratie@logistix.be", "generic"),
    ("facturation@cateringplus.be", "generic"),
    ("comptabilite@auditcorp.be", "generic"),
    ("sales@webfactory.eu", "generic"),
    ("verkoop@chocotrade.be", "generic"),
    ("acme@acme.be", "generic"),
    ("info@hotmail.be", "private"),
    ("bakkerij@bakeline.be", "generic"),
    ("apotheek@pharmalink.be", "generic"),
    ("mark.peeters@brixo.be", "nominative"),
    ("france.lambert@fidubel.be", "nominative"),
    ("rose@grafimedia.be", "nominative"),
    ("victor.hugo@eventiz.be", "nominative"),
    ("dpo@securitas7.be", "generic"),
    ("privacy@netforce.be", "generic"),
    ("info@voo.be", "private"),
    ("compta.fournisseurs@finconsult.be", "generic"),
    ("ventes@vinotheque.be", "generic"),
    ("kontakt@houtbouw.de", "generic"),
    ("buchhaltung@steelcon.de", "generic"),
    ("empfang@sanitherm.de", "generic"),
    ("vertrieb@electroflux.de", "generic"),
]


def main(path):
    rows = {}

    def add(address, label):
        rows.setdefault(address, label)

    for address, label in TRICKY:
        add(address, label)
    while sum(1 for v in rows.values() if v == "nominative") < 470:
        add(f"{nominative_local()}@{company_domain()}", "nominative")
    while sum(1 for v in rows.values() if v == "generic") < 470:
        add(f"{generic_local()}@{company_domain()}", "generic")
    while sum(1 for v in rows.values() if v == "private") < 170:
        add(f"{private_local()}@{rng.choice(PRIVATE_DOMAINS)}", "private")
    items = sorted(rows.items())
    rng.shuffle(items)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["address", "label", "split"])
        for index, (address, label) in enumerate(items):
            writer.writerow([address, label, "dev" if index % 2 == 0 else "holdout"])


if __name__ == "__main__":
    main(sys.argv[1])
