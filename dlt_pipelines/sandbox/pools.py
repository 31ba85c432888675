"""Static vocabularies for the sandbox catalogue: roles, technologies, employers, places.

Everything here is invented for the sandbox (company names are fictional); nothing is
copied from captured API responses, so the generated data can ship with the project.
Kept apart from the generator so the generator stays readable and the pools easy to extend.

The large vocabularies are data files in ``vocabularies/`` (one YAML file per topic; each says
what it holds in its header). This module keeps their shapes (the dataclasses), the small
constants the generator branches on, and the loading: at import time each file is read, checked
(:mod:`.vocabulary_files`) and turned into the same tuples and dicts the generator indexes.
Order matters: picks are by position, so reordering a file changes what the sandbox serves.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from dlt_pipelines.sandbox.hashing import mix64, text_salt
from dlt_pipelines.sandbox.vocabulary_files import (
    VocabularyError,
    integer,
    load_vocabulary,
    mapping_of,
    number,
    optional_text,
    record,
    record_of,
    row_of,
    text,
    tuple_of,
)

# --- employment types ---------------------------------------------------------------------

FULLTIME, PARTTIME, CONTRACTOR, INTERN = "FULLTIME", "PARTTIME", "CONTRACTOR", "INTERN"
EMPLOYMENT_TYPES = (FULLTIME, PARTTIME, CONTRACTOR, INTERN)
EMPLOYMENT_BITS = {FULLTIME: 1, PARTTIME: 2, CONTRACTOR: 4, INTERN: 8}
EMPLOYMENT_DISPLAY = {
    FULLTIME: "Full-time",
    PARTTIME: "Part-time",
    CONTRACTOR: "Contractor",
    INTERN: "Internship",
}
# (primary type, weight); a few full-time/contract postings also list a second type
EMPLOYMENT_WEIGHTS = ((FULLTIME, 78), (CONTRACTOR, 12), (PARTTIME, 6), (INTERN, 4))
# dirty records: types the API contract does not know
UNKNOWN_EMPLOYMENT_TYPES = (("Temp-to-hire", "TEMPORARY"), ("Per diem", "PER_DIEM"), ("Seasonal", "SEASONAL"))

# --- countries and cities -------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    state: str
    state_code: str
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    weight: int
    currency: str
    symbol: str
    region: str
    tld: str
    indeed_host: str
    annual_base: tuple[int, int, int, int]  # yearly pay by level: junior, mid, senior, lead
    round_to: int  # yearly amounts are rounded to this
    cities: tuple[City, ...]
    local_boards: tuple[tuple[str, str], ...]  # (publisher, host)
    title_suffixes: tuple[str, ...]
    closing_lines: tuple[str, ...]
    benefits: tuple[tuple[str, str | None], ...]


_CITY = row_of(text, text, text, number, number)  # name, state, state code, latitude, longitude
_BENEFIT = row_of(text, optional_text)  # benefit, highlight key or None
_COUNTRY_SCHEMA = {
    "code": text,
    "name": text,
    "weight": integer,
    "currency": text,
    "symbol": text,
    "region": text,
    "tld": text,
    "indeed_host": text,
    "annual_base": row_of(integer, integer, integer, integer),
    "round_to": integer,
    "cities": tuple_of(_CITY),
    "local_boards": tuple_of(row_of(text, text)),
    "title_suffixes": tuple_of(text),
    "closing_lines": tuple_of(text),
    "extra_benefits": tuple_of(_BENEFIT),
}


def _load_countries() -> tuple[Country, ...]:
    """countries.yml: each country's benefits are the common ones followed by its extra ones."""
    data = record(
        load_vocabulary("countries"),
        {"common_benefits": tuple_of(_BENEFIT), "countries": tuple_of(record_of(_COUNTRY_SCHEMA))},
        "countries.yml",
    )
    countries = []
    for fields in data["countries"]:
        cities = tuple(City(*city) for city in fields.pop("cities"))
        benefits = data["common_benefits"] + fields.pop("extra_benefits")
        countries.append(Country(**fields, cities=cities, benefits=benefits))
    return tuple(countries)


COUNTRIES: tuple[Country, ...] = _load_countries()
COUNTRY_BY_CODE = {country.code: country for country in COUNTRIES}
# US, CA and AU locations read "City, ST"; the others "City, Country"
STATE_STYLE_LOCATIONS = frozenset({"US", "CA", "AU"})

