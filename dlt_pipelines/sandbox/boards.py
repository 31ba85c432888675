"""Deterministic catalogues of the Remotive, Arbeitnow and Adzuna sandboxes, and their overlap.

Why: the dedup models need boards that overlap like the real market, with a known answer. Each
board has its own timeline (posting ``j`` of board ``b`` is posted at ``EPOCH + offset_b +
j * 86400 / (postings_per_day * SHARE[b])``) and, like JSearch, content that depends only on
(seed, board, j):

- ``native``: a job of the board's own (generated like a JSearch posting, from the board's own
  decision streams);
- ``cross`` (``CROSS_RATE`` of each board): the same job as a JSearch posting, listed 0-3 days
  after it, with the board's own formatting of the same facts (company "Acme, Inc." / "ACME Inc" /
  "Acme", title case and punctuation, same city). Boards pick the JSearch postings among the same
  sparse set of market-wide jobs, so a job often appears on two or three boards;
- ``near_title``: the title of a JSearch posting at another company (not the same job);
- ``near_company``: another job at the company of a JSearch posting (not the same job).

:func:`overlap_truth` says which visible board postings are the same job (the ground truth for
dedup precision and recall); the server exposes it at ``GET /_sandbox/truth``. All text is
generated here; nothing is copied from real postings.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dlt_pipelines.sandbox import catalogue, pools
from dlt_pipelines.sandbox.config import EPOCH, SandboxConfig
from dlt_pipelines.sandbox.faults import (
    DRIFT_EXTRA_FIELD,
    GARBAGE_TIMESTAMP,
    MALFORMED_GARBAGE_TIMESTAMP,
    MALFORMED_MISSING_JOB_ID,
    MALFORMED_NOT_OBJECT_NULL,
    MALFORMED_NOT_OBJECT_STRING,
    MALFORMED_NULL_TIMESTAMP,
    NOT_OBJECT_STRING,
    FaultConfig,
    drift_kind,
    malformed_kind,
)
from dlt_pipelines.sandbox.hashing import derive, stream_key, text_salt, unit

BOARDS = ("remotive", "arbeitnow", "adzuna")
SHARE = {"remotive": 0.25, "arbeitnow": 0.5, "adzuna": 1.0}  # postings a day, relative to JSearch
OFFSET = {"remotive": 1111, "arbeitnow": 2222, "adzuna": 3333}  # seconds: no two boards tick together
CROSS_RATE = 0.13
NEAR_MISS_RATE = 0.04
MARKET_RATE = 0.3  # share of JSearch postings that are market-wide jobs (the ones boards cross-list)
MAX_DELAY = 3 * 86400
ID_FIELD = {"remotive": "id", "arbeitnow": "slug", "adzuna": "id"}
TIME_FIELD = {"remotive": "publication_date", "arbeitnow": "created_at", "adzuna": "created"}
ADZUNA_COUNTRIES = {"us": "US", "gb": "GB", "de": "DE"}
ADZUNA_AREA = {"US": "US", "GB": "UK", "DE": "Deutschland"}
ARBEITNOW_PAGE_SIZE = 100

REMOTIVE_CATEGORY = {
    "data_engineer": ("data", "Data"), "data_scientist": ("data", "Data"), "data_analyst": ("data", "Data"),
    "ml_engineer": ("data", "Data"), "dba": ("data", "Data"), "backend": ("software-dev", "Software Development"),
    "frontend": ("software-dev", "Software Development"), "fullstack": ("software-dev", "Software Development"),
    "embedded": ("software-dev", "Software Development"), "mobile": ("software-dev", "Software Development"),
    "devops": ("devops", "DevOps / Sysadmin"), "security": ("devops", "DevOps / Sysadmin"),
    "qa": ("qa", "QA"), "manager": ("product", "Product"),
}
REMOTIVE_JOB_TYPE = {pools.FULLTIME: "full_time", pools.PARTTIME: "part_time", pools.CONTRACTOR: "contract",
                     pools.INTERN: "internship"}
ARBEITNOW_JOB_TYPE_DE = {pools.FULLTIME: "Vollzeit", pools.PARTTIME: "Teilzeit", pools.CONTRACTOR: "Freelance",
                         pools.INTERN: "Praktikum"}
ARBEITNOW_JOB_TYPE_EN = {pools.FULLTIME: "Full-time", pools.PARTTIME: "Part-time", pools.CONTRACTOR: "Contract",
                         pools.INTERN: "Internship"}
ADZUNA_CATEGORY = {"manager": ("IT Jobs", "it-jobs"), "qa": ("IT Jobs", "it-jobs"),
                   "data_scientist": ("Scientific & QA Jobs", "scientific-qa-jobs")}
PERIOD_DIVISOR = {"YEAR": 1, "MONTH": 12, "WEEK": 52, "DAY": 220, "HOUR": 2080}

# German text of the sandbox's own making, for the German postings Arbeitnow is full of.
GERMAN_INTROS = (
    "Wir suchen ab sofort eine:n {title} für unser Team in {city}.",
    "Zur Verstärkung unseres Teams in {city} suchen wir eine:n engagierte:n {title}.",
    "{employer} wächst – und du kannst dabei sein: als {title} in {city}.",
)
GERMAN_TASKS = (
    "Du entwickelst und betreibst unsere Plattform mit {tech}.",
    "Du arbeitest eng mit Produkt und Fachbereichen zusammen.",
    "Du übernimmst Verantwortung für Qualität, Tests und Dokumentation.",
    "Du bringst deine Ideen in Architekturentscheidungen ein.",
    "Du automatisierst Abläufe und verbesserst unsere Werkzeuge.",
)
GERMAN_PROFILE = (
    "Erfahrung mit {tech} und Freude an sauberem Code.",
    "Sehr gute Deutsch- und gute Englischkenntnisse.",
    "Ein abgeschlossenes Studium der Informatik oder eine vergleichbare Ausbildung.",
    "Teamgeist, Eigeninitiative und eine strukturierte Arbeitsweise.",
)
GERMAN_OFFER = (
    "Wir bieten flexible Arbeitszeiten, 30 Tage Urlaub und ein Jobticket.",
    "Es erwarten dich ein unbefristeter Vertrag, Homeoffice-Möglichkeiten und Weiterbildungsbudget.",
    "Bei uns gibt es betriebliche Altersvorsorge, moderne Hardware und ein offenes Team.",
)


@dataclass(frozen=True)
class BoardPosting:
    """One posting of a board: its number on the board's timeline, when, what kind, which job."""

    board: str
    number: int
    posted: int
    kind: str  # native | cross | near_title | near_company
    source_index: int | None  # the JSearch posting it copies (cross) or resembles (near misses)
    content: Any  # catalogue._Content
    german: bool


