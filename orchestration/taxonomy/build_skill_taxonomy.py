"""Build the skill taxonomy dbt seeds from the curated layer and three open vocabularies.

The curated layer (curated.yml) is the product's own knowledge: which skills exist, their
categories, aliases and ambiguity flags. O*NET 29.3, ESCO 1.2 and GitHub Linguist only add
provenance flags and a few extra aliases, under the filter rules in README.md, so a new
vocabulary release can never silently add a skill or an unsafe alias.

    python -m orchestration.taxonomy.build_skill_taxonomy [--shared PATH] [--out PATH] [--check]

``--check`` rebuilds in memory and exits 1 if the committed seeds differ (CI drift check).
"""

from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import io
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
CURATED_PATH = HERE / "curated.yml"
COMMON_WORDS_PATH = HERE / "common_words.txt"
DEFAULT_SHARED = REPO_ROOT.parent / "shared"
DEFAULT_OUT = REPO_ROOT / "dbt_project" / "seeds"

ONET_FILE = "data/taxonomies/onet_29_3/technology_skills.txt"
ESCO_FILE = "data/taxonomies/esco_1_2/digitalSkillsCollection_en.csv"
LINGUIST_FILE = "data/taxonomies/linguist/languages.yml"

SKILLS_SEED = "skill_taxonomy_skills"
ALIASES_SEED = "skill_taxonomy_aliases"
CATEGORIES_SEED = "skill_taxonomy_categories"
VERSION_SEED = "skill_taxonomy_version"
SEEDS_YML = "_skill_taxonomy__seeds.yml"

MATCH_RULES = ("any", "case_sensitive", "needs_context")
ALIAS_SOURCES = ("name", "curated", "esco", "linguist")

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
# A field or practice named in ordinary words, in sentence case: "Big data", "Unit testing",
# "Financial services" (products and named technologies are capitalised: "Apache Kafka").
FIELD_NAME_RE = re.compile(r"^[A-Z][a-z]+([ -][a-z0-9]+)+$")
# Categories whose skills are named technologies, never fields.
NAMED_CATEGORIES = frozenset({
    "programming_language", "markup_language", "data_format", "web_framework", "tool",
    "office_productivity", "enterprise_software", "operating_system", "natural_language",
})
VERSION_RE = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")
# Lower case letters/digits plus the punctuation the extractor tokenises (. + # / -).
ALIAS_RE = re.compile(r"^[a-z0-9.+#/\-]+( [a-z0-9.+#/\-]+)*$")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9+#./-]*[A-Z0-9+#]$")
QUALIFIER_RE = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")

# Vendor prefixes O*NET puts in front of product names ("Apache Kafka", "IBM Terraform").
ONET_VENDORS = (
    "Amazon Web Services",
    "Amazon",
    "AWS",
    "Adobe",
    "Apache",
    "Apple",
    "Atlassian",
    "Autodesk",
    "Dassault Systemes",
    "Google",
    "HashiCorp",
    "Hewlett Packard",
    "Hewlett-Packard",
    "IBM",
    "Intuit",
    "JetBrains",
    "Micro Focus",
    "Microsoft",
    "OpenAI",
    "Oracle",
    "Portswigger",
    "Qlik Tech",
    "Red Hat",
    "StataCorp",
    "Sun Microsystems",
    "The MathWorks",
    "TIBCO",
    "Unity Technologies",
    "Unreal Technology",
)
ONET_SUFFIXES = (" software", " programming language")

# Words that make a source label a description of a skill rather than a name for it
# (ESCO: "Angular techniques and principles", "coding in Angular").
DESCRIPTOR_WORDS = frozenset(
    """algorithm algorithms analysis approach approaches coding concept concepts configuration
    development file fundamentals history kinds knowledge method methods paradigm paradigms practice practices
    principle principles related techniques technique testing theory types typology using""".split()
)
# Ignored when comparing initials for acronyms ("Practical Extraction and Report Language").
ACRONYM_STOPWORDS = frozenset({"and", "of", "for", "the", "in", "to", "a", "an", "&"})
MIN_HARVEST_LEN = 3
MAX_PREFIX_REMAINDER = 4


