"""What the API reads from the warehouse: the run ledger, quality scores, recommendations."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg2


class NotBuilt(Exception):
    """A table the answer needs does not exist yet (nothing loaded or built)."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def rows(url: str, sql: str, params: tuple = (), needs: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    conn = psycopg2.connect(url, connect_timeout=10)
    try:
        with conn, conn.cursor() as cur:
            for relation in needs:
                cur.execute("select to_regclass(%s) is not null", (relation,))
                if not cur.fetchone()[0]:
                    raise NotBuilt(f"{relation} does not exist yet: run the pipeline first (POST /runs or make run)")
            cur.execute(sql, params)
            names = [column.name for column in cur.description]
            return [{name: _plain(value) for name, value in zip(names, row, strict=True)} for row in cur.fetchall()]
    finally:
        conn.close()


RUN_COLUMNS = "run_id, started_at, finished_at, status, stage_failed, message, found_killed_at"


def run_history(url: str, limit: int) -> list[dict[str, Any]]:
    return rows(url, f"select {RUN_COLUMNS} from ops.run_log order by started_at desc limit %s", (limit,),
                needs=("ops.run_log",))


def run_record(url: str, run_id: str) -> dict[str, Any] | None:
    found = rows(url, f"select {RUN_COLUMNS} from ops.run_log where run_id = %s", (run_id,), needs=("ops.run_log",))
    return found[0] if found else None


def quality_scores(url: str, limit: int) -> list[dict[str, Any]]:
    return rows(url, "select * from marts.mart_data_quality_scores order by started_at desc limit %s", (limit,),
                needs=("marts.mart_data_quality_scores",))


def profile_known(url: str, login: str) -> bool:
    return bool(rows(url, "select 1 as found from staging.stg_github__users where login = lower(%s)", (login,),
                     needs=("staging.stg_github__users",)))


def recommendations(url: str, login: str) -> list[dict[str, Any]]:
    return rows(url, "select recommendation_rank, posting_key, job_title, employer_name, country_code, is_remote, "
                     "salary_min_annual_usd, salary_max_annual_usd, apply_url, last_posted_at, match_score, "
                     "matched_skills, missing_skills from marts.mart_profile_recommendations "
                     "where login = lower(%s) order by recommendation_rank", (login,),
                needs=("marts.mart_profile_recommendations",))


def skill_gaps(url: str, login: str) -> list[dict[str, Any]]:
    return rows(url, "select gap_rank, skill_id, skill_name, category, demand_weight, nearest_jobs_needing, "
                     "salary_median_usd from marts.mart_profile_skill_gaps where login = lower(%s) "
                     "order by gap_rank", (login,), needs=("marts.mart_profile_skill_gaps",))
