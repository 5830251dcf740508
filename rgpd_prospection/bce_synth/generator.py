"""Synthetic BCE/KBO open-data extracts for tests, demo data and benchmarks.

The files are spelled exactly as the BCE publishes them (quoted texts, unquoted
dates, NULL as nothing between commas) so that the engine's reader meets real
format traps. Rows are assembled with numpy byte matrices, chunk by chunk, so a
national-size full (1.94 M enterprises, 36 M activity rows) fits in minutes and
bounded memory.

An update is never written from the mutations directly: the later full is written
from a mutated copy of the earlier one, then the update is *derived* as the
per-key difference of the two fulls. Nothing here imports ``bce_engine``, so a
check "engine(full + update) == later full" can genuinely fail.
"""

import csv
import io
import re
import sys
import unicodedata
import zipfile
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from pathlib import Path

import numpy as np

HEADERS = {
    "meta": ["Variable", "Value"],
    "code": ["Category", "Code", "Language", "Description"],
    "enterprise": [
        "EnterpriseNumber",
        "Status",
        "JuridicalSituation",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ],
    "establishment": ["EstablishmentNumber", "StartDate", "EnterpriseNumber"],
    "denomination": ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"],
    "address": [
        "EntityNumber",
        "TypeOfAddress",
        "CountryNL",
        "CountryFR",
        "Zipcode",
        "MunicipalityNL",
        "MunicipalityFR",
        "StreetNL",
        "StreetFR",
        "HouseNumber",
        "Box",
        "ExtraAddressInfo",
        "DateStrikingOff",
    ],
    "contact": ["EntityNumber", "EntityContact", "ContactType", "Value"],
    "activity": ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"],
    "branch": ["Id", "StartDate", "EnterpriseNumber"],
}
DATA_TABLES = (
    "enterprise",
    "establishment",
    "denomination",
    "address",
    "contact",
    "activity",
    "branch",
)
KEY_COLUMNS = {
    "enterprise": "EnterpriseNumber",
    "establishment": "EstablishmentNumber",
    "branch": "Id",
    "denomination": "EntityNumber",
    "address": "EntityNumber",
    "contact": "EntityNumber",
    "activity": "EntityNumber",
}
# How an empty value is spelled, per column: "q" quoted ``""``, "n" NULL, "d" date (NULL).
# One fixed rule per column is what lets a re-read row be rewritten byte for byte.
COLUMN_KINDS = {
    "meta": "qq",
    "code": "qqqq",
    "enterprise": "qqqqnnd",
    "establishment": "qdq",
    "denomination": "qqqq",
    "address": "qqnnqqqqqqqqd",
    "contact": "qqqq",
    "activity": "qqqqq",
    "branch": "qdq",
}
VERSION = "1.0.0"
BOM = b"\xef\xbb\xbf"
CHUNK = 50_000
EPOCH = date(1970, 1, 1)


# --- vocabulary -------------------------------------------------------------------------------
def _table(text):
    """Rows of a ``|``-separated text table (keeps the vocabulary compact and readable)."""
    return [tuple(cell.strip() for cell in line.split("|")) for line in text.strip().splitlines()]


def _words(text):
    return text.split()


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


# --- small helpers ----------------------------------------------------------------------------
def _esc(text):
    """CSV escaping inside quotes (doubling), as UTF-8 bytes, ready to be composed."""
    return text.replace('"', '""').encode("utf-8")


def _arr(texts):
    return np.array([_esc(t) for t in texts], dtype=bytes)


def _slug(text):
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in ascii_text if c.isalnum())


def _days(day):
    return (day - EPOCH).days


def _check_digits(prefix):
    return 97 - prefix % 97


def _numbers(prefixes):
    """8-digit prefixes -> 10-digit numbers with the mod-97 check the BCE uses for all three
    kinds of number (enterprise, establishment, branch)."""
    prefixes = np.asarray(prefixes, dtype=np.int64)
    return prefixes * 100 + _check_digits(prefixes)


def _digits(numbers):
    powers = 10 ** np.arange(9, -1, -1, dtype=np.int64)
    return ((numbers[:, None] // powers) % 10 + 48).astype(np.uint8)


def _dotted(numbers, layout):
    """Spell numbers as ``0200.065.765`` (layout (4,3,3)) or ``2.000.000.339`` (1,3,3,3)."""
    d = _digits(np.asarray(numbers, dtype=np.int64))
    parts, start = [], 0
    for i, size in enumerate(layout):
        if i:
            parts.append(np.full((len(d), 1), ord("."), np.uint8))
        parts.append(d[:, start : start + size])
        start += size
    m = np.ascontiguousarray(np.concatenate(parts, axis=1))
    return m.view(f"S{m.shape[1]}").ravel()


def enterprise_spelling(numbers):
    return _dotted(numbers, (4, 3, 3))


def unit_spelling(numbers):
    """Establishment numbers and branch ids share the ``9.000.006.626`` spelling."""
    return _dotted(numbers, (1, 3, 3, 3))


def _dates(days):
    """Days since 1970 -> ``dd-mm-yyyy`` bytes."""
    iso = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]")).astype("S10")
    m = np.ascontiguousarray(iso.view(np.uint8).reshape(-1, 10)[:, [8, 9, 7, 5, 6, 4, 0, 1, 2, 3]])
    return m.view("S10").ravel()


@dataclass
class Quoted:
    """A column written between quotes; rows where ``null`` is true are written as NULL."""

    values: np.ndarray
    null: np.ndarray | None = None


def _matrix(column, n):
    if isinstance(column, bytes):
        return np.broadcast_to(np.frombuffer(column, np.uint8), (n, len(column)))
    column = np.ascontiguousarray(column)
    if column.dtype.itemsize == 0:
        return np.zeros((n, 0), np.uint8)
    return column.view(np.uint8).reshape(n, column.dtype.itemsize)


def render(columns, eol=b"\n"):
    """Columns (constant bytes, raw ``S`` arrays or :class:`Quoted`) -> CSV bytes.

    Every value becomes a zero-padded byte matrix; the rows are concatenated and the
    padding dropped in one mask, so no Python object is built per row."""
    n = next(
        len(c.values if isinstance(c, Quoted) else c) for c in columns if not isinstance(c, bytes)
    )
    if n == 0:
        return b""
    pieces = []
    for i, column in enumerate(columns):
        if i:
            pieces.append(_matrix(b",", n))
        if isinstance(column, Quoted):
            quote = np.full((n, 1), ord('"'), np.uint8)
            if column.null is not None:
                quote[column.null] = 0
            pieces += [quote, _matrix(column.values, n), quote]
        else:
            pieces.append(_matrix(column, n))
    pieces.append(_matrix(eol, n))
    m = np.concatenate(pieces, axis=1)
    return m[m != 0].tobytes()


def format_row(table, values, eol=b"\n"):
    """One row from Python values, with the per-column spelling of :data:`COLUMN_KINDS`."""
    out = []
    for kind, value in zip(COLUMN_KINDS[table], values, strict=True):
        if value == "" and kind in "nd":
            out.append(b"")
        elif kind == "d":
            out.append(value.encode())
        else:
            out.append(b'"' + _esc(value) + b'"')
    return b",".join(out) + eol


def _pick(rng, weights, size):
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=size, p=p / p.sum())


def _vocab(groups):
    """Stack per-tongue lists into one escaped array, returning (array, offsets, lengths)."""
    flat, offsets, lengths = [], [], []
    for items in groups:
        offsets.append(len(flat))
        lengths.append(len(items))
        flat += items
    return _arr(flat), np.array(offsets), np.array(lengths)