class _IndentedDumper(yaml.SafeDumper):
    """Indents block sequences like the project's hand-written dbt yml files."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


class TaxonomyError(Exception):
    """Raised for invalid curated input or missing sources; the message lists every problem."""


@dataclass(frozen=True)
class Alias:
    alias: str
    skill_id: str
    match_rule: str
    case_form: str
    source: str


@dataclass
class Skill:
    skill_id: str
    name: str
    category: str
    onet_names: tuple[str, ...] = ()
    is_field: bool = False
    onet_examples: list[str] = field(default_factory=list)
    in_esco: bool = False
    in_linguist: bool = False


@dataclass
class Curated:
    version: str
    categories: dict[str, tuple[str, str]]
    skills: dict[str, Skill]
    aliases: dict[str, Alias]
    reject_aliases: frozenset[str]
    exclusions: dict[str, frozenset[str]]


@dataclass
class OnetExample:
    titles: Counter = field(default_factory=Counter)
    hot: bool = False


@dataclass
class Sources:
    onet: dict[str, OnetExample]
    esco: list[tuple[str, list[str]]]
    linguist: list[tuple[str, list[str]]]
    linguist_file_names: frozenset[str]
    built_from: str


@dataclass
class HarvestLog:
    """Why each source alias was taken or dropped, for --report and for curators."""

    accepted: list[tuple[str, str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str, str, str]] = field(default_factory=list)


# ----------------------------------------------------------------------------- text helpers


def normalise(text: str) -> str:
    """Lower-case, NFKC and single-space a surface form so every source compares alike."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    return " ".join(text.lower().split())


def clean_case(text: str) -> str:
    """Single-space a label but keep its case, for comparing with a case_form."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def strip_qualifier(label: str) -> str:
    """Drop ESCO's trailing disambiguator: 'Python (computer programming)' -> 'Python'."""
    match = QUALIFIER_RE.match(clean_case(label))
    return match.group(1) if match else clean_case(label)


def squash(text: str) -> str:
    """Spell-out form used to compare identifiers: 'C#' -> 'csharp', 'C++' -> 'cpp'."""
    text = text.lower().replace("#", "sharp").replace("++", "pp").replace("+", "plus")
    return re.sub(r"[^a-z0-9]", "", text)


def initials(text: str) -> str:
    words = [w for w in re.split(r"[\s\-]+", text.lower()) if w and w not in ACRONYM_STOPWORDS]
    return "".join(w[0] for w in words)


def word_initials(words: Iterable[str]) -> str:
    """First letter of every word part plus CamelCase capitals: 'WebSphere MQ-Series' -> 'wsms'."""
    out = []
    for word in words:
        for part in re.split(r"[-/]", word):
            letters = [c for c in part if c.isalpha()]
            if letters:
                out.append(letters[0].lower())
                if not part.isupper():
                    out += [c.lower() for c in letters[1:] if c.isupper()]
    return "".join(out)


def abbreviates(acronym: str, words: list[str]) -> bool:
    """True if `acronym` is made of the initials of `words`, in order ("EC2" for "Elastic Compute
    Cloud"); O*NET also appends unrelated product codes ("Windent SQL", "Ext JS")."""
    letters = [c for c in acronym.lower() if c.isalpha()]
    pool = iter(word_initials(words))
    return bool(letters) and all(letter in pool for letter in letters)


def load_common_words(path: Path = COMMON_WORDS_PATH) -> frozenset[str]:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line.lower())
    return frozenset(words)


# ----------------------------------------------------------------------------- curated layer


