"""How the Remotive, Arbeitnow and Adzuna sandboxes write the same facts: each board's item shape,
company and title formatting, HTML descriptions (German ones for Arbeitnow), salary text. The
wording is data (vocabularies/boards.yml); the board catalogues are in boards.py."""

from __future__ import annotations

import base64
import html
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dlt_pipelines.job_boards.sandbox import catalogue, pools
from dlt_pipelines.job_boards.sandbox.vocabulary_files import (
    load_vocabulary,
    mapping_of,
    record,
    row_of,
    text,
    tuple_of,
)
from dlt_pipelines.sandbox.hashing import derive, stream_key, text_salt, unit

_PAIR = mapping_of(row_of(text, text))
_LINES = tuple_of(text)
_WORDING = record(load_vocabulary("boards"), {
    "remotive_categories": _PAIR, "remotive_regions": mapping_of(text), "adzuna_categories": _PAIR,
    "german_intros": _LINES, "german_tasks": _LINES, "german_profile": _LINES, "german_offer": _LINES,
}, "boards.yml")

ADZUNA_AREA = {"US": "US", "GB": "UK", "DE": "Deutschland"}
REMOTIVE_CATEGORY: dict[str, tuple[str, str]] = _WORDING["remotive_categories"]
REMOTIVE_REGION: dict[str, str] = _WORDING["remotive_regions"]
REMOTIVE_JOB_TYPE = {pools.FULLTIME: "full_time", pools.PARTTIME: "part_time", pools.CONTRACTOR: "contract",
                     pools.INTERN: "internship"}
ARBEITNOW_JOB_TYPE_DE = {pools.FULLTIME: "Vollzeit", pools.PARTTIME: "Teilzeit", pools.CONTRACTOR: "Freelance",
                         pools.INTERN: "Praktikum"}
ARBEITNOW_JOB_TYPE_EN = {pools.FULLTIME: "Full-time", pools.PARTTIME: "Part-time", pools.CONTRACTOR: "Contract",
                         pools.INTERN: "Internship"}
ADZUNA_CATEGORY: dict[str, tuple[str, str]] = _WORDING["adzuna_categories"]
PERIOD_DIVISOR = {"YEAR": 1, "MONTH": 12, "WEEK": 52, "DAY": 220, "HOUR": 2080}

# German text of the sandbox's own making, for the German postings Arbeitnow is full of.
GERMAN_INTROS, GERMAN_TASKS, GERMAN_PROFILE, GERMAN_OFFER = (
    _WORDING[f"german_{part}"] for part in ("intros", "tasks", "profile", "offer"))


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
        "candidate_required_location": REMOTIVE_REGION.get(post.content.country.code, "Europe")
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