@lru_cache(maxsize=16)
def _keys(seed: int, board: str) -> dict[str, int]:
    names = ("kind", "delay", "near", "format", "other", "german", "city", "extra", "market")
    return {name: stream_key(seed, text_salt(f"boards.{board}.{name}")) for name in names}


@lru_cache(maxsize=16)
def _board_streams(seed: int, board: str) -> Any:
    return catalogue._streams(seed ^ text_salt("boards." + board))


def per_day(config: SandboxConfig, board: str) -> float:
    return config.postings_per_day * SHARE[board]


def board_posted_at(config: SandboxConfig, board: str, number: int) -> int:
    return EPOCH + OFFSET[board] + int(number * 86400 / per_day(config, board))


def last_number_at_or_before(config: SandboxConfig, board: str, timestamp: int) -> int:
    if timestamp < EPOCH + OFFSET[board]:
        return -1
    guess = max(0, int((timestamp - EPOCH - OFFSET[board]) * per_day(config, board) / 86400))
    while board_posted_at(config, board, guess + 1) <= timestamp:
        guess += 1
    while guess >= 0 and board_posted_at(config, board, guess) > timestamp:
        guess -= 1
    return guess


def visible_numbers(config: SandboxConfig, board: str, now: int, max_age_seconds: int | None = None) -> range:
    """Numbers (ascending) of the board's postings visible at ``now``."""
    window = config.history_days * 86400 if max_age_seconds is None else min(max_age_seconds,
                                                                             config.history_days * 86400)
    return range(last_number_at_or_before(config, board, now - window) + 1,
                 last_number_at_or_before(config, board, now) + 1)