def load_curated(path: Path = CURATED_PATH, common_words: frozenset[str] | None = None) -> Curated:
    """Parse and validate curated.yml; every problem is reported at once."""
    common_words = load_common_words() if common_words is None else common_words
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors: list[str] = []

    version = str(raw.get("version", ""))
    if not VERSION_RE.match(version):
        errors.append(f"version {version!r} must look like YYYY.MM.N")

    categories: dict[str, tuple[str, str]] = {}
    for key, value in (raw.get("categories") or {}).items():
        name, description = (value or {}).get("name"), (value or {}).get("description")
        if not SLUG_RE.match(str(key)) or not name or not description:
            errors.append(f"category {key!r} needs a slug key, a name and a description")
        categories[str(key)] = (str(name), str(description))

    skills: dict[str, Skill] = {}
    aliases: dict[str, Alias] = {}

    def add_alias(alias: Alias) -> None:
        if not ALIAS_RE.match(alias.alias):
            errors.append(f"{alias.skill_id}: alias {alias.alias!r} is not lower case, single spaced")
        elif alias.alias in aliases:
            other = aliases[alias.alias].skill_id
            errors.append(f"{alias.skill_id}: alias {alias.alias!r} already defined for {other}")
        elif alias.match_rule == "any" and alias.alias in common_words:
            errors.append(
                f"{alias.skill_id}: alias {alias.alias!r} is a common English word;"
                " flag it case_sensitive or needs_context"
            )
        else:
            aliases[alias.alias] = alias

    for entry in raw.get("skills") or []:
        skill_id = str(entry.get("id", ""))
        name = str(entry.get("name", "")).strip()
        category = str(entry.get("category", ""))
        rule = str(entry.get("rule", "any"))
        if not SLUG_RE.match(skill_id):
            errors.append(f"skill id {skill_id!r} is not a slug")
            continue
        if skill_id in skills:
            errors.append(f"skill id {skill_id!r} is defined twice")
            continue
        if not name or category not in categories or rule not in MATCH_RULES:
            errors.append(f"{skill_id}: needs a name, a known category and a rule in {MATCH_RULES}")
            continue
        onet_names = tuple(str(n) for n in entry.get("onet") or ())
        is_field = entry.get("field")
        if is_field not in (None, True, False):
            errors.append(f"{skill_id}: field must be true or false")
            continue
        if is_field is None:
            is_field = category not in NAMED_CATEGORIES and bool(FIELD_NAME_RE.match(name))
        skills[skill_id] = Skill(skill_id, name, category, onet_names, is_field)
        add_alias(Alias(normalise(name), skill_id, rule, "" if rule == "any" else name, "name"))
        for alias in entry.get("aliases") or []:
            alias = str(alias)
            if alias != normalise(alias):
                errors.append(f"{skill_id}: alias {alias!r} must be written lower case, single spaced")
            add_alias(Alias(normalise(alias), skill_id, "any", "", "curated"))
        for case_form, cased_rule in (entry.get("cased") or {}).items():
            case_form = clean_case(str(case_form))
            if cased_rule not in ("case_sensitive", "needs_context"):
                errors.append(f"{skill_id}: cased alias {case_form!r} needs case_sensitive or needs_context")
                continue
            add_alias(Alias(normalise(case_form), skill_id, str(cased_rule), case_form, "curated"))

    exclusions = {
        source: frozenset(str(x) for x in (raw.get("source_exclusions") or {}).get(source) or ())
        for source in ("onet", "esco", "linguist")
    }
    reject = frozenset(normalise(str(a)) for a in raw.get("reject_aliases") or ())
    if errors:
        raise TaxonomyError("curated.yml is invalid:\n  " + "\n  ".join(errors))
    return Curated(version, categories, skills, aliases, reject, exclusions)


