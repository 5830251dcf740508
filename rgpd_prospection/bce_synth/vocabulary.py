"""The words of the synthetic extracts: real municipalities, streets, names, legal forms,
situations and NACE-BEL codes (public facts), with rough weights for drawing them.

Plain Python tables, kept apart from the code that draws from them.
"""


def _table(text):
    """Rows of a ``|``-separated text table (keeps the vocabulary compact and readable)."""
    return [tuple(cell.strip() for cell in line.split("|")) for line in text.strip().splitlines()]


def _words(text):
    return text.split()


# The order of the tongues fixes the index of each name list (the population stores it).
TONGUES = ("FR", "NL", "DE")

# Real postal codes and municipality names (public facts); weights are rough business densities.
# Region: B Brussels (bilingual), W Walloon, V Flemish, D German-speaking.
MUNICIPALITIES = [
    (z, nl, fr, region, int(weight))
    for z, nl, fr, region, weight in _table("""
1000 | Brussel | Bruxelles | B | 30
1020 | Brussel | Bruxelles | B | 4
1030 | Schaarbeek | Schaerbeek | B | 6
1040 | Etterbeek | Etterbeek | B | 4
1050 | Elsene | Ixelles | B | 8
1060 | Sint-Gillis | Saint-Gilles | B | 4
1070 | Anderlecht | Anderlecht | B | 7
1080 | Sint-Jans-Molenbeek | Molenbeek-Saint-Jean | B | 5
1090 | Jette | Jette | B | 3
1140 | Evere | Evere | B | 2
1150 | Sint-Pieters-Woluwe | Woluwe-Saint-Pierre | B | 3
1160 | Oudergem | Auderghem | B | 2
1180 | Ukkel | Uccle | B | 6
1190 | Vorst | Forest | B | 3
1200 | Sint-Lambrechts-Woluwe | Woluwe-Saint-Lambert | B | 4
1210 | Sint-Joost-ten-Node | Saint-Josse-ten-Noode | B | 2
1300 | Wavre | Wavre | W | 4
1330 | Rixensart | Rixensart | W | 2
1348 | Ottignies-Louvain-la-Neuve | Ottignies-Louvain-la-Neuve | W | 3
1400 | Nivelles | Nivelles | W | 3
1410 | Waterloo | Waterloo | W | 3
1420 | Braine-l'Alleud | Braine-l'Alleud | W | 3
1500 | Halle | Halle | V | 3
1700 | Dilbeek | Dilbeek | V | 3
1800 | Vilvoorde | Vilvoorde | V | 3
1930 | Zaventem | Zaventem | V | 3
2000 | Antwerpen | Antwerpen | V | 22
2018 | Antwerpen | Antwerpen | V | 8
2100 | Deurne | Deurne | V | 4
2300 | Turnhout | Turnhout | V | 4
2400 | Mol | Mol | V | 3
2500 | Lier | Lier | V | 3
2800 | Mechelen | Mechelen | V | 6
2900 | Schoten | Schoten | V | 3
3000 | Leuven | Leuven | V | 7
3200 | Aarschot | Aarschot | V | 2
3300 | Tienen | Tienen | V | 2
3500 | Hasselt | Hasselt | V | 6
3600 | Genk | Genk | V | 5
3700 | Tongeren | Tongeren | V | 2
3800 | Sint-Truiden | Sint-Truiden | V | 3
3900 | Pelt | Pelt | V | 2
4000 | Liège | Liège | W | 14
4020 | Liège | Liège | W | 4
4100 | Seraing | Seraing | W | 4
4300 | Waremme | Waremme | W | 2
4340 | Awans | Awans | W | 1
4500 | Huy | Huy | W | 2
4600 | Visé | Visé | W | 2
4700 | Eupen | Eupen | D | 3
4710 | Lontzen | Lontzen | D | 1
4720 | Kelmis | Kelmis | D | 1
4730 | Raeren | Raeren | D | 1
4750 | Bütgenbach | Bütgenbach | D | 1
4760 | Büllingen | Büllingen | D | 1
4780 | Sankt Vith | Sankt Vith | D | 1
4790 | Burg-Reuland | Burg-Reuland | D | 1
4800 | Verviers | Verviers | W | 4
4900 | Spa | Spa | W | 1
5000 | Namur | Namur | W | 8
5100 | Jambes | Jambes | W | 2
5300 | Andenne | Andenne | W | 2
5500 | Dinant | Dinant | W | 2
6000 | Charleroi | Charleroi | W | 10
6200 | Châtelet | Châtelet | W | 2
6700 | Arlon | Arlon | W | 3
6800 | Libramont-Chevigny | Libramont-Chevigny | W | 1
6900 | Marche-en-Famenne | Marche-en-Famenne | W | 2
7000 | Mons | Mons | W | 6
7100 | La Louvière | La Louvière | W | 4
7500 | Tournai | Tournai | W | 4
7700 | Mouscron | Mouscron | W | 3
7800 | Ath | Ath | W | 2
8000 | Brugge | Brugge | V | 8
8300 | Knokke-Heist | Knokke-Heist | V | 3
8400 | Oostende | Oostende | V | 5
8500 | Kortrijk | Kortrijk | V | 6
8800 | Roeselare | Roeselare | V | 5
8900 | Ieper | Ieper | V | 3
9000 | Gent | Gent | V | 16
9070 | Destelbergen | Destelbergen | V | 2
9100 | Sint-Niklaas | Sint-Niklaas | V | 5
9200 | Dendermonde | Dendermonde | V | 3
9300 | Aalst | Aalst | V | 5
9400 | Ninove | Ninove | V | 2
9500 | Geraardsbergen | Geraardsbergen | V | 2
9600 | Ronse | Ronse | V | 2
9700 | Oudenaarde | Oudenaarde | V | 2
9800 | Deinze | Deinze | V | 2
9900 | Eeklo | Eeklo | V | 2
""")
]
BRUSSELS_STREETS = _table("""
Nieuwstraat | Rue Neuve
Louizalaan | Avenue Louise
Waversesteenweg | Chaussée de Wavre
Wetstraat | Rue de la Loi
Anspachlaan | Boulevard Anspach
Grasmarkt | Rue du Marché aux Herbes
Tervurenlaan | Avenue de Tervueren
Flageyplein | Place Flagey
Hoogstraat | Rue Haute
Elsensesteenweg | Chaussée d'Ixelles
Koningsstraat | Rue Royale
Eikstraat | Rue du Chêne
""")  # (NL, FR)
STREETS = {
    region: [row[0] for row in _table(text)]
    for region, text in (
        (
            "V",
            """
Kerkstraat
Stationsstraat
Dorpstraat
Molenstraat
Nieuwstraat
Schoolstraat
Kapelstraat
Industrieweg
Grote Markt
Leopoldlaan
Brugsesteenweg
Veldstraat
Lindenlaan
Hoogstraat
""",
        ),
        (
            "W",
            """
Rue de la Station
Rue de l'Église
Chaussée de Bruxelles
Place communale
Rue du Moulin
Avenue des Tilleuls
Rue Saint-Martin
Grand-Place
Rue de la Gare
Boulevard Piercot
Rue des Écoles
Quai de Meuse
""",
        ),
        (
            "D",
            """
Hauptstraße
Kirchstraße
Bahnhofstraße
Aachener Straße
Herbesthaler Straße
Klosterstraße
Neustraße
Rathausplatz
""",
        ),
    )
}
FOREIGN = [  # CountryNL, CountryFR, zipcodes, municipality, street
    (nl, fr, zips.split(","), town, street)
    for nl, fr, zips, town, street in _table("""
Frankrijk | France | 75008,59000,62000, | Paris | Rue de Rivoli
Nederland | Pays-Bas | 5701 SB,1012 AB, | Maastricht | Markt
Duitsland (Bondsrep.) | Allemagne (Rép.féd.) | 52062, | Aachen | Theaterstraße
Luxemburg | Luxembourg | 1450,L-2449 | Luxembourg | Boulevard Royal
Verenigd Koninkrijk | Royaume-Uni | EC2A 4NE, | London | Bishopsgate
Verenigde Staten | Etats-Unis | 10001 | New York | Fifth Avenue
""")
]
FAMILY = {
    "FR": _words("""
Dupont Lambert Dubois Martin Simon Laurent Leclercq Lejeune Renard Dumont Lefèvre Mercier
Legrand Gilson Collignon Piette Hubert Denis François Mathieu Deprez Delvaux Marchal Noël
Charlier Henrard Fontaine Lemaire
"""),
    "NL": [
        row[0]
        for row in _table("""
Peeters
Janssens
Maes
Jacobs
Mertens
Willems
Claes
Goossens
Wouters
Vermeulen
Hermans
Pauwels
Michiels
Desmet
Aerts
Lemmens
Smets
Verhoeven
Claeys
Wuyts
Van Damme
De Backer
Van den Broeck
De Clercq
Van de Velde
De Smet
""")
    ],
    "DE": _words("""
Schmitz Müller Schröder Kessler Lentz Heinen Cremer Mreyen Thelen Palm Jost Krings Hilgers
Pankert Meyer Rauw
"""),
}
FIRST = {
    "FR": _words("""
Jean Marie Pierre Sophie Luc Anne Michel Nathalie Philippe Isabelle Olivier Catherine
François Chloé Hélène Jérôme Julie Nicolas Céline Benoît
"""),
    "NL": _words("""
Jan Els Pieter An Luc Marc Katrien Bart Sofie Tom Inge Koen Liesbeth Wim Joke Stijn Griet
Jens Lotte Wouter
"""),
    "DE": _words("""
Hans Klaus Monika Stefan Jürgen Sabine Andreas Petra Günter Ursula Thomas Anja
"""),
}
SECTOR = {
    "FR": _words("""
Boulangerie Garage Immo Pharmacie Cabinet Brasserie Transports Construction Menuiserie
Fiduciaire Boucherie Librairie
"""),
    "NL": _words("""
Bakkerij Garage Immo Apotheek Bouwbedrijf Transport Schrijnwerkerij Brouwerij
Boekhoudkantoor Slagerij Frituur Kapsalon
"""),
    "DE": _words("""
Bäckerei Autohaus Immobilien Apotheke Bauunternehmen Transporte Schreinerei Metzgerei
Buchhandlung Friseursalon
"""),
}
CONNECTOR = {
    "FR": [" et Fils", " & Cie", " Frères"],
    "NL": [" & Zonen", " & Co", " Gebroeders"],
    "DE": [" & Söhne", " & Co", " GmbH"],
}
COINED = _words("""
Acme Novatech Alphabuild Bluestone Zenith Orion Helix Vertex Optima Solaris Delta Nexus
Primus Quadrant Arcadia Lumen Kairos Atlas Boreal Cobalt Ember Fjord Granit Horizon Iris
Jade Lynx Mistral Nova Pixel Quartz Rubis Sirius Tango Umbra Vega Wolfram Xenon Yuzu
Zephyr
""")
SUFFIX = _words("""
Consulting Solutions Group Services Invest Partners Management Trading Logistics Tech Immo
Holding Design Projects Care
""")
PRIVATE_MAIL = _words("""
gmail.com skynet.be telenet.be hotmail.com outlook.be proximus.be yahoo.fr live.be
""")
GENERIC_MAIL = _words("""
info contact admin office sales boekhouding comptabilite
""")
TLDS = [".be", ".be", ".be", ".com", ".eu", ".net"]
# Juridical forms: code | FR | NL | DE | weight among legal persons | JuridicalFormCAC | P(CAC)
FORMS = [
    (c, fr, nl, de, float(w), cac or None, float(p))
    for c, fr, nl, de, w, cac, p in _table("""
610 | SRL (société à responsabilité limitée) | BV (besloten vennootschap) | GmbH | 0.29 |  | 0
015 | SPRL (ancienne forme) | BVBA (oude vorm) | PGmbH (alte Form) | 0.12 | 610 | 0.9
014 | SA (société anonyme) | NV (naamloze vennootschap) | AG (Aktiengesellschaft) | 0.1 | 014 | 0.05
017 | ASBL (association sans but lucratif) | VZW (vereniging zonder winstoogmerk) | VoG | 0.12 | | 0
706 | SC (société coopérative) | CV (coöperatieve vennootschap) | Genossenschaft | 0.05 |  | 0
008 | SCRL (ancienne forme) | CVBA (oude vorm) | Genossenschaft mbH | 0.03 | 706 | 0.8
016 | SC (ancien statut) | CV (oud statuut) | Genossenschaft (altes Statut) | 0.02 |  | 0
011 | SNC (société en nom collectif) | VOF (vennootschap onder firma) | OHG | 0.02 |  | 0
012 | SCS (ancienne forme) | Comm.V (oude vorm) | EKG (alte Form) | 0.02 | 612 | 0.9
612 | SComm (société en commandite) | CommV (commanditaire vennootschap) | KG | 0.03 |  | 0
026 | Fondation privée | Private stichting | Privatstiftung | 0.005 |  | 0
070 | Copropriété | Mede-eigendom | Miteigentum | 0.1 |  | 0
702 | Société de droit commun | Maatschap | Gesellschaft bürgerlichen Rechts | 0.07 |  | 0
030 | Entité étrangère | Buitenlandse entiteit | Ausländische Einheit | 0.01 |  | 0
124 | Établissement public | Openbare instelling | Öffentliche Einrichtung | 0.004 |  | 0
411 | Commune | Gemeente | Gemeinde | 0.0006 |  | 0
412 | CPAS | OCMW | ÖSHZ | 0.0006 |  | 0
""")
]
FOREIGN_FORM = "030"
SITUATIONS = [
    (c, fr, nl, de, float(w))
    for c, fr, nl, de, w in _table("""
000 | Situation normale | Normale toestand | Normaler Zustand | 0.9
012 | Dissolution volontaire | Vrijwillige ontbinding | Freiwillige Auflösung | 0.06
050 | Faillite | Faillissement | Konkurs | 0.015
010 | Dissolution de plein droit | Ontbinding van rechtswege | Auflösung | 0.01
013 | Dissolution judiciaire | Gerechtelijke ontbinding | Gerichtliche Auflösung | 0.005
020 | Parts en une main | Aandelen in één hand | Anteile in einer Hand | 0.005
030 | Concordat | Akkoord | Vergleich | 0.003
091 | Réorganisation judiciaire | Gerechtelijke reorganisatie | Reorganisation | 0.002
""")
]  # code | FR | NL | DE | weight
# NACE-BEL subclasses (real code numbers): 2008 | 2025 | 2003 | short labels FR, NL, DE | weight
NACE = [
    (*row[:6], int(row[6]))
    for row in _table("""
01110 | 01110 | 01110 | Céréales | Graanteelt | Getreideanbau | 1
01410 | 01410 | 01210 | Vaches laitières | Melkvee | Milchvieh | 1
10711 | 10711 | 15811 | Boulangerie | Bakkerij | Bäckerei | 2
16230 | 16230 | 20300 | Menuiserie | Schrijnwerk | Tischlerei | 1
25620 | 25620 | 28520 | Usinage | Mechanische bewerking | Mechanik | 1
41101 | 41002 | 70111 | Promotion immobilière | Projectontwikkeling | Bauträger | 2
41201 | 41001 | 45211 | Construction de maisons | Woningbouw | Wohnungsbau | 3
43211 | 43211 | 45310 | Électricité | Elektrische installatie | Elektroinstallation | 3
43221 | 43221 | 45331 | Plomberie | Loodgieterswerk | Sanitär | 2
43320 | 43320 | 45421 | Menuiserie de bâtiment | Bouwschrijnwerk | Bautischlerei | 2
43341 | 43341 | 45441 | Peinture | Schilderwerk | Malerarbeiten | 2
45201 | 95311 | 50200 | Entretien de véhicules | Onderhoud van voertuigen | Kfz-Werkstatt | 2
46190 | 46190 | 51190 | Intermédiaires du commerce | Handelsbemiddeling | Handelsvermittlung | 1
46900 | 46900 | 51900 | Commerce de gros | Groothandel | Großhandel | 1
47111 | 47110 | 52111 | Supermarchés | Supermarkten | Supermärkte | 1
47241 | 47241 | 52240 | Pâtisserie (détail) | Brood en banket | Backwaren | 1
47730 | 47730 | 52310 | Pharmacies | Apotheken | Apotheken | 1
47910 | 47910 | 52610 | Vente à distance | Verkoop op afstand | Versandhandel | 2
49410 | 49410 | 60241 | Transport de fret | Goederenvervoer | Güterverkehr | 2
55100 | 55100 | 55101 | Hôtels | Hotels | Hotels | 1
56101 | 56111 | 55301 | Restaurants | Restaurants | Restaurants | 3
56301 | 56301 | 55401 | Cafés | Cafés | Cafés | 3
58290 | 58290 | 72210 | Édition de logiciels | Software-uitgeverij | Softwareverlag | 1
62010 | 62100 | 72220 | Programmation | Programmering | Programmierung | 3
62020 | 62200 | 72100 | Conseil informatique | IT-advies | IT-Beratung | 3
63110 | 63100 | 72300 | Traitement de données | Gegevensverwerking | Datenverarbeitung | 1
64200 | 64210 | 74151 | Holdings | Holdings | Holdings | 3
66220 | 66220 | 67201 | Courtiers en assurances | Verzekeringsmakelaars | Versicherungsmakler | 1
68100 | 68110 | 70120 | Marchands de biens | Vastgoedhandel | Immobilienhandel | 1
68201 | 68201 | 70201 | Location de logements | Verhuur van woningen | Wohnungsvermietung | 3
68311 | 68310 | 70311 | Agences immobilières | Vastgoedmakelaars | Immobilienmakler | 2
69101 | 69101 | 74111 | Avocats | Advocaten | Rechtsanwälte | 2
69201 | 69201 | 74121 | Comptables | Accountants | Buchhalter | 2
70220 | 70200 | 74141 | Conseil en gestion | Managementadvies | Unternehmensberatung | 4
71111 | 71111 | 74201 | Architectes | Architecten | Architekten | 2
73110 | 73110 | 74401 | Publicité | Reclame | Werbung | 1
74101 | 74112 | 74871 | Design | Ontwerp | Design | 1
77110 | 77110 | 71100 | Location de voitures | Autoverhuur | Autovermietung | 1
81210 | 81210 | 74700 | Nettoyage | Schoonmaak | Reinigung | 2
82990 | 82990 | 74879 | Services aux entreprises | Zakelijke diensten | Unternehmensdienste | 2
84111 | 84111 | 75111 | Administration publique | Openbaar bestuur | Verwaltung | 1
85201 | 85201 | 80101 | Enseignement primaire | Lager onderwijs | Grundschule | 1
85599 | 85599 | 80424 | Enseignement divers | Overig onderwijs | Sonstiger Unterricht | 1
86210 | 86210 | 85120 | Médecine générale | Huisartsen | Allgemeinmedizin | 3
86230 | 86230 | 85130 | Dentistes | Tandartsen | Zahnärzte | 1
86905 | 86951 | 85142 | Kinésithérapie | Kinesitherapie | Physiotherapie | 2
88101 | 88101 | 85311 | Aide à domicile | Thuishulp | Häusliche Hilfe | 1
90011 | 90311 | 92311 | Arts du spectacle | Podiumkunsten | Darstellende Kunst | 1
93130 | 93130 | 92621 | Fitness | Fitness | Fitness | 1
94991 | 94991 | 91330 | Associations | Verenigingen | Vereine | 2
96021 | 96210 | 93021 | Coiffure | Kapsalons | Friseure | 3
96022 | 96220 | 93022 | Soins de beauté | Schoonheidszorg | Kosmetik | 2
""")
]
NACE_SECTIONS = {  # version -> (first division, section letter), ascending
    "2003": [
        (1, "A"),
        (5, "B"),
        (10, "C"),
        (15, "D"),
        (40, "E"),
        (45, "F"),
        (50, "G"),
        (55, "H"),
        (60, "I"),
        (65, "J"),
        (70, "K"),
        (75, "L"),
        (80, "M"),
        (85, "N"),
        (90, "O"),
        (95, "P"),
        (99, "Q"),
    ],
    "2008": [
        (1, "A"),
        (5, "B"),
        (10, "C"),
        (35, "D"),
        (36, "E"),
        (41, "F"),
        (45, "G"),
        (49, "H"),
        (55, "I"),
        (58, "J"),
        (64, "K"),
        (68, "L"),
        (69, "M"),
        (77, "N"),
        (84, "O"),
        (85, "P"),
        (86, "Q"),
        (90, "R"),
        (94, "S"),
        (97, "T"),
        (99, "U"),
    ],
}
NACE_SECTIONS["2025"] = NACE_SECTIONS["2008"]
DETAIL_SUFFIX = "01"  # 7-digit national detail = subclass + these two digits
# subclasses whose detail code exists in both NACE-BEL 2008 and 2025
NACE_WITH_DETAIL = {
    "01110",
    "01410",
    "10711",
    "25620",
    "43211",
    "43221",
    "43320",
    "43341",
    "46190",
    "49410",
    "55100",
    "68201",
    "69201",
    "71111",
    "73110",
    "77110",
    "93130",
}
OTHER_CODES = {
    "ActivityGroup": [
        ("001", "Activités TVA", "Btw-activiteiten", "MwSt-Tätigkeiten"),
        ("002", "Activités EDRL", "EDRL-activiteiten", "EDRL-Tätigkeiten"),
        ("003", "Activités", "Activiteiten", "Tätigkeiten"),
        ("004", "Fonction publique", "Openbaar ambt", "Öffentlicher Dienst"),
        ("005", "Activités ONSSAPL", "RSZPPO-activiteiten", "LSSPLV-Tätigkeiten"),
        ("006", "Activités ONSS", "RSZ-activiteiten", "LSS-Tätigkeiten"),
        ("007", "Enseignement subventionné", "Gesubsidieerd onderwijs", "Bezuschusster Unterricht"),
    ],
    "Classification": [
        ("ANCI", "Auxiliaire", "Hulpactiviteit", "Hilfstätigkeit"),
        ("MAIN", "Principale", "Hoofdactiviteit", "Haupttätigkeit"),
        ("SECO", "Secondaire", "Nevenactiviteit", "Nebentätigkeit"),
    ],
    "ContactType": [  # FAX is deliberately absent, as in the real table: readers must cope
        ("EMAIL", "E-mail", "E-mail", "E-Mail"),
        ("TEL", "Téléphone", "Telefoon", "Telefon"),
        ("WEB", "Site web", "Website", "Webseite"),
    ],
    "EntityContact": [
        ("BRA", "Succursale", "Bijkantoor", "Zweigniederlassung"),
        ("ENT", "Entreprise", "Onderneming", "Unternehmen"),
        ("EST", "Établissement", "Vestiging", "Niederlassung"),
    ],
    "Language": [
        ("0", "inconnue", "onbekend", "unbekannt"),
        ("1", "français", "Frans", "Französisch"),
        ("2", "néerlandais", "Nederlands", "Niederländisch"),
        ("3", "allemand", "Duits", "Deutsch"),
        ("4", "anglais", "Engels", "Englisch"),
    ],
    "Status": [("AC", "Actif", "Actief", "Aktiv")],
    "TypeOfAddress": [
        ("ABBR", "Succursale", "Bijkantoor", "Zweigniederlassung"),
        ("BAET", "Établissement", "Vestiging", "Niederlassung"),
        ("OBAD", "Premier établissement", "Oudste vestiging", "Erste Niederlassung"),
        ("REGO", "Siège", "Zetel", "Sitz"),
    ],
    "TypeOfDenomination": [
        ("001", "Dénomination", "Naam", "Name"),
        ("002", "Abréviation", "Afkorting", "Abkürzung"),
        ("003", "Nom commercial", "Handelsnaam", "Handelsname"),
        ("004", "Nom de succursale", "Naam bijkantoor", "Name der Zweigniederlassung"),
    ],
    "TypeOfEnterprise": [
        ("0", "Inconnu", "Onbekend", "Unbekannt"),
        ("1", "Personne physique", "Natuurlijk persoon", "Natürliche Person"),
        ("2", "Personne morale", "Rechtspersoon", "Juristische Person"),
    ],
}
