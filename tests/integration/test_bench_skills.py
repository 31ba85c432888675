"""`make bench-skills` end to end on a small constructed gold file: the dbt extractor runs on it and
the shared scorer judges the predictions."""

from __future__ import annotations

import json
import os

import pytest

from orchestration import bench_skills

DOCS = [
    {"doc_id": "d1", "text": "We build services in C++ and C# on .NET, deployed with CI/CD to Kubernetes.",
     "skills": [{"start": 21, "end": 24, "text": "C++", "label": "Knowledge"},
                {"start": 29, "end": 31, "text": "C#", "label": "Knowledge"},
                {"start": 35, "end": 39, "text": ".NET", "label": "Knowledge"},
                {"start": 55, "end": 60, "text": "CI/CD", "label": "Knowledge"},
                {"start": 64, "end": 74, "text": "Kubernetes", "label": "Knowledge"}],
     "meta": {"source": "tech"}},
    {"doc_id": "d2", "text": "Report to the C-suite about R&D budgets.", "skills": [], "meta": {"source": "house"}},
]


@pytest.mark.skipif(not bench_skills.SCORER.exists(), reason="the shared scorer is needed")
def test_bench_skills_scores_the_dbt_extractor(server_url, tmp_path, capsys, monkeypatch):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(doc) + "\n" for doc in DOCS))
    for doc in DOCS:  # the fixture's offsets are right
        assert all(doc["text"][s["start"]:s["end"]] == s["text"] for s in doc["skills"])
    predictions = tmp_path / "pred.jsonl"
    monkeypatch.setenv("WAREHOUSE_URL", server_url.rsplit("/", 1)[0] + "/postgres")
    monkeypatch.setenv("ELT_BUILD_DIR", str(tmp_path / "build"))
    assert os.environ["WAREHOUSE_URL"]
    assert bench_skills.main(["--gold", str(gold), "--predictions", str(predictions)]) == 0
    predicted = {row["doc_id"]: set(row["mentions"]) for row in map(json.loads, predictions.read_text().splitlines())}
    assert {"C++", "C#", ".NET", "CI/CD", "Kubernetes"} <= predicted["d1"]
    assert predicted["d2"] == set()
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["gold"] == 5 and last["recall"] == 1.0 and last["precision"] == 1.0
