"""The skill taxonomy seeds and their builder.

The committed seeds are what the product loads, so most checks read them directly and run
anywhere; the drift checks rebuild from ../shared and skip only when it is absent.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from orchestration.taxonomy import build_skill_taxonomy as builder

SEEDS = builder.DEFAULT_OUT
SHARED = builder.DEFAULT_SHARED
SEED_FILES = (
    "skill_taxonomy_skills.csv",
    "skill_taxonomy_aliases.csv",
    "skill_taxonomy_categories.csv",
    "skill_taxonomy_version.csv",
    "_skill_taxonomy__seeds.yml",
)
needs_shared = pytest.mark.skipif(
    not (SHARED / "data" / "taxonomies").is_dir(),
    reason=f"{SHARED} is absent: the open vocabularies (O*NET, ESCO, Linguist) are needed to rebuild",
)

# The extractor's tokeniser, read from its macro (dbt_project/macros/skill_tokens.sql), to check
# aliases the way it sees them: Postgres' \uXXXX escapes are Python's too.
TOKENS_MACRO = SEEDS.parent / "macros" / "skill_tokens.sql"
WORD = re.search(r"macro skill_word_class\(\) -%\}\s*(\[[^\]]+\])", TOKENS_MACRO.read_text()).group(1)
TOKEN_RE = re.compile(WORD.encode().decode("unicode_escape") + r"+(?:\." + WORD.encode().decode("unicode_escape")
                      + r"+)*[+#]*|[./&+#-]|[\n!?;•*]")

# Words checked independently of common_words.txt: tech names that are everyday English.
ENGLISH_TRAPS = {
    "go", "rest", "spring", "swift", "chef", "puppet", "excel", "access", "basic", "shell", "dart",
    "julia", "elm", "express", "react", "angular", "flask", "spark", "hive", "helm", "vault", "slack",
    "sketch", "unity", "snowflake", "bootstrap", "jest", "mocha", "cucumber", "node", "salt", "lean",
    "agile", "waterfall", "word", "teams", "office", "outlook", "windows", "rails", "maven", "yarn",
    "oracle", "glue", "lambda", "presto", "prefect", "celery", "iceberg", "workday", "postman", "assembly",
}  # fmt: skip


def read_csv(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def skills() -> dict[str, dict[str, str]]:
    return {row["skill_id"]: row for row in read_csv("skill_taxonomy_skills.csv")}


@pytest.fixture(scope="module")
def aliases() -> list[dict[str, str]]:
    return read_csv("skill_taxonomy_aliases.csv")


@pytest.fixture(scope="module")
def alias_map(aliases: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["alias"]: row for row in aliases}


# ----------------------------------------------------------------------------- drift


@needs_shared
def test_committed_seeds_equal_a_fresh_build(tmp_path: Path) -> None:
    assert builder.main(["--shared", str(SHARED), "--out", str(tmp_path)]) == 0
    for name in SEED_FILES:
        fresh = (tmp_path / name).read_text(encoding="utf-8")
        committed = (SEEDS / name).read_text(encoding="utf-8")
        assert fresh == committed, (
            f"{name} is stale: run python -m orchestration.taxonomy.build_skill_taxonomy"
        )
    assert builder.main(["--shared", str(SHARED), "--check"]) == 0


@needs_shared
def test_check_fails_on_edited_or_missing_seed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = tmp_path / "edited"
    shutil.copytree(SEEDS, edited, ignore=shutil.ignore_patterns("reference"))
    path = edited / "skill_taxonomy_aliases.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("golang,go,", "golang,rust,"), encoding="utf-8")
    assert builder.main(["--shared", str(SHARED), "--out", str(edited), "--check"]) == 1
    assert "skill_taxonomy_aliases.csv: differs" in capsys.readouterr().err

    (edited / "skill_taxonomy_version.csv").unlink()
    assert builder.main(["--shared", str(SHARED), "--out", str(edited), "--check"]) == 1


def test_missing_vocabularies_are_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert builder.main(["--shared", str(tmp_path / "no-shared"), "--out", str(tmp_path), "--check"]) == 2
    err = capsys.readouterr().err
    assert "needed to rebuild" in err and "committed seeds" in err
    assert not list(tmp_path.glob("*.csv"))


# ----------------------------------------------------------------------------- seed integrity


def test_words_are_letters_of_any_script_and_punctuation_stands_alone() -> None:
    text = "Größe naïve Cédric 日本語 C++ C# .NET node.js R&D C-suite “Python” – Go’s 😀x zero\u200bwidth"
    assert TOKEN_RE.findall(text) == [
        "Größe", "naïve", "Cédric", "日本語", "C++", "C#", ".", "NET", "node.js", "R", "&", "D", "C", "-",
        "suite", "Python", "Go", "s", "x", "zero", "width"]


def test_aliases_are_unique_also_as_token_sequences(aliases: list[dict[str, str]]) -> None:
    names = [row["alias"] for row in aliases]
    assert len(names) == len(set(names))
    keys: dict[str, str] = {}
    for row in aliases:
        key = " ".join(TOKEN_RE.findall(row["alias"]))
        assert key, f"{row['alias']!r} produces no token"
        other = keys.setdefault(key, row["skill_id"])
        assert other == row["skill_id"], f"{row['alias']!r} tokenises like an alias of {other}"


def test_every_alias_names_an_existing_skill(aliases: list[dict[str, str]], skills: dict) -> None:
    unknown = sorted({row["skill_id"] for row in aliases} - set(skills))
    assert not unknown


def test_every_skill_name_is_its_own_alias(alias_map: dict, skills: dict) -> None:
    for skill_id, skill in skills.items():
        row = alias_map.get(builder.normalise(skill["skill_name"]))
        assert row is not None and row["skill_id"] == skill_id, skill["skill_name"]
        assert row["alias_source"] == "name"


def test_aliases_are_clean_surface_forms(aliases: list[dict[str, str]]) -> None:
    for row in aliases:
        alias = row["alias"]
        assert alias == alias.lower().strip() and "  " not in alias, alias
        assert builder.ALIAS_RE.match(alias), alias


@pytest.mark.parametrize(
    ("alias", "skill_id"),
    [
        ("c++", "cpp"),
        ("c#", "csharp"),
        (".net", "dotnet"),
        ("node.js", "nodejs"),
        ("nodejs", "nodejs"),
        ("ci/cd", "ci_cd"),
        ("ci cd", "ci_cd"),
        ("asp.net", "aspnet"),
        ("apache spark", "spark"),
        ("golang", "go"),
        ("k8s", "kubernetes"),
        ("postgres", "postgresql"),
        ("postgresql", "postgresql"),
        ("amazon-web-services", "aws"),
        ("google-cloud-platform", "gcp"),
        ("infrastructure-as-code", "infrastructure_as_code"),
        ("cloud", "cloud_computing"),
        ("computer science", "computer_science"),
        ("financial services", "financial_services"),
        ("fluent german", "german"),
    ],
)
def test_punctuation_and_common_aliases(alias_map: dict, alias: str, skill_id: str) -> None:
    assert alias_map[alias]["skill_id"] == skill_id
    assert alias_map[alias]["match_rule"] == "any"


@pytest.mark.parametrize(
    ("alias", "rule", "case_form"),
    [
        ("r", "needs_context", "R"),
        ("c", "needs_context", "C"),
        ("go", "needs_context", "Go"),
        ("spring", "needs_context", "Spring"),
        ("excel", "needs_context", "Excel"),
        ("rest", "case_sensitive", "REST"),
        ("sas", "case_sensitive", "SAS"),
        ("spark", "case_sensitive", "Spark"),
        ("english", "case_sensitive", "English"),
        ("zookeeper", "case_sensitive", "ZooKeeper"),
    ],
)
def test_ambiguous_aliases_are_flagged(alias_map: dict, alias: str, rule: str, case_form: str) -> None:
    assert (alias_map[alias]["match_rule"], alias_map[alias]["case_form"]) == (rule, case_form)


def test_nationality_adjectives_are_not_bare_language_aliases(alias_map: dict) -> None:
    # "German company", "Danish universities": the bare word is the language only capitalised and
    # where languages are spoken of (needs_context; the extractor asks for "fluent", "spoken", ...)
    for adjective in ("german", "french", "spanish", "danish", "swedish", "dutch", "italian", "polish"):
        row = alias_map[adjective]
        assert (row["match_rule"], row["case_form"]) == ("needs_context", adjective.capitalize()), adjective
        assert alias_map[f"fluent {adjective}"]["match_rule"] == "any"


def test_one_letter_aliases_need_context(aliases: list[dict[str, str]]) -> None:
    short = [row for row in aliases if len(row["alias"]) == 1]
    assert short, "expected the one-letter languages C and R"
    assert all(row["match_rule"] == "needs_context" for row in short)


def test_case_form_is_set_exactly_for_flagged_aliases(aliases: list[dict[str, str]]) -> None:
    for row in aliases:
        if row["match_rule"] == "any":
            assert row["case_form"] == "", row["alias"]
        else:
            assert row["case_form"] and builder.normalise(row["case_form"]) == row["alias"], row["alias"]


def test_no_common_english_word_is_an_unflagged_alias(aliases: list[dict[str, str]]) -> None:
    common = builder.load_common_words() | ENGLISH_TRAPS
    unflagged = sorted(
        row["alias"] for row in aliases if row["match_rule"] == "any" and row["alias"] in common
    )
    assert not unflagged, f"flag these case_sensitive or needs_context: {unflagged}"


def test_required_fields_and_booleans(skills: dict, aliases: list[dict[str, str]]) -> None:
    categories = {row["category"] for row in read_csv("skill_taxonomy_categories.csv")}
    for skill in skills.values():
        nullable = {"onet_commodity_title"}
        assert all(value for key, value in skill.items() if key not in nullable), skill
        flags = ("is_field", "is_hot_technology", "in_onet", "in_esco", "in_linguist")
        assert all(skill[f] in ("true", "false") for f in flags), skill
        assert skill["category"] in categories
        assert (skill["onet_commodity_title"] != "") == (skill["in_onet"] == "true"), skill["skill_id"]
    for row in aliases:
        assert row["alias"] and row["skill_id"] and row["alias_source"] in builder.ALIAS_SOURCES
        assert row["match_rule"] in builder.MATCH_RULES


def test_version_row_counts_the_seeds(skills: dict, aliases: list[dict[str, str]]) -> None:
    (version,) = read_csv("skill_taxonomy_version.csv")
    assert builder.VERSION_RE.match(version["taxonomy_version"])
    assert int(version["skill_count"]) == len(skills) and int(version["alias_count"]) == len(aliases)
    assert {s["taxonomy_version"] for s in skills.values()} == {version["taxonomy_version"]}
    assert "O*NET 29.3" in version["built_from"] and "ESCO 1.2" in version["built_from"]


def test_known_provenance(skills: dict) -> None:
    python = skills["python"]
    assert (python["in_onet"], python["in_esco"], python["in_linguist"]) == ("true", "true", "true")
    assert python["is_hot_technology"] == "true"
    assert skills["postgresql"]["in_onet"] == "true"
    assert skills["sql"]["in_onet"] == "true"  # O*NET runs the acronym in: "Structured query language SQL"
    assert skills["aws_ec2"]["in_onet"] == "true"  # "Amazon Elastic Compute Cloud EC2"
    assert skills["dbt"]["in_onet"] == "false" and skills["dbt"]["is_hot_technology"] == "false"
    assert skills["kubernetes"]["in_linguist"] == "false"


# ----------------------------------------------------------------------------- builder rules


def test_onet_acronym_and_vendor_rules() -> None:
    assert "SQL" in builder.onet_candidates("Structured query language SQL")
    assert "EC2" in builder.onet_candidates("Amazon Elastic Compute Cloud EC2")
    assert "CloudFormation" in builder.onet_candidates("Amazon Web Services AWS CloudFormation")
    assert "Kafka" in builder.onet_candidates("Apache Kafka")
    # Product codes O*NET appends are not acronyms of the name before them.
    assert "SQL" not in builder.onet_candidates("Windent SQL")
    assert "Oracle" not in builder.onet_candidates("Oracle HRIS")
    assert "JS" not in builder.onet_candidates("Ext JS")


def test_resolve_respects_the_case_rule() -> None:
    curated = builder.load_curated()
    assert builder.resolve(curated.aliases, "Spark") == "spark"
    assert builder.resolve(curated.aliases, "SPARK") is None  # ESCO's SPARK is an Ada dialect
    assert builder.resolve(curated.aliases, "Go") == "go"
    assert builder.resolve(curated.aliases, "go") is None
    assert builder.resolve(curated.aliases, "PostgreSQL") == "postgresql"


@pytest.mark.parametrize(
    ("raw", "skill_id", "reason"),
    [
        ("cake", "csharp", "common English word"),
        ("py", "python", "shorter than 3 characters"),
        ("inc", "php", "file extension or file name"),
        ("Haskell techniques", "haskell", "describes the skill, not a name"),
        ("Subquery", "sql", "not a spelling of the skill name"),
        ("node", "javascript", "collides with nodejs"),
        ("ANN", "neural_networks", "upper-case acronym; only a curator can give it a case rule"),
        ("personal home page", "php", "rejected by curator"),
        ("kotlinlang", "kotlin", None),
        ("objectivec", "objective_c", None),
        ("Python 3K", "python", None),
        ("rusthon", "python", "not a spelling of the skill name"),
        ("python3", "python", "duplicate"),
        ("Cascading Style Sheets", "css", "duplicate"),
        ("MS SQL Server 2019", "sql_server", None),
        ("Practical Extraction and Report Language", "perl", None),
    ],
)
def test_harvest_filter_rules(raw: str, skill_id: str, reason: str | None) -> None:
    curated = builder.load_curated()
    anchors = [a.alias for a in curated.aliases.values() if a.skill_id == skill_id]
    got = builder.rejection_reason(
        raw, skill_id, curated, anchors, builder.load_common_words(), frozenset({"inc", "py"})
    )
    assert got == reason


def test_curated_layer_refuses_unsafe_input(tmp_path: Path) -> None:
    path = tmp_path / "curated.yml"
    path.write_text(
        "version: 2026.11.1\n"
        "categories: {web_framework: {name: Web, description: Web frameworks.}}\n"
        "skills:\n"
        "  - {id: expressjs, name: Express.js, category: web_framework, aliases: [express]}\n"
        "  - {id: other, name: Other, category: web_framework, aliases: [express.js]}\n"
        "  - {id: Bad-Id, name: Bad, category: web_framework}\n",
        encoding="utf-8",
    )
    with pytest.raises(builder.TaxonomyError) as error:
        builder.load_curated(path)
    message = str(error.value)
    assert "'express' is a common English word" in message
    assert "'express.js' already defined for expressjs" in message
    assert "'Bad-Id' is not a slug" in message


# ----------------------------------------------------------------------------- fields


def test_fields_are_practices_in_ordinary_words_not_named_technologies(skills: dict) -> None:
    # default: sentence-case ordinary words outside the named-technology categories
    assert skills["big_data"]["is_field"] == "true" and skills["unit_testing"]["is_field"] == "true"
    assert skills["kubernetes"]["is_field"] == "false" and skills["kafka"]["is_field"] == "false"
    assert skills["shell_scripting"]["is_field"] == "false"  # a programming_language is always named
    # curated overrides both ways
    assert skills["microservices"]["is_field"] == "true" and skills["scrum"]["is_field"] == "true"
    assert skills["linux_kernel"]["is_field"] == "false"
    named = builder.NAMED_CATEGORIES
    assert not [s for s in skills.values() if s["category"] in named and s["is_field"] == "true"]


def test_field_flag_must_be_a_boolean(tmp_path: Path) -> None:
    curated = tmp_path / "curated.yml"
    text = builder.CURATED_PATH.read_text(encoding="utf-8")
    curated.write_text(text.replace("{id: big_data, ", "{id: big_data, field: maybe, ", 1), encoding="utf-8")
    with pytest.raises(builder.TaxonomyError, match="big_data: field must be true or false"):
        builder.load_curated(curated, builder.load_common_words())