GLOBAL_BOARDS = (
    ("LinkedIn", 26, "linkedin"),
    ("Indeed", 20, "indeed"),
    ("Glassdoor", 10, "glassdoor"),
    ("ZipRecruiter", 7, "ziprecruiter"),
    ("Wellfound", 3, "board:wellfound.com"),
    ("BeBee", 3, "board:www.bebee.com"),
    ("Careers page", 14, "careers"),
)
LOCAL_BOARD_WEIGHT = 6
UTM = "utm_campaign=google_jobs_apply&utm_source=google_jobs_apply&utm_medium=organic"

# --- technologies ---------------------------------------------------------------------------
# key -> surface forms; earlier forms are the canonical spelling and are picked more often.
TECH_FORMS: dict[str, tuple[str, ...]] = record(
    load_vocabulary("technologies"), {"technologies": mapping_of(tuple_of(text))}, "technologies.yml"
)["technologies"]


@dataclass(frozen=True)
class Role:
    key: str
    weight: int
    titles: tuple[str, ...]
    intern_title: str
    teams: tuple[str, ...]
    techs: tuple[str, ...]  # keys of TECH_FORMS, most typical first
    onet_soc: str
    onet_job_zone: str
    pay_multiplier: float
    duties: tuple[str, ...]  # may contain {a}: a technology of the posting


_ROLE_SCHEMA = {
    "key": text,
    "weight": integer,
    "titles": tuple_of(text),
    "intern_title": text,
    "teams": tuple_of(text),
    "techs": tuple_of(text),
    "onet_soc": text,
    "onet_job_zone": text,
    "pay_multiplier": number,
    "duties": tuple_of(text),
}


def _load_roles() -> tuple[tuple[Role, ...], tuple[tuple[str, int, int], ...], tuple[tuple[str, int], ...]]:
    """roles.yml: the roles, the seniority prefixes (prefix, level, weight) and the level suffixes."""
    data = record(
        load_vocabulary("roles"),
        {
            "seniority": tuple_of(row_of(text, integer, integer)),
            "level_suffixes": tuple_of(row_of(text, integer)),
            "roles": tuple_of(record_of(_ROLE_SCHEMA)),
        },
        "roles.yml",
    )
    roles = tuple(Role(**fields) for fields in data["roles"])
    for role in roles:
        unknown = [tech for tech in role.techs if tech not in TECH_FORMS]
        if unknown:
            raise VocabularyError(f"roles.yml role {role.key}: techs not in technologies.yml: {unknown}")
    return roles, data["seniority"], data["level_suffixes"]


# SENIORITY: (prefix, level, weight) -- level 0 junior .. 3 lead; intern postings use level -1
ROLES, SENIORITY, LEVEL_SUFFIXES = _load_roles()

# --- description building blocks ------------------------------------------------------------

_DESCRIPTION_KEYS = (
    "intros",
    "company_lines",
    "tech_lines",
    "qualification_lines",
    "skill_traps",
    "duty_headers",
    "requirement_headers",
    "work_modes_remote",
    "work_modes_office",
    "eeo_lines",
)
_DESCRIPTION_LINES = record(
    load_vocabulary("description_lines"), dict.fromkeys(_DESCRIPTION_KEYS, tuple_of(text)), "description_lines.yml"
)
INTROS = _DESCRIPTION_LINES["intros"]
COMPANY_LINES = _DESCRIPTION_LINES["company_lines"]
TECH_LINES = _DESCRIPTION_LINES["tech_lines"]
QUALIFICATION_LINES = _DESCRIPTION_LINES["qualification_lines"]
SKILL_TRAPS = _DESCRIPTION_LINES["skill_traps"]  # words that look like skills but are not
DUTY_HEADERS = _DESCRIPTION_LINES["duty_headers"]
REQUIREMENT_HEADERS = _DESCRIPTION_LINES["requirement_headers"]
WORK_MODES_REMOTE = _DESCRIPTION_LINES["work_modes_remote"]
WORK_MODES_OFFICE = _DESCRIPTION_LINES["work_modes_office"]
EEO_LINES = _DESCRIPTION_LINES["eeo_lines"]
BULLETS = ("• ", "- ", "* ")

# key -> (products, customers)
INDUSTRIES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    key: (fields["products"], fields["customers"])
    for key, fields in record(
        load_vocabulary("industries"),
        {"industries": mapping_of(record_of({"products": tuple_of(text), "customers": tuple_of(text)}))},
        "industries.yml",
    )["industries"].items()
}

