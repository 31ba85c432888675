"""`make train` (python -m orchestration train) on a warehouse loaded from the CFBD sandbox
(2021-2026, the current season at week 8): the held-out season's metrics are printed beside both
baselines and recomputed here from the feature mart; every version is recorded with its window
and metrics; a model no better than Elo is refused and predicts nothing; a promoted one predicts
every upcoming game, shown in mart_game_predictions with its version; features never leak."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import numpy as np
import pytest

from dlt_pipelines.sandbox.config import SandboxConfig
from dlt_pipelines.sandbox.server import start_sandbox
from orchestration import elt
from orchestration.dbt_runner import run_dbt
from orchestration.ml import train
from orchestration.ml.models import MODELS
from tests.conftest import make_settings, query
from tests.ops.conftest import make

NOW = datetime(2026, 10, 20, 12, tzinfo=timezone.utc)
FOOTBALL = ["--select", "source:raw_cfbd+", "source:ml+", "--exclude", "stg_dlt__loads+", "quarantined_records+"]
SPEC = MODELS["cfbd_win_probability"]


@pytest.fixture(scope="module")
def warehouse(fresh_database, tmp_path_factory):
    work = tmp_path_factory.mktemp("train")
    with start_sandbox(SandboxConfig(now=NOW), sources=["cfbd"]) as handle:  # the shared server, its clock at NOW
        settings = make_settings(work / "build", CFBD_BASE_URL=handle.base_url("cfbd"), CFBD_RATE_LIMIT_PER_MIN="0",
                                 ELT_AS_OF=NOW.isoformat(), CFBD_SEASONS="2021-2026", CFBD_MAX_CALLS_PER_RUN="200",
                                 CFBD_BOX_SCORES="false")
        elt.extract_load(settings, fresh_database, ("cfbd",))
    build = run_dbt(["build", *FOOTBALL], fresh_database, target_path=work / "target", quiet=True)
    assert build.count("model", "error") == 0 and build.count("test", "fail") == 0, build.failures
    return {"url": fresh_database, "work": work, "settings": make_settings(work / "ml", ELT_AS_OF=NOW.isoformat())}


def test_make_train_prints_the_holdout_metrics_beside_both_baselines(warehouse):
    result = make("train", WAREHOUSE_URL=warehouse["url"], ELT_BUILD_DIR=str(warehouse["work"] / "cli"),
                 ELT_AS_OF=NOW.isoformat(), ELT_ELEMENTARY="off")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("model cfbd_win_probability"))
    assert "trained on 2022-2025" in header and "held out 2026" in header  # 2021 is the Elo burn-in
    scores = {line[:18].strip(): [float(v) for v in line[18:].split()] for line in lines
              if line.strip().split("  ")[0] in ("model", "home team wins", "elo alone")}
    assert set(scores) == {"model", "home team wins", "elo alone"}
    # the baselines, recomputed from the feature mart
    rows = query(warehouse["url"], "select home_won, elo_home_win_probability from marts.fct_game_features "
                                   "where season = 2026 and home_won is not null")
    labels = np.array([r[0] for r in rows])
    elo = train.Metrics.of(labels, np.array([float(r[1]) for r in rows]))
    assert scores["elo alone"] == pytest.approx([elo.accuracy, elo.brier, elo.log_loss], abs=0.0005)
    [(version, promoted, window, holdout, model_loss, elo_loss)] = query(warehouse["url"], """
        select model_version, is_promoted, train_periods, holdout_period, model_log_loss, elo_alone_log_loss
        from staging.stg_ml__model_versions""")
    assert version in header and window == "2022,2023,2024,2025" and holdout == 2026
    assert promoted == (model_loss <= elo_loss)  # refused when worse than Elo
    assert query(warehouse["url"], "select count(*) from marts.mart_model_metrics where model_version = %s",
                 (version,)) == [(3,)]


def test_a_model_worse_than_elo_is_refused_and_predicts_nothing(warehouse):
    useless = dataclasses.replace(SPEC, features=("home_rest_days",))
    result = train.train_model(warehouse["settings"], warehouse["url"], useless)
    assert not result.promoted and result.predictions == 0
    assert result.metrics["model"].log_loss > result.metrics["elo alone"].log_loss
    assert query(warehouse["url"], "select is_promoted from ml.model_versions where model_version = %s",
                 (result.version,)) == [(False,)]


def test_a_promoted_model_predicts_every_upcoming_game(warehouse):
    # promoted against the weaker baseline, so that the prediction path runs whatever Elo does
    spec = dataclasses.replace(SPEC, reference="home team wins")
    result = train.train_model(warehouse["settings"], warehouse["url"], spec)
    assert result.promoted and result.metrics["model"].log_loss <= result.metrics["home team wins"].log_loss
    run_dbt(["build", "--select", "source:ml+"], warehouse["url"], target_path=warehouse["work"] / "target",
            quiet=True)
    upcoming = query(warehouse["url"], "select count(*) from marts.fct_game_features where not is_completed")[0][0]
    assert upcoming > 0 and result.predictions == upcoming
    shown = query(warehouse["url"], "select home_win_probability, model_version from marts.mart_game_predictions")
    assert len(shown) == upcoming and all(0 < p < 1 and v == result.version for p, v in shown)


def test_pre_game_features_only_use_earlier_games(warehouse):
    # a played game's Elo features are the ratings before it (int_game_elo's), never after
    [(mismatched,)] = query(warehouse["url"], """
        select count(*) from marts.fct_game_features as features
        inner join marts.int_game_elo as elo on features.game_id = elo.game_id
        where abs(features.home_elo_pre - elo.home_elo_pre) > 1e-6
            or abs(features.away_elo_pre - elo.away_elo_pre) > 1e-6
    """)
    assert mismatched == 0
    [(first_games, with_rest)] = query(warehouse["url"], """
        select count(*), count(home_rest_days) from marts.fct_game_features where week = 1 and season_type = 'regular'
    """)
    assert first_games > 0 and with_rest == 0  # no rest days carried over from the season before