TONGUES = ("FR", "NL", "DE")
_MUNI_ZIP = _arr([m[0] for m in MUNICIPALITIES])
_MUNI_NL = _arr([m[1] for m in MUNICIPALITIES])
_MUNI_FR = _arr([m[2] for m in MUNICIPALITIES])
_MUNI_REGION = np.array(["BWVD".index(m[3]) for m in MUNICIPALITIES])
_MUNI_WEIGHT = np.array([m[4] for m in MUNICIPALITIES], dtype=float)
_STREET_NL, _STREET_OFF, _STREET_LEN = _vocab(
    [[s[0] for s in BRUSSELS_STREETS], STREETS["W"], STREETS["V"], STREETS["D"]]
)
_STREET_FR = _arr([s[1] for s in BRUSSELS_STREETS] + STREETS["W"] + STREETS["V"] + STREETS["D"])
_FAMILY, _FAMILY_OFF, _FAMILY_LEN = _vocab([FAMILY[t] for t in TONGUES])
_FIRST, _FIRST_OFF, _FIRST_LEN = _vocab([FIRST[t] for t in TONGUES])
_SECTOR, _SECTOR_OFF, _SECTOR_LEN = _vocab([SECTOR[t] for t in TONGUES])
_CONNECTOR, _CONNECTOR_OFF, _CONNECTOR_LEN = _vocab([CONNECTOR[t] for t in TONGUES])
_COINED = _arr(COINED)
_SUFFIX = _arr(SUFFIX)
_FORM_CODE = _arr([f[0] for f in FORMS])
_FORM_CAC = _arr([f[5] or "" for f in FORMS])
_SITUATION = _arr([s[0] for s in SITUATIONS])
_HOUSE = _arr([str(i) for i in range(1, 301)])
_HOUSE_ODD = _arr(["12A", "3-5", "SN", "1B", "27bis", "0", "2-4", "Z/N"])
_BOX = _arr(["", "1", "2", "3", "A", "B", "0.1", "b001", "bus 3"])
_EXTRA = _arr(["", "Hôtel de Ville", "Zoning industriel", "Bâtiment B", "Résidence Les Pins"])
_NACE = {v: _arr([row[i] for row in NACE]) for i, v in enumerate(("2008", "2025", "2003"))}
_NACE_WEIGHT = np.array([row[6] for row in NACE], dtype=float)
_NACE_DETAIL = np.array([row[0] in NACE_WITH_DETAIL for row in NACE])
_GROUP = _arr([g[0] for g in OTHER_CODES["ActivityGroup"]])
_LANG_DIGIT = _arr(["0", "1", "2", "3", "4"])


# --- the population model ---------------------------------------------------------------------
@dataclass
class Population:
    """Everything per entity that more than one table needs, as numpy columns."""

    snapshot: int
    ent: dict = field(default_factory=dict)
    est: dict = field(default_factory=dict)
    br: dict = field(default_factory=dict)


def _sequential_prefixes(rng, start, n):
    return start + np.cumsum(rng.integers(1, 4, n, dtype=np.int64))


def make_population(
    rng, n, snapshot, ent_prefixes=None, est_after=20_000_000, br_after=90_000_000, newborn=False
):
    """Draw ``n`` enterprises with their establishments and branches.

    ``ent_prefixes`` (sorted 8-digit prefixes) replaces the random number draw, and
    ``newborn`` dates everything on the snapshot: both serve the new entities of an update."""
    snap = _days(snapshot)
    if ent_prefixes is None:
        n_new = int(round(n * 0.15))
        old = rng.choice(8_000_000, n - n_new, replace=False) + 2_000_000
        new = rng.choice(max(300_000, 2 * n_new), n_new, replace=False) + 10_000_000
        ent_prefixes = np.sort(np.concatenate([old, new]))
    e = {"num": _numbers(ent_prefixes)}
    kind = rng.choice(3, n, p=[0.005, 0.40, 0.595])
    e["type"] = kind
    legal = kind == 2
    form = np.full(n, -1)
    form[legal] = _pick(rng, [f[4] for f in FORMS], int(legal.sum()))
    e["form"] = form
    cac_p = np.array([f[6] for f in FORMS])
    e["cac"] = (form >= 0) & (rng.random(n) < cac_p[form])
    situation = _pick(rng, [s[4] for s in SITUATIONS], n)
    situation[kind == 1] = np.where(rng.random(int((kind == 1).sum())) < 0.97, 0, 1)
    e["situation"] = situation
    if newborn:
        e["start"] = np.full(n, snap)
    else:
        age = rng.exponential(16 * 365.25, n)
        age = np.minimum(age, np.where(kind == 1, 60, 120) * 365.25).astype(np.int64)
        start = snap - age
        for k in range(3):  # older numbers, older enterprises, within each type
            start[kind == k] = np.sort(start[kind == k])
        start[legal & (rng.random(n) < 0.03)] = _days(date(1968, 1, 1))  # historical bulk load
        e["start"] = start
    muni = _pick(rng, _MUNI_WEIGHT, n)
    e["muni"] = muni
    region = _MUNI_REGION[muni]
    tongue = np.array([0, 0, 1, 2])[region]
    tongue[(region == 0) & (rng.random(n) < 0.2)] = 1  # Dutch-speaking Brussels
    e["tongue"] = tongue
    lang = tongue + 1
    lang[rng.random(n) < np.where(kind == 1, 0.3, 0.08)] = 0
    e["lang"] = lang
    e["pattern"] = rng.choice(5, n, p=[0.2, 0.2, 0.35, 0.15, 0.1])
    e["a"] = rng.integers(0, 1 << 30, n)
    e["b"] = rng.integers(0, 1 << 30, n)
    e["first"] = _FIRST_OFF[tongue] + rng.integers(0, 1 << 30, n) % _FIRST_LEN[tongue]
    e["family"] = _FAMILY_OFF[tongue] + rng.integers(0, 1 << 30, n) % _FAMILY_LEN[tongue]
    foreign = form == [f[0] for f in FORMS].index(FOREIGN_FORM)
    e["abroad"] = (foreign & (rng.random(n) < 0.85)) | (legal & (rng.random(n) < 0.003))
    e["rego"] = legal | ((kind == 0) & (rng.random(n) < 0.5))
    e["bilingual"] = legal & (region == 0) & (rng.random(n) < 0.3)
    e["abbrev"] = legal & (rng.random(n) < 0.08)
    e["commercial"] = rng.random(n) < np.where(legal, 0.10, 0.12)
    e["contacts"] = np.where(rng.random(n) < 0.2, rng.geometric(0.7, n), 0)

    n_est = np.where(
        kind == 1,
        rng.choice(4, n, p=[0.06, 0.86, 0.06, 0.02]),
        np.where(rng.random(n) < 0.52, 0, rng.geometric(0.83, n)),
    )
    chains = legal & (rng.random(n) < 0.001)
    n_est[chains] = rng.integers(20, 300, int(chains.sum()))
    n_est[foreign] = 0
    n_br = np.where(foreign & (rng.random(n) < 0.7), rng.choice([1, 1, 1, 2], n), 0)

    total = int(n_est.sum())
    parent = np.repeat(np.arange(n), n_est)
    s = {"num": _numbers(_sequential_prefixes(rng, est_after, total)), "parent": parent}
    pstart = e["start"][parent]
    s["start"] = pstart + (rng.random(total) * (snap - pstart + 1)).astype(np.int64)
    s["muni"] = np.where(rng.random(total) < 0.7, muni[parent], _pick(rng, _MUNI_WEIGHT, total))
    s["lang"] = lang[parent]
    s["tongue"] = tongue[parent]
    s["commercial"] = rng.random(total) < 0.3
    s["a"] = rng.integers(0, 1 << 30, total)
    s["contacts"] = np.where(rng.random(total) < 0.05, rng.geometric(0.6, total), 0)

    n_branch = int(n_br.sum())
    bparent = np.repeat(np.arange(n), n_br)
    b = {"num": _numbers(_sequential_prefixes(rng, br_after, n_branch)), "parent": bparent}
    bstart = e["start"][bparent]
    b["start"] = bstart + (rng.random(n_branch) * (snap - bstart + 1)).astype(np.int64)
    b["muni"] = _pick(rng, _MUNI_WEIGHT, n_branch)
    b["contacts"] = (rng.random(n_branch) < 0.1).astype(np.int64)
    return Population(snap, e, s, b)


