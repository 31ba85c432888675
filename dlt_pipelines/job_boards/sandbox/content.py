"""The content of a JSearch catalogue posting (title, employer, place, description, salary),
generated once per root posting from the pools (vocabularies/*.yml) and shared by its reposts."""

from __future__ import annotations

import threading
from functools import lru_cache
from random import Random
from typing import Any, NamedTuple

from dlt_pipelines.job_boards.sandbox import pools
from dlt_pipelines.job_boards.sandbox.timeline import _draws, _root_facets, _Streams
from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.hashing import derive, stream_key, text_salt

_ROLE_TABLE = pools.weighted_table([(role, role.weight) for role in pools.ROLES])
_SENIORITY_TABLE = pools.weighted_table([((prefix, level), w) for prefix, level, w in pools.SENIORITY])
_TECH_FORMS = pools.TECH_FORMS
_TECH_LINES = tuple((line, 3 if "{c}" in line else 2 if "{b}" in line else 1) for line in pools.TECH_LINES)
_INTERN_TITLE_FORMS = ("{t}", "{t}", "Intern - {base}", "{base} Intern", "{base} Internship (Summer)")
_YEARS_BY_LEVEL = {-1: 0, 0: 1, 1: 3, 2: 5, 3: 8}
_PERIOD_DIVISOR = {"YEAR": 1, "MONTH": 12, "WEEK": 52, "DAY": 220, "HOUR": 2080}
_PERIOD_ROUND = {"YEAR": 1000, "MONTH": 100, "WEEK": 10, "DAY": 10, "HOUR": 1}
_PERIOD_WORDS = {"YEAR": "a year", "MONTH": "a month", "WEEK": "a week", "DAY": "a day", "HOUR": "an hour"}
_PERIODS_BY_TYPE = {
    pools.FULLTIME: pools.weighted_table([("YEAR", 84), ("MONTH", 11), ("WEEK", 3), ("HOUR", 2)]),
    pools.CONTRACTOR: pools.weighted_table([("HOUR", 58), ("DAY", 25), ("YEAR", 11), ("WEEK", 6)]),
    pools.PARTTIME: pools.weighted_table([("HOUR", 85), ("MONTH", 15)]),
    pools.INTERN: pools.weighted_table([("MONTH", 50), ("HOUR", 50)]),
}


def _publisher_table(country: pools.Country) -> tuple:
    pairs: list[tuple[object, int]] = []
    for name, weight, kind in pools.GLOBAL_BOARDS:
        if kind == "ziprecruiter" and country.code not in ("US", "CA"):
            continue
        pairs.append(((name, kind), weight))
    for name, host in country.local_boards:
        pairs.append(((name, "board:" + host), pools.LOCAL_BOARD_WEIGHT))
    return pools.weighted_table(pairs)


_PUBLISHER_TABLES = tuple(_publisher_table(country) for country in pools.COUNTRIES)


try:  # the C generator without the Python-level wrapper: same sequence, cheaper to seed
    from _random import Random as _random_source
except ImportError:  # pragma: no cover - other interpreters
    _random_source = Random



# --- generation -------------------------------------------------------------------------------


