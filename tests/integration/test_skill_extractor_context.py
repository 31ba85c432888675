"""The extractor's sentence and section rules, run through `make bench-skills` code (the same dbt
macro as the warehouse) on constructed postings: fields the company names about itself and the
"Company description" section are not the job's skills; products, requirements and tag lists are."""

from __future__ import annotations

import json

import pytest

from orchestration import bench_skills

POSTINGS = {
    "voice": (
        "Data Engineer\n"
        "Our teams deliver big data solutions for banks.\n"
        "We run every service on Kubernetes.\n"
        "You have experience with machine learning and Python."
    ),
    "company": (
        "Backend Developer\n"
        "Job description\n"
        "You know Docker well.\n"
        "Company description:\n"
        "We build our platform with Terraform and Ansible."
    ),
    "company_then_job": (
        "Company description: a shoe retailer.\n"
        "Job description\n"
        "Strong knowledge of Terraform is required."
    ),
    "lines": "Skills\nApache\nKafka experience is a plus.",
    "tags": "Backend Developer\nTechnologies\nspring java go\nJob description\nReady to go further with Java?",
    "prose": "Ready to go further? Spring is a busy season for our shop.",
    "language": "You are fluent in German and English.",
    "nationality": "A German company building Python tools.",
    # words with letters outside ASCII are one word on every server (C locale included): no R or C
    "accents": "Statistics software in Python for Rüdiger and Cédric; coding in Go.",
}


@pytest.mark.skipif(not bench_skills.SCORER.exists(), reason="the shared scorer is needed")
def test_company_voice_and_company_section(server_url, tmp_path, monkeypatch):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(
        json.dumps({"doc_id": doc_id, "text": text, "skills": [], "meta": {"source": "tech"}}) + "\n"
        for doc_id, text in POSTINGS.items()
    ))
    predictions = tmp_path / "pred.jsonl"
    monkeypatch.setenv("WAREHOUSE_URL", server_url.rsplit("/", 1)[0] + "/postgres")
    monkeypatch.setenv("ELT_BUILD_DIR", str(tmp_path / "build"))
    assert bench_skills.main(["--gold", str(gold), "--predictions", str(predictions)]) == 0
    found = {row["doc_id"]: {m.lower() for m in row["mentions"]}
             for row in map(json.loads, predictions.read_text().splitlines())}

    # a field in the company's voice is dropped; a product in it, and a field asked of the candidate, stay
    assert "big data" not in found["voice"]
    assert {"kubernetes", "machine learning", "python"} <= found["voice"]
    # the company section names the employer's stack, not the job's
    assert "docker" in found["company"]
    assert not {"terraform", "ansible"} & found["company"]
    # the section ends at a later "Job description" header
    assert "terraform" in found["company_then_job"]
    # a lower-case tag list after a "Technologies" header is its own context for ambiguous names
    assert {"spring", "go", "java"} <= found["tags"]
    assert not {"spring", "go"} & found["prose"]
    # a nationality word is a language only where languages are spoken of
    assert {"german", "english"} <= found["language"]
    assert "german" not in found["nationality"] and "python" in found["nationality"]
    # "Rüdiger" and "Cédric" are words, not an R or a C beside programming words
    assert {"python", "go"} <= found["accents"] and not {"r", "c"} & found["accents"]
    # a name split over two lines is not one mention
    assert "apache kafka" not in found["lines"] and "kafka" in found["lines"]