# ----------------------------------------------------------------------------- sources


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def load_sources(shared: Path) -> Sources:
    """Read the three vocabularies from shared/; fail with a clear message if absent."""
    paths = {
        key: shared / rel
        for key, rel in (("onet", ONET_FILE), ("esco", ESCO_FILE), ("linguist", LINGUIST_FILE))
    }
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise TaxonomyError(
            "the open vocabularies needed to rebuild the skill taxonomy are missing:\n  "
            + "\n  ".join(missing)
            + "\nThey live in shared/data/taxonomies (O*NET 29.3, ESCO 1.2, GitHub Linguist); pass"
            " --shared PATH. The committed seeds in dbt_project/seeds are what the product uses and"
            " stay valid without them."
        )
    raw = {key: path.read_bytes() for key, path in paths.items()}

    onet: dict[str, OnetExample] = defaultdict(OnetExample)
    reader = csv.DictReader(io.StringIO(raw["onet"].decode("utf-8")), delimiter="\t")
    for row in reader:
        example = onet[clean_case(row["Example"])]
        example.titles[clean_case(row["Commodity Title"])] += 1
        example.hot = example.hot or row["Hot Technology"].strip().upper() == "Y"

    esco = []
    for row in csv.DictReader(io.StringIO(raw["esco"].decode("utf-8"))):
        alts = [a.strip() for a in re.split(r"\s*\|\s*|\n", row.get("altLabels") or "") if a.strip()]
        esco.append((row["preferredLabel"].strip(), alts))
    esco.sort(key=lambda item: item[0])

    languages = yaml.safe_load(raw["linguist"].decode("utf-8"))
    linguist, file_names = [], set()
    for name, attrs in sorted(languages.items()):
        attrs = attrs or {}
        linguist.append((str(name), [str(a) for a in attrs.get("aliases") or ()]))
        for ext in attrs.get("extensions") or ():
            file_names.add(str(ext).lower().lstrip("."))
        for filename in attrs.get("filenames") or ():
            file_names.add(str(filename).lower().lstrip("."))

    built_from = (
        f"O*NET 29.3 Technology Skills (sha256 {_digest(raw['onet'])}); "
        f"ESCO 1.2 digital skills collection (sha256 {_digest(raw['esco'])}); "
        f"GitHub Linguist languages.yml (sha256 {_digest(raw['linguist'])})"
    )
    return Sources(dict(onet), esco, linguist, frozenset(file_names), built_from)


# ----------------------------------------------------------------------------- matching


def resolve(aliases: dict[str, Alias], label: str) -> str | None:
    """Skill named by a source label, honouring the alias's ambiguity rule.

    A flagged alias only matches its exact case form, so O*NET's "Go" links to Go but
    ESCO's "SPARK" (an Ada dialect) does not link to Apache Spark.
    """
    alias = aliases.get(normalise(label))
    if alias is None:
        return None
    if alias.match_rule != "any" and clean_case(label) != alias.case_form:
        return None
    return alias.skill_id


def onet_candidates(example: str) -> list[str]:
    """Names to try for an O*NET example, most literal first.

    O*NET prefixes vendors and runs acronyms into names: "Amazon Elastic Compute Cloud EC2",
    "Structured query language SQL", "Google Compute Engine (GCE)".
    """
    text = clean_case(example)
    candidates = [text]
    trailing = None
    match = QUALIFIER_RE.match(text)
    if match:
        text, trailing = match.group(1), match.group(2).strip()
        candidates.append(text)
    for suffix in ONET_SUFFIXES:
        if text.lower().endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            candidates.append(text)
    stages = [text]
    while True:
        for vendor in ONET_VENDORS:
            if text.startswith(vendor + " "):
                text = text[len(vendor) + 1 :]
                stages.append(text)
                break
        else:
            break
    candidates += stages
    for stage in stages:
        words = stage.split()
        if len(words) < 2 or not ACRONYM_RE.match(words[-1]):
            continue
        if abbreviates(words[-1], words[:-1]):
            candidates += [" ".join(words[:-1]), words[-1]]
        elif stage is stages[-1] and len(words) >= 3:
            # "Hypertext markup language HTML": the expansion alone may still be a known name,
            # but "Oracle HRIS" must not fall back to "Oracle".
            candidates.append(" ".join(words[:-1]))
    if trailing and abbreviates(trailing, text.split()):
        candidates.append(trailing)
    return list(dict.fromkeys(candidates))


def link_onet(curated: Curated, onet: dict[str, OnetExample]) -> None:
    explicit = {name: skill.skill_id for skill in curated.skills.values() for name in skill.onet_names}
    unknown = sorted(name for name in explicit if name not in onet)
    if unknown:
        raise TaxonomyError("curated `onet` names not found in O*NET: " + ", ".join(unknown))
    for example in sorted(onet):
        if example in curated.exclusions["onet"]:
            continue
        skill_id = explicit.get(example)
        if skill_id is None:
            skill_id = next(
                (s for s in (resolve(curated.aliases, c) for c in onet_candidates(example)) if s), None
            )
        if skill_id:
            curated.skills[skill_id].onet_examples.append(example)