def _market_job(config: SandboxConfig, timestamp: int, earliest: int) -> int | None:
    """The newest market-wide JSearch posting in ``[earliest, timestamp]`` (the set all boards share)."""
    market = stream_key(config.seed, text_salt("boards.market"))
    candidate = catalogue.last_index_at_or_before(config, timestamp)
    while candidate >= 0 and catalogue.posted_at(config, candidate) >= earliest:
        if unit(market, candidate) < MARKET_RATE:
            return candidate
        candidate -= 1
    return None


@lru_cache(maxsize=1 << 16)  # every page request walks the visible postings: generate each once
def board_posting(config: SandboxConfig, board: str, number: int) -> BoardPosting:
    keys = _keys(config.seed, board)
    posted = board_posted_at(config, board, number)
    roll = unit(keys["kind"], number)
    kind, source = "native", None
    if roll < CROSS_RATE + NEAR_MISS_RATE:
        source = _market_job(config, posted - int(unit(keys["delay"], number) * MAX_DELAY), posted - MAX_DELAY)
        if source is not None:
            kind = "cross" if roll < CROSS_RATE else ("near_title" if unit(keys["near"], number) < 0.5
                                                      else "near_company")
    streams = catalogue._streams(config.seed)
    if kind == "native":
        content = catalogue._content(_board_streams(config.seed, board), config, number)
    else:
        jsearch_content = catalogue._content(streams, config, catalogue._root(streams, config.repost_rate, source))
        if kind == "cross":
            content = jsearch_content
        elif kind == "near_title":  # same title, another company
            pool = pools.EMPLOYERS
            other = pool[derive(keys["other"], number) % len(pool)]
            if other.base_name == jsearch_content.employer.base_name:
                other = pool[(derive(keys["other"], number) + 1) % len(pool)]
            content = jsearch_content._replace(employer=other, employer_name=other.name_variants[0])
        else:  # the same company, another job
            native = catalogue._content(_board_streams(config.seed, board), config, number)
            if native.title == jsearch_content.title:
                native = native._replace(title=native.title + " II")
            content = native._replace(employer=jsearch_content.employer,
                                      employer_name=jsearch_content.employer.name_variants[0])
    german = board == "arbeitnow" and (content.country.code == "DE" or unit(keys["german"], number) < 0.35)
    if board == "arbeitnow" and kind in ("native", "near_company") and content.country.code != "DE" \
            and unit(keys["city"], number) < 0.7:
        germany = pools.COUNTRY_BY_CODE["DE"]
        city = germany.cities[derive(keys["city"], number) % len(germany.cities)]
        content = content._replace(country=germany, city=city, location=f"{city.name}, {germany.name}")
        german = True
    return BoardPosting(board, number, posted, kind, source, content, german)


# --- board formatting of the same facts --------------------------------------------------------


def _company(post: BoardPosting) -> str:
    employer = post.content.employer
    variants = employer.name_variants
    if post.kind != "cross":
        return post.content.employer_name
    if post.board == "remotive":
        return employer.base_name  # "Acme"
    if post.board == "arbeitnow":
        return variants[-1] if variants[-1].isupper() else variants[0].upper()  # "ACME INC"
    pick = unit(_keys(0, "adzuna")["format"], post.number)
    return variants[1] if pick < 0.5 and len(variants) > 1 else employer.base_name.lower()  # "Acme Inc" / "acme"


def _title(post: BoardPosting) -> str:
    title = post.content.title
    for tag in (" - Remote", " (Remote)"):
        title = title.replace(tag, "")
    if post.board == "remotive":
        return title
    if post.board == "arbeitnow":
        return f"{title} (m/w/d)" if post.german else title
    if post.kind == "cross":  # Adzuna: other punctuation and case
        title = title.replace(" – ", " - ").replace(", ", " - ")
        return title.title() if title.isupper() else title
    return title


