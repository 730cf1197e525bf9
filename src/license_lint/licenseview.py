"""What the `licenses`, `explain` and `identify` commands show, as text and as JSON data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .catalog import Catalog, LicensePolicy
from .identify import Identification
from .textstyle import Styler, clean

_STATUS_WORDS = {
    "allowed": "yes",
    "conditional": "conditional",
    "forbidden": "no",
    "unclear": "unclear",
}

_PERMISSION_TEXT = {
    "commercial_use": "use it commercially",
    "derivatives": "make derivatives (fine-tunes, quantizations, merges)",
    "redistribution": "redistribute the weights",
    "hosted_service": "offer it as a hosted service",
    "train_on_outputs": "train other models on its outputs",
}

_PASS_THROUGH_TEXT = {
    "required": "derivatives and copies must carry the use restrictions to every recipient",
    "whole-license": "derivatives must be distributed under this same license",
    "no-conflict": "derivatives may use other terms that do not conflict with this license",
    "implicit": "recipients are bound through the license copy that must travel with the model",
    "share-alike": "adaptations must be shared under the same or a compatible license",
    "none": "nothing is passed on to recipients beyond the license's own notices",
    "unknown": "not known for this family as a whole",
}


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def licenses_data(catalog: Catalog) -> list[dict[str, Any]]:
    """One row per policy for `licenses`."""
    rows = []
    for policy in sorted(catalog.policies.values(), key=lambda p: p.id):
        commercial = policy.permissions.get("commercial_use")
        rows.append(
            {
                "id": policy.id,
                "name": policy.name,
                "kind": policy.kind,
                "family": policy.family,
                "category": policy.category,
                "spdx": policy.spdx,
                "commercial_use": commercial.status if commercial else None,
                "restrictions": len(policy.restrictions),
                "thresholds": len(policy.thresholds),
            }
        )
    return rows


def render_licenses(catalog: Catalog, fmt: str, style: Styler) -> str:
    """The catalog as a table, or as JSON."""
    rows = licenses_data(catalog)
    if fmt == "json":
        return _json({"licenses": rows})
    header = ("id", "family", "category", "commercial", "restr.", "name")
    table = [
        (
            r["id"],
            r["family"],
            r["category"] if r["kind"] == "license" else f"({r['kind']})",
            _STATUS_WORDS.get(r["commercial_use"] or "", "-"),
            str(r["restrictions"]),
            r["name"],
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *table]) for i in range(len(header) - 1)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)) + "  name"]
    lines[0] = style.bold(lines[0])
    for row in table:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]))
    lines.append(f"\n{len(rows)} license policies")
    return "\n".join(lines) + "\n"


def explain_data(policy: LicensePolicy, catalog: Catalog) -> dict[str, Any]:
    """The terms of one license grouped the way a reader asks about them."""
    may: list[dict[str, Any]] = []
    conditions: list[dict[str, Any]] = []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    for key, permission in policy.permissions.items():
        item = {
            "permission": key,
            "status": permission.status,
            "text": _PERMISSION_TEXT.get(key, key),
            "clause": permission.clause,
            "note": permission.note,
        }
        if permission.status == "forbidden":
            must_not.append(item)
        elif permission.status == "conditional":
            conditions.append(item)
        else:
            may.append(item)
    for threshold in policy.thresholds:
        conditions.append(
            {
                "threshold": threshold.metric,
                "limit": threshold.limit,
                "comparison": threshold.comparison,
                "anchor": threshold.anchor,
                "anchor_date": threshold.anchor_date,
                "includes_affiliates": threshold.includes_affiliates,
                "consequence": threshold.consequence,
                "clause": threshold.clause,
                "note": threshold.note,
            }
        )
    for rule in policy.geography:
        conditions.append(
            {
                "geography": rule.id,
                "region": rule.region,
                "models": rule.models,
                "effect": rule.effect,
                "clause": rule.clause,
                "note": rule.note,
                "text": catalog.taxonomy[rule.id].description
                if rule.id in catalog.taxonomy
                else None,
            }
        )
    for obligation in policy.obligations:
        must.append(
            {
                "obligation": obligation.id,
                "text": obligation.text,
                "applies_to": list(obligation.applies_to),
                "condition": obligation.condition,
                "clause": obligation.clause,
                "note": obligation.note,
            }
        )
    for restriction in policy.restrictions:
        entry = catalog.taxonomy.get(restriction.id)
        must_not.append(
            {
                "restriction": restriction.id,
                "text": entry.description if entry else restriction.id,
                "document": restriction.source or "the license",
                "clause": restriction.clause,
                "qualifier": restriction.qualifier,
                "note": restriction.note,
            }
        )
    return {
        "id": policy.id,
        "name": policy.name,
        "kind": policy.kind,
        "family": policy.family,
        "category": policy.category,
        "version": policy.version,
        "date": policy.date,
        "summary": policy.summary,
        "spdx": policy.spdx,
        "members": list(policy.members),
        "may": may,
        "conditions": conditions,
        "must": must,
        "must_not": must_not,
        "pass_through": policy.pass_through,
        "derivatives_inherit": policy.derivatives_inherit,
        "use_policy": (
            {
                "title": policy.restrictions_source,
                "url": policy.restrictions_url,
                "mutable": policy.restrictions_mutable,
            }
            if policy.restrictions_source
            else None
        ),
        "sources": list(policy.raw.get("sources") or []),
        "unverified": list(policy.unverified),
    }


def _clause(clause: str | None) -> str:
    return f"  [{clause}]" if clause else ""


def render_explain(policy: LicensePolicy, catalog: Catalog, fmt: str, style: Styler) -> str:
    """One license in plain language, or as JSON."""
    data = explain_data(policy, catalog)
    if fmt == "json":
        return _json(data)
    out = [style.bold(f"{policy.name} ({policy.id})")]
    facts = [policy.kind, policy.family, policy.category]
    if policy.version:
        facts.append(f"version {policy.version}")
    if policy.spdx:
        facts.append(f"SPDX {policy.spdx}")
    out.append("  " + ", ".join(facts))
    if policy.summary:
        out.append("  " + " ".join(policy.summary.split()))
    if policy.members:
        out.append("  a family, not one license; members: " + ", ".join(policy.members))

    def section(title: str, lines: Sequence[str]) -> None:
        out.append("")
        out.append(style.bold(title))
        out.extend(lines or ["  (nothing stated)"])

    section(
        "What you may do",
        [f"  - {i['text']}{_clause(i['clause'])}" for i in data["may"] if i["status"] == "allowed"]
        + [
            f"  - unclear whether you may {i['text']}{_clause(i['clause'])}"
            for i in data["may"]
            if i["status"] == "unclear"
        ],
    )
    conditions = []
    for item in data["conditions"]:
        if "permission" in item:
            text = f"  - you may {item['text']} only under conditions{_clause(item['clause'])}"
        elif "threshold" in item:
            text = (
                f"  - {_threshold_text(item)}: {item['consequence'].replace('-', ' ')}"
                f"{_clause(item['clause'])}"
            )
        else:
            text = (
                f"  - {item['region']} ({item['models'].replace('-', ' ')}): "
                f"{item['effect'].replace('-', ' ')}{_clause(item['clause'])}"
            )
        conditions.append(text)
        if item.get("note"):
            conditions.append(f"      {' '.join(item['note'].split())}")
    section("Under which conditions", conditions)
    must = []
    for item in data["must"]:
        what = item["obligation"].replace("-", " ")
        if item["text"]:
            what += f': "{item["text"]}"'
        when = ", ".join(a.replace("-", " ") for a in item["applies_to"])
        must.append(f"  - {what} (when: {when}){_clause(item['clause'])}")
    section("What you must do", must)
    must_not = []
    for item in data["must_not"]:
        if "permission" in item:
            must_not.append(f"  - {item['text']}{_clause(item['clause'])}")
            continue
        qualifier = f" ({item['qualifier']})" if item["qualifier"] else ""
        must_not.append(f"  - {item['text']}{qualifier}{_clause(item['clause'])}")
    section("What you must not do", must_not)
    passing = [
        f"  - pass-through: {_PASS_THROUGH_TEXT.get(policy.pass_through, policy.pass_through)}",
        "  - derivatives inherit these terms"
        if policy.derivatives_inherit
        else "  - derivatives do not inherit these terms",
    ]
    if data["use_policy"]:
        changeable = "; the licensor may change it" if policy.restrictions_mutable else ""
        passing.append(
            f"  - use restrictions come from the {policy.restrictions_source}{changeable}"
        )
    section("Derivatives and recipients", passing)
    if policy.unverified:
        section("Not verified", [f"  - {' '.join(u.split())}" for u in policy.unverified])
    # Policy text is the catalog's own: its lines are joined as written.
    return "\n".join(out) + "\n"


def _threshold_text(item: dict[str, Any]) -> str:
    metric = item["threshold"].replace("_", " ").replace(" usd", " (USD)")
    comparison = "over" if item["comparison"] == "greater-than" else "at least"
    limit = f"{item['limit']:,.0f}"
    anchor = f" at {item['anchor_date']}" if item.get("anchor_date") else ""
    affiliates = " (affiliates included)" if item.get("includes_affiliates") else ""
    return f"{metric} {comparison} {limit}{anchor}{affiliates}"


def identification_data(path: str, result: Identification) -> dict[str, Any]:
    """One identified file as JSON-ready data."""
    return {
        "path": path,
        "license": result.license_id,
        "version": result.version,
        "document": result.document,
        "confidence": result.confidence,
        "evidence": list(result.evidence),
        "candidates": list(result.candidates),
        "licenses": list(result.licenses),
        "note": result.note,
    }


def render_identify(results: Sequence[tuple[str, Identification]], fmt: str, style: Styler) -> str:
    """Identification results for several files."""
    if fmt == "json":
        return _json({"files": [identification_data(p, r) for p, r in results]})
    lines = []
    for path, result in results:
        if result.several:
            lines.append(
                f"{clean(path)}: {style.yellow('several licenses')}: "
                f"{', '.join(style.bold(i) for i in result.licenses)}, "
                f"confidence {result.confidence}"
            )
            lines.extend(f'    matched "{m}"' for m in result.evidence)
            continue
        if not result.known:
            lines.append(f"{clean(path)}: {style.yellow('unknown')} (no fingerprint matched)")
            continue
        version = f" version {result.version}" if result.version else ""
        kind = "" if result.document == "license" else f" ({result.document})"
        lines.append(
            f"{clean(path)}: {style.bold(result.license_id or '')}{version}{kind}, "
            f"confidence {result.confidence}"
        )
        lines.extend(f'    matched "{m}"' for m in result.evidence)
        others = [c for c in result.candidates if c != result.license_id]
        if others:
            lines.append(f"    also matched: {', '.join(others)}")
        if result.note:
            lines.append(f"    {style.yellow('note')}: {result.note}")
    return "\n".join(lines) + "\n"