def is_name_like(candidate: str, anchors: Iterable[str]) -> bool:
    """True if a source alias is a spelling of the skill, not a neighbour of it.

    Accepted: the label contains a known name as whole words ("ms sql server" for "sql server"),
    extends an identifier by at most a few characters ("golang", "python3", "csharp" for "c#"),
    or is an acronym / expansion of a known name ("cascading style sheets" for "css").
    """
    tokens = candidate.split()
    squashed = squash(candidate)
    for anchor in anchors:
        anchor_tokens = anchor.split()
        if len(anchor) >= 2:
            n = len(anchor_tokens)
            if any(tokens[i : i + n] == anchor_tokens for i in range(len(tokens) - n + 1)):
                return True
        sq_anchor = squash(anchor)
        if len(sq_anchor) >= 2 and squashed.startswith(sq_anchor):
            if len(squashed) - len(sq_anchor) <= MAX_PREFIX_REMAINDER:
                return True
        if (
            len(tokens) >= 2
            and len(anchor_tokens) == 1
            and len(sq_anchor) >= 2
            and initials(candidate) == sq_anchor
        ):
            return True
        if len(anchor_tokens) >= 2 and len(tokens) == 1 and initials(anchor) == squashed:
            return True
    return False


def rejection_reason(
    raw: str,
    skill_id: str,
    curated: Curated,
    anchors: list[str],
    common_words: frozenset[str],
    file_names: frozenset[str],
) -> str | None:
    """Filter rules for harvested aliases (documented in README.md); None means accept."""
    alias = normalise(strip_qualifier(raw))
    existing = curated.aliases.get(alias)
    if existing is not None:
        return "duplicate" if existing.skill_id == skill_id else f"collides with {existing.skill_id}"
    if len(alias) < MIN_HARVEST_LEN:
        return "shorter than 3 characters"
    if not ALIAS_RE.match(alias) or not re.search(r"[a-z]", alias):
        return "unsupported characters"
    if alias in curated.reject_aliases:
        return "rejected by curator"
    if " " not in clean_case(raw) and clean_case(raw).isupper() and len(alias) <= 5:
        return "upper-case acronym; only a curator can give it a case rule"
    if alias in common_words:
        return "common English word"
    if alias in file_names:
        return "file extension or file name"
    if any(token in DESCRIPTOR_WORDS for token in alias.split()):
        return "describes the skill, not a name"
    if not is_name_like(alias, anchors):
        return "not a spelling of the skill name"
    return None


def harvest(
    curated: Curated,
    sources: Sources,
    common_words: frozenset[str],
) -> tuple[list[Alias], HarvestLog]:
    """Link ESCO and Linguist records to skills and collect their safe extra aliases."""
    log = HarvestLog()
    anchors: dict[str, list[str]] = defaultdict(list)
    for alias in curated.aliases.values():
        anchors[alias.skill_id].append(alias.alias)
    proposals: dict[str, set[tuple[str, str]]] = defaultdict(set)  # alias -> {(skill, source)}

    def propose(skill_id: str, raw: str, source: str) -> None:
        reason = rejection_reason(
            raw, skill_id, curated, anchors[skill_id], common_words, sources.linguist_file_names
        )
        alias = normalise(strip_qualifier(raw))
        if reason is None:
            proposals[alias].add((skill_id, source))
        elif reason != "duplicate":
            log.rejected.append((alias, skill_id, source, reason))

    for preferred, alts in sources.esco:
        if preferred in curated.exclusions["esco"]:
            continue
        skill_id = resolve(curated.aliases, strip_qualifier(preferred))
        if skill_id:
            # A concept that is itself a skill speaks only for that skill.
            curated.skills[skill_id].in_esco = True
            for alt in alts:
                propose(skill_id, alt, "esco")
            continue
        for alt in alts:
            other = resolve(curated.aliases, strip_qualifier(alt))
            if other:
                curated.skills[other].in_esco = True

    for name, aliases in sources.linguist:
        if name in curated.exclusions["linguist"]:
            continue
        skill_id = resolve(curated.aliases, name)
        if skill_id:
            curated.skills[skill_id].in_linguist = True
            for alias in aliases:
                propose(skill_id, alias, "linguist")

    harvested = []
    for alias in sorted(proposals):
        owners = {skill for skill, _ in proposals[alias]}
        sources_seen = {source for _, source in proposals[alias]}
        if len(owners) > 1:
            for skill, source in sorted(proposals[alias]):
                log.rejected.append((alias, skill, source, "harvested for several skills"))
            continue
        source = "esco" if "esco" in sources_seen else "linguist"
        skill_id = owners.pop()
        harvested.append(Alias(alias, skill_id, "any", "", source))
        log.accepted.append((alias, skill_id, source))
    return harvested, log


