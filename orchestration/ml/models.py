"""The registry of models `make train` fits: one ModelSpec per model, read by train.py. A new
domain's model is one more entry here (its feature mart, label, features and baselines)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Rows = Sequence[dict]
# (training rows, rows to score) -> probability of the label for each row to score
Baseline = Callable[[Rows, Rows], np.ndarray]


@dataclass(frozen=True)
class ModelSpec:
    name: str
    domain: str
    features_relation: str  # schema.table of the dbt feature mart
    key: str  # its row id
    period: str  # the column the train/holdout split is made on (train on earlier, hold out the latest)
    label: str  # 0/1; null for rows to predict
    features: tuple[str, ...]  # pre-event features only: nothing that leaks the label
    baselines: dict[str, Baseline]
    reference: str  # the baseline a model must not be worse than (log loss on the holdout) to be promoted
    predict_where: str  # SQL condition of the rows to predict
    # earliest periods left out of training: ratings there are not settled yet (every team's Elo
    # starts at the same value in the first season loaded)
    burn_in_periods: int = 1
    regularization: float = 0.1  # LogisticRegression's C (smaller = stronger L2 shrinkage)


def _home_team_wins(train: Rows, rows: Rows) -> np.ndarray:
    """The home team wins, as often as it did in training (a neutral site: a coin toss)."""
    at_home = [r["home_won"] for r in train if r["is_home_field"] == 1]
    rate = sum(at_home) / len(at_home) if at_home else 0.5
    return np.array([rate if r["is_home_field"] == 1 else 0.5 for r in rows], dtype=float)


def _elo_alone(train: Rows, rows: Rows) -> np.ndarray:
    return np.array([float(r["elo_home_win_probability"]) for r in rows], dtype=float)


MODELS = {
    "cfbd_win_probability": ModelSpec(
        name="cfbd_win_probability",
        domain="college_football",
        features_relation="marts.fct_game_features",
        key="game_id",
        period="season",
        label="home_won",
        features=("elo_difference", "is_home_field", "home_rest_days", "away_rest_days",
                  "home_previous_win_pct", "away_previous_win_pct"),
        baselines={"home team wins": _home_team_wins, "elo alone": _elo_alone},
        reference="elo alone",
        predict_where="not is_completed",
    ),
}
