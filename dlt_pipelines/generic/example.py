"""The built-in example of generic sources, loaded by every `make run` with no configuration:

- `ats`: an applicant-tracking SQLite database (`candidates`, `applications`, `stages`: every stage
  an application entered), with updates over time: applications move through their stages and
  candidates edit their profiles;
- `salary_surveys`: a folder of CSV salary-survey files, one per month (a month's file appears on
  the 1st of the next month).

Both are generated at run time into the build folder (never shipped), deterministically from the
run's clock (ELT_AS_OF, else now): the same clock gives the same bytes, so a rerun changes nothing
and loads 0 rows, and a later clock adds what happened since. Applications are made to postings of
the sandbox's JSearch catalogue (the same job ids a sandbox run loads), so the hiring marts relate
them to the job-market marts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from dlt_pipelines.generic.config import Entry, TableSpec
from dlt_pipelines.job_boards.sandbox import catalogue
from dlt_pipelines.sandbox.config import SandboxConfig

EXAMPLE_DIR = "generic-example"  # under the build folder
ORIGIN = "built-in example (dlt_pipelines/generic/example.py)"
EPOCH = datetime(2026, 1, 1)  # application 0 is made at this instant (UTC, as the sandbox's postings)
APPLICATIONS_PER_DAY = 40
CANDIDATES_PER_DAY = 25
HISTORY_DAYS = 60  # the database keeps this much: an older application was archived
SURVEY_START = date(2025, 1, 1)  # the first monthly survey
SURVEY_RESPONSES = 240  # per monthly file
STAGES = ("applied", "screening", "interview", "offer", "hired")
REACHED = (1,) * 8 + (2,) * 5 + (3,) * 4 + (4,) * 2 + (5,)  # how many of STAGES an application enters
COUNTRIES = (("US", "USD", 1.0), ("GB", "GBP", 0.79), ("DE", "EUR", 0.92))
ROLES = (("Data Engineer", 98_000), ("Software Developer", 92_000), ("Analytics Engineer", 86_000),
         ("Backend Engineer", 100_000), ("Machine Learning Engineer", 112_000), ("DevOps Engineer", 96_000))
SKILLS = (("Python", 1.04), ("SQL", 0.97), ("Java", 1.02), ("JavaScript", 0.95), ("TypeScript", 1.0),
          ("Go", 1.08), ("AWS", 1.06), ("Kubernetes", 1.1), ("Docker", 1.0), ("Apache Spark", 1.09),
          ("Snowflake", 1.07), ("dbt", 1.01), ("Terraform", 1.05), ("React", 0.98), ("PostgreSQL", 0.99),
          ("Apache Airflow", 1.03))
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Lena",
               "Marta", "Noah", "Omar", "Priya", "Quinn", "Ravi", "Sofia", "Tomas", "Uma", "Viktor", "Wei", "Yara")
LAST_NAMES = ("Adeyemi", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanova",
              "Jensen", "Kim", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt", "Tanaka",
              "Walker")


def _draw(*key: object) -> int:
    """A deterministic 64-bit draw for `key`."""
    return int.from_bytes(hashlib.blake2b(":".join(map(str, key)).encode(), digest_size=8).digest(), "big")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's storage format for SQLite datetimes


def _naive_utc(now: datetime) -> datetime:
    return now.astimezone(timezone.utc).replace(tzinfo=None) if now.tzinfo else now


# --- applicant tracking --------------------------------------------------------------------------


def _candidate(index: int, now: datetime) -> tuple:
    created = EPOCH + timedelta(seconds=index * 86400 // CANDIDATES_PER_DAY)
    first, last = FIRST_NAMES[_draw("first", index) % len(FIRST_NAMES)], LAST_NAMES[_draw("last", index) % len(
        LAST_NAMES)]
    country = COUNTRIES[_draw("country", index) % len(COUNTRIES)][0]
    years = _draw("years", index) % 15
    edited = created + timedelta(hours=6 + _draw("edit", index) % (24 * 20))  # a profile edit, weeks later
    updated = created
    if _draw("edits", index) % 3 == 0 and edited <= now:
        years, updated = years + 1, edited
    email = f"{first}.{last}.{index}@example.com".lower()
    return (index, f"{first} {last}", email, country, years, _stamp(created), _stamp(updated))


def _stage_times(index: int, applied: datetime) -> list[tuple[str, datetime]]:
    """Every stage application `index` will enter, with when: each stage a few days after the last,
    the last one reached either its end (rejected, or hired) or a stage still open."""
    reached = REACHED[_draw("reach", index) % len(REACHED)]  # 1..5 stages: most stop early
    times, moment = [], applied
    for step in range(reached):
        if step:
            moment = moment + timedelta(hours=12 + _draw("delay", index, step) % (24 * 6))
        times.append((STAGES[step], moment))
    if reached < len(STAGES) and _draw("rejected", index) % 4 != 0:
        times.append(("rejected", moment + timedelta(hours=6 + _draw("reject", index) % 96)))
    return times


def write_ats(path: Path, now: datetime) -> None:
    """The ATS database as of `now`, written whole to a temporary file and moved into place."""
    now = _naive_utc(now)
    sandbox = SandboxConfig()
    last = int((now - EPOCH).total_seconds() * APPLICATIONS_PER_DAY // 86400)
    first = max(0, last - HISTORY_DAYS * APPLICATIONS_PER_DAY)
    applications, stages, candidate_ids = [], [], set()
    for index in range(first, last + 1):
        applied = EPOCH + timedelta(seconds=index * 86400 // APPLICATIONS_PER_DAY)
        newest_candidate = int((applied - EPOCH).total_seconds() * CANDIDATES_PER_DAY // 86400)
        candidate = max(0, newest_candidate - _draw("who", index) % (CANDIDATES_PER_DAY * 10))
        newest_posting = catalogue.last_index_at_or_before(sandbox, int(applied.replace(tzinfo=timezone.utc)
                                                                       .timestamp()))
        posting = max(0, newest_posting - _draw("posting", index) % 60)  # a posting of the last day or so
        happened = [(stage, moment) for stage, moment in _stage_times(index, applied) if moment <= now]
        for step, (stage, moment) in enumerate(happened):
            stages.append((index * 10 + step, index, stage, _stamp(moment)))
        current, updated = happened[-1]
        source = ("jsearch", "referral", "careers_page")[_draw("channel", index) % 3]
        applications.append((index, candidate, "jsearch", catalogue.job_id_for(sandbox, posting), source,
                             _stamp(applied), current, current in ("hired", "rejected"), _stamp(updated)))
        candidate_ids.add(candidate)
    # every candidate created so far, referenced or not: one who first applies later is already
    # loaded (an incremental cursor never goes back to a row older than what it has read)
    newest = int((now - EPOCH).total_seconds() * CANDIDATES_PER_DAY // 86400)
    candidates = [_candidate(index, now) for index in range(0, max(newest, *candidate_ids, 0) + 1)]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as conn:
        conn.executescript("""
            create table candidates (
                candidate_id integer primary key, full_name text not null, email text not null,
                country_code text not null, years_experience integer not null,
                created_at datetime not null, updated_at datetime not null);
            create table applications (
                application_id integer primary key,
                candidate_id integer not null references candidates (candidate_id),
                posting_board text not null, posting_job_id text not null, channel text not null,
                applied_at datetime not null, current_stage text not null, is_closed boolean not null,
                updated_at datetime not null);
            create table stages (
                stage_change_id integer primary key,
                application_id integer not null references applications (application_id),
                stage text not null, entered_at datetime not null);
            create index applications_updated_at on applications (updated_at);
            create index stages_entered_at on stages (entered_at);
            create index candidates_updated_at on candidates (updated_at);
        """)
        conn.executemany("insert into candidates values (?, ?, ?, ?, ?, ?, ?)", candidates)
        conn.executemany("insert into applications values (?, ?, ?, ?, ?, ?, ?, ?, ?)", applications)
        conn.executemany("insert into stages values (?, ?, ?, ?)", stages)
    conn.close()
    os.replace(partial, path)


# --- salary surveys ------------------------------------------------------------------------------


def _months(until: datetime) -> list[date]:
    """The surveys published by `until`: one per month from SURVEY_START, published the next 1st."""
    months, month = [], SURVEY_START
    while True:
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        if datetime.combine(following, datetime.min.time()) > until:
            return months
        months.append(month)
        month = following


def survey_rows(month: date) -> list[dict[str, object]]:
    rows = []
    for n in range(1, SURVEY_RESPONSES + 1):
        key = (month.isoformat(), n)
        country, currency, rate = COUNTRIES[_draw("country", *key) % len(COUNTRIES)]
        role, base = ROLES[_draw("role", *key) % len(ROLES)]
        skill, premium = SKILLS[_draw("skill", *key) % len(SKILLS)]
        years = _draw("years", *key) % 20
        drift = 1 + 0.003 * ((month.year - SURVEY_START.year) * 12 + month.month - 1)  # salaries creep up
        usd = base * premium * (0.75 + 0.03 * years) * drift * (0.85 + (_draw("noise", *key) % 300) / 1000)
        rows.append({"response_id": f"{month:%Y-%m}-{n:04d}", "survey_month": month.isoformat(),
                     "country_code": country, "job_title": role, "primary_skill": skill,
                     "years_experience": years, "annual_salary": round(usd * rate, -2), "currency": currency,
                     "is_remote": "true" if _draw("remote", *key) % 3 == 0 else "false"})
    return rows


def write_surveys(folder: Path, now: datetime) -> None:
    """One CSV per published month; a file is written only when missing or different, so an
    unchanged file keeps its modification time and is not read again."""
    folder.mkdir(parents=True, exist_ok=True)
    for month in _months(_naive_utc(now)):
        buffer = io.StringIO()
        rows = survey_rows(month)
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path = folder / f"salary_survey_{month:%Y_%m}.csv"
        content = buffer.getvalue().encode()
        if not path.exists() or path.read_bytes() != content:
            partial = path.with_suffix(".partial")
            partial.write_bytes(content)
            os.replace(partial, path)


def prepare_ats(build_dir: Path, now: datetime) -> str:
    path = build_dir / EXAMPLE_DIR / "ats.sqlite"
    write_ats(path, now)
    return f"sqlite:///{path}"


def prepare_surveys(build_dir: Path, now: datetime) -> str:
    folder = build_dir / EXAMPLE_DIR / "salary_surveys"
    write_surveys(folder, now)
    return str(folder / "salary_survey_*.csv")


EXAMPLE_ENTRIES: list[Entry] = [
    Entry(name="ats", kind="sqlite", location="sqlite:///<build>/generic-example/ats.sqlite", domain="hiring",
          tables=(TableSpec("candidates", ("candidate_id",), "updated_at"),
                  TableSpec("applications", ("application_id",), "updated_at"),
                  TableSpec("stages", ("stage_change_id",), "entered_at")),
          origin=ORIGIN, prepare=prepare_ats),
    Entry(name="salary_surveys", kind="csv", location="<build>/generic-example/salary_surveys/*.csv",
          domain="hiring", tables=(TableSpec("responses", ("response_id",)),), origin=ORIGIN,
          prepare=prepare_surveys),
]
