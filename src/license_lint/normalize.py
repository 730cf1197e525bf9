"""A card's license declaration to licenses of the catalog, with evidence and confidence."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from .catalog import Catalog, name_key
from .model import Conflict, Evidence, LicenseDeclaration, LicenseTerm, Normalized

HIGH, MEDIUM, LOW = "high", "medium", "low"

# Ids that were on the Hub's list once, and spellings older tooling wrote.
LEGACY_HUB_IDS = {
    "open-mdw": "openmdw-1.0",
    "tii-falcon-llm": "tii-falcon-llm",
}

# Words that make a name specific enough to look for inside free text (a gating prompt).
_NAME_WORDS = ("license", "licence", "agreement", "terms")


def normalize(
    declaration: LicenseDeclaration,
    catalog: Catalog,
    *,
    readme_path: str = "README.md",
    license_file: tuple[str, str, str] | None = None,
) -> Normalized:
    """Resolve a declaration; `license_file` is (path, catalog id, confidence) from identify."""
    lines = declaration.lines
    terms: list[LicenseTerm] = []
    conflicts: list[Conflict] = []
    key = declaration.key or "license"

    def evidence(source: str, raw: str) -> Evidence:
        return Evidence(source, raw, lines.get(source), readme_path)

    name_term = _from_name(declaration, catalog, evidence)
    needs_fallback = not declaration.values or any(
        v.lower() in ("other", "unknown") for v in declaration.values
    )
    fallbacks: list[LicenseTerm] = []
    if needs_fallback:
        # Only a card that names no license itself is searched further (link, gating prompt).
        found = (
            name_term,
            _from_link(declaration, catalog, evidence, license_file),
            _from_prompt(declaration, catalog, evidence),
        )
        fallbacks = [t for t in found if t is not None]

    for value in declaration.values:
        lowered = value.lower()
        if lowered in ("other", "unknown"):
            if fallbacks:
                terms.append(fallbacks[0])
            else:
                hint = (
                    "the card says 'other' without a license_name, license_link or license file"
                    if lowered == "other"
                    else "the card says the license is unknown"
                )
                # The catalog's placeholder keeps it visible; evaluation treats it as unknown.
                terms.append(LicenseTerm((lowered,), evidence(key, value), LOW, hint))
            continue
        terms += _resolve_value(value, catalog, evidence(key, value))

    if not declaration.values and fallbacks:
        # license_name (or a link, or the gating prompt) without a `license:` value.
        terms.append(fallbacks[0])

    named = [t for t in terms if t.known]
    if name_term is not None and name_term.known and named:
        declared = {i for t in named for i in t.any_of}
        if not set(name_term.any_of) & declared:
            conflicts.append(
                Conflict(
                    "keys",
                    f"license: {', '.join(declaration.values)} and license_name: "
                    f"{declaration.license_name} name different licenses; both apply, because "
                    "the card does not say which one the author meant",
                )
            )
            terms.append(name_term)
    if license_file is not None and named:
        path, file_id, confidence = license_file
        declared = {i for t in terms for i in t.any_of}
        if file_id not in declared and confidence == HIGH:
            conflicts.append(
                Conflict(
                    "file",
                    f"{path} is the {file_id} license text, but the card declares "
                    f"{', '.join(sorted(declared))}; both apply until the card is fixed",
                )
            )
            terms.append(LicenseTerm((file_id,), Evidence("file", file_id, None, path), HIGH))
    return Normalized(terms=tuple(_dedupe(terms)), conflicts=tuple(conflicts))


def _dedupe(terms: Sequence[LicenseTerm]) -> list[LicenseTerm]:
    seen: set[tuple[str, ...]] = set()
    out: list[LicenseTerm] = []
    for term in terms:
        key = term.any_of or (f"?{term.evidence.raw}",)
        if key not in seen:
            seen.add(key)
            out.append(term)
    return out


def _resolve_value(value: str, catalog: Catalog, evidence: Evidence) -> list[LicenseTerm]:
    """A `license:` value: a Hub id in any case, a legacy id, an SPDX id or expression, a name."""
    found = catalog.find_hub(value)
    if found:
        note = None if value == value.lower() else f"'{value}' is not in the Hub's lower case"
        return [LicenseTerm((found,), evidence, HIGH, note)]
    lowered = value.strip().lower()
    if lowered in LEGACY_HUB_IDS and catalog.get(LEGACY_HUB_IDS[lowered]):
        note = f"'{value}' is no longer a Hub id"
        return [LicenseTerm((LEGACY_HUB_IDS[lowered],), evidence, HIGH, note)]
    if lowered.startswith("other-"):
        # Old dataset tooling wrote `other-<name>`.
        found = catalog.find_name(lowered.removeprefix("other-"))
        if found:
            return [LicenseTerm((found,), evidence, MEDIUM, f"'{value}' is a legacy spelling")]
    found = catalog.find_spdx(value) or catalog.find_name(value)
    if found:
        return [LicenseTerm((found,), evidence, HIGH)]
    groups = _spdx_expression(value, catalog)
    if groups is not None:
        return [LicenseTerm(g, evidence, MEDIUM, "read as an SPDX expression") for g in groups]
    return [LicenseTerm((), evidence, LOW, f"'{value}' is not a license the catalog knows")]


@functools.cache
def _licensing(symbols: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    import license_expression

    return license_expression.Licensing(
        [license_expression.LicenseSymbol(key, aliases=aliases) for key, aliases in symbols]
    )


def _spdx_expression(value: str, catalog: Catalog) -> list[tuple[str, ...]] | None:
    """An SPDX expression over known ids, as AND-of-OR groups; None if it is not one."""
    if not re.search(r"\s(AND|OR|WITH)\s|[()]", value, re.IGNORECASE):
        return None
    symbols = tuple(
        sorted(
            (p.id, tuple(a for a in {p.spdx} if a and a.lower() != p.id))
            for p in catalog.policies.values()
        )
    )
    licensing = _licensing(symbols)
    try:
        parsed = licensing.parse(value, validate=False)
    except Exception:  # license_expression raises several unrelated types on bad input
        return None
    if parsed is None or licensing.unknown_license_keys(parsed):
        return None
    groups: list[tuple[str, ...]] = []
    cnf = licensing.cnf(parsed)
    parts = cnf.args if type(cnf).__name__ == "AND" else (cnf,)
    for part in parts:
        keys = part.args if type(part).__name__ == "OR" else (part,)
        groups.append(tuple(sorted(str(k.key) for k in keys)))
    return groups


def _from_name(
    declaration: LicenseDeclaration, catalog: Catalog, evidence: Any
) -> LicenseTerm | None:
    name = declaration.license_name
    if not name:
        return None
    found = catalog.find_name(name) or catalog.find_hub(name)
    if found:
        return LicenseTerm((found,), evidence("license_name", name), HIGH)
    return LicenseTerm(
        (), evidence("license_name", name), LOW, f"license_name '{name}' is not in the catalog"
    )


def _from_link(
    declaration: LicenseDeclaration,
    catalog: Catalog,
    evidence: Any,
    license_file: tuple[str, str, str] | None,
) -> LicenseTerm | None:
    link = declaration.license_link
    if not link:
        return None
    if license_file is not None and declaration.link_file == license_file[0]:
        path, file_id, confidence = license_file
        return LicenseTerm((file_id,), Evidence("file", file_id, None, path), confidence)
    found = catalog.find_url(link)
    if found:
        return LicenseTerm((found,), evidence("license_link", link), MEDIUM, "matched by its URL")
    return None


def _from_prompt(
    declaration: LicenseDeclaration, catalog: Catalog, evidence: Any
) -> LicenseTerm | None:
    """A license named in the gating prompt (Falcon 180B puts it nowhere else)."""
    prompt = declaration.gated_prompt
    if not prompt:
        return None
    folded = name_key(prompt[:20_000])
    best: tuple[int, str] | None = None
    for key, license_id in catalog.by_name.items():
        if len(key) < 10 or not any(word in key for word in _NAME_WORDS):
            continue
        at = folded.find(key)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, license_id)
    if best is None:
        return None
    return LicenseTerm(
        (best[1],),
        evidence("extra_gated_prompt", _excerpt(prompt)),
        MEDIUM,
        "named in the gating prompt",
    )


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