def _take(part, sl):
    return {k: v[sl] for k, v in part.items()}


def _tongue_pick(values, offsets, lengths, tongue, r):
    return values[offsets[tongue] + r % lengths[tongue]]


def _legal_names(e, idx):
    """Escaped enterprise names for rows ``idx`` of ``e`` (composed, not quoted)."""
    tongue, a, b, pattern = e["tongue"][idx], e["a"][idx], e["b"][idx], e["pattern"][idx]
    family = _FAMILY[e["family"][idx]]
    sector = _tongue_pick(_SECTOR, _SECTOR_OFF, _SECTOR_LEN, tongue, b)
    coined = _COINED[a % len(_COINED)]
    add = np.strings.add
    choices = [
        add(family, _tongue_pick(_CONNECTOR, _CONNECTOR_OFF, _CONNECTOR_LEN, tongue, a)),
        add(add(sector, b" "), family),
        add(add(coined, b" "), _SUFFIX[b % len(_SUFFIX)]),
        np.strings.upper(coined),
        add(add(add(sector, b' ""'), coined), b'""'),
    ]
    out = choices[0]
    for i in range(1, len(choices)):
        out = np.where(pattern == i, choices[i], out)
    return out


def _names(e, idx):
    person = np.strings.add(
        np.strings.add(_FAMILY[e["family"][idx]], b", "), _FIRST[e["first"][idx]]
    )
    return np.where(e["type"][idx] == 1, person, _legal_names(e, idx))


def _commercial_names(tongue, a):
    sector = _tongue_pick(_SECTOR, _SECTOR_OFF, _SECTOR_LEN, tongue, a >> 7)
    return np.strings.add(np.strings.add(sector, b" "), _COINED[a % len(_COINED)])


# --- per-table row writers -------------------------------------------------------------------
# Each takes the population, a part ("ent", "est", "br"), a slice and a generator, and returns
# CSV bytes for those entities, in key order.


def _rows_enterprise(pop, part, sl, rng, eol):
    e = _take(pop.ent, sl)
    form = e["form"]
    no_form = form < 0
    cac_null = no_form | ~e["cac"]
    safe = np.maximum(form, 0)
    return render(
        [
            Quoted(enterprise_spelling(e["num"])),
            b'"AC"',
            Quoted(_SITUATION[e["situation"]]),
            Quoted(_LANG_DIGIT[e["type"]]),
            Quoted(np.where(no_form, b"", _FORM_CODE[safe]), no_form),
            Quoted(np.where(cac_null, b"", _FORM_CAC[safe]), cac_null),
            _dates(e["start"]),
        ],
        eol,
    )


def _rows_unit(pop, part, sl, rng, eol):
    u = _take(getattr(pop, part), sl)
    parents = pop.ent["num"][u["parent"]]
    return render(
        [Quoted(unit_spelling(u["num"])), _dates(u["start"]), Quoted(enterprise_spelling(parents))],
        eol,
    )


def _interleave(blocks, owners):
    """Rows built per kind (a column list per block) -> one column list grouped by owner."""
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    columns = []
    for i, first in enumerate(blocks[0]):
        if isinstance(first, bytes) and all(blk[i] == first for blk in blocks):
            columns.append(first)
            continue
        parts = []
        for blk, own in zip(blocks, owners, strict=True):
            value = blk[i].values if isinstance(blk[i], Quoted) else blk[i]
            parts.append(np.full(len(own), value) if isinstance(value, bytes) else value)
        merged = np.concatenate(parts)[order]
        columns.append(Quoted(merged) if isinstance(first, Quoted) else merged)
    return columns


def _rows_denomination(pop, part, sl, rng, eol):
    e = pop.ent
    if part == "ent":
        idx = np.arange(len(e["num"]))[sl]
        keys = enterprise_spelling(e["num"][idx])
        lang, tongue, names = e["lang"][idx], e["tongue"][idx], _names(e, idx)
        blocks, owners = [], []

        def block(mask, lang_codes, kind, texts):
            pos = np.flatnonzero(mask)
            blocks.append(
                [Quoted(keys[pos]), Quoted(_LANG_DIGIT[lang_codes[pos]]), kind, Quoted(texts[pos])]
            )
            owners.append(pos)

        full = np.ones(len(idx), bool)
        block(full, lang, b'"001"', names)
        block(e["bilingual"][idx], np.where(lang == 2, 1, 2), b'"001"', names)
        letters = rng.integers(65, 91, (len(idx), 4), dtype=np.uint8)
        letters[:, 3][rng.random(len(idx)) < 0.5] = 0
        block(e["abbrev"][idx], lang, b'"002"', np.ascontiguousarray(letters).view("S4").ravel())
        block(e["commercial"][idx], lang, b'"003"', _commercial_names(tongue, e["b"][idx]))
        return render(_interleave(blocks, owners), eol)
    if part == "est":
        s = _take(pop.est, sl)
        pos = np.flatnonzero(s["commercial"])
        return render(
            [
                Quoted(unit_spelling(s["num"][pos])),
                Quoted(_LANG_DIGIT[s["lang"][pos]]),
                b'"003"',
                Quoted(_commercial_names(s["tongue"][pos], s["a"][pos])),
            ],
            eol,
        )
    b = _take(pop.br, sl)
    names = np.strings.add(_names(e, b["parent"]), b" - Belgian Branch")
    return render(
        [Quoted(unit_spelling(b["num"])), b'"4"', b'"004"', Quoted(names)],
        eol,
    )


def _belgian_address(rng, muni):
    n = len(muni)
    region = _MUNI_REGION[muni]
    street_i = _STREET_OFF[region] + rng.integers(0, 1 << 30, n) % _STREET_LEN[region]
    house = _HOUSE[np.minimum(rng.geometric(0.03, n), len(_HOUSE)) - 1]
    odd = rng.random(n)
    house = np.where(odd < 0.03, _HOUSE_ODD[rng.integers(0, len(_HOUSE_ODD), n)], house)
    house = np.where(odd > 0.98, b"", house)
    box = np.where(rng.random(n) < 0.85, b"", _BOX[rng.integers(1, len(_BOX), n)])
    extra = np.where(rng.random(n) < 0.98, b"", _EXTRA[rng.integers(1, len(_EXTRA), n)])
    return {
        "CountryNL": np.full(n, b""),
        "CountryFR": np.full(n, b""),
        "Zipcode": _MUNI_ZIP[muni],
        "MunicipalityNL": _MUNI_NL[muni],
        "MunicipalityFR": _MUNI_FR[muni],
        "StreetNL": _STREET_NL[street_i],
        "StreetFR": _STREET_FR[street_i],
        "HouseNumber": house,
        "Box": box,
        "ExtraAddressInfo": extra,
    }