def _techs(post: BoardPosting) -> list[str]:
    role = post.content.role
    start = post.number % max(1, len(role.techs))
    picked = (role.techs[start:] + role.techs[:start])[:4]
    return [pools.TECH_FORMS[t][0] if t in pools.TECH_FORMS else t for t in picked]


def _html(text: str) -> str:
    """Plain description paragraphs and bullets as the HTML the boards serve."""
    out: list[str] = []
    bullets: list[str] = []
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped[:2] in ("• ", "- ", "* "):
            bullets.append(f"<li>{html.escape(stripped[2:])}</li>")
            continue
        if bullets:
            out.append("<ul>" + "".join(bullets) + "</ul>")
            bullets = []
        if stripped:
            out.append(f"<p>{html.escape(stripped)}</p>")
    if bullets:
        out.append("<ul>" + "".join(bullets) + "</ul>")
    return "".join(out)


def _german_description(post: BoardPosting, title: str) -> str:
    keys = _keys(0, "arbeitnow")
    n = post.number
    tech = (_techs(post) or ["Python"])[0]
    fields = {"title": title, "city": post.content.city.name, "employer": post.content.employer.base_name,
              "tech": tech}

    def pick(options: tuple[str, ...], salt: int) -> str:
        return options[derive(keys["extra"], n * 16 + salt) % len(options)].format_map(fields)

    first_task, first_point = derive(keys["extra"], n * 16 + 1), derive(keys["extra"], n * 16 + 2)
    tasks = "".join(f"<li>{GERMAN_TASKS[(first_task + k) % len(GERMAN_TASKS)].format_map(fields)}</li>"
                    for k in range(3))
    profile = "".join(f"<li>{GERMAN_PROFILE[(first_point + k) % len(GERMAN_PROFILE)].format_map(fields)}</li>"
                      for k in range(2))
    return (f"<p>{html.escape(pick(GERMAN_INTROS, 5))}</p><p><strong>Deine Aufgaben</strong></p><ul>{tasks}</ul>"
            f"<p><strong>Dein Profil</strong></p><ul>{profile}</ul><p>{html.escape(pick(GERMAN_OFFER, 12))}</p>")


def _annual(content: Any) -> tuple[float, float]:
    divisor = PERIOD_DIVISOR[content.period]
    return float(content.min_salary * divisor), float(content.max_salary * divisor)


def _remotive_salary(post: BoardPosting) -> str:
    content = post.content
    roll = unit(_keys(0, "remotive")["extra"], post.number)
    if not content.has_salary:
        return "Competitive" if roll < 0.2 else ""
    symbol = content.country.symbol
    low, high = content.min_salary, content.max_salary
    if content.period == "HOUR":
        return f"{symbol}{low}/hour" if roll < 0.5 else f"{symbol}{low} - {symbol}{high} /hour"
    low_year, high_year = _annual(content)
    if content.country.currency == "EUR":
        return f"€{int(low_year):,} - €{int(high_year):,} per year".replace(",", ".")
    if roll < 0.6:
        return f"{symbol}{int(low_year) // 1000}k - {symbol}{int(high_year) // 1000}k"
    return f"{symbol}{int(low_year):,} - {symbol}{int(high_year):,}"


def _iso_seconds(timestamp: int, zone: str = "") -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(timestamp)) + zone


def remotive_item(post: BoardPosting) -> dict[str, Any]:
    job_id = 2_000_000 + post.number
    slug, category = REMOTIVE_CATEGORY.get(post.content.role.key, ("all-others", "All others"))
    title = _title(post)
    region = {"US": "USA", "CA": "USA, Canada", "GB": "UK", "DE": "Germany", "IN": "India", "AU": "Australia"}
    item = {
        "id": job_id,
        "url": f"https://remotive.sandbox.example/remote-jobs/{slug}/{catalogue._slug_words(title).lower()}-{job_id}",
        "title": title,
        "company_name": _company(post),
        "company_logo": f"https://remotive.sandbox.example/job/{job_id}/logo",
        "category": category,
        "tags": _techs(post),
        "job_type": REMOTIVE_JOB_TYPE.get(post.content.types[0], "full_time"),
        "publication_date": _iso_seconds(post.posted),
        "candidate_required_location": region.get(post.content.country.code, "Europe")
        if post.number % 5 else "Worldwide",
        "salary": _remotive_salary(post),
        "description": _html(post.content.description),
    }
    if post.number % 2:
        item["company_logo_url"] = item["company_logo"]
    return item