# --- employers (fictional) ------------------------------------------------------------------
# name | home country | industry
_EMPLOYER_TABLE = """
Acme Data Systems|US|software
Brightwave Labs|US|software
Cobaltline Software|US|software
Driftwood Analytics|US|consulting
Emberly Health|US|health
Fernhill Logistics|US|logistics
Glacierpoint Financial|US|fintech
Harborview Insurance|US|insurance
Ironbridge Manufacturing|US|manufacturing
Juniper Ridge Energy|US|energy
Kestrel Robotics|US|manufacturing
Lumenfield Media|US|media
Marlowe & Finch Consulting|US|consulting
Nimbus Forge|US|software
Oakhurst Retail Group|US|retail
Pinecrest Biotech|US|biotech
Quarrystone Capital|US|banking
Redfern Mobility|US|automotive
Silvermere Telecom|US|telecom
Tidewater Foods|US|food
Umbra Security|US|security
Vantablue Cloud|US|software
Willowmere Bank|US|banking
Xylo Payments|US|fintech
Yellowpine Games|US|games
Zephyr Grid|US|energy
Amberleaf Pharmaceuticals|US|biotech
Bluecairn Software|US|software
Copperfield Dynamics|US|aerospace
Deltaform Engineering|US|manufacturing
Eastbrook Hospitality|US|travel
Foxglove Therapeutics|US|biotech
Granite Peak Outdoor|US|retail
Hollowtree Studios|US|games
Indigo Harbor|US|ecommerce
Kinetic Loom|US|software
Larkspur Learning|US|education
Meridale Systems|US|software
Northgale Aerospace|US|aerospace
Orchard Lane Insurance|US|insurance
Palisade Data|US|software
Quillstone Publishing|US|media
Riverbend Health Partners|US|health
Saltmarsh Energy|US|energy
Upland Rail|US|logistics
Verdant Circuit|US|manufacturing
Westmarch Holdings|US|banking
Yarrow Bio|US|biotech
Zenlake Software|US|software
Arcbright Technologies|US|software
Blackpine Security|US|security
Clearbrook Water|US|energy
Duskfall Interactive|US|games
Goldcrest Mutual|US|insurance
Lanternfish AI|US|software
Quartzline Semiconductors|US|manufacturing
Tessellate Cloud|US|software
Wavecrest Mobile|US|telecom
Corvid Data|US|software
Inkwell Analytics|US|consulting
Kitehill Robotics|US|manufacturing
Rustbelt Robotics|US|manufacturing
Uplink Orbital|US|aerospace
Windrose Aviation|US|aerospace
Tundra Byte|US|software
Opencrest Labs|US|software
Nightjar Health|US|health
Seabright Shipping|US|logistics
Vellum Legal Tech|US|legal
Quickmarsh Payments|US|fintech
Thames Lantern Media|GB|media
Pennine Rail Systems|GB|logistics
Cotswold Mutual|GB|insurance
Highgate & Rowe|GB|legal
Brackenridge Data|GB|software
Sterling Moor Consulting|GB|consulting
Cask & Kettle Brewing|GB|food
Thistledown Retail|GB|retail
Heronsgate Partners|GB|banking
Ravenglass Software|GB|software
Elmstead Bank|GB|banking
Kingsmere Insurance|GB|insurance
Primrose Diagnostics|GB|health
Wrenfield Media|GB|media
Birchgate Consulting|GB|consulting
Greyhaven Analytics|GB|software
Millbrook Dairy|GB|food
Oxbow Freight|GB|logistics
Lindqvist Maschinenbau|DE|manufacturing
Müllerhaus Digital|DE|software
Rheinfeld Automotive|DE|automotive
Schwarzbach Versicherung|DE|insurance
Elbtal Logistik|DE|logistics
Isarblick Software|DE|software
Spreewerk Energie|DE|energy
Nordlicht Commerce|DE|ecommerce
Tannenhof Pharma|DE|biotech
Weserbrück Bank|DE|banking
Alpenglühen Reisen|DE|travel
Bouchard & Lefèvre Conseil|FR|consulting
Cité Numérique|FR|software
Maison Verlaine|FR|retail
Lumière Assurances|FR|insurance
Garonne Aéro|FR|aerospace
Vallée Verte Agri|FR|agritech
Rivoli Paiements|FR|fintech
Vandermeer Techniek|NL|manufacturing
Grachtenhuis Data|NL|software
Van Oosten Mobility|NL|automotive
Polderwind Energie|NL|energy
Tulpenveld Commerce|NL|ecommerce
Mapleford Systems|CA|software
Laurentide Financial|CA|banking
Prairie Lantern Media|CA|media
Borealis Freight|CA|logistics
Muskoka Health|CA|health
Tamarind Softworks|IN|software
Sahyadri Infotech|IN|consulting
Kaveri Analytics|IN|software
Banyan Grove Technologies|IN|software
Deccan Ledger|IN|fintech
Ganga Retail Networks|IN|retail
Nilgiri Health|IN|health
Wattlebird Digital|AU|software
Kookaburra Analytics|AU|consulting
Ironbark Mining Services|AU|energy
Coralsea Travel|AU|travel
Southwind Agritech|AU|agritech
Alderbank Energy|US|energy
Brambleway Travel|US|travel
Dunmore Textiles|GB|retail
Ellisford Health|US|health
Farrowdale Farms|US|agritech
Gildmore Jewelry|US|retail
Hawthorne Circuitry|US|manufacturing
Jubilee Park Media|GB|media
Nettlefield Pharma|GB|biotech
Opalcrest Retail|US|retail
Pebbleford Learning|US|education
Rookwood Capital|US|banking
Sablewood Furniture|US|retail
Tallowmere Chemicals|US|manufacturing
Underhill Mapping|GB|software
Vireo Health|US|health
Zinnia Labs|US|software
Jadeport Shipping|US|logistics
Icefern Labs|US|software
Yewdale Retail|GB|retail
Quasarpine Games|CA|games
Velvetine Fashion|FR|ecommerce
"""