def _foreign_address(rng, n):
    which = rng.integers(0, len(FOREIGN), n)
    zips = np.array([_esc(rng.choice(FOREIGN[w][2])) for w in which], dtype=bytes)
    col = {
        k: _arr([FOREIGN[w][i] for w in which])
        for i, k in ((0, "CountryNL"), (1, "CountryFR"), (3, "MunicipalityNL"), (4, "StreetNL"))
    }
    return {
        "CountryNL": col["CountryNL"],
        "CountryFR": col["CountryFR"],
        "Zipcode": zips,
        "MunicipalityNL": col["MunicipalityNL"],
        "MunicipalityFR": col["MunicipalityNL"],
        "StreetNL": col["StreetNL"],
        "StreetFR": col["StreetNL"],
        "HouseNumber": _HOUSE[rng.integers(0, 200, n)],
        "Box": np.full(n, b""),
        "ExtraAddressInfo": np.full(n, b""),
    }


def _rows_address(pop, part, sl, rng, eol):
    if part == "ent":
        e = _take(pop.ent, sl)
        pos = np.flatnonzero(e["rego"])
        keys, kind, muni, start = (
            enterprise_spelling(e["num"][pos]),
            b'"REGO"',
            e["muni"][pos],
            e["start"][pos],
        )
        abroad = e["abroad"][pos]
    else:
        u = _take(getattr(pop, part), sl)
        keys = unit_spelling(u["num"])
        kind = b'"BAET"' if part == "est" else b'"ABBR"'
        muni, start = u["muni"], u["start"]
        abroad = np.zeros(len(keys), bool)
    n = len(keys)
    if n == 0:
        return b""
    cols = _belgian_address(rng, muni)
    if abroad.any():
        foreign = _foreign_address(rng, int(abroad.sum()))
        for k in cols:
            cols[k] = cols[k].astype(np.result_type(cols[k], foreign[k]))
            cols[k][abroad] = foreign[k]
    struck = rng.random(n) < 0.005
    strike = start + (rng.random(n) * (pop.snapshot - start)).astype(np.int64)
    country_null = ~abroad
    return render(
        [
            Quoted(keys),
            kind,
            Quoted(cols["CountryNL"], country_null),
            Quoted(cols["CountryFR"], country_null),
        ]
        + [Quoted(cols[k]) for k in HEADERS["address"][4:12]]
        + [np.where(struck, _dates(strike), b"")],
        eol,
    )