def arbeitnow_item(post: BoardPosting) -> dict[str, Any]:
    title = _title(post)
    company = _company(post)
    city = post.content.city.name
    number = 100_000 + post.number
    slug = f"{catalogue._slug_words(title).lower()}-{catalogue._slug_words(company).lower()}-{number}"
    types = ARBEITNOW_JOB_TYPE_DE if post.german else ARBEITNOW_JOB_TYPE_EN
    job_types = [types.get(t, "Full-time") for t in post.content.types]
    if post.content.types[0] == pools.INTERN and post.german:
        job_types.append("berufseinstieg")
    return {
        "slug": slug,
        "company_name": company,
        "title": title,
        "description": _german_description(post, title) if post.german else _html(post.content.description),
        "remote": bool(post.content.is_remote),
        "url": f"https://www.arbeitnow.sandbox.example/jobs/companies/{post.content.employer.slug}/{slug}",
        "tags": _techs(post)[:2] + ([post.content.role.teams[0]] if post.number % 3 == 0 else []),
        "job_types": job_types,
        "location": city,
        "created_at": post.posted,
    }


def adzuna_item(post: BoardPosting, search_token: str) -> dict[str, Any]:
    content = post.content
    job_id = str(5_000_000_000 + post.number)
    label, tag = ADZUNA_CATEGORY.get(content.role.key, ("IT Jobs", "it-jobs"))
    low, high = _annual(content)
    predicted = not content.has_salary
    if predicted:  # Adzuna estimates a salary when the ad has none
        low = high = round((low + high) / 2, 2)
    description = content.description.replace("\n\n", " ").replace("\n", " ")
    if len(description) > 500:
        description = description[:499].rstrip() + "…"
    adref = base64.urlsafe_b64encode(f"{search_token}:{job_id}".encode()).decode().rstrip("=")
    item = {
        "__CLASS__": "Adzuna::API::Response::Job",
        "id": job_id,
        "adref": adref,
        "created": _iso_seconds(post.posted, "Z"),
        "title": _title(post),
        "description": description,
        "redirect_url": f"https://www.adzuna.sandbox.example/land/ad/{job_id}?se={search_token}&utm_medium=api",
        "company": {"__CLASS__": "Adzuna::API::Response::Company", "display_name": _company(post)},
        "location": {
            "__CLASS__": "Adzuna::API::Response::Location",
            "display_name": f"{content.city.name}, {content.city.state}",
            "area": [ADZUNA_AREA.get(content.country.code, content.country.code), content.city.state,
                     content.city.name],
        },
        "category": {"__CLASS__": "Adzuna::API::Response::Category", "label": label, "tag": tag},
        "salary_min": low,
        "salary_max": high,
        "salary_is_predicted": "1" if predicted else "0",
        "latitude": content.city.latitude,
        "longitude": content.city.longitude,
    }
    if content.types[0] in (pools.FULLTIME, pools.PARTTIME) and post.number % 4 == 0:
        item["contract_time"] = "full_time" if content.types[0] == pools.FULLTIME else "part_time"
    return item


# --- faults on board items ---------------------------------------------------------------------


def fault_index(board: str, number: int) -> int:
    """The index item faults are drawn for, for posting `number` of a board: apart from JSearch's."""
    return number * 4 + BOARDS.index(board) + 1


def board_malformed_kind(faults: FaultConfig, seed: int, board: str, number: int) -> str | None:
    """The malformed kind posting `number` of a board is served with, or None (what tests expect)."""
    return malformed_kind(faults, seed, fault_index(board, number))