def relative_age(seconds: int) -> str:
    """Human text like the API's ``job_posted_at`` ("3 days ago"); always "<n> <unit>(s) ago"."""
    if seconds < 3600:
        value, unit_name = max(1, seconds // 60), "minute"
    elif seconds < 86400:
        value, unit_name = seconds // 3600, "hour"
    else:
        value, unit_name = seconds // 86400, "day"
    return f"{value} {unit_name}{'' if value == 1 else 's'} ago"


def _money(symbol: str, amount: int, period: str, currency: str) -> str:
    if period == "YEAR":
        if currency == "INR":
            return f"{symbol}{amount / 100000:g}L"
        return f"{symbol}{amount // 1000}K"
    return f"{symbol}{amount:,}"


class _Content(NamedTuple):
    """Fields shared by a posting and its reposts (generated once from the root index)."""

    title: str
    employer_name: str
    employer: pools.Employer
    country: pools.Country
    country_index: int
    city: pools.City
    location: str
    is_remote: bool
    types: tuple[str, ...]
    description: str
    salary_text: str | None
    min_salary: int
    max_salary: int
    period: str
    has_salary: bool
    benefits: tuple[str, ...] | None
    highlights: dict[str, list[str]]
    role: pools.Role


class _Body(NamedTuple):
    """The role-specific middle of a description (duties and requirements), pre-rendered."""

    plain: str
    html: str
    duties: tuple[str, ...]
    requirements: tuple[str, ...]
    extra_qualification: str | None


BODY_BANK_SIZE = 512  # pre-rendered bodies per role and seed; postings combine them with their own parts
_BODY_BANKS: dict[tuple[int, int], tuple[_Body, ...]] = {}
_BANK_LOCK = threading.Lock()
_BODY_SALT = text_salt("catalogue.body")


_AN_PREFIXES = ("ML ", "MLOps", "NLP", "SRE", "SDET", "SOC ", "HTML", "R ")


def _with_article(title: str) -> str:
    """'a Data Engineer' / 'an ML Engineer' (by sound, for the common cases)."""
    if title[:1].lower() in "aeiou" or title.startswith(_AN_PREFIXES):
        return "an " + title
    return "a " + title


def _pick_techs(r: Any, role: pools.Role) -> list[str]:
    pool = role.techs
    wanted = min(len(pool), 4 + int(r() * 4))
    chosen: list[str] = []
    for _ in range(24):
        key = pool[int(len(pool) * r() ** 1.4)]
        if key not in chosen:
            chosen.append(key)
            if len(chosen) == wanted:
                break
    return chosen


def _render_body(seed_value: int, role: pools.Role) -> _Body:
    r = _random_source(seed_value).random
    techs = _pick_techs(r, role)
    mentions = [0]

    def tech() -> str:
        forms = _TECH_FORMS[techs[mentions[0] % len(techs)]]
        mentions[0] += 1
        return forms[int(r() * len(forms))]

    duties_pool = role.duties
    start = int(r() * len(duties_pool))
    duties = []
    for n in range(2 + int(r() * 2)):
        duty = duties_pool[(start + n) % len(duties_pool)]
        duties.append(duty.format(a=tech()) if "{a}" in duty else duty)
    requirements = []
    used: set[int] = set()
    for _ in range(3 + int(r() * 2)):
        pick = int(r() * len(_TECH_LINES))
        while pick in used:
            pick = (pick + 1) % len(_TECH_LINES)
        used.add(pick)
        line, arity = _TECH_LINES[pick]
        if arity == 1:
            requirements.append(line.format(a=tech()))
        elif arity == 2:
            requirements.append(line.format(a=tech(), b=tech()))
        else:
            requirements.append(line.format(a=tech(), b=tech(), c=tech()))
    traps = []
    trap_roll = r()
    if trap_roll < 0.35:
        traps.append(pools.SKILL_TRAPS[int(r() * len(pools.SKILL_TRAPS))])
        if trap_roll < 0.08:
            traps.append(pools.SKILL_TRAPS[int(r() * len(pools.SKILL_TRAPS))])
    duty_header = pools.DUTY_HEADERS[int(r() * len(pools.DUTY_HEADERS))]
    requirement_header = pools.REQUIREMENT_HEADERS[int(r() * len(pools.REQUIREMENT_HEADERS))]
    bullet = pools.BULLETS[int(r() * len(pools.BULLETS))]
    trap_text = " ".join(traps)
    plain = (
        f"{duty_header}\n{bullet}"
        + f"\n{bullet}".join(duties)
        + f"\n\n{requirement_header}\n{bullet}"
        + f"\n{bullet}".join(requirements)
        + ("\n\n" + trap_text if traps else "")
    )
    html = (
        f"<p><b>{duty_header}</b></p><ul><li>"
        + "</li><li>".join(duties)
        + f"</li></ul><p><b>{requirement_header}</b></p><ul><li>"
        + "</li><li>".join(requirements)
        + "</li></ul>"
        + (f"<p>{trap_text}</p>" if traps else "")
    ).replace("&", "&amp;")
    extra = None
    if r() < 0.5:
        extra = pools.QUALIFICATION_LINES[1 + int(r() * (len(pools.QUALIFICATION_LINES) - 1))]
    return _Body(plain, html, tuple(duties), tuple(requirements), extra)


def _body_bank(seed: int, role_index: int) -> tuple[_Body, ...]:
    """Bodies for one role, rendered on first use; deterministic from the seed."""
    key = (seed, role_index)
    bank = _BODY_BANKS.get(key)
    if bank is None:
        stream = stream_key(seed, _BODY_SALT + role_index)
        role = pools.ROLES[role_index]
        built = tuple(_render_body(derive(stream, n), role) for n in range(BODY_BANK_SIZE))
        with _BANK_LOCK:
            bank = _BODY_BANKS.setdefault(key, built)
    return bank


def _benefit_combo(country: pools.Country, r: Any) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    texts: list[str] = []
    codes: list[str] = []
    benefit_pool = country.benefits
    for _ in range(2 + int(r() * 3)):
        text, code = benefit_pool[int(r() * len(benefit_pool))]
        if text not in texts:
            texts.append(text)
            if code and code not in codes:
                codes.append(code)
    sentence = "We offer: " + ", ".join(t[0].lower() + t[1:] for t in texts) + "."
    return tuple(texts), tuple(codes), sentence


def _build_benefit_combos() -> tuple[tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...], ...]:
    combos = []
    for n, country in enumerate(pools.COUNTRIES):
        stream = stream_key(0, text_salt("catalogue.benefits") + n)
        combos.append(
            tuple(_benefit_combo(country, _random_source(derive(stream, k)).random) for k in range(64))
        )
    return tuple(combos)


