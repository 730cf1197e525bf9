"""A card's license declaration to licenses of the catalog, with evidence and confidence."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .catalog import Catalog, name_key
from .model import (
    PLACEHOLDERS,
    Conflict,
    Evidence,
    LicenseDeclaration,
    LicenseTerm,
    Normalized,
)

HIGH, MEDIUM, LOW = "high", "medium", "low"

# Ids that were on the Hub's list once, and spellings older tooling wrote.
LEGACY_HUB_IDS = {
    "open-mdw": "openmdw-1.0",
    "tii-falcon-llm": "tii-falcon-llm",
}

# Words that make a name specific enough to look for inside free text (a gating prompt).
_NAME_WORDS = ("license", "licence", "agreement", "terms")
_OPEN_CATEGORIES = frozenset({"permissive", "public-domain"})
_RESTRICTING = re.compile(
    r"non-?commercial|research (?:purposes )?only|not (?:be )?(?:permitted|allowed)"
    r"|forbid|prohibit",
    re.IGNORECASE,
)


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
    link_term: LicenseTerm | None = None
    if needs_fallback:
        # Only a card that names no license itself is searched further (link, gating prompt).
        link_term = _from_link(declaration, catalog, evidence, license_file)
        found = (
            name_term,
            link_term,
            _from_file(license_file),
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
    if link_term is None and named:
        # A card that names its license can still link to another one.
        link_term = _from_link(declaration, catalog, evidence, license_file)
    stated = [t for t in (name_term, *named) if t is not None and t.known]
    from_link, contradicts = _link_against_card(stated, link_term, catalog)
    if contradicts:
        # Like license against license_name: the card does not say which one it means.
        said = (
            f"license_name: {declaration.license_name}"
            if name_term is not None and name_term.known
            else f"{key}: {', '.join(declaration.values)}"
        )
        conflicts.append(
            Conflict(
                "keys",
                f"{said} and license_link: {declaration.license_link} name different "
                "licenses; both apply, because the card does not say which one the author meant",
            )
        )
    if from_link is not None:
        terms.append(from_link)
    terms += _tags_against_card(declaration, catalog, evidence, name_term, terms, conflicts)
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


def _link_against_card(
    stated: Sequence[LicenseTerm], link_term: LicenseTerm | None, catalog: Catalog
) -> tuple[LicenseTerm | None, bool]:
    """What the license_link adds to what the card states, and whether it contradicts it."""
    if link_term is not None and link_term.evidence.source != "license_link":
        # A link to a license file of the repository is compared with the card further down.
        return None, False
    return _against_card(stated, link_term, catalog)


def _against_card(
    stated: Sequence[LicenseTerm], other: LicenseTerm | None, catalog: Catalog
) -> tuple[LicenseTerm | None, bool]:
    """What a second source (a link, a tag) adds to what the card states; True if it disagrees."""
    if not stated or other is None or not other.known:
        return None, False
    said = {i for t in stated for i in t.any_of}
    linked = set(other.any_of)
    if said & linked:
        return None, False
    members = {m for i in said for m in getattr(catalog.get(i), "members", ())}
    if linked & members:
        # The card names a family and the other source says which member: it is more precise.
        return other, False
    linked_members = {m for i in linked for m in getattr(catalog.get(i), "members", ())}
    if said & linked_members:
        # The other source names a family the card's license belongs to: nothing new.
        return None, False
    return other, True


def _tags_against_card(
    declaration: LicenseDeclaration,
    catalog: Catalog,
    evidence: Any,
    name_term: LicenseTerm | None,
    terms: Sequence[LicenseTerm],
    conflicts: list[Conflict],
) -> list[LicenseTerm]:
    """The terms `license:` tags add to the card's; a tag the card contradicts is a conflict."""
    tagged = _from_tags(declaration, catalog, evidence)
    stated = [t for t in (name_term, *terms) if t is not None and _names_license(t)]
    if not stated:
        # The Hub derives its license tags from the license key, so a tag is weaker evidence
        # than the key: with no key (or only `other`, `unknown` or a license the catalog does
        # not know) it is all there is, and it is checked beside whatever the key says.
        note = (
            "the card names no license that license-lint knows; read from its tag"
            if terms
            else "the card has no license key; read from its tag"
        )
        return [replace(t, confidence=LOW, note=f"{note} {t.evidence.raw}") for t in tagged]
    added: list[LicenseTerm] = []
    for tag_term in tagged:
        extra, contradicts = _against_card(stated, tag_term, catalog)
        if extra is None:
            continue
        if contradicts:
            # As with license against license_name: the card does not say which one it means.
            conflicts.append(
                Conflict(
                    "keys",
                    f"{_stated_by(declaration, stated)} and the tag {tag_term.evidence.raw} name "
                    "different licenses; both apply, because the card does not say which one "
                    "the author meant",
                )
            )
            note = f"the tag {tag_term.evidence.raw} contradicts the card's license keys"
        else:
            note = f"the tag {tag_term.evidence.raw} names the member of the card's family"
        added.append(replace(extra, note=note))
    return added