def apply_board_faults(faults: FaultConfig, seed: int, board: str, number: int, item: dict[str, Any]) -> Any:
    """The item as served: maybe malformed (wins) or drifted, decided by (seed, board, number)."""
    kind = board_malformed_kind(faults, seed, board, number)
    if kind == MALFORMED_NOT_OBJECT_STRING:
        return NOT_OBJECT_STRING
    if kind == MALFORMED_NOT_OBJECT_NULL:
        return None
    if kind is not None:
        broken = dict(item)
        if kind == MALFORMED_MISSING_JOB_ID:
            del broken[ID_FIELD[board]]
        elif kind == MALFORMED_GARBAGE_TIMESTAMP:
            broken[TIME_FIELD[board]] = GARBAGE_TIMESTAMP
        elif kind == MALFORMED_NULL_TIMESTAMP:
            broken[TIME_FIELD[board]] = None
        return broken
    kind = drift_kind(faults, seed, fault_index(board, number))
    if kind is None:
        return item
    drifted = dict(item)
    if kind == DRIFT_EXTRA_FIELD:
        drifted["salary_currency"] = "EUR" if board == "arbeitnow" else "USD"
    elif board == "remotive":
        drifted["id"] = str(item["id"])  # ids as strings
    elif board == "arbeitnow":
        drifted["created_at"] = str(item["created_at"])  # epoch as a numeric string
    else:
        drifted["salary_min"] = str(item["salary_min"])  # amounts as strings
    return drifted


# --- what each endpoint serves ----------------------------------------------------------------


def postings(config: SandboxConfig, board: str, now: int, max_age_seconds: int | None = None) -> Iterator[BoardPosting]:
    """Visible postings of a board, newest first."""
    for number in reversed(visible_numbers(config, board, now, max_age_seconds)):
        yield board_posting(config, board, number)


def remotive_jobs(config: SandboxConfig, now: int, category: str | None, search: str | None,
                  limit: int | None) -> tuple[list[BoardPosting], int]:
    visible = list(postings(config, "remotive", now))
    chosen = []
    for post in visible:
        if category and REMOTIVE_CATEGORY.get(post.content.role.key, ("all-others",))[0] != category:
            continue
        if search:
            item = remotive_item(post)
            haystack = " ".join([item["title"], item["company_name"], *item["tags"]]).lower()
            if search.lower() not in haystack:
                continue
        chosen.append(post)
    return (chosen[:limit] if limit else chosen), len(visible)


def adzuna_postings(config: SandboxConfig, now: int, country: str, max_days_old: int | None) -> list[BoardPosting]:
    code = ADZUNA_COUNTRIES[country]
    max_age = max_days_old * 86400 if max_days_old else None
    return [post for post in postings(config, "adzuna", now, max_age) if post.content.country.code == code]


def job_id_of(post: BoardPosting) -> str:
    if post.board == "remotive":
        return str(2_000_000 + post.number)
    if post.board == "adzuna":
        return str(5_000_000_000 + post.number)
    return arbeitnow_item(post)["slug"]


def overlap_truth(config: SandboxConfig, now: int) -> dict[str, Any]:
    """Which visible board postings are the same job (grouped by the JSearch posting they copy),
    and the near misses that look alike but are not."""
    groups: dict[int, dict[str, Any]] = {}
    near: list[dict[str, Any]] = []
    counts = {board: 0 for board in BOARDS}
    for board in BOARDS:
        for post in postings(config, board, now):
            if board == "adzuna" and post.content.country.code not in ADZUNA_COUNTRIES.values():
                continue  # served by no country endpoint of the sandbox
            counts[board] += 1
            entry = {"board": board, "job_id": job_id_of(post)}
            if board == "adzuna":
                entry["country"] = post.content.country.code.lower()
            if post.kind == "cross":
                group = groups.setdefault(post.source_index, {
                    "jsearch_job_id": catalogue.job_id_for(config, post.source_index), "postings": []})
                group["postings"].append(entry)
            elif post.kind != "native":
                near.append({**entry, "kind": post.kind,
                             "resembles_jsearch_job_id": catalogue.job_id_for(config, post.source_index)})
    ordered = [groups[k] for k in sorted(groups)]
    return {"postings_by_board": counts, "same_job_groups": ordered, "near_misses": near}
