"""Frozen dataclasses passed between the pipeline stages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; the rules may override it."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# Catalog entries that stand for "not a known license" rather than naming one.
PLACEHOLDERS = frozenset({"other", "unknown"})


@dataclass(frozen=True)
class Location:
    """A place in a file: the file, and where known the line and key."""

    path: str
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Finding:
    """One result: stable code, severity, message, evidence and a fix hint."""

    code: str
    severity: Severity
    message: str
    subject: str
    location: Location | None = None
    clause: str | None = None
    hint: str | None = None
    license_id: str | None = None
    waiver: str | None = None


@dataclass(frozen=True)
class ModelRef:
    """A model (or dataset) on the Hub at a revision, or a local folder or README.md."""

    repo_id: str | None = None
    revision: str | None = None
    path: str | None = None
    kind: str = "model"
    # Where the reference was listed (an inventory file or a scanned source line), if anywhere.
    origin: Location | None = field(default=None, compare=False)
    # Intended uses given for this model alone in an inventory (taxonomy ids).
    uses: tuple[str, ...] = field(default=(), compare=False)
    # What the inventory could not tell about this reference (a revision given by a variable in
    # scanned code, say), so that the run can say what it did not check.
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_local(self) -> bool:
        """True for a local folder or README.md."""
        return self.path is not None

    def __str__(self) -> str:
        if self.path is not None:
            return self.path
        name = self.repo_id or "?"
        if self.kind == "dataset":
            name = f"datasets/{name}"
        return f"{name}@{self.revision}" if self.revision else name


@dataclass(frozen=True)
class LicenseDeclaration:
    """What a card claims about its license, as written, with the lines it was read from."""

    values: tuple[str, ...] = ()
    shape: str = "missing"
    key: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    link_file: str | None = None
    gated_prompt: str | None = None
    # `license:<id>` tags, as written: the card's own first, then those of the Hub's answer.
    license_tags: tuple[str, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BaseModel:
    """A parent named by a card, the API, a tag or an adapter config."""

    repo_id: str
    relation: str | None = None
    source: str = "card"


@dataclass(frozen=True)
class Card:
    """What the Hub (or a local folder) says about one model at one revision."""

    ref: ModelRef
    source: str
    repo_id: str | None = None
    sha: str | None = None
    gated: str | None = None
    last_modified: str | None = None
    declaration: LicenseDeclaration = field(default_factory=LicenseDeclaration)
    base_models: tuple[BaseModel, ...] = ()
    datasets: tuple[str, ...] = ()
    license_files: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    readme_path: str = "README.md"
    has_metadata: bool = False
    findings: tuple[Finding, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        """The name a user sees for this card."""
        return self.repo_id or str(self.ref)


@dataclass(frozen=True)
class Evidence:
    """Where a license was read: the field or file, what it said, and its line."""

    source: str
    raw: str
    line: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class LicenseTerm:
    """One license that applies; `any_of` holds several ids when the card offers a choice (OR)."""

    any_of: tuple[str, ...]
    evidence: Evidence
    confidence: str
    note: str | None = None

    @property
    def known(self) -> bool:
        """True when the term resolved to at least one catalog license."""
        return bool(self.any_of)

    def label(self) -> str:
        """The term as it appears in an expression."""
        if not self.any_of:
            return f"unknown({self.evidence.raw})"
        if len(self.any_of) == 1:
            return self.any_of[0]
        return "(" + " OR ".join(self.any_of) + ")"


@dataclass(frozen=True)
class Conflict:
    """Two sources disagree about the license: contradictory card keys, or card against file."""

    kind: str
    message: str


@dataclass(frozen=True)
class Normalized:
    """Every license that applies to a card (all of them: AND), and what was odd on the way."""

    terms: tuple[LicenseTerm, ...]
    conflicts: tuple[Conflict, ...] = ()

    @property
    def expression(self) -> str:
        """The licenses as an expression over catalog ids; unknown ones keep their raw text."""
        return " AND ".join(t.label() for t in self.terms) if self.terms else "none"

    @property
    def status(self) -> str:
        """missing, unknown (something did not resolve, or only 'other'/'unknown') or resolved."""
        if not self.terms:
            return "missing"
        if all(t.known and not set(t.any_of) & PLACEHOLDERS for t in self.terms):
            return "resolved"
        return "unknown"

    @property
    def ids(self) -> tuple[str, ...]:
        """Every catalog id named by any term."""
        out: list[str] = []
        for term in self.terms:
            out += [i for i in term.any_of if i not in out]
        return tuple(out)


@dataclass(frozen=True)
class LineageNode:
    """One model in a lineage graph: its card and license, or why it could not be read."""

    repo_id: str
    depth: int
    card: Card | None = None
    license: Normalized | None = None
    problem: str | None = None

    @property
    def resolved_id(self) -> str:
        """The id the Hub answered with (differs from `repo_id` for a renamed repository)."""
        return self.card.repo_id or self.repo_id if self.card else self.repo_id


@dataclass(frozen=True)
class LineageEdge:
    """A child model derived from a parent, with the relation and where it was declared."""

    child: str
    parent: str
    relation: str | None
    source: str


@dataclass(frozen=True)
class Lineage:
    """The base-model graph of one subject (root first) and the datasets it was trained on."""

    root: str
    nodes: Mapping[str, LineageNode]
    edges: tuple[LineageEdge, ...] = ()
    datasets: tuple[LineageNode, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    truncated: tuple[str, ...] = ()

    def parents(self, repo_id: str) -> list[LineageEdge]:
        """Edges from a node to its parents."""
        return [e for e in self.edges if e.child == repo_id]

    def ancestors(self) -> list[LineageNode]:
        """Every node but the root, nearest first (breadth-first order)."""
        return sorted(
            (n for key, n in self.nodes.items() if key != self.root), key=lambda n: n.depth
        )


@dataclass(frozen=True)
class ModelResult:
    """The outcome for one model: its card, licenses, findings and verdict (pass/fail/error)."""

    ref: ModelRef
    verdict: str
    card: Card | None = None
    license: Normalized | None = None
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    lineage: Lineage | None = None
    effective: Normalized | None = None

    @property
    def label(self) -> str:
        """The name a user sees for this model."""
        return self.card.label if self.card else str(self.ref)


@dataclass(frozen=True)
class Report:
    """All results of one run, with the rules and settings that produced them."""

    results: tuple[ModelResult, ...]
    rules_source: str
    fail_on: Severity
    tool_version: str
    generated: str
    findings: tuple[Finding, ...] = ()

    def count(self, verdict: str) -> int:
        """How many models ended with this verdict."""
        return sum(1 for r in self.results if r.verdict == verdict)