# ----------------------------------------------------------------------------- rendering


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _csv(header: list[str], rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def commodity_title(skill: Skill, onet: dict[str, OnetExample]) -> str:
    """Most frequent O*NET commodity title over the skill's linked examples (ties: by name)."""
    titles: Counter = Counter()
    for example in skill.onet_examples:
        titles.update(onet[example].titles)
    if not titles:
        return ""
    return min(titles.items(), key=lambda item: (-item[1], item[0]))[0]


def seeds_yml(categories: list[str]) -> str:
    """dbt properties for the four seeds; generated so accepted_values follow curated.yml."""

    def col(name: str, description: str, tests: list | None = None) -> dict:
        column: dict = {"name": name, "description": description}
        if tests:
            column["data_tests"] = tests
        return column

    def accepted(values: list[str]) -> dict:
        return {"accepted_values": {"arguments": {"values": values}}}

    skills_ref = {"relationships": {"arguments": {"to": f"ref('{SKILLS_SEED}')", "field": "skill_id"}}}
    category_ref = {"relationships": {"arguments": {"to": f"ref('{CATEGORIES_SEED}')", "field": "category"}}}
    provenance = "True if {} names the skill (see orchestration/taxonomy/README.md for the matching rules)."
    doc = {
        "version": 2,
        "seeds": [
            {
                "name": SKILLS_SEED,
                "description": (
                    "One row per skill of the curated skill taxonomy, with provenance flags from the"
                    " open vocabularies it was checked against. Built by"
                    " orchestration/taxonomy/build_skill_taxonomy.py; do not edit by hand. Derived"
                    " from O*NET 29.3 (USDOL/ETA, CC BY 4.0), ESCO (European Commission) and GitHub"
                    " Linguist (MIT)."
                ),
                "config": {
                    "quote_columns": False,
                    "column_types": {
                        "skill_id": "text",
                        "skill_name": "text",
                        "category": "text",
                        "is_field": "boolean",
                        "is_hot_technology": "boolean",
                        "onet_commodity_title": "text",
                        "in_onet": "boolean",
                        "in_esco": "boolean",
                        "in_linguist": "boolean",
                        "taxonomy_version": "text",
                    },
                },
                "columns": [
                    col(
                        "skill_id",
                        "Stable slug of the skill (e.g. cpp, csharp, dotnet, ci_cd); never reused.",
                        ["unique", "not_null"],
                    ),
                    col("skill_name", "Display name (e.g. C++, Node.js).", ["not_null"]),
                    col(
                        "category",
                        "Skill category, see skill_taxonomy_categories.",
                        ["not_null", accepted(categories), category_ref],
                    ),
                    col(
                        "is_field",
                        "True for a field or practice named in ordinary words (Big data, Unit testing,"
                        " Microservices), false for a named technology or product; the extractor"
                        " ignores fields in sentences where the company describes itself.",
                        ["not_null"],
                    ),
                    col(
                        "is_hot_technology",
                        "True if O*NET flags a linked example as a Hot Technology.",
                        ["not_null"],
                    ),
                    col(
                        "onet_commodity_title",
                        "Most frequent O*NET commodity title of the linked examples; null if not in O*NET.",
                    ),
                    col(
                        "in_onet", provenance.format("an O*NET 29.3 Technology Skills example"), ["not_null"]
                    ),
                    col("in_esco", provenance.format("an ESCO 1.2 digital skill label"), ["not_null"]),
                    col("in_linguist", provenance.format("a GitHub Linguist language name"), ["not_null"]),
                    col("taxonomy_version", "Taxonomy release the row belongs to.", ["not_null"]),
                ],
            },
            {
                "name": ALIASES_SEED,
                "description": (
                    "Surface forms the skill extractor matches, one skill per alias. Lower case,"
                    " single spaced; the extractor tokenises them like posting text."
                ),
                "config": {
                    "quote_columns": False,
                    "column_types": {
                        "alias": "text",
                        "skill_id": "text",
                        "match_rule": "text",
                        "case_form": "text",
                        "alias_source": "text",
                    },
                },
                "columns": [
                    col(
                        "alias", "Lower-case surface form (e.g. c++, node.js, ci/cd).", ["unique", "not_null"]
                    ),
                    col("skill_id", "Skill the alias names.", ["not_null", skills_ref]),
                    col(
                        "match_rule",
                        "any: match the lower-case form; case_sensitive: the text must spell case_form"
                        " exactly; needs_context: case_form exactly and another technical skill nearby.",
                        ["not_null", accepted(list(MATCH_RULES))],
                    ),
                    col(
                        "case_form",
                        "Original-case spelling required by case_sensitive and needs_context (e.g. R, Go,"
                        " REST); null for any.",
                    ),
                    col(
                        "alias_source",
                        "name: the skill name; curated: curated.yml; esco / linguist: harvested from that"
                        " vocabulary under the filter rules.",
                        ["not_null", accepted(list(ALIAS_SOURCES))],
                    ),
                ],
            },
            {
                "name": CATEGORIES_SEED,
                "description": "The fixed vocabulary of skill categories.",
                "config": {
                    "quote_columns": False,
                    "column_types": {"category": "text", "category_name": "text", "description": "text"},
                },
                "columns": [
                    col("category", "Category slug.", ["unique", "not_null"]),
                    col("category_name", "Display name.", ["not_null"]),
                    col("description", "What belongs in the category.", ["not_null"]),
                ],
            },
            {
                "name": VERSION_SEED,
                "description": "One row describing the taxonomy release and the source files it was built from.",
                "config": {
                    "quote_columns": False,
                    "column_types": {
                        "taxonomy_version": "text",
                        "built_from": "text",
                        "skill_count": "integer",
                        "alias_count": "integer",
                    },
                },
                "columns": [
                    col("taxonomy_version", "Release of the taxonomy (YYYY.MM.N).", ["unique", "not_null"]),
                    col(
                        "built_from",
                        "Source vocabularies and a sha256 prefix of each file used.",
                        ["not_null"],
                    ),
                    col("skill_count", "Rows in skill_taxonomy_skills.", ["not_null"]),
                    col("alias_count", "Rows in skill_taxonomy_aliases.", ["not_null"]),
                ],
            },
        ],
    }
    header = (
        "# Generated by orchestration/taxonomy/build_skill_taxonomy.py; edit the builder, not this file.\n"
    )
    return header + yaml.dump(doc, Dumper=_IndentedDumper, sort_keys=False, width=100, allow_unicode=True)


def build(
    shared: Path,
    curated_path: Path = CURATED_PATH,
    common_words_path: Path = COMMON_WORDS_PATH,
) -> tuple[dict[str, str], HarvestLog]:
    """Build every seed file in memory: {file name: content}."""
    common_words = load_common_words(common_words_path)
    curated = load_curated(curated_path, common_words)
    sources = load_sources(shared)
    link_onet(curated, sources.onet)
    harvested, log = harvest(curated, sources, common_words)
    aliases = sorted([*curated.aliases.values(), *harvested], key=lambda a: a.alias)

    skills_rows = []
    for skill in sorted(curated.skills.values(), key=lambda s: s.skill_id):
        in_onet = bool(skill.onet_examples)
        skills_rows.append(
            [
                skill.skill_id,
                skill.name,
                skill.category,
                _bool(skill.is_field),
                _bool(any(sources.onet[e].hot for e in skill.onet_examples)),
                commodity_title(skill, sources.onet),
                _bool(in_onet),
                _bool(skill.in_esco),
                _bool(skill.in_linguist),
                curated.version,
            ]
        )
    files = {
        f"{SKILLS_SEED}.csv": _csv(
            [
                "skill_id",
                "skill_name",
                "category",
                "is_field",
                "is_hot_technology",
                "onet_commodity_title",
                "in_onet",
                "in_esco",
                "in_linguist",
                "taxonomy_version",
            ],
            skills_rows,
        ),
        f"{ALIASES_SEED}.csv": _csv(
            ["alias", "skill_id", "match_rule", "case_form", "alias_source"],
            ([a.alias, a.skill_id, a.match_rule, a.case_form, a.source] for a in aliases),
        ),
        f"{CATEGORIES_SEED}.csv": _csv(
            ["category", "category_name", "description"],
            ([key, *curated.categories[key]] for key in sorted(curated.categories)),
        ),
        f"{VERSION_SEED}.csv": _csv(
            ["taxonomy_version", "built_from", "skill_count", "alias_count"],
            [[curated.version, sources.built_from, str(len(skills_rows)), str(len(aliases))]],
        ),
        SEEDS_YML: seeds_yml(sorted(curated.categories)),
    }
    return files, log


# ----------------------------------------------------------------------------- CLI


def check(files: dict[str, str], out: Path) -> list[str]:
    """Differences between a fresh build and the files in `out`, as printable lines."""
    problems = []
    for name, content in sorted(files.items()):
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        if current is None:
            problems.append(f"{path}: missing")
            continue
        diff = difflib.unified_diff(
            current.splitlines(),
            content.splitlines(),
            f"committed/{name}",
            f"rebuilt/{name}",
            lineterm="",
            n=0,
        )
        lines = list(diff)
        problems.append(f"{path}: differs from a fresh build ({len(lines)} diff lines)")
        problems += ["    " + line for line in lines[:20]]
    return problems


def print_report(files: dict[str, str], log: HarvestLog) -> None:
    print("harvested aliases:")
    for alias, skill_id, source in log.accepted:
        print(f"  + {alias!r} -> {skill_id} ({source})")
    print("rejected source aliases:")
    for alias, skill_id, source, reason in sorted(log.rejected, key=lambda r: (r[3], r[0])):
        print(f"  - {alias!r} for {skill_id} ({source}): {reason}")
    skills = list(csv.DictReader(io.StringIO(files[f"{SKILLS_SEED}.csv"])))
    for flag in ("in_onet", "in_esco", "in_linguist"):
        missing = [s["skill_id"] for s in skills if s[flag] == "false"]
        print(f"not {flag} ({len(missing)}): {' '.join(missing)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=DEFAULT_SHARED,
        help="shared/ folder holding data/taxonomies (default: <repo>/../shared)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="seed folder (default: dbt_project/seeds)"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the seeds in --out differ from a fresh build"
    )
    parser.add_argument("--report", action="store_true", help="print harvest decisions and provenance gaps")
    args = parser.parse_args(argv)
    try:
        files, log = build(args.shared)
    except TaxonomyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.report:
        print_report(files, log)
    if args.check:
        problems = check(files, args.out)
        if problems:
            print(
                "skill taxonomy seeds are stale; rebuild with `python -m orchestration.taxonomy.build_skill_taxonomy`:",
                file=sys.stderr,
            )
            print("\n".join(problems), file=sys.stderr)
            return 1
        print(f"skill taxonomy seeds in {args.out} are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, content in sorted(files.items()):
        (args.out / name).write_text(content, encoding="utf-8")
    counts = files[f"{VERSION_SEED}.csv"].splitlines()[1].rsplit(",", 2)
    print(f"wrote {len(files)} seed files to {args.out}: {counts[1]} skills, {counts[2]} aliases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
