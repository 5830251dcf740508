"""Tell generic company e-mail addresses from personal ones.

Only generic role addresses (``info@``, ``boekhouding@``…) may be used for B2B prospecting
without a person's consent; a private mailbox or an address built from a person's name is
personal data and is dropped. Each drop carries one reason code so that import reports can
explain every count.

Rules, in order:

1. Not a syntactically valid address: ``INVALID_EMAIL``.
2. Consumer mail domain (gmail.com, skynet.be, hotmail.*…): ``PRIVATE_MAILBOX``, whatever the
   local part, since such a box belongs to a person even when called ``info@``.
3. The local part is cut into alphabetic tokens. Generic words (roles, departments,
   greetings, places, legal forms, trades, in FR/NL/DE/EN) are set aside first: a generic word
   is never read as a name (``sales``, ``france``, ``service``).
4. What is left is nominative (``NOMINATIVE_EMAIL``) when a token is a known first name or
   surname, an initial glued to a surname (``jdupont``, ``dupontj``), a first name glued to a
   surname (``jeandupont``), or when an initial stands beside another word (``j.vangorp``).
   Names are Faker's locale lists (MIT), not any list of real people, frozen in
   ``data/person_names.txt`` (``scripts/make_person_names.py``) so that no verdict depends on
   the Faker installed; the engine never imports Faker.
5. Anything else is kept: a generic word, or an unknown word such as a company name
   (``acme@acme.be``). Dropping unknown words would throw away many company mailboxes to
   catch the few names missing from the lists.

Mixed domains (``proximus.be`` hosts both the company's own addresses and consumer boxes) keep
only fully generic local parts; other local parts there are private mailboxes.
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from . import reasons

GENERIC = "generic"


def _words(text):
    """A word list written as text, to keep long vocabularies readable."""
    return frozenset(text.split())


_ADDRESS = re.compile(
    r"(?P<local>[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})"
)
_TOKEN = re.compile(r"[a-z]+")
PERSON_NAMES = Path(__file__).parent / "data" / "person_names.txt"

# Consumer mail services: the whole domain is private.
PRIVATE_DOMAINS = _words(
    """
    skynet.be telenet.be pandora.be scarlet.be voo.be base.be belgacom.net tiscali.be
    brutele.be swing.be online.be chello.be edpnet.be
    gmail.com googlemail.com icloud.com me.com mac.com msn.com aol.com mail.com hushmail.com
    proton.me protonmail.com protonmail.ch pm.me tutanota.com tuta.io zohomail.com yandex.com
    yandex.ru mail.ru gmx.com web.de t-online.de freenet.de arcor.de
    orange.fr wanadoo.fr free.fr laposte.net sfr.fr neuf.fr club-internet.fr aliceadsl.fr
    numericable.fr bbox.fr ziggo.nl chello.nl kpnmail.nl planet.nl home.nl hetnet.nl casema.nl
    xs4all.nl kpnplanet.nl bluewin.ch pt.lu btinternet.com libero.it tiscali.it
    """
)
# Consumer brands present under many country domains (hotmail.be, yahoo.co.uk…).
PRIVATE_BRANDS = _words("hotmail outlook live yahoo ymail rocketmail gmx")
# Domains whose own company uses them too: generic local parts are kept there.
MIXED_DOMAINS = frozenset({"proximus.be"})
_SECOND_LEVEL = _words("co com net org ac")

# Words that make an address generic. A word listed here is never read as a name.
GENERIC_WORDS = _words(
    """
    info infos information informations informatie inlichtingen auskunft contact contacts
    kontakt contacto mail email mails post postmaster hostmaster webmaster web website admin
    administrator administration administratie administratief administratif verwaltung
    sales sale vente ventes verkoop verkauf vertrieb commercial commerciale commercieel
    commerce handel export import exports imports
    accounting accountant accounts account boekhouding boekhoud boekhouder comptabilite
    comptable compta buchhaltung finance finances financien financieel financial tresorerie
    treasury billing invoice invoices invoicing factuur facturen facturatie facturation
    factures facture facturas rechnung rechnungen payable payables receivable receivables
    payment payments paiement paiements betaling betalingen creditor debiteuren crediteuren
    ap ar purchase purchases purchasing achat achats aankoop aankopen einkauf procurement
    supplier suppliers fournisseur fournisseurs leverancier leveranciers lieferant
    office bureau bureaux kantoor buro buero secretariat secretariaat sekretariat secretary
    secretaire reception receptie onthaal accueil empfang zentrale centrale central
    desk frontdesk helpdesk servicedesk support assistance hulp hilfe
    service services dienst diensten klantendienst klantenservice kundendienst kundenservice
    customer customers client clients klant klanten kunde kunden consumer consumers
    aftersales apres vente naverkoop sav
    hr rh personeel personeelsdienst personnel personal human resources ressources humaines
    jobs job career careers carriere emploi emplois recrutement recruitment recruiting
    vacature vacatures werken solliciteren sollicitatie stage stages karriere bewerbung
    order orders bestelling bestellingen bestellung bestellungen commande commandes
    shop webshop eshop store boutique winkel magasin magazijn lager stock depot warehouse
    marketing communication communications communicatie kommunikation pr press presse pers
    media social events event evenementen evenement evenements events newsletter
    nieuwsbrief nouvelles news nieuws actualites
    direction directie directeur directrice director directors management manager gerant
    gerance zaakvoerder zaakvoering bestuur raad council board ceo cfo coo cto cio dg
    generale general generaal algemeen algemene allgemein geschaftsfuhrung geschaeftsfuehrung
    legal juridique juridisch recht jurist privacy dpo gdpr rgpd avg compliance security
    securite veiligheid safety preventie prevention quality qualite kwaliteit qhse qse
    it ict informatique tech technique technical techniek technisch technik engineering
    ingenierie studiebureau etude etudes studie projects project projets projet projecten
    planning planification dispatch logistics logistique logistiek logistik transport
    transports expedition expeditie shipping verzending versand
    maintenance entretien onderhoud reparation reparations reparatie herstelling
    herstellingen repair repairs service atelier werkplaats workshop garage facility
    facilities gebouwen batiment batiments
    reservation reservations reservatie reservaties reservering booking bookings
    verhuur location rental rentals vermietung
    hello hallo hi bonjour welkom welcome bienvenue salut hey
    team equipe ploeg staff
    enquiries enquiry inquiries inquiry request requests demande demandes vraag vragen
    anfrage offerte offertes offre offres devis quote quotes quotation prijsofferte
    complaints complaint klacht klachten reclamation reclamations plainte plaintes
    beschwerde feedback
    noreply reply no do not donotreply bounce bounces abuse
    membres membre members member leden lid inscriptions inscription inschrijving
    inschrijvingen subscriptions subscription abonnement abonnements registration
    agenda afspraak afspraken rendez vous rdv appointment appointments
    school ecole schule college lycee athenee atheneum academie academy creche
    kinderopvang
    immo immobilier vastgoed realestate notaris notaire avocat avocats advocaat
    advocaten cabinet kantoren praktijk pratique medical medisch dokter docteur medecin
    kine kinesitherapie tandarts dentiste dental apotheek pharmacie pharmacy labo
    laboratoire lab
    bakkerij boulangerie patisserie slagerij boucherie traiteur catering restaurant
    resto brasserie taverne cafe bar hotel frituur friterie kapsalon coiffure salon
    bloemen fleuriste florist drukkerij imprimerie print
    bakker boulanger boucher slager beenhouwer schilder peintre loodgieter plombier
    elektricien electricien dakwerker couvreur menuisier schrijnwerker charpentier
    timmerman macon metselaar jardinier tuinier hovenier coiffeur kapper bloemist
    garagiste brouwerij brasseur bier beer biere vin wijn grill
    fiduciaire fiduciary accountancy audit tax fiscaal fiscal fiscalite
    groep groupe group holding company firma entreprise bedrijf societe gesellschaft
    bv bvba nv cv cvba vof comm commv srl sprl sa scrl sc scs snc asbl vzw aisbl gmbh ag
    sarl sas ltd llc inc
    be fr nl de en lu eu uk us com net org intl international benelux europe
    belgium belgique belgie belgien france frankrijk nederland netherlands holland
    luxembourg luxemburg deutschland germany allemagne duitsland
    bxl bru brussels bruxelles brussel antwerpen anvers antwerp gent gand ghent liege luik
    namur namen brugge bruges mons bergen charleroi leuven louvain mechelen malines
    hasselt kortrijk courtrai aalst alost oostende ostende genk tournai doornik
    wavre waver nivelles nijvel arlon aarlen eupen verviers roeselare sintniklaas
    vlaanderen flandre wallonie wallonia wallonie limburg limbourg hainaut henegouwen
    brabant luxembourg paris londres london berlin madrid roma rome amsterdam rotterdam
    lille maastricht aachen aken koln cologne
    nord noord sud zuid est oost ouest west north south east centre center centrum
    main hoofd head headquarters siege zetel hq
    """
)

# Particles that open a surname (van, de, le…): joined to the next token before anything
# else, so that ``de.smet`` is read as ``desmet``, not as the generic ``de`` and ``smet``.
PARTICLES = _words("van vande vanden vander von de den der ter ten le la du des da di el")


@dataclass(frozen=True)
class EmailVerdict:
    """``reason`` is ``GENERIC`` when kept, else the drop reason code."""

    keep: bool
    reason: str


def _read_sections(path):
    """``{title: names}`` of a ``[title]``-sectioned word file (``#`` lines are comments)."""
    sections, names = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            names = sections.setdefault(line.strip("[]"), set())
        elif line and not line.startswith("#"):
            names.add(line)
    return sections


@cache
def _names():
    """(first names, all surnames, core surnames), read once from ``PERSON_NAMES``.

    Core surnames (Belgium, its neighbours and its largest communities) may stand alone or
    glued to an initial; the others, full of ordinary English words (green, king, park), only
    count beside a first name or an initial. Generic words are removed: they win over names.
    """
    sections = _read_sections(PERSON_NAMES)
    first = frozenset(name for name in sections["first_names"] if len(name) >= 2)
    core = frozenset(name for name in sections["core_surnames"] if len(name) >= 4)
    other = frozenset(name for name in sections["other_surnames"] if len(name) >= 4)
    first, core = first - GENERIC_WORDS, core - GENERIC_WORDS
    return first, core | (other - GENERIC_WORDS), core


def first_names():
    """The folded first names the classifier knows (shared with the engine's rule on
    companies named after a person, so both read names the same way)."""
    return _names()[0]


@lru_cache(maxsize=65536)
def _is_generic_compound(token):
    """``salesadmin``, ``klantenservice``: a token made only of generic words."""
    if token in GENERIC_WORDS:
        return True
    return any(
        token[:cut] in GENERIC_WORDS and _is_generic_compound(token[cut:])
        for cut in range(2, len(token) - 1)
    )


@lru_cache(maxsize=262144)
def _is_name_token(token):
    """A first name, a surname, or one glued to another name or to an initial.

    Glued forms need longer parts, since short names begin or end many ordinary words: a
    surname of five letters beside an initial (``ceder`` is not ``c.eder``), a first name of
    four after a surname (``verdisol`` is not ``verdi.sol``).
    """
    first, last, core = _names()
    if token in first or token in core:
        return True
    if len(token) >= 6 and (token[1:] in core or token[:-1] in core):
        return True
    for cut in range(2, len(token) - 2):
        head, tail = token[:cut], token[cut:]
        if (head in first and tail in last) or (head in last and len(tail) >= 4 and tail in first):
            return True
    return False


def _join_particles(tokens):
    """``van.den.broeck`` -> ``vandenbroeck`` so the surname is recognised whole."""
    joined, pending = [], ""
    for token in tokens:
        if token in PARTICLES:
            pending += token
        else:
            joined.append(pending + token)
            pending = ""
    if pending:
        joined.append(pending)
    return joined


def _tokens(local):
    """Alphabetic tokens of a local part, ``+tag`` ignored, particles joined."""
    return _join_particles(_TOKEN.findall(local.split("+", 1)[0]))


@lru_cache(maxsize=65536)
def _local_is_nominative(local):
    """Rules 3 and 4 of the module docstring, on a valid local part."""
    tokens = [token for token in _tokens(local) if not _is_generic_compound(token)]
    if any(_is_name_token(token) for token in tokens):
        return True
    return len(tokens) >= 2 and min(map(len, tokens)) == 1 and max(map(len, tokens)) >= 3


def _is_generic_local(local):
    tokens = _tokens(local)
    return bool(tokens) and all(_is_generic_compound(token) for token in tokens)


def _split(address):
    address = address.strip().lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:") :]
    match = _ADDRESS.fullmatch(address)
    if not match or len(address) > 254 or len(match["local"]) > 64:
        return None
    return match["local"], match["domain"]


def _is_private_domain(domain):
    if domain in PRIVATE_DOMAINS:
        return True
    labels = domain.split(".")
    brand = labels[-2]
    if brand in _SECOND_LEVEL and len(labels) >= 3:
        brand = labels[-3]
    return brand in PRIVATE_BRANDS


def classify_email(address: str) -> EmailVerdict:
    """Verdict on one address: kept (reason ``generic``) or dropped with its reason code."""
    parts = _split(address)
    if parts is None:
        return EmailVerdict(False, reasons.INVALID_EMAIL)
    local, domain = parts
    if _is_private_domain(domain):
        return EmailVerdict(False, reasons.PRIVATE_MAILBOX)
    if _local_is_nominative(local):
        return EmailVerdict(False, reasons.NOMINATIVE_EMAIL)
    if domain in MIXED_DOMAINS and not _is_generic_local(local):
        return EmailVerdict(False, reasons.PRIVATE_MAILBOX)
    return EmailVerdict(True, GENERIC)


def is_nominative_email(address: str) -> bool:
    """True when the local part names a person, whatever the domain (false if invalid)."""
    parts = _split(address)
    return parts is not None and _local_is_nominative(parts[0])
