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

from dlt_pipelines.job_boards.sandbox.vocabulary_files import (
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
from dlt_pipelines.sandbox.hashing import mix64, text_salt

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

# (publisher, weight, kind) of the boards every country's postings are listed on (publishers.yml)
GLOBAL_BOARDS: tuple[tuple[str, int, str], ...] = record(
    load_vocabulary("publishers"), {"global_boards": tuple_of(row_of(text, integer, text))}, "publishers.yml"
)["global_boards"]
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
_EMPLOYER_FILE = record(
    load_vocabulary("employers"),
    {"legal_suffixes": mapping_of(tuple_of(text)), "employers": tuple_of(row_of(text, text, text))},
    "employers.yml",
)
LEGAL_SUFFIXES: dict[str, tuple[str, ...]] = _EMPLOYER_FILE["legal_suffixes"]


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


def slugify(name: str) -> str:
    """Lower-case ASCII letters and digits only (for URLs and domains)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
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
    for base, country, industry in _EMPLOYER_FILE["employers"]:  # name, home country, industry
        if country not in COUNTRY_BY_CODE or industry not in INDUSTRIES:
            raise VocabularyError(f"employers.yml {base}: unknown country {country!r} or industry {industry!r}")
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