def _names_license(term: LicenseTerm) -> bool:
    """True when a term names a catalog license, not only the `other`/`unknown` placeholders."""
    return bool(set(term.any_of) - PLACEHOLDERS)


def _stated_by(declaration: LicenseDeclaration, stated: Sequence[LicenseTerm]) -> str:
    """The key a message names for what the card states, the license key first."""
    sources = {t.evidence.source for t in stated}
    key = declaration.key or "license"
    if key in sources:
        return f"{key}: {', '.join(declaration.values)}"
    if "license_name" in sources:
        return f"license_name: {declaration.license_name}"
    if sources & {"license_link", "file"}:
        return f"license_link: {declaration.license_link}"
    return "the gating prompt"


def _from_tags(
    declaration: LicenseDeclaration, catalog: Catalog, evidence: Any
) -> list[LicenseTerm]:
    """The catalog licenses the `license:` tags name; placeholders and unknown ids say nothing."""
    found: list[LicenseTerm] = []
    for tag in declaration.license_tags:
        value = tag.partition(":")[2].strip()
        for term in _resolve_value(value, catalog, evidence("tags", tag)):
            if term.known and not set(term.any_of) & PLACEHOLDERS:
                found.append(replace(term, confidence=MEDIUM, note=None))
    return found


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
    expression = _spdx_expression(value, catalog)
    if expression is not None:
        return _expression_terms(expression, evidence)
    return [LicenseTerm((), evidence, LOW, f"'{value}' is not a license the catalog knows")]


@functools.cache
def _licensing(symbols: tuple[tuple[str, tuple[str, ...]], ...]) -> Any:
    import license_expression

    return license_expression.Licensing(
        [license_expression.LicenseSymbol(key, aliases=aliases) for key, aliases in symbols]
    )


@dataclass(frozen=True)
class _Expression:
    """An SPDX expression read against the catalog: AND-of-OR groups and its WITH exceptions."""

    groups: tuple[tuple[str, ...], ...]
    exceptions: tuple[str, ...] = ()
    not_exceptions: tuple[str, ...] = ()


def _expression_terms(expression: _Expression, evidence: Evidence) -> list[LicenseTerm]:
    """One term per AND group; an unknown exception is an unknown term of its own."""
    note = "read as an SPDX expression"
    if expression.exceptions:
        # An exception only adds permissions to its license, so the license's terms still hold.
        note += f"; the exception {', '.join(expression.exceptions)} adds permissions, not checked"
    terms = [LicenseTerm(g, evidence, MEDIUM, note) for g in expression.groups]
    if expression.not_exceptions:
        # What follows WITH may add any terms at all; unread, it must not pass silently.
        quoted = ", ".join(f"'{k}'" for k in expression.not_exceptions)
        terms.append(
            LicenseTerm((), evidence, LOW, f"{quoted} after WITH is not an SPDX license exception")
        )
    return terms


@functools.cache
def _spdx_exceptions() -> dict[str, str]:
    """SPDX license exception ids (lower case to as written), from license-expression's index."""
    import license_expression

    out: dict[str, str] = {}
    for entry in license_expression.get_license_index():
        if not entry.get("is_exception"):
            continue
        for key in (entry.get("spdx_license_key"), *(entry.get("other_spdx_license_keys") or ())):
            # LicenseRef- keys are ScanCode's own names, not SPDX exceptions.
            if key and not key.startswith("LicenseRef-"):
                out[key.lower()] = key
    return out