class _ContactMaker:
    """Contact values: generic, nominative and private e-mails, messy phones, shared ones."""

    def __init__(self, seed, n):
        pool_rng = np.random.default_rng([seed, 99])
        size = max(3, n // 5000)
        fam = FAMILY["FR"] + FAMILY["NL"]
        self.shared_mail = [
            f"{GENERIC_MAIL[i % 2]}@{'fiduciaire' if i % 3 else 'accountancy'}-"
            f"{_slug(fam[pool_rng.integers(len(fam))])}{i}.be"
            for i in range(size)
        ]
        self.shared_tel = [self._phone(pool_rng, 0) for _ in range(size)]
        self.family = [t.decode() for t in _FAMILY.tolist()]
        self.first = [t.decode() for t in _FIRST.tolist()]

    @staticmethod
    def _phone(r, style):
        zone = ["2", "9", "3", "4", "10", "53", "56", "87"][r.integers(8)]
        rest = "".join(str(d) for d in r.integers(0, 10, 8 - len(zone)))
        mobile = (
            "4"
            + str(r.choice([70, 72, 75, 76, 77, 78, 79, 84, 85, 86, 94, 95, 96, 97]))
            + "".join(str(d) for d in r.integers(0, 10, 6))
        )
        if style == 0:  # 053/39-00-70
            return f"0{zone}/{rest[:-4]}-{rest[-4:-2]}-{rest[-2:]}"
        if style == 1:  # +32 2 123 45 67
            return f"+32 {zone} {rest[:-4]} {rest[-4:-2]} {rest[-2:]}"
        if style == 2:  # 0475 12 34 56
            return f"0{mobile[:3]} {mobile[3:5]} {mobile[5:7]} {mobile[7:]}"
        if style == 3:
            return f"+32{mobile}"
        if style == 4:
            return f"0{zone}.{rest[:-4]}.{rest[-4:]}"
        if style == 5:
            return f"0032 {zone} {rest}"
        return ["123", "0000000000", "0475 12 34", "n.v.t.", "+32 0 000"][r.integers(5)]

    def domain(self, legal_name, family, r):
        name = legal_name.replace('""', "")
        words = [_slug(w) for w in name.replace(",", " ").split() if _slug(w)]
        base = "-".join(words[:2]) if r.random() < 0.5 else "".join(words[:2])
        return (base or _slug(family) or "firma") + TLDS[r.integers(len(TLDS))]

    def value(self, r, kind, name, first, family, natural):
        if kind == "EMAIL":
            u = r.random()
            if u < 0.1:
                return self.shared_mail[r.integers(len(self.shared_mail))]
            f, fam = _slug(first), _slug(family)
            if u < (0.2 if natural else 0.45):
                return (
                    f"{GENERIC_MAIL[r.integers(len(GENERIC_MAIL))]}@{self.domain(name, family, r)}"
                )
            if u < (0.45 if natural else 0.7):
                local = [f"{f}.{fam}", f"{f[0]}.{fam}", f, f"{f}{fam}"][r.integers(4)]
                return f"{local}@{self.domain(name, family, r)}"
            local = [f"{f}.{fam}", f"{f}{fam}{r.integers(10, 99)}", f"{fam}.{f}"][r.integers(3)]
            return f"{local}@{PRIVATE_MAIL[r.integers(len(PRIVATE_MAIL))]}"
        if kind == "WEB":
            d = self.domain(name, family, r)
            return [f"www.{d}", f"http://www.{d}", f"https://{d}/", d][r.integers(4)]
        if r.random() < 0.08:
            return self.shared_tel[r.integers(len(self.shared_tel))]
        return self._phone(r, r.choice(7, p=[0.25, 0.15, 0.25, 0.1, 0.1, 0.05, 0.1]))


_CONTACT_TYPES = ["EMAIL", "TEL", "WEB", "FAX"]


def _rows_contact(pop, part, sl, rng, eol, maker):
    """Few rows (0.36 per enterprise), so a Python loop per row is affordable here."""
    e = pop.ent
    if part == "ent":
        idx = np.arange(len(e["num"]))[sl]
        counts, keys, owner, who = (
            e["contacts"][idx],
            enterprise_spelling(e["num"][idx]),
            idx,
            "ENT",
        )
    else:
        u = _take(getattr(pop, part), sl)
        counts, keys, owner = u["contacts"], unit_spelling(u["num"]), u["parent"]
        who = "EST" if part == "est" else "BRA"
    pos = np.flatnonzero(counts)
    if not len(pos):
        return b""
    names = _names(e, owner[pos])
    out = []
    for j, p in enumerate(pos):
        o = owner[p]
        name = names[j].decode()
        first, family = maker.first[e["first"][o]], maker.family[e["family"][o]]
        key, seen = keys[p].decode(), set()
        for kind in rng.choice(_CONTACT_TYPES, counts[p], p=[0.45, 0.38, 0.12, 0.05]):
            value = maker.value(rng, kind, name, first, family, e["type"][o] == 1)
            if (kind, value) not in seen:  # a full holds no duplicate rows
                seen.add((kind, value))
                out.append(format_row("contact", [key, who, str(kind), value], eol))
    return b"".join(out)


def _rows_activity(pop, part, sl, rng, eol):
    """About 19 rows per enterprise overall; each activity is written in NACE 2008 and 2025,
    some also in 2003, and a few with the 7-digit national detail."""
    if part == "ent":
        units = _take(pop.ent, sl)
        keys, mean, groups = (
            enterprise_spelling(units["num"]),
            5.0,
            [0.7, 0.01, 0.1, 0.01, 0.02, 0.15, 0.01],
        )
    else:
        units = _take(pop.est, sl)
        keys, mean, groups = unit_spelling(units["num"]), 4.3, [0.3, 0, 0.1, 0, 0.02, 0.58, 0]
    n = len(keys)
    k = rng.geometric(1 / mean, n)
    owner = np.repeat(np.arange(n), k)
    a = len(owner)
    first = np.ones(a, bool)
    first[1:] = owner[1:] != owner[:-1]
    classification = np.where(
        first, b'"MAIN"', np.where(rng.random(a) < 0.85, b'"SECO"', b'"ANCI"')
    )
    group_i = _pick(rng, groups, a)
    nace = _pick(rng, _NACE_WEIGHT, a)
    detail = (rng.random(a) < 0.2) & _NACE_DETAIL[nace]
    # a full holds no duplicate rows: keep the first of identical activities of an entity
    identity = ((owner * 8 + group_i) * 256 + nace) * 2 + (classification == b'"SECO"')
    _, firsts = np.unique(identity, return_index=True)
    keep_rows = np.sort(firsts)
    owner, classification = owner[keep_rows], classification[keep_rows]
    group, nace, detail = _GROUP[group_i[keep_rows]], nace[keep_rows], detail[keep_rows]
    a = len(owner)
    blocks, owners = [], []
    for version, keep in (("2008", None), ("2025", None), ("2003", rng.random(a) < 0.15)):
        code = _NACE[version][nace]
        if version != "2003":
            code = np.where(detail, np.strings.add(code, DETAIL_SUFFIX.encode()), code)
        sel = slice(None) if keep is None else keep
        blocks.append(
            [
                Quoted(keys[owner[sel]]),
                Quoted(group[sel]),
                f'"{version}"'.encode(),
                Quoted(code[sel]),
                classification[sel],
            ]
        )
        owners.append(owner[sel])
    return render(_interleave(blocks, owners), eol)


ROW_WRITERS = {
    "enterprise": (_rows_enterprise, ("ent",)),
    "establishment": (_rows_unit, ("est",)),
    "branch": (_rows_unit, ("br",)),
    "denomination": (_rows_denomination, ("ent", "est", "br")),
    "address": (_rows_address, ("ent", "est", "br")),
    "contact": (_rows_contact, ("ent", "est", "br")),
    "activity": (_rows_activity, ("ent", "est")),
}


def population_rows(pop, table, seed, eol=b"\n", maker=None, progress=None):
    """Yield CSV byte chunks of ``table`` for the whole population, in key order."""
    writer, parts = ROW_WRITERS[table]
    table_id = DATA_TABLES.index(table) + 1
    for part_id, part in enumerate(parts):
        size = len(getattr(pop, part)["num"])
        for chunk, begin in enumerate(range(0, size, CHUNK)):
            rng = np.random.default_rng([seed, table_id, part_id, chunk])
            sl = slice(begin, min(size, begin + CHUNK))
            if table == "contact":
                yield writer(pop, part, sl, rng, eol, maker)
            else:
                yield writer(pop, part, sl, rng, eol)
            if progress:
                progress(table, part, sl.stop, size)


# --- code table -------------------------------------------------------------------------------
def _nace_section(version, code):
    division = int(code[:2])
    return [letter for first, letter in NACE_SECTIONS[version] if first <= division][-1]


def synthetic_code_rows():
    """Every code the generator uses, with parents, labelled in FR, NL and DE."""
    labels = {}
    for category, rows in OTHER_CODES.items():
        for code, *texts in rows:
            labels[(category, code)] = texts
    for code, fr, nl, de, *_ in FORMS:
        labels[("JuridicalForm", code)] = [fr, nl, de]
    for code, fr, nl, de, _ in SITUATIONS:
        labels[("JuridicalSituation", code)] = [fr, nl, de]
    for i, version in enumerate(("2008", "2025", "2003")):
        category = f"Nace{version}"
        for row in NACE:
            code = row[i]
            labels[(category, code)] = list(row[3:6])
            if version != "2003" and row[0] in NACE_WITH_DETAIL:
                detail = [f"{t} (détail)" for t in row[3:4]] + [f"{t} (detail)" for t in row[4:6]]
                labels[(category, code + DETAIL_SUFFIX)] = detail
            labels[(category, code[:4])] = [
                f"Classe {code[:2]}.{code[2:4]}",
                f"Klasse {code[:2]}.{code[2:4]}",
                f"Klasse {code[:2]}.{code[2:4]}",
            ]
            labels[(category, code[:3])] = [
                f"Groupe {code[:2]}.{code[2]}",
                f"Groep {code[:2]}.{code[2]}",
                f"Gruppe {code[:2]}.{code[2]}",
            ]
            labels[(category, code[:2])] = [
                f"Division {code[:2]}",
                f"Afdeling {code[:2]}",
                f"Abteilung {code[:2]}",
            ]
            section = _nace_section(version, code)
            labels[(category, section)] = [
                f"Section {section}",
                f"Sectie {section}",
                f"Abschnitt {section}",
            ]
    rows = []
    for (category, code), texts in sorted(labels.items()):
        for language, text in zip(("DE", "FR", "NL"), (texts[2], texts[0], texts[1]), strict=True):
            rows.append([category, code, language, text])
    return rows


# --- containers -------------------------------------------------------------------------------
def extract_file_name(number, snapshot_date, kind):
    """``KboOpenData_0147_2025_10_12_Full.zip``: the date is the extraction day."""
    day = snapshot_date + timedelta(days=1)
    return f"KboOpenData_{number:04d}_{day:%Y_%m_%d}_{kind}.zip"


class _Sink:
    """Members of an extract, written into a ZIP (deterministic bytes) or a folder."""

    def __init__(self, path, as_folder, stored, stamp):
        self.path, self.as_folder, self.stored, self.stamp = path, as_folder, stored, stamp
        if as_folder:
            path.mkdir(parents=True, exist_ok=True)
            self.zip = None
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.zip = zipfile.ZipFile(path, "w", allowZip64=True)

    def open(self, name):
        if self.zip is None:
            return open(self.path / name, "wb")
        info = zipfile.ZipInfo(name, date_time=self.stamp.timetuple()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_STORED if self.stored else zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # ZipFile.open(ZipInfo) ignores the archive's compresslevel
        return self.zip.open(info, "w", force_zip64=True)

    def close(self):
        if self.zip is not None:
            self.zip.close()


class _Source:
    """Read the members of an extract given as a ZIP or a folder."""

    def __init__(self, path):
        self.path = Path(path)
        self.zip = None if self.path.is_dir() else zipfile.ZipFile(self.path)

    def names(self):
        if self.zip is None:
            return [p.name for p in self.path.iterdir()]
        return self.zip.namelist()

    def open(self, name):
        if self.zip is None:
            return open(self.path / name, "rb")
        return self.zip.open(name)

    def read(self, name):
        with self.open(name) as f:
            return f.read()

    def close(self):
        if self.zip is not None:
            self.zip.close()


def _meta_rows(snapshot, stamp, kind, number):
    return [
        ["SnapshotDate", f"{snapshot:%d-%m-%Y}"],
        ["ExtractTimestamp", f"{stamp:%d-%m-%Y %H:%M:%S}"],
        ["ExtractType", kind],
        ["ExtractNumber", str(number)],
        ["Version", VERSION],
    ]


def _write_small(sink, name, table, header, rows, bom, eol):
    with sink.open(name) as f:
        f.write((BOM if bom else b"") + b",".join(b'"' + _esc(h) + b'"' for h in header) + eol)
        for row in rows:
            f.write(format_row(table, row, eol))


def _header_line(table, eol):
    return b",".join(b'"' + h.encode() + b'"' for h in HEADERS[table]) + eol


def _timestamp(seed, snapshot):
    r = np.random.default_rng([seed, 7])
    day = snapshot + timedelta(days=1)
    return datetime(
        day.year,
        day.month,
        day.day,
        5 + int(r.integers(3)),
        int(r.integers(60)),
        int(r.integers(60)),
    )


def _progress_printer(total_enterprises):
    if total_enterprises < 200_000:
        return None

    def show(table, part, done, size):
        if done == size or done % (10 * CHUNK) == 0:
            print(f"  {table} [{part}] {done:,}/{size:,}", file=sys.stderr, flush=True)

    return show


def generate_full(
    path,
    enterprises=1000,
    seed=1,
    extract_number=147,
    snapshot_date=date(2025, 10, 11),
    bom=False,
    crlf=False,
    code_csv_path=None,
    stored=False,
    as_folder=False,
):
    """Write a full extract and return its path.

    ``path`` may be a folder (existing, or ending in ``/``): the official file name is then
    used inside it. ``as_folder`` writes the CSV files into a folder instead of a ZIP."""
    path = Path(path)
    name = extract_file_name(extract_number, snapshot_date, "Full")
    if path.is_dir() or str(path).endswith("/") or path.suffix == "":
        path = path / (name[:-4] if as_folder else name)
    eol = b"\r\n" if crlf else b"\n"
    stamp = _timestamp(seed, snapshot_date)
    pop = make_population(np.random.default_rng([seed, 0]), enterprises, snapshot_date)
    maker = _ContactMaker(seed, enterprises)
    progress = _progress_printer(enterprises)
    sink = _Sink(path, as_folder, stored, stamp)
    try:
        _write_small(
            sink,
            "meta.csv",
            "meta",
            HEADERS["meta"],
            _meta_rows(snapshot_date, stamp, "full", extract_number),
            bom,
            eol,
        )
        if code_csv_path:
            with sink.open("code.csv") as f:
                f.write(Path(code_csv_path).read_bytes())
        else:
            _write_small(sink, "code.csv", "code", HEADERS["code"], synthetic_code_rows(), bom, eol)
        for table in DATA_TABLES:
            with sink.open(f"{table}.csv") as f:
                f.write((BOM if bom else b"") + _header_line(table, eol))
                for block in population_rows(pop, table, seed, eol, maker, progress):
                    f.write(block)
    finally:
        sink.close()
    return path


# --- updates ----------------------------------------------------------------------------------
DEFAULT_CHANGE_RATES = {
    # kind: share of enterprises (national: about a thousand changes a day), at least 3 each
    "stop": 1e-4,
    "new": 1e-4,
    "situation": 5e-5,
    "rename": 5e-5,
    "move": 5e-5,
    "establishment_move": 5e-5,
    "establishment_new": 3e-5,
    "establishment_close": 3e-5,
    "contact_add": 5e-5,
    "contact_change": 5e-5,
    "establishment_contact": 3e-5,
    "activity": 1e-4,
    "duplicates": 2e-5,
}


def _blocks(stream, name, size=1 << 24):
    """Yield the header line, then ``(lines, keys)`` blocks made of complete key groups.

    Lines come without BOM or line ending (fields never hold newlines); keys are the quoted
    first field. Working per block keeps the per-line Python work to a list comprehension."""
    with stream:
        rest, first, carry, previous = b"", True, ([], []), None
        while True:
            data = stream.read(size)
            if first:
                data = data[3:] if data.startswith(BOM) else data
            text = rest + data
            if data:
                cut = text.rfind(b"\n")
                if cut < 0:
                    rest = text
                    continue
                text, rest = text[:cut], text[cut + 1 :]
            else:
                rest = b""
            text = text.replace(b"\r", b"")
            if first:
                first = False
                header, _, text = text.partition(b"\n")
                yield header
            lines = text.split(b"\n") if text else []
            keys = _KEY.findall(text)
            if len(keys) != len(lines):
                raise ValueError(f"{name}: every line must start with a quoted key")
            if keys and (keys != sorted(keys) or (previous is not None and keys[0] < previous)):
                raise ValueError(f"{name} is not sorted by its key column")
            lines, keys = carry[0] + lines, carry[1] + keys
            if data and keys:
                i = len(keys) - 1
                while i > 0 and keys[i - 1] == keys[-1]:
                    i -= 1
                carry = (lines[i:], keys[i:])
                lines, keys = lines[:i], keys[:i]
            if keys:
                previous = keys[-1]
                yield lines, keys
            if not data:
                return


_KEY = re.compile(rb'^("[^"\n]*"),', re.M)


def q(key):
    """A key as it appears, quoted, at the start of a line."""
    return f'"{key}"'.encode()


def _parse(line):
    return next(csv.reader([line.decode("utf-8")]))


def _read_meta(source):
    rows = list(csv.reader(io.StringIO(source.read("meta.csv").decode("utf-8-sig"))))
    return dict(rows[1:])


@dataclass
class _Plan:
    """What changes between two fulls: dropped keys, edited groups, added rows per table."""

    drop: dict = field(default_factory=lambda: {t: set() for t in DATA_TABLES})
    edit: dict = field(default_factory=lambda: {t: {} for t in DATA_TABLES})
    add: dict = field(default_factory=lambda: {t: [] for t in DATA_TABLES})


def _scan(source, table, columns):
    """Selected columns of a table, one list each, without keeping the rows."""
    with io.TextIOWrapper(source.open(f"{table}.csv"), "utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        header = next(reader)
        where = [header.index(c) for c in columns]
        out = [[] for _ in columns]
        for row in reader:
            for i, w in enumerate(where):
                out[i].append(row[w])
    return out


def _counts(n, changes):
    counts = {k: max(3, round(n * rate)) for k, rate in DEFAULT_CHANGE_RATES.items()}
    counts.update(changes or {})
    return counts


def _plan_mutations(rng, source, changes, new_snapshot, eol, seed):
    """Choose which entities change. Only key columns are read, so that a national full fits
    in memory; enterprise-level changes go to distinct enterprises."""
    ent_keys, ent_types = _scan(source, "enterprise", ["EnterpriseNumber", "TypeOfEnterprise"])
    counts = _counts(len(ent_keys), changes)
    est_keys, est_parents = _scan(
        source, "establishment", ["EstablishmentNumber", "EnterpriseNumber"]
    )
    br_keys, br_parents = _scan(source, "branch", ["Id", "EnterpriseNumber"])
    has_contact = set(_scan(source, "contact", ["EntityNumber"])[0])
    plan = _Plan()
    n = len(ent_keys)
    order = rng.permutation(n)
    taken = 0

    def take(kind, allowed=None):
        nonlocal taken
        chosen = []
        while len(chosen) < counts[kind] and taken < n:
            i = order[taken]
            taken += 1
            if allowed is None or allowed(i):
                chosen.append(ent_keys[i])
        return chosen

    stop = set(take("stop"))
    units_of = {}
    for keys, parents in ((est_keys, est_parents), (br_keys, br_parents)):
        for k, p in zip(keys, parents, strict=True):
            if p in stop:
                units_of.setdefault(p, []).append(k)
    for key in stop:
        for t in DATA_TABLES:
            if t not in ("establishment", "branch"):
                plan.drop[t].add(q(key))
        for unit in units_of.get(key, []):
            for t in ("establishment", "branch", "denomination", "address", "contact", "activity"):
                plan.drop[t].add(q(unit))

    def legal(i):
        return ent_types[i] == "2"

    for key in take("situation", legal):
        plan.edit["enterprise"][q(key)] = _edit_situation
    for key in take("rename", legal):
        plan.edit["denomination"][q(key)] = _edit_rename
    for key in take("move", legal):
        plan.edit["address"][q(key)] = _edit_move(rng)
    for key in take("activity"):
        plan.edit["activity"][q(key)] = _edit_activity(rng)
    for key in take("contact_change", lambda i: ent_keys[i] in has_contact):
        plan.edit["contact"][q(key)] = _edit_contact(rng)
    maker = _ContactMaker(seed, 1000)
    for key in take("contact_add"):  # nothing else changes for these enterprises
        kind = ["EMAIL", "TEL", "WEB"][rng.integers(3)]
        value = maker.value(rng, kind, "Nova Services", "Jan", "Peeters", False)
        plan.add["contact"].append((q(key), format_row("contact", [key, "ENT", kind, value], eol)))
    last_prefix = int(max(est_keys, default="2.000.000.000").replace(".", "")[:8])
    for i, parent in enumerate(take("establishment_new")):
        number = int(_numbers([last_prefix + 1 + i])[0])
        _add_establishment(plan, rng, parent, number, new_snapshot, eol)

    live = [i for i, p in enumerate(est_parents) if p not in stop]
    picks = rng.permutation(live)
    cut = 0
    for label, action in (
        ("establishment_move", "move"),
        ("establishment_close", "close"),
        ("establishment_contact", "contact"),
    ):
        for i in picks[cut : cut + counts[label]]:
            key = est_keys[i]
            if action == "move":
                plan.edit["address"][q(key)] = _edit_move(rng)
            elif action == "close":
                for t in ("establishment", "denomination", "address", "contact", "activity"):
                    plan.drop[t].add(q(key))
            elif key in has_contact:
                plan.edit["contact"][q(key)] = _edit_contact(rng)
            else:
                value = maker.value(rng, "TEL", "", "Jan", "Peeters", False)
                plan.add["contact"].append(
                    (q(key), format_row("contact", [key, "EST", "TEL", value], eol))
                )
        cut += counts[label]
    maxima = {
        "ent": max(int(k.replace(".", "")[:8]) for k in ent_keys) if ent_keys else 2_000_000,
        "est": last_prefix + counts["establishment_new"],
        "br": max([int(k.replace(".", "")[:8]) for k in br_keys] or [90_000_000]),
    }
    return plan, maxima, counts


def _edit_situation(rows):
    out = []
    for raw, values in rows:
        if values is None:
            values = _parse(raw)
        values[2] = "012" if values[2] == "000" else "000"
        out.append((None, values))
    return out


def _edit_rename(rows):
    out = []
    for raw, values in rows:
        values = _parse(raw)
        if values[2] == "001":
            values[3] = values[3] + " Group" if not values[3].endswith(" Group") else values[3][:-6]
            out.append((None, values))
        else:
            out.append((raw, None))
    return out


def _edit_move(rng):
    street_i = int(rng.integers(len(STREETS["V"])))
    number = str(int(rng.integers(1, 200)))

    def edit(rows):
        out = []
        for raw, _ in rows:
            values = _parse(raw)
            if values[1] in ("REGO", "BAET"):
                values[2:13] = [
                    "",
                    "",
                    "9000",
                    "Gent",
                    "Gent",
                    STREETS["V"][street_i],
                    STREETS["V"][street_i],
                    number,
                    "",
                    "",
                    "",
                ]
                out.append((None, values))
            else:
                out.append((raw, None))
        return out

    return edit


def _edit_activity(rng):
    nace = int(_pick(rng, _NACE_WEIGHT, 1)[0])
    change_main = rng.random() < 0.5

    def edit(rows):
        parsed = [_parse(raw) for raw, _ in rows]
        if change_main:
            for values in parsed:
                if values[4] == "MAIN" and values[2] in ("2008", "2025"):
                    values[3] = NACE[nace][0 if values[2] == "2008" else 1]
        else:
            key = parsed[0][0]
            parsed += [
                [key, "001", "2008", NACE[nace][0], "SECO"],
                [key, "001", "2025", NACE[nace][1], "SECO"],
            ]
        return [(None, values) for values in parsed]

    return edit


def _edit_contact(rng):
    maker = _ContactMaker(int(rng.integers(1 << 30)), 1000)
    drop = rng.random() < 0.3

    def edit(rows):
        parsed = [_parse(raw) for raw, _ in rows]
        if drop and len(parsed) > 1:
            return [(None, values) for values in parsed[1:]]
        values = parsed[0]
        kind = values[2] if values[2] in _CONTACT_TYPES else "EMAIL"
        new = maker.value(rng, kind, "Orion Partners", "Marie", "Lambert", False)
        values[3] = new if new != values[3] else new + "x"
        return [(None, v) for v in parsed]

    return edit


def _add_establishment(plan, rng, parent, number, snapshot, eol):
    key = unit_spelling(np.array([number]))[0].decode()
    qk = f'"{key}"'.encode()
    day = f"{snapshot:%d-%m-%Y}"
    muni = MUNICIPALITIES[int(rng.integers(len(MUNICIPALITIES)))]
    street = STREETS["V"][0] if muni[3] != "W" else STREETS["W"][0]
    if muni[3] == "B":
        street = BRUSSELS_STREETS[0]
    street_nl, street_fr = street if isinstance(street, tuple) else (street, street)
    nace = NACE[int(_pick(rng, _NACE_WEIGHT, 1)[0])]
    plan.add["establishment"].append((qk, format_row("establishment", [key, day, parent], eol)))
    plan.add["address"].append(
        (
            qk,
            format_row(
                "address",
                [
                    key,
                    "BAET",
                    "",
                    "",
                    muni[0],
                    muni[1],
                    muni[2],
                    street_nl,
                    street_fr,
                    str(int(rng.integers(1, 99))),
                    "",
                    "",
                    "",
                ],
                eol,
            ),
        )
    )
    for version, code in (("2008", nace[0]), ("2025", nace[1])):
        plan.add["activity"].append(
            (qk, format_row("activity", [key, "006", version, code, "MAIN"], eol))
        )


def _say(message):
    """Progress of an update on stderr: at national size each stage takes a while."""
    print(f"  {message}", file=sys.stderr, flush=True)


def _stream_table(source, sink, table, plan, extra, bom, eol):
    """Copy a table of the earlier full into the later one, applying the plan group by group
    and merging the added rows (sorted by key) in their place; lines in between are copied
    in bulk."""
    added = sorted(plan.add[table] + extra, key=lambda item: item[0])
    drop, edit = plan.drop[table], plan.edit[table]
    touched = sorted(drop | edit.keys())
    pos = 0
    blocks = _blocks(source.open(f"{table}.csv"), f"{table}.csv")
    header = next(blocks)
    with sink.open(f"{table}.csv") as out:
        out.write((BOM if bom else b"") + header + eol)
        for lines, keys in blocks:
            events = []  # (line index, 0 = added row | 1 = touched group, payload)
            while pos < len(added) and added[pos][0] <= keys[-1]:
                events.append((bisect_right(keys, added[pos][0]), 0, added[pos][1]))
                pos += 1
            for key in touched[bisect_left(touched, keys[0]) : bisect_right(touched, keys[-1])]:
                lo = bisect_left(keys, key)
                if lo < len(keys) and keys[lo] == key:
                    events.append((lo, 1, key))
            pieces, done = [], 0
            for at, kind, payload in sorted(events, key=itemgetter(0, 1)):
                if at > done:
                    pieces.append(eol.join(lines[done:at]) + eol)
                    done = at
                if kind == 0:
                    pieces.append(payload)
                    continue
                end = bisect_right(keys, payload)
                if payload in edit:
                    edited = edit[payload]([(r, None) for r in lines[at:end]])
                    rows = [
                        raw + eol if v is None else format_row(table, v, eol) for raw, v in edited
                    ]
                    pieces += dict.fromkeys(rows)  # a full holds no duplicate rows
                done = end
            if done < len(lines):
                pieces.append(eol.join(lines[done:]) + eol)
            out.write(b"".join(pieces))
        out.write(b"".join(line for _, line in added[pos:]))


def _population_lines(pop, table, seed, eol):
    data = b"".join(population_rows(pop, table, seed, eol, _ContactMaker(seed, 1000)))
    return [(line[: line.find(b",")], line + eol) for line in data.split(eol) if line]


def derive_update(old_full, new_full, out_path, seed=2, duplicates=3):
    """Write the update that turns ``old_full`` into ``new_full``: per table and per key whose
    row set changed or vanished, the key in ``<table>_delete.csv`` and the complete new row set
    in ``<table>_insert.csv``. A few insert lines are then duplicated, as the BCE does."""
    old, new = _Source(old_full), _Source(new_full)
    rng = np.random.default_rng([seed, 5])
    try:
        meta = _read_meta(new)
        probe = new.read("meta.csv")
        bom, eol = probe.startswith(BOM), (b"\r\n" if b"\r\n" in probe else b"\n")
        snapshot = datetime.strptime(meta["SnapshotDate"], "%d-%m-%Y").date()
        stamp = datetime.strptime(meta["ExtractTimestamp"], "%d-%m-%Y %H:%M:%S")
        number = int(meta["ExtractNumber"])
        changes = {}
        for table in DATA_TABLES:
            _say(f"update: comparing {table}.csv")
            changes[table] = _diff_table(old, new, table)
        sink = _Sink(Path(out_path), False, False, stamp)
        try:
            _write_small(
                sink,
                "meta.csv",
                "meta",
                HEADERS["meta"],
                _meta_rows(snapshot, stamp, "update", number),
                bom,
                eol,
            )
            with sink.open("code.csv") as f:
                f.write(new.read("code.csv"))
            candidates = [(t, i) for t in DATA_TABLES for i in range(len(changes[t][1]))]
            doubled = {candidates[i] for i in rng.permutation(len(candidates))[:duplicates]}
            for table in DATA_TABLES:
                deleted, inserted = changes[table]
                with sink.open(f"{table}_delete.csv") as f:
                    f.write((BOM if bom else b"") + f'"{KEY_COLUMNS[table]}"'.encode() + eol)
                    f.writelines(key + eol for key in deleted)
                with sink.open(f"{table}_insert.csv") as f:
                    f.write((BOM if bom else b"") + _header_line(table, eol))
                    for i, line in enumerate(inserted):
                        f.write(line + eol)
                        if (table, i) in doubled:
                            f.write(line + eol)
        finally:
            sink.close()
    finally:
        old.close()
        new.close()
    return Path(out_path)


class _Upto:
    """The lines of a key-sorted table, handed out up to a given key."""

    def __init__(self, stream, name):
        self.blocks = _blocks(stream, name)
        next(self.blocks)
        self.lines, self.keys, self.done = [], [], False

    def upto(self, key=None):
        while not self.done and (key is None or not self.keys or self.keys[-1] <= key):
            block = next(self.blocks, None)
            if block is None:
                self.done = True
            else:
                self.lines += block[0]
                self.keys += block[1]
        i = len(self.keys) if key is None else bisect_right(self.keys, key)
        out = self.lines[:i], self.keys[:i]
        del self.lines[:i], self.keys[:i]
        return out


def _diff_table(old, new, table):
    """Walk two key-sorted tables block by block; return (deleted keys, inserted lines).

    A key is deleted when its old row set differs from the new one (or vanished); the insert
    holds the complete new row set of every such key and of every new key."""
    name = f"{table}.csv"
    later = _Upto(new.open(name), name)
    old_blocks = _blocks(old.open(name), name)
    next(old_blocks)
    deleted, inserted = [], []

    def changed(old_lines, old_keys, new_lines, new_keys):
        if old_lines == new_lines:
            return
        differing = set(old_lines).symmetric_difference(new_lines)
        keys = {line[: line.find(b",")] for line in differing}
        deleted.extend(sorted(keys.intersection(old_keys)))
        inserted.extend(line for line, k in zip(new_lines, new_keys, strict=True) if k in keys)

    for lines, keys in old_blocks:
        changed(lines, keys, *later.upto(keys[-1]))
    changed([], [], *later.upto())
    return deleted, inserted


def generate_update(full_path, out_dir, seed=2, changes=None):
    """From a full extract, write the next update and the later full it leads to.

    The later full comes from the earlier one with mutations (stops, new enterprises, renames,
    moves, contact and activity changes…); the update is then derived by :func:`derive_update`.
    ``changes`` overrides the number of each kind of change (see ``DEFAULT_CHANGE_RATES``).
    Returns ``(update_zip, later_full_zip)``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    source = _Source(full_path)
    try:
        meta = _read_meta(source)
        with source.open("enterprise.csv") as f:
            head = f.read(4096)
        bom = head.startswith(BOM)
        eol = b"\r\n" if b"\r\n" in head else b"\n"
        snapshot = datetime.strptime(meta["SnapshotDate"], "%d-%m-%Y").date() + timedelta(days=1)
        number = int(meta["ExtractNumber"]) + 1
        rng = np.random.default_rng([seed, 1])
        plan, maxima, counts = _plan_mutations(rng, source, changes, snapshot, eol, seed)
        prefixes = _sequential_prefixes(rng, maxima["ent"], counts["new"])
        newcomers = make_population(
            rng,
            counts["new"],
            snapshot,
            ent_prefixes=prefixes,
            est_after=maxima["est"],
            br_after=maxima["br"],
            newborn=True,
        )
        stamp = _timestamp(seed, snapshot)
        later = out_dir / extract_file_name(number, snapshot, "Full")
        sink = _Sink(later, False, False, stamp)
        try:
            _write_small(
                sink,
                "meta.csv",
                "meta",
                HEADERS["meta"],
                _meta_rows(snapshot, stamp, "full", number),
                bom,
                eol,
            )
            with sink.open("code.csv") as f:
                f.write(source.read("code.csv"))
            for table in DATA_TABLES:
                extra = _population_lines(newcomers, table, seed, eol)
                _say(f"later full: writing {table}.csv")
                _stream_table(source, sink, table, plan, extra, bom, eol)
        finally:
            sink.close()
    finally:
        source.close()
    update = derive_update(
        full_path,
        later,
        out_dir / extract_file_name(number, snapshot, "Update"),
        seed=seed,
        duplicates=counts["duplicates"],
    )
    return update, later
