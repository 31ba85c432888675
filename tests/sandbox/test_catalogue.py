"""The generated catalogue: timeline, determinism, realism, duplicates and dirty records."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from datetime import datetime, timezone

import orjson
import pytest

from dlt_pipelines.job_boards.sandbox import catalogue, pools
from dlt_pipelines.job_boards.sandbox.catalogue import (
    ABSURD_SALARY,
    DIRTY_KINDS,
    EPOCH,
    expected_postings,
    generate_posting,
    iter_postings,
    last_index_at_or_before,
    new_postings_between,
    page_indices,
    posted_at,
    visible_range,
)
from dlt_pipelines.sandbox.config import SandboxConfig, parse_time
from dlt_pipelines.sandbox.faults import FaultConfig

from .helpers import NOW, frozen_config

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLE_SIZE = 20_000
KNOWN_TYPES = set(pools.EMPLOYMENT_TYPES)


@pytest.fixture(scope="module")
def config() -> SandboxConfig:
    return frozen_config()


@pytest.fixture(scope="module")
def postings(config: SandboxConfig) -> list[dict]:
    return list(iter_postings(config, 0, SAMPLE_SIZE))


def _clean(config: SandboxConfig, postings: list[dict]) -> list[dict]:
    return [p for i, p in enumerate(postings) if catalogue.dirty_kind(config, i) is None]


# --- timeline -------------------------------------------------------------------------------


def test_epoch_is_2026_01_01_utc():
    assert datetime.fromtimestamp(EPOCH, tz=timezone.utc) == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_posting_times_follow_the_rate(config):
    assert posted_at(config, 0) == EPOCH
    assert posted_at(config, 1) == EPOCH + 1440  # 60 a day
    assert posted_at(config, 60) == EPOCH + 86400


@pytest.mark.parametrize("per_day", [60, 7, 2222.2222222222, 100_000])
def test_last_index_at_or_before_is_exact(per_day):
    config = SandboxConfig(postings_per_day=per_day)
    for timestamp in range(EPOCH - 5, EPOCH + 5 * 86400, 7919):
        last = last_index_at_or_before(config, timestamp)
        if timestamp < EPOCH:
            assert last == -1
            continue
        assert posted_at(config, last) <= timestamp < posted_at(config, last + 1)


def test_visible_window_is_history_days_before_now(config):
    now = parse_time(NOW)
    window = visible_range(config, now, "all")
    assert len(window) == 30 * 60
    assert posted_at(config, window[-1]) <= now < posted_at(config, window[-1] + 1)
    assert posted_at(config, window[0]) > now - 30 * 86400 >= posted_at(config, window[0] - 1)


def test_nothing_is_visible_before_the_epoch(config):
    assert len(visible_range(config, EPOCH - 1)) == 0
    assert list(visible_range(config, EPOCH)) == [0]


def test_new_postings_between_counts_the_rate(config):
    start = parse_time(NOW)
    assert len(new_postings_between(config, start, start + 86400)) == 60
    assert len(new_postings_between(config, start, start)) == 0


# --- determinism ------------------------------------------------------------------------------


def test_content_depends_only_on_seed_and_index(config, postings):
    assert generate_posting(config, 1234) == postings[1234]
    other_seed = generate_posting(config.replace(seed=7), 1234)
    assert other_seed["job_id"] != postings[1234]["job_id"]
    assert other_seed["job_description"] != postings[1234]["job_description"]


def test_generation_is_identical_in_another_process(config):
    """No salted hash() anywhere: a fresh interpreter with another hash seed agrees byte for byte."""
    code = (
        "import sys, orjson\n"
        "from dlt_pipelines.job_boards.sandbox.catalogue import generate_posting\n"
        "from dlt_pipelines.sandbox.config import SandboxConfig\n"
        f"config = SandboxConfig(now={NOW!r})\n"
        "sys.stdout.buffer.write(orjson.dumps([generate_posting(config, i) for i in (0, 5, 777, 9999)]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": REPO_ROOT}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True, timeout=60)
    assert out.stdout == orjson.dumps([generate_posting(config, i) for i in (0, 5, 777, 9999)])


def test_relative_text_follows_now(config):
    posting = generate_posting(config, 0, now=EPOCH + 3 * 86400 + 5)
    assert posting["job_posted_at"] == "3 days ago"
    assert generate_posting(config, 0, now=EPOCH + 7200)["job_posted_at"] == "2 hours ago"
    assert generate_posting(config, 0, now=EPOCH + 60)["job_posted_at"] == "1 minute ago"
    assert generate_posting(config, 0, now=EPOCH + 179)["job_posted_at"] == "2 minutes ago"
    assert generate_posting(config, 0, now=EPOCH)["job_posted_at"] == "1 minute ago"


# --- shape and realism --------------------------------------------------------------------------


def test_every_item_has_all_fields_in_api_order(postings):
    for posting in postings[:500]:
        assert tuple(posting) == catalogue.ITEM_KEYS


def test_job_ids_look_like_the_api_and_are_unique(postings):
    ids = [p["job_id"] for p in postings]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}==", job_id) for job_id in ids)


def test_timestamps_and_iso_datetimes_agree(config, postings):
    for index, posting in enumerate(postings[:2000]):
        stamp = posting["job_posted_at_timestamp"]
        assert stamp == posted_at(config, index)
        parsed = datetime.strptime(posting["job_posted_at_datetime_utc"], "%Y-%m-%dT%H:%M:%S.000Z")
        assert parsed.replace(tzinfo=timezone.utc).timestamp() == stamp


def test_the_mix_covers_countries_types_and_remote(postings):
    countries = collections.Counter(p["job_country"] for p in postings)
    assert set(countries) == {"US", "GB", "DE", "FR", "NL", "CA", "IN", "AU"}
    assert 0.35 < countries["US"] / len(postings) < 0.55
    types = collections.Counter(t for p in postings for t in p["job_employment_types"])
    assert KNOWN_TYPES <= set(types)
    display = {
        "FULLTIME": "Full-time",
        "PARTTIME": "Part-time",
        "CONTRACTOR": "Contractor",
        "INTERN": "Internship",
    }
    known = [p for p in postings if set(p["job_employment_types"]) <= KNOWN_TYPES]
    for posting in known:
        expected_text = " and ".join(display[t] for t in posting["job_employment_types"])
        assert posting["job_employment_type"] == expected_text
    two_types = sum(len(p["job_employment_types"]) == 2 for p in known) / len(known)
    assert 0.03 < two_types < 0.10  # e.g. contract-to-hire: ["CONTRACTOR", "FULLTIME"]
    remote = sum(p["job_is_remote"] for p in postings) / len(postings)
    assert 0.10 < remote < 0.20
    for posting in postings[:2000]:
        city = posting["job_city"]
        assert posting["job_location"].startswith(city + ", ")
        assert isinstance(posting["job_latitude"], float) and isinstance(posting["job_longitude"], float)


def test_employers_are_many_and_spelled_several_ways(postings):
    names = collections.Counter(p["employer_name"] for p in postings)
    assert len(pools.EMPLOYERS) >= 140
    bases = {e.base_name for e in pools.EMPLOYERS if any(v in names for v in e.name_variants)}
    assert len(bases) >= 120
    with_variants = [e for e in pools.EMPLOYERS if sum(v in names for v in e.name_variants) >= 3]
    assert len(with_variants) >= 20  # e.g. "Acme, Inc." / "Acme Inc" / "ACME INC"


def test_descriptions_mention_real_technologies_with_punctuation_and_traps(config, postings):
    texts = [p["job_description"] for p in _clean(config, postings)]
    words = sorted(len(re.sub(r"<[^>]+>", " ", text).split()) for text in texts)
    assert 80 <= words[len(words) // 2] <= 150
    assert sum(70 <= n <= 170 for n in words) / len(words) > 0.95
    for pattern in (
        r"\bPython\b", r"\bSQL\b", r"\bdbt\b", r"Apache Spark", r"Airflow", r"Kafka", r"\bAWS\b", r"Azure",
        r"\bGCP\b", r"Docker", r"Kubernetes", r"Terraform", r"C\+\+[.,;!)]", r"C#", r"\.NET", r"Node\.js[,.]",
        r"React", r"TypeScript", r"Golang", r"\bRust\b", r"\bJava\b", r"Scala", r"\bR\b", r"Tableau",
        r"Power BI", r"Snowflake", r"\bGit\b", r"Linux", r"REST APIs", r"GraphQL", r"TensorFlow", r"PyTorch",
        r"scikit-learn", r"[Pp]andas", r"\(CI/CD\)", r"PostgreSQL",
        r"C-suite", r"R&D", r"go-to-market", r"excel at",
    ):  # fmt: skip
        assert any(re.search(pattern, text) for text in texts), pattern
    html = [text for text in texts if "<li>" in text]
    assert 0.05 < len(html) / len(texts) < 0.15
    assert any("&amp;" in text for text in html)
    assert not any("&amp;" in text for text in texts if "<p>" not in text)


def test_highlights_and_apply_options_are_well_formed(postings):
    for posting in postings[:3000]:
        assert set(posting["job_highlights"]) <= {"Qualifications", "Responsibilities", "Benefits"}
        assert all(
            isinstance(v, list) and all(isinstance(s, str) for s in v)
            for v in posting["job_highlights"].values()
        )
        options = posting["apply_options"]
        assert 1 <= len(options) <= 3
        assert options[0]["publisher"] == posting["job_publisher"]
        assert options[0]["apply_link"] == posting["job_apply_link"]
        assert len({o["publisher"] for o in options}) == len(options)
        assert all(o["apply_link"].startswith("https://") for o in options)
    publishers = collections.Counter(p["job_publisher"] for p in postings)
    for name in ("LinkedIn", "Indeed", "Glassdoor", "ZipRecruiter"):
        assert publishers[name] > 100, name
    assert any(name.endswith(" Careers") for name in publishers)


# --- salaries ---------------------------------------------------------------------------------

CURRENCY_SYMBOLS = {"US": "$", "GB": "£", "DE": "€", "FR": "€", "NL": "€", "CA": "CA$", "IN": "₹", "AU": "A$"}


def test_about_sixty_percent_have_a_plausible_local_salary(config, postings):
    clean = _clean(config, postings)
    salaried = [p for p in clean if p["job_min_salary"] is not None]
    assert 0.56 < len(salaried) / len(clean) < 0.64
    periods = collections.Counter(p["job_salary_period"] for p in salaried)
    assert {"YEAR", "MONTH", "HOUR", "WEEK", "DAY"} <= set(periods)
    assert periods["YEAR"] > periods["HOUR"] > periods["WEEK"]
    for posting in salaried:
        low, high = posting["job_min_salary"], posting["job_max_salary"]
        assert isinstance(low, int) and isinstance(high, int) and 0 < low < high
        if posting["job_salary_period"] == "YEAR" and posting["job_country"] == "US":
            assert 25_000 <= low <= 400_000
        if posting["job_salary_period"] == "YEAR" and posting["job_country"] == "IN":
            assert low >= 200_000
        if posting["job_salary_period"] == "HOUR" and posting["job_country"] in ("US", "GB", "DE"):
            assert 5 <= low <= 250
    texts = [p for p in salaried if p["job_salary"]]
    assert 0.25 < len(texts) / len(salaried) < 0.45
    for posting in texts:
        symbol = CURRENCY_SYMBOLS[posting["job_country"]]
        assert posting["job_salary"].startswith(symbol), posting["job_salary"]
        assert posting["job_salary"].endswith(("a year", "a month", "a week", "a day", "an hour"))
    assert all(p["job_salary"] is None for p in clean if p["job_min_salary"] is None)


# --- duplicates and dirty records ----------------------------------------------------------------


def test_reposts_copy_an_earlier_posting(config, postings):
    reposts = {i: catalogue.repost_origin(config, i) for i in range(SAMPLE_SIZE)}
    reposts = {i: origin for i, origin in reposts.items() if origin is not None}
    assert 0.04 < len(reposts) / SAMPLE_SIZE < 0.06
    same = ("employer_name", "job_title", "job_location", "job_description", "job_min_salary", "job_country")
    checked = 0
    for index, origin in reposts.items():
        if catalogue.dirty_kind(config, index) or catalogue.dirty_kind(config, origin):
            continue
        copy, first = postings[index], postings[origin]
        assert origin < index
        assert {k: copy[k] for k in same} == {k: first[k] for k in same}
        assert copy["job_id"] != first["job_id"]
        assert copy["job_posted_at_timestamp"] > first["job_posted_at_timestamp"]
        checked += 1
    assert checked > 500


def test_dirty_records_are_about_three_percent_and_each_kind_is_bad_as_documented(config, postings):
    kinds = {i: catalogue.dirty_kind(config, i) for i in range(SAMPLE_SIZE)}
    dirty = {i: k for i, k in kinds.items() if k}
    assert 0.025 < len(dirty) / SAMPLE_SIZE < 0.035
    assert set(dirty.values()) == set(DIRTY_KINDS)
    for index, kind in dirty.items():
        item = postings[index]
        assert item["job_id"] and isinstance(item["job_posted_at_timestamp"], int)
        if kind == catalogue.DIRTY_TITLE_NULL:
            assert item["job_title"] is None
        elif kind == catalogue.DIRTY_TITLE_BLANK:
            assert item["job_title"] is not None and not item["job_title"].strip()
        elif kind == catalogue.DIRTY_EMPLOYER_EMPTY:
            assert item["employer_name"] == ""
        elif kind == catalogue.DIRTY_NEGATIVE_SALARY:
            assert item["job_min_salary"] < 0
        elif kind == catalogue.DIRTY_SALARY_MIN_GT_MAX:
            assert item["job_min_salary"] > item["job_max_salary"]
        elif kind == catalogue.DIRTY_ABSURD_SALARY:
            assert item["job_max_salary"] == ABSURD_SALARY
        elif kind == catalogue.DIRTY_UNKNOWN_EMPLOYMENT_TYPE:
            assert not set(item["job_employment_types"]) & KNOWN_TYPES
        elif kind == catalogue.DIRTY_EMPTY_DESCRIPTION:
            assert item["job_description"] == ""
    clean = [p for i, p in enumerate(postings) if i not in dirty]
    assert all(p["job_title"] and p["employer_name"] and p["job_description"] for p in clean)
    assert all(set(p["job_employment_types"]) <= KNOWN_TYPES for p in clean)


def test_rates_can_be_turned_off(config):
    quiet = config.replace(dirty_rate=0.0, repost_rate=0.0, page_dup_rate=0.0)
    expected = expected_postings(quiet, NOW)
    assert not expected.dirty and not expected.reposts and not expected.page_duplicates
    assert expected.served_count == expected.count == 1800


# --- expected results (what the lead's end-to-end tests use) ----------------------------------------


def test_expected_postings_match_paging_helpers(config):
    expected = expected_postings(config, NOW)
    assert expected.count == 1800 and expected.pages == 180
    assert expected.indices == tuple(visible_range(config, NOW)[::-1])
    served = [i for page in range(1, expected.pages + 1) for i in page_indices(config, NOW, page)]
    assert len(served) == expected.served_count == expected.count + len(expected.page_duplicates)
    assert list(dict.fromkeys(served)) == list(expected.indices)
    assert expected.page_duplicates  # the deliberate repeat happens at this size
    assert expected.job_ids[0] == generate_posting(config, expected.indices[0])["job_id"]


def test_expected_postings_report_item_faults(config):
    faulty = config.replace(faults=FaultConfig(malformed=0.05, drift=0.05))
    expected = expected_postings(faulty, NOW)
    assert 40 < len(expected.malformed) < 140 and 40 < len(expected.drift) < 140
    assert not set(expected.malformed) & set(expected.drift)


# --- configuration ------------------------------------------------------------------------------


def test_config_reads_every_sandbox_variable():
    env = {
        "SANDBOX_SEED": "7",
        "SANDBOX_NOW": "2026-04-01T00:00:00+00:00",
        "SANDBOX_POSTINGS_PER_DAY": "2222.5",
        "SANDBOX_HISTORY_DAYS": "90",
        "SANDBOX_MAX_NUM_PAGES": "100",
        "SANDBOX_PAGE_SIZE": "10",
        "SANDBOX_FAULTS": "rate_limit=0.1,retry_after=0",
        "SANDBOX_RATE_LIMIT_PER_MIN": "60",
        "SANDBOX_REPOST_RATE": "0.1",
        "SANDBOX_DIRTY_RATE": "0",
        "SANDBOX_PAGE_DUP_RATE": "0.5",
        "SANDBOX_SALARY_RATE": "1",
        "SANDBOX_COUNTRY_FILTER": "true",
        "UNRELATED": "x",
    }
    config = SandboxConfig.from_env(env)
    assert config == SandboxConfig(
        seed=7,
        now=parse_time("2026-04-01T00:00:00Z"),
        postings_per_day=2222.5,
        history_days=90,
        max_num_pages=100,
        page_size=10,
        faults=FaultConfig(rate_limit=0.1, retry_after=0),
        rate_limit_per_min=60,
        repost_rate=0.1,
        dirty_rate=0.0,
        page_dup_rate=0.5,
        salary_rate=1.0,
        country_filter=True,
    )
    assert SandboxConfig.from_env(config.to_env()) == config


def test_config_defaults_and_errors():
    config = SandboxConfig.from_env({"SANDBOX_NOW": ""})
    assert (config.seed, config.postings_per_day, config.history_days) == (42, 60.0, 30)
    assert (config.max_num_pages, config.page_size, config.now) == (20, 10, None)
    assert config.faults == FaultConfig() and config.rate_limit_per_min == 0 and not config.country_filter
    for env in ({"SANDBOX_SEED": "x"}, {"SANDBOX_POSTINGS_PER_DAY": "0"}, {"SANDBOX_DIRTY_RATE": "2"},
                {"SANDBOX_COUNTRY_FILTER": "perhaps"}, {"SANDBOX_NOW": "soon"}):  # fmt: skip
        with pytest.raises(ValueError):
            SandboxConfig.from_env(env)