_BENEFIT_COMBOS = _build_benefit_combos()
_ROLE_INDEX = {role.key: n for n, role in enumerate(pools.ROLES)}
_ROLE_TABLE_INDEXED = tuple(_ROLE_INDEX[role.key] for role in _ROLE_TABLE)


def _content(streams: _Streams, config: SandboxConfig, root: int) -> _Content:
    country_index, is_remote, types = _root_facets(streams, root)
    country = pools.COUNTRIES[country_index]
    primary = types[0]
    b = _draws(streams.content, root)

    role_index = _ROLE_TABLE_INDEXED[b() * len(_ROLE_TABLE_INDEXED) >> 8]
    role = pools.ROLES[role_index]
    team = role.teams[b() * len(role.teams) >> 8]
    base_title = role.titles[b() * len(role.titles) >> 8]
    if primary == pools.INTERN:
        level = -1
        form = _INTERN_TITLE_FORMS[b() * len(_INTERN_TITLE_FORMS) >> 8]
        title = form.format(t=role.intern_title, base=base_title)
    else:
        prefix, level = _SENIORITY_TABLE[b() * len(_SENIORITY_TABLE) >> 8]
        title = prefix + base_title
        if not prefix and b() < 0.12 * 256:
            suffix, level = pools.LEVEL_SUFFIXES[b() * len(pools.LEVEL_SUFFIXES) >> 8]
            title += suffix
        if b() < 0.12 * 256:
            title += (", " if b() < 0.5 * 256 else " – ") + team
        if country.title_suffixes and b() < 0.45 * 256:
            title += country.title_suffixes[b() * len(country.title_suffixes) >> 8]
        if primary == pools.CONTRACTOR and b() < 0.3 * 256:
            title += " (Contract)" if b() < 0.6 * 256 else " - 6 Month Contract"
    if is_remote and b() < 0.3 * 256:
        title += " - Remote" if b() < 0.5 * 256 else " (Remote)"
    if b() < 0.015 * 256:
        title = title.upper()

    local = pools.EMPLOYERS_BY_COUNTRY[country.code]
    pool = local if local and b() < 0.6 * 256 else pools.EMPLOYERS
    employer = pool[int(len(pool) * (b() / 256) ** 1.7)]
    names = employer.name_table
    employer_name = names[b() * len(names) >> 8]
    cities = country.cities
    city = cities[int(len(cities) * (b() / 256) ** 1.3)]
    if country.code in pools.STATE_STYLE_LOCATIONS:
        location = f"{city.name}, {city.state_code}"
    else:
        location = f"{city.name}, {country.name}"

    products, customers = pools.INDUSTRIES[employer.industry]
    fields = {
        "employer": employer.base_name,
        "title": title,
        "a_title": _with_article(title),
        "team": team,
        "city": city.name,
        "product": products[b() * len(products) >> 8],
        "customers": customers[b() * len(customers) >> 8],
        "region": country.region,
        "year": 1990 + (b() * 34 >> 8),
        "markets": 3 + (b() * 40 >> 8),
        "country": country.name,
    }
    opening = (
        pools.INTROS[b() * len(pools.INTROS) >> 8].format_map(fields)
        + " "
        + pools.COMPANY_LINES[b() * len(pools.COMPANY_LINES) >> 8].format_map(fields)
    )
    body = _body_bank(config.seed, role_index)[(b() << 8 | b()) * BODY_BANK_SIZE >> 16]
    modes = pools.WORK_MODES_REMOTE if is_remote else pools.WORK_MODES_OFFICE
    benefit_texts, benefit_codes, benefit_sentence = _BENEFIT_COMBOS[country_index][b() * 64 >> 8]
    closing = modes[b() * len(modes) >> 8].format_map(fields) + " " + benefit_sentence
    if b() < 0.4 * 256:
        closing += " " + country.closing_lines[b() * len(country.closing_lines) >> 8]
    closing += " " + pools.EEO_LINES[b() * len(pools.EEO_LINES) >> 8].format_map(fields)
    if b() < 0.1 * 256:
        description = (
            "<p>" + opening.replace("&", "&amp;") + "</p>" + body.html
            + "<p>" + closing.replace("&", "&amp;") + "</p>"
        )  # fmt: skip
    else:
        description = opening + "\n\n" + body.plain + "\n\n" + closing

    # salary: always computed so dirty salary kinds have numbers to spoil
    has_salary = b() < config.salary_rate * 256
    period_table = _PERIODS_BY_TYPE[primary]
    period = period_table[b() * len(period_table) >> 8]
    if period in ("MONTH", "DAY") and country.code == "US" and primary == pools.FULLTIME:
        period = "YEAR"
    annual = country.annual_base[max(level, 0)] * role.pay_multiplier * (0.85 + 0.3 * b() / 256)
    if level < 0:
        annual *= 0.45
    if primary == pools.CONTRACTOR and period in ("HOUR", "DAY"):
        annual *= 1.35
    if period == "YEAR":
        step = country.round_to
    else:
        step = _PERIOD_ROUND[period] * (100 if country.code == "IN" else 1)
    low = max(step, int(round(annual / _PERIOD_DIVISOR[period] / step)) * step)
    high = max(low + step, int(round(low * (1.1 + 0.35 * b() / 256) / step)) * step)
    salary_text = None
    if has_salary and b() < 0.35 * 256:
        symbol, currency = country.symbol, country.currency
        salary_text = (
            f"{_money(symbol, low, period, currency)}–{_money(symbol, high, period, currency)} "
            + _PERIOD_WORDS[period]
        )

    years = _YEARS_BY_LEVEL[level]
    qualifications = [
        f"{years}+ years of professional experience" if years else "Currently enrolled in a degree programme"
    ]
    qualifications.extend(body.requirements[:3])
    if body.extra_qualification:
        qualifications.append(body.extra_qualification)
    shape = b() / 256
    if shape < 0.05:
        highlights: dict[str, list[str]] = {}
    elif shape < 0.12:
        highlights = {"Qualifications": qualifications}
    elif shape < 0.25:
        highlights = {"Qualifications": qualifications, "Responsibilities": list(body.duties)}
    else:
        perks = list(benefit_texts)
        if salary_text and b() < 0.5 * 256:
            perks.insert(0, salary_text)
        highlights = {
            "Qualifications": qualifications,
            "Benefits": perks,
            "Responsibilities": list(body.duties),
        }

    return _Content(
        title,
        employer_name,
        employer,
        country,
        country_index,
        city,
        location,
        is_remote,
        types,
        description,
        salary_text,
        low,
        high,
        period,
        has_salary,
        (benefit_codes or None) if b() >= 0.3 * 256 else None,
        highlights,
        role,
    )


@lru_cache(maxsize=8192)
def _slug_words(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text).split())


