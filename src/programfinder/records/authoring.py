"""Writing a new record file: the one place the library writes into a corpus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import CorpusError
from .awards import AWARD_NAMES, award_slug, slugify
from .checks import ID_PATTERN
from .corpus import is_shipped_corpus, record_files
from .parse import load_vocabulary, parse_record_text
from .problems import Problem, display_path
from .program import Outcome

# Long agency words shortened in ids, as in the published id scheme (denver-pd, maricopa-county-so).
_AGENCY_ABBREVIATIONS = {
    "police-department": "pd",
    "police-dept": "pd",
    "sheriff-s-office": "so",
    "sheriffs-office": "so",
    "sheriff-s-department": "sd",
}


@dataclass(frozen=True)
class NewRecord:
    """What a user supplies for a new program record."""

    title: str
    agency: str
    country: str
    award: str
    award_year: int
    body: str
    city: str | None = None
    region: str | None = None
    category: str | None = None
    division: str | None = None
    problem: Sequence[str] = ()
    tactics: Sequence[str] = ()
    partners: Sequence[str] = ()
    outcomes: Sequence[Outcome] = ()
    started: int | None = None
    source_url: str | None = None
    id: str | None = None


def agency_slug(agency: str) -> str:
    """The agency part of an id: ``"Denver Police Department"`` -> ``"denver-pd"``."""
    slug = slugify(agency)
    for long, short in _AGENCY_ABBREVIATIONS.items():
        slug = slug.replace(long, short)
    if slug.startswith("the-"):
        slug = slug[4:]
    return slug


def suggested_id(record: NewRecord) -> str:
    """``<award-slug>-<year>-<agency-slug>``, the corpus id scheme."""
    return f"{award_slug(record.award)}-{record.award_year}-{agency_slug(record.agency)}"


def render_record(record: NewRecord, record_id: str) -> str:
    """The text of a record file: YAML front matter in the documented order, then the description."""
    award = AWARD_NAMES.get(record.award, record.award)  # accept a slug for a known award
    fields: dict[str, Any] = {"id": record_id, "title": record.title, "agency": record.agency}
    optional: dict[str, Any] = {
        "city": record.city,
        "region": record.region,
    }
    fields.update({k: v for k, v in optional.items() if v})
    fields.update({"country": record.country, "award": award, "award_year": record.award_year})
    for key, value in (("category", record.category), ("division", record.division)):
        if value:
            fields[key] = value
    fields["problem"] = list(record.problem)
    fields["tactics"] = list(record.tactics)
    fields["partners"] = list(record.partners)
    fields["outcomes"] = [{"measure": o.measure, "value": o.value} for o in record.outcomes]
    if record.started:
        fields["started"] = record.started
    if record.source_url:
        fields["source_url"] = record.source_url
    front = yaml.safe_dump(
        fields, sort_keys=False, allow_unicode=True, default_flow_style=None, width=1_000
    )
    return f"---\n{front}---\n{record.body.strip()}\n"


def add_record(corpus_root: Path, record: NewRecord) -> tuple[Path, list[Problem]]:
    """Write ``record`` as a new file in ``corpus_root``; return its path and any warnings.

    The file goes to ``<corpus>/<award-slug>/<id>.md``. Nothing is written when the record has
    errors, when its id is already used anywhere in the corpus, or when the file exists: an
    existing record is never overwritten.
    """
    if is_shipped_corpus(corpus_root):
        raise CorpusError(
            "The shipped corpus is part of the installed package and would be lost on upgrade. "
            "Add records to a folder of your own: pass --corpus PATH (or set PROGRAMFINDER_CORPUS)."
        )
    record_id = record.id or suggested_id(record)
    if not ID_PATTERN.match(record_id):
        raise CorpusError(
            f"'{record_id}' is not a valid id: use lower-case letters, digits and hyphens only."
        )
    folder = corpus_root / award_slug(AWARD_NAMES.get(record.award, record.award))
    target = folder / f"{record_id}.md"
    if corpus_root.is_dir():
        for existing in record_files(corpus_root):
            if existing.stem == record_id:
                raise CorpusError(
                    f"A record with id '{record_id}' already exists: {display_path(existing)}. "
                    "Nothing was written. Choose another id with --id (e.g. add a program slug)."
                )
    text = render_record(record, record_id)
    vocabulary, _ = load_vocabulary(corpus_root)
    program, problems = parse_record_text(text, target, vocabulary)
    errors = [p for p in problems if p.severity == "error"]
    if program is None or errors:
        details = "; ".join(f"{p.field or 'record'}: {p.message}" for p in errors)
        raise CorpusError(f"The new record has problems, nothing was written: {details}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError as exc:
        raise CorpusError(f"{display_path(target)} already exists. Nothing was written.") from exc
    except OSError as exc:
        raise CorpusError(f"Cannot write {display_path(target)}: {exc.strerror or exc}.") from exc
    return target, [p for p in problems if p.severity == "warning"]