LEGAL_SUFFIXES = {
    "US": (", Inc.", " Inc.", " LLC", " Corp.", " Corporation", ""),
    "GB": (" Ltd", " Limited", " plc", " Ltd.", ""),
    "DE": (" GmbH", " AG", " SE", " GmbH & Co. KG", ""),
    "FR": (" SAS", " SA", ""),
    "NL": (" B.V.", " N.V.", ""),
    "CA": (" Inc.", " Ltd.", ""),
    "IN": (" Pvt. Ltd.", " Private Limited", ""),
    "AU": (" Pty Ltd", " Pty. Ltd.", ""),
}


@dataclass(frozen=True)
class Employer:
    base_name: str
    country: str
    industry: str
    name_variants: tuple[str, ...]  # canonical first; the others are spelling variants of it
    name_table: tuple[str, ...]  # weighted lookup table over name_variants
    slug: str
    website: str
    logo: str | None


def slugify(text: str) -> str:
    """Lower-case ASCII letters and digits only (for URLs and domains)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def _name_variants(base: str, suffix: str) -> tuple[str, ...]:
    """Canonical name first, then spellings seen for the same company (for entity resolution)."""
    canonical = base + suffix
    plain = (base + suffix.replace(",", "")).replace(".", "") if suffix else base
    unique: list[str] = []
    for variant in (canonical, plain, base, plain.upper()):
        if variant not in unique:
            unique.append(variant)
    return tuple(unique)


def _name_table(variants: tuple[str, ...]) -> tuple[str, ...]:
    """Lookup table: the canonical name 80% of the time, an upper-case spelling at most 4%."""
    table = [variants[0]] * 80
    mixed_case = [v for v in variants[1:] if not v.isupper()]
    upper_case = [v for v in variants[1:] if v.isupper()]
    for variant in mixed_case:
        table.extend([variant] * (16 // len(mixed_case)))
    for variant in upper_case:
        table.extend([variant] * 4)
    return tuple(table)


def _build_employers() -> tuple[Employer, ...]:
    employers = []
    for line in _EMPLOYER_TABLE.strip().splitlines():
        base, country, industry = line.split("|")
        key = mix64(text_salt(base))
        suffixes = LEGAL_SUFFIXES[country]
        suffix = suffixes[key % len(suffixes)]
        slug = slugify(base)
        website = f"https://www.{slug}.{COUNTRY_BY_CODE[country].tld}"
        variants = _name_variants(base, suffix)
        logo = f"https://img.jobsandbox.example/logos/{slug}.png" if (key >> 8) % 10 < 6 else None
        employers.append(
            Employer(base, country, industry, variants, _name_table(variants), slug, website, logo)
        )
    # a stable, name-based order so popularity (earlier = posts more) is not grouped by country
    employers.sort(key=lambda employer: mix64(text_salt(employer.base_name) ^ 0x5EED))
    return tuple(employers)


EMPLOYERS: tuple[Employer, ...] = _build_employers()
EMPLOYERS_BY_COUNTRY: dict[str, tuple[Employer, ...]] = {
    code: tuple(e for e in EMPLOYERS if e.country == code) for code in COUNTRY_BY_CODE
}


def weighted_table(pairs: tuple[tuple[object, int], ...] | list[tuple[object, int]]) -> tuple:
    """Expand (value, weight) pairs into a lookup table: ``table[int(u * len(table))]`` is a pick."""
    table: list[object] = []
    for value, weight in pairs:
        table.extend([value] * weight)
    return tuple(table)