def _spdx_expression(value: str, catalog: Catalog) -> _Expression | None:
    """An SPDX expression over known ids; None if it is not one or names an unknown license."""
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
    if parsed is None:
        return None
    exceptions: list[str] = []
    not_exceptions: list[str] = []
    for symbol in licensing.license_symbols(parsed, decompose=False):
        license_symbol = getattr(symbol, "license_symbol", symbol)
        if str(license_symbol.key).lower() not in catalog.policies:
            return None
        if license_symbol is symbol:
            continue
        key = str(symbol.exception_symbol.key)
        known = _spdx_exceptions().get(key.lower())
        if known is None:
            not_exceptions.append(key)
        elif known not in exceptions:
            exceptions.append(known)
    groups: list[tuple[str, ...]] = []
    cnf = licensing.cnf(parsed)
    parts = cnf.args if type(cnf).__name__ == "AND" else (cnf,)
    for part in parts:
        keys = part.args if type(part).__name__ == "OR" else (part,)
        # The license of a WITH symbol is what binds; its exception was sorted out above.
        ids = {str(getattr(k, "license_symbol", k).key).lower() for k in keys}
        groups.append(tuple(sorted(ids)))
    return _Expression(tuple(groups), tuple(exceptions), tuple(dict.fromkeys(not_exceptions)))


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


def _from_file(license_file: tuple[str, str, str] | None) -> LicenseTerm | None:
    """The repository's license file, when its text was identified beyond doubt."""
    # What the card leaves open, a license text identified with high confidence settles; a
    # weaker match is only worth a mismatch warning, not standing in for the card.
    if license_file is None or license_file[2] != HIGH:
        return None
    path, file_id, confidence = license_file
    return LicenseTerm(
        (file_id,), Evidence("file", file_id, None, path), confidence, "read from the license file"
    )


def _from_prompt(
    declaration: LicenseDeclaration, catalog: Catalog, evidence: Any
) -> LicenseTerm | None:
    """A license named in the gating prompt (Falcon 180B puts it nowhere else)."""
    prompt = declaration.gated_prompt
    if not prompt:
        return None
    folded = name_key(prompt[:20_000])
    found = _names_in(folded, catalog)
    if not found:
        return None
    where = evidence("extra_gated_prompt", _excerpt(prompt))
    if len(found) > 1:
        # Prose that names several licenses (weights under one, code under another) does not
        # say which one covers the model: the reader must decide.
        named = ", ".join(sorted(found))
        return LicenseTerm((), where, LOW, f"the gating prompt names several licenses: {named}")
    (license_id,) = found
    policy = catalog.get(license_id)
    if policy is not None and policy.category in _OPEN_CATEGORIES and _RESTRICTING.search(prompt):
        # A permissive license named next to words that restrict use is named in passing
        # ("unlike the MIT License, ..."); it cannot stand for terms that restrict.
        return LicenseTerm(
            (),
            where,
            LOW,
            f"the gating prompt names {license_id} but also restricts use",
        )
    return LicenseTerm((license_id,), where, MEDIUM, "named in the gating prompt")


def _names_in(folded: str, catalog: Catalog) -> set[str]:
    """Catalog licenses named in folded prose, by full name or by a distinctive id."""
    pattern, ids = _name_pattern(catalog)
    found = {ids[match.group("name")] for match in pattern.finditer(folded)}
    return {i for i in found if i not in PLACEHOLDERS}


@functools.cache
def _name_pattern(catalog: Catalog) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every name and distinctive id of the catalog, longest first."""
    ids = {
        key: license_id
        for key, license_id in catalog.by_name.items()
        if len(key) >= 10 and any(word in key for word in _NAME_WORDS)
    }
    # Ids such as cc-by-nc-4.0 or llama3.1 are distinctive; short ones (mit) are common words.
    ids.update((key, i) for key, i in catalog.by_hub.items() if len(key) >= 6 and key not in ids)
    # Longest first, so that a name inside a longer one ("apache license 2.0" in "apache license
    # 2.0 with ...") is read as part of it; whole words only, and not the start of a longer
    # version ("llama3" in "llama3-2").
    names = "|".join(re.escape(k) for k in sorted(ids, key=len, reverse=True))
    pattern = re.compile(rf"(?<![a-z0-9])(?P<name>{names})(?![a-z0-9]|[-.]\d)")
    return pattern, ids


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
