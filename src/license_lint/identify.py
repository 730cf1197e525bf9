"""License texts (LICENSE, LICENSE-MODEL, USE_POLICY.md ...) to catalog ids by fingerprints."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .catalog import Catalog, Fingerprint

HIGH, MEDIUM, NONE = "high", "medium", "none"
MAX_CANDIDATES = 2

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2010": "-",
        "\u2011": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
# Markdown emphasis and headings change no meaning but break literal matching.
_MARKUP = re.compile(r"[*_#`>]+")


def fold(text: str) -> str:
    """Text folded for matching: lower case, plain quotes and dashes, no markup, single spaces."""
    text = text.translate(_QUOTES).lower()
    text = _MARKUP.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class Identification:
    """What a text is: a catalog id and version, how sure, and the strings that decided it."""

    license_id: str | None
    version: str | None
    document: str | None
    confidence: str
    evidence: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when the text was identified."""
        return self.license_id is not None


@dataclass(frozen=True)
class _Rule:
    license_id: str
    version: str | None
    document: str
    match: tuple[str, ...]
    exclude: tuple[str, ...]
    within: int | None


@functools.cache
def _rules(catalog: Catalog) -> tuple[_Rule, ...]:
    """The catalog's fingerprints, folded once per catalog."""
    return tuple(
        _rule(policy_id, fp)
        for policy_id, policy in sorted(catalog.policies.items())
        for fp in policy.fingerprints
    )


def _rule(license_id: str, fingerprint: Fingerprint) -> _Rule:
    return _Rule(
        license_id=license_id,
        version=fingerprint.version,
        document=fingerprint.document,
        match=tuple(fold(m) for m in fingerprint.match),
        exclude=tuple(fold(e) for e in fingerprint.exclude),
        within=fingerprint.within,
    )


def _matches(rule: _Rule, folded: str) -> bool:
    first = folded.find(rule.match[0])
    if first < 0 or (rule.within is not None and first > rule.within):
        return False
    if not all(m in folded for m in rule.match[1:]):
        return False
    return not any(e in folded for e in rule.exclude)


def identify(text: str, catalog: Catalog) -> Identification:
    """Identify one license text; below a clear fingerprint match the answer is unknown."""
    folded = fold(text)
    hits = [rule for rule in _rules(catalog) if _matches(rule, folded)]
    if not hits:
        return Identification(None, None, None, NONE)
    # The most specific fingerprint (most matched text) decides; versions come with it.
    hits.sort(key=lambda r: (-sum(len(m) for m in r.match), r.license_id))
    best = hits[0]
    ids = tuple(dict.fromkeys(h.license_id for h in hits))
    if len(ids) > MAX_CANDIDATES:
        # A text quoting many licenses (notes, a survey, a README) is none of them.
        return Identification(None, None, None, NONE, candidates=ids)
    confidence = HIGH if len(ids) == 1 else MEDIUM
    version = best.version or next(
        (h.version for h in hits if h.license_id == best.license_id and h.version), None
    )
    return Identification(
        license_id=best.license_id,
        version=version,
        document=best.document,
        confidence=confidence,
        evidence=best.match,
        candidates=ids,
    )
