"""The JSON report: the documented, schema-validated form of a run (schemas/report.schema.json)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from ..cardview import card_to_dict, finding_to_dict
from ..catalog import Catalog, load_catalog
from ..inherit import effective_ids
from ..model import Lineage, LineageNode, ModelResult, Normalized, Report
from ..textstyle import Styler

SCHEMA_VERSION = 1


def license_to_dict(license: Normalized) -> dict[str, Any]:
    """A normalized license with its evidence."""
    return {
        "expression": license.expression,
        "status": license.status,
        "ids": list(license.ids),
        "terms": [
            {
                "any_of": list(term.any_of),
                "source": term.evidence.source,
                "raw": term.evidence.raw,
                "path": term.evidence.path,
                "line": term.evidence.line,
                "confidence": term.confidence,
                "note": term.note,
            }
            for term in license.terms
        ],
        "conflicts": [{"kind": c.kind, "message": c.message} for c in license.conflicts],
    }


def lineage_to_dict(lineage: Lineage, catalog: Catalog) -> dict[str, Any]:
    """The lineage as a graph: nodes with declared and effective licenses, edges with relations."""

    def node(item: LineageNode, effective: bool) -> dict[str, Any]:
        card = item.card
        return {
            "id": item.repo_id,
            "resolved_id": item.resolved_id if card else None,
            "sha": card.sha if card else None,
            "depth": item.depth,
            "gated": card.gated if card else None,
            "declared": item.license.expression if item.license else None,
            "effective": list(effective_ids(lineage, item.repo_id, catalog)) if effective else None,
            "problem": item.problem,
        }

    return {
        "root": lineage.root,
        "nodes": [node(n, True) for n in sorted(lineage.nodes.values(), key=lambda n: n.depth)],
        "edges": [
            {"child": e.child, "parent": e.parent, "relation": e.relation, "source": e.source}
            for e in lineage.edges
        ],
        "datasets": [node(d, False) for d in lineage.datasets],
        "cycles": [list(c) for c in lineage.cycles],
        "truncated": list(lineage.truncated),
    }


def result_to_dict(result: ModelResult) -> dict[str, Any]:
    """One model's result."""
    card = result.card
    findings = [finding_to_dict(f) | {"waived": f.waiver is not None} for f in result.findings]
    active = Counter(f.severity.value for f in result.findings if f.waiver is None)
    return {
        "reference": str(result.ref),
        "id": card.repo_id if card else result.ref.repo_id,
        "revision": result.ref.revision,
        "sha": card.sha if card else None,
        "verdict": result.verdict,
        "error": result.error,
        "license": license_to_dict(result.license) if result.license else None,
        "effective_license": license_to_dict(result.effective) if result.effective else None,
        "lineage": lineage_to_dict(result.lineage, load_catalog()) if result.lineage else None,
        "card": card_to_dict(card) if card else None,
        "findings": findings,
        "summary": {
            "error": active.get("error", 0),
            "warning": active.get("warning", 0),
            "info": active.get("info", 0),
            "waived": sum(1 for f in result.findings if f.waiver is not None),
        },
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """The whole report as JSON-ready data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "license-lint", "version": report.tool_version},
        "generated": report.generated,
        "rules": {"source": report.rules_source},
        "fail_on": report.fail_on.value,
        "summary": {
            "models": len(report.results),
            "pass": report.count("pass"),
            "fail": report.count("fail"),
            "error": report.count("error"),
        },
        "models": [result_to_dict(r) for r in report.results],
        "findings": [finding_to_dict(f) | {"waived": False} for f in report.findings],
    }


def render(report: Report, style: Styler) -> str:
    """The report as indented JSON."""
    del style
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
