"""What the `card` command shows: cards as plain data, as text and as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import Card, Finding
from .textstyle import Styler, clean


@dataclass(frozen=True)
class CardError:
    """A reference that could not be read, and why."""

    reference: str
    kind: str
    message: str


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding as JSON-ready data."""
    location = finding.location
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "subject": finding.subject,
        "location": (
            {"path": location.path, "line": location.line, "key": location.key}
            if location
            else None
        ),
        "clause": finding.clause,
        "license": finding.license_id,
        "hint": finding.hint,
        "waiver": finding.waiver,
    }


def card_to_dict(card: Card) -> dict[str, Any]:
    """A card as JSON-ready data, in a stable key order."""
    declaration = card.declaration
    return {
        "reference": str(card.ref),
        "kind": card.ref.kind,
        "id": card.repo_id,
        "revision": card.ref.revision,
        "sha": card.sha,
        "source": card.source,
        "gated": card.gated,
        "last_modified": card.last_modified,
        "has_metadata": card.has_metadata,
        "license": {
            "values": list(declaration.values),
            "shape": declaration.shape,
            "key": declaration.key,
            "license_name": declaration.license_name,
            "license_link": declaration.license_link,
            "link_file": declaration.link_file,
            "gated_prompt": declaration.gated_prompt is not None,
            "license_tags": list(declaration.license_tags),
            "lines": dict(sorted(declaration.lines.items())),
        },
        "base_models": [
            {"id": b.repo_id, "relation": b.relation, "source": b.source} for b in card.base_models
        ],
        "datasets": list(card.datasets),
        "license_files": list(card.license_files),
        "readme": card.readme_path,
        "findings": [finding_to_dict(f) for f in card.findings],
    }


def render_json(cards: Sequence[Card], errors: Sequence[CardError]) -> str:
    """The `card` command's JSON document."""
    document = {
        "cards": [card_to_dict(c) for c in cards],
        "errors": [
            {"reference": e.reference, "error": e.kind, "message": e.message} for e in errors
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_text(cards: Sequence[Card], errors: Sequence[CardError], style: Styler) -> str:
    """The `card` command's text output, one block per card."""
    blocks = [_card_text(card, style) for card in cards]
    blocks += [
        f"{style.bold(clean(e.reference))}\n  {style.red('error')}  {clean(e.message)}\n"
        for e in errors
    ]
    return "\n".join(blocks)


def _card_text(card: Card, style: Styler) -> str:
    declaration = card.declaration
    rows: list[tuple[str, str]] = []
    if card.ref.path is None:
        revision = card.sha or "unknown commit"
        if card.ref.revision and card.ref.revision != card.sha:
            revision += f" ({card.ref.revision})"
        elif not card.ref.revision:
            revision += " (main)"
        rows.append(("revision", revision))
    rows.append(("source", _SOURCES.get(card.source, card.source)))
    if card.ref.path is None:
        rows.append(("gated", _gated_text(card.gated)))
    if not card.has_metadata:
        rows.append(("metadata", "none (no YAML front matter in README.md)"))
    license_text = ", ".join(declaration.values) or "-"
    if declaration.shape not in ("string", "missing"):
        license_text += f"  [{declaration.shape}]"
    if declaration.key == "licenses":
        license_text += "  [written as 'licenses:']"
    line = declaration.lines.get(declaration.key or "license")
    if line:
        license_text += f"  ({card.readme_path}:{line})"
    rows.append(("license", license_text))
    rows.append(("license_name", declaration.license_name or "-"))
    link = declaration.license_link or "-"
    if declaration.link_file and declaration.link_file != declaration.license_link:
        link += f"  (file {declaration.link_file})"
    rows.append(("license_link", link))
    if declaration.gated_prompt:
        rows.append(("gating prompt", _shorten(declaration.gated_prompt)))
    if declaration.license_tags:
        rows.append(("license tags", ", ".join(declaration.license_tags)))
    bases = [
        f"{b.repo_id} ({', '.join(x for x in (b.relation, 'from ' + b.source) if x)})"
        for b in card.base_models
    ]
    rows.append(("base models", "; ".join(bases) or "-"))
    rows.append(("datasets", ", ".join(card.datasets) or "-"))
    rows.append(("license files", ", ".join(card.license_files) or "-"))
    if card.last_modified:
        rows.append(("last modified", card.last_modified))
    width = max(len(label) for label, _ in rows)
    lines = [style.bold(clean(card.label))]
    lines += [f"  {label.ljust(width)}  {clean(value)}" for label, value in rows]
    for finding in card.findings:
        where = f"{finding.location}: " if finding.location else ""
        lines.append(
            f"  {clean(where)}{style.severity(finding.severity)} {finding.code}: "
            f"{clean(finding.message)}"
        )
        if finding.hint:
            lines.append(f"    hint: {clean(finding.hint)}")
    return "\n".join(lines) + "\n"


_SOURCES = {
    "hub-api": "Hub API (server-side card data)",
    "hub-readme": "Hub README.md (the API had no card data)",
    "local": "local README.md",
}


def _gated_text(gated: str | None) -> str:
    if gated is None:
        return "no"
    return f"{gated}: accept the terms on the Hub before downloading files"


def _shorten(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
