"""Train, evaluate, version and (when it beats its reference baseline) promote each model of
models.py; write the version and the predictions to the warehouse through dlt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timezone
from typing import Any

import dlt
import numpy as np
import psycopg2
import psycopg2.extras
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, brier_score_loss, log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from orchestration.config import ConfigError, Settings
from orchestration.extract_load import warehouse_destination

DATASET = "ml"
MIN_ROWS = 20  # labelled rows needed in the training window and in the holdout


class TrainError(ConfigError):
    """A model cannot be trained (no feature mart yet, too few labelled rows); the message says why."""


@dataclass
class Metrics:
    accuracy: float
    brier: float
    log_loss: float

    @classmethod
    def of(cls, labels: np.ndarray, probabilities: np.ndarray) -> Metrics:
        p = np.clip(probabilities, 1e-6, 1 - 1e-6)
        return cls(float(accuracy_score(labels, p >= 0.5)), float(brier_score_loss(labels, p)),
                   float(log_loss(labels, p, labels=[0, 1])))


@dataclass
class TrainResult:
    model: str
    version: str
    train_periods: tuple[int, ...]
    holdout_period: int
    n_train: int
    n_holdout: int
    metrics: dict[str, Metrics]  # "model" and each baseline
    promoted: bool
    reason: str
    predictions: int

    def lines(self) -> list[str]:
        window = f"{self.train_periods[0]}-{self.train_periods[-1]}"
        out = [f"model {self.model} {self.version}: trained on {window} ({self.n_train} games), "
               f"held out {self.holdout_period} ({self.n_holdout} games)",
               f"  {'':<16}{'accuracy':>9}{'brier':>8}{'log loss':>10}"]
        out += [f"  {name:<16}{m.accuracy:>9.3f}{m.brier:>8.3f}{m.log_loss:>10.3f}" for name, m in self.metrics.items()]
        out.append(f"  promoted: {'yes' if self.promoted else 'no'} ({self.reason}); "
                   f"{self.predictions} predictions written")
        return out


def _rows(url: str, spec) -> list[dict[str, Any]]:
    columns = sorted({spec.key, spec.period, spec.label, *spec.features, "is_home_field",
                      "elo_home_win_probability"})
    predict = f"({spec.predict_where}) as to_predict"
    with psycopg2.connect(url) as conn, conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute("select to_regclass(%s) is not null as found", (spec.features_relation,))
        if not cur.fetchone()["found"]:
            raise TrainError(f"{spec.name}: {spec.features_relation} does not exist yet: run `make run` first")
        cur.execute(f"select {', '.join(columns)}, {predict} from {spec.features_relation}")
        rows = [dict(r) for r in cur.fetchall()]
    conn.close()
    return rows


def _matrix(rows, features) -> np.ndarray:
    return np.array([[np.nan if r[f] is None else float(r[f]) for f in features] for r in rows], dtype=float)


def train_model(settings: Settings, url: str, spec) -> TrainResult:
    rows = _rows(url, spec)
    labelled = [r for r in rows if r[spec.label] is not None]
    if not labelled:
        raise TrainError(f"{spec.name}: no labelled rows in {spec.features_relation}")
    holdout_period = max(r[spec.period] for r in labelled)
    burnt = sorted({r[spec.period] for r in labelled})[:spec.burn_in_periods]
    train = [r for r in labelled if r[spec.period] < holdout_period and r[spec.period] not in burnt]
    holdout = [r for r in labelled if r[spec.period] == holdout_period]
    if len(train) < MIN_ROWS or len(holdout) < MIN_ROWS:
        raise TrainError(f"{spec.name}: needs {MIN_ROWS} labelled rows before {spec.period} {holdout_period} "
                         f"(after {spec.burn_in_periods} burn-in) and in it, has {len(train)} and {len(holdout)}: "
                         "load more seasons (CFBD_SEASONS)")
    model = make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler(),
                          LogisticRegression(C=spec.regularization, max_iter=1000))
    model.fit(_matrix(train, spec.features), np.array([r[spec.label] for r in train]))
    labels = np.array([r[spec.label] for r in holdout])
    metrics = {"model": Metrics.of(labels, model.predict_proba(_matrix(holdout, spec.features))[:, 1])}
    for name, baseline in spec.baselines.items():
        metrics[name] = Metrics.of(labels, baseline(train, holdout))
    reference = metrics[spec.reference]
    promoted = metrics["model"].log_loss <= reference.log_loss
    reason = (f"log loss {metrics['model'].log_loss:.3f} {'<=' if promoted else '>'} "
              f"{spec.reference}'s {reference.log_loss:.3f}")
    periods = tuple(sorted({r[spec.period] for r in train}))
    fitted = model[-1]
    version = hashlib.sha256(json.dumps({
        "model": spec.name, "features": spec.features, "train": periods, "holdout": holdout_period,
        "coefficients": [round(c, 8) for c in fitted.coef_[0].tolist()],
        "intercept": round(float(fitted.intercept_[0]), 8),
    }, sort_keys=True).encode()).hexdigest()[:12]
    now = settings.now().astimezone(timezone.utc)
    to_predict = [r for r in rows if r["to_predict"]] if promoted else []
    probabilities = model.predict_proba(_matrix(to_predict, spec.features))[:, 1] if to_predict else []
    version_row = {
        "model_name": spec.name, "model_version": version, "domain": spec.domain, "trained_at": now,
        "train_periods": ",".join(map(str, periods)), "holdout_period": holdout_period,
        "n_train": len(train), "n_holdout": len(holdout), "features": json.dumps(spec.features),
        "is_promoted": promoted, "promotion_reason": reason, "reference_baseline": spec.reference,
        **{f"{_slug(name)}_{k}": v for name, m in metrics.items() for k, v in vars(m).items()},
    }
    prediction_rows = [{"model_name": spec.name, "model_version": version, "record_id": r[spec.key],
                        "probability": float(p), "predicted_at": now} for r, p in zip(to_predict, probabilities,
                                                                                      strict=True)]
    _write(settings, url, version_row, prediction_rows)
    return TrainResult(spec.name, version, periods, holdout_period, len(train), len(holdout), metrics, promoted,
                       reason, len(prediction_rows))


def _slug(name: str) -> str:
    return name.replace(" ", "_")


def _write(settings: Settings, url: str, version_row: dict[str, Any], prediction_rows: list[dict[str, Any]]) -> None:
    pipeline = dlt.pipeline(pipeline_name="ml_models", dataset_name=DATASET,
                            destination=warehouse_destination(url),
                            pipelines_dir=str(settings.build_dir / "dlt" / "ml"))
    versions = dlt.resource([version_row], name="model_versions", write_disposition="merge",
                            primary_key=["model_name", "model_version"],
                            columns={"trained_at": {"data_type": "timestamp"}})
    predictions = dlt.resource(prediction_rows, name="predictions", write_disposition="merge",
                               primary_key=["model_name", "model_version", "record_id"],
                               columns={"record_id": {"data_type": "bigint"}, "probability": {"data_type": "double"},
                                        "predicted_at": {"data_type": "timestamp"}})
    pipeline.run([versions, predictions])


def train_all(settings: Settings, url: str, names: tuple[str, ...] = ()) -> list[TrainResult]:
    from orchestration.ml.models import MODELS

    unknown = set(names) - set(MODELS)
    if unknown:
        raise ConfigError(f"unknown models {', '.join(sorted(unknown))}; known: {', '.join(MODELS)}")
    return [train_model(settings, url, MODELS[name]) for name in (names or tuple(MODELS))]


