"""License texts (LICENSE, LICENSE-MODEL, USE_POLICY.md ...) to catalog ids by fingerprints."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .catalog import Catalog, Fingerprint

HIGH, MEDIUM, LOW, NONE = "high", "medium", "low", "none"
MAX_CANDIDATES = 2

# Categories whose licenses grant any use with at most notice, attribution or share-alike
# duties. A copy of one of them that restricts use is not that license, so these get guards.
# Copyleft is left out: the GNU texts use the same words about their own conditions
# ("noncommercially", "prohibits"), and they let the recipient drop added restrictions anyway.
GUARDED_CATEGORIES = frozenset({"permissive", "public-domain", "data", "share-alike"})
# How much longer than the longest known copy a guarded text may be (a title, copyright lines,
# a "how to apply" appendix) before the extra text is more than packaging.
_SLACK_CHARS = 1000
_SLACK_SHARE = 4

# Wording that limits use. None of it occurs in the texts of the guarded licenses (the stored
# copies are tested for that), so found next to one of them it is a term the license lacks.
_ADDED_TERMS = re.compile(
    r"\bnon-?commercial\b|\bnon commercial\b|\bnot for commercial\b|\bno commercial\b"
    r"|\bcommercial (?:use|usage|purposes?|licen[cs]e|licensing)\b"
    r"|\bcommons clause\b|\bright to sell\b|\bnon-?production\b"
    r"|\b(?:research|academic|evaluation|educational|personal|internal|scientific|testing)\b"
    r"[^.;:]{0,40}\bonly\b"
    r"|\bonly for (?:research|academic|evaluation|educational|personal|internal|scientific"
    r"|testing)\b"
    # "you may not use this file except in compliance" is Apache's own boilerplate, hence the
    # purpose ("for", "to") the ban must name within a few words.
    r"|\b(?:shall|may|must|will|can) not (?:be )?used?\b(?: \w+){0,4}? (?:for|to)\b"
    r"|\bagrees? not to use\b"
    r"|\bprohibit(?:s|ed|ion)?\b|\bforbidden\b|\bforbids\b"
    r"|\buse restrictions?\b|\bacceptable use\b|\buse polic(?:y|ies)\b"
)

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
    """What a text is: a catalog id and version, how sure, and the strings that decided it.

    A text holding several licenses has no `license_id`; `licenses` lists them in text order,
    and `note` says why a match is below high confidence. `license_documents` lists the ids
    whose license document itself the text holds, not merely its notice or use policy.
    """

    license_id: str | None
    version: str | None
    document: str | None
    confidence: str
    evidence: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    licenses: tuple[str, ...] = ()
    note: str | None = None
    license_documents: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when the text was identified as one license."""
        return self.license_id is not None

    @property
    def several(self) -> bool:
        """True when the text holds the texts of more than one license."""
        return len(self.licenses) > 1


@dataclass(frozen=True)
class _Rule:
    license_id: str
    version: str | None
    document: str
    match: tuple[str, ...]
    exclude: tuple[str, ...]
    within: int | None
    length: int | None
    guarded: bool


@dataclass(frozen=True)
class _Hit:
    rule: _Rule
    at: int
    strict: bool


@functools.cache
def _rules(catalog: Catalog) -> tuple[_Rule, ...]:
    """The catalog's fingerprints, folded once per catalog."""
    return tuple(
        _rule(policy_id, fp, policy.category in GUARDED_CATEGORIES)
        for policy_id, policy in sorted(catalog.policies.items())
        for fp in policy.fingerprints
    )


def _rule(license_id: str, fingerprint: Fingerprint, guarded: bool) -> _Rule:
    return _Rule(
        license_id=license_id,
        version=fingerprint.version,
        document=fingerprint.document,
        match=tuple(fold(m) for m in fingerprint.match),
        exclude=tuple(fold(e) for e in fingerprint.exclude),
        within=fingerprint.within,
        length=fingerprint.length,
        guarded=guarded and fingerprint.document == "license",
    )


def _hit(rule: _Rule, folded: str) -> _Hit | None:
    """Where the rule matches; `strict` is False when a title only occurs past its limit."""
    first = folded.find(rule.match[0])
    if first < 0:
        return None
    if not all(m in folded for m in rule.match[1:]):
        return None
    if any(e in folded for e in rule.exclude):
        return None
    return _Hit(rule, first, rule.within is None or first <= rule.within)


def identify(text: str, catalog: Catalog) -> Identification:
    """Identify one license text; below a clear fingerprint match the answer is unknown."""
    folded = fold(text)
    found = [h for r in _rules(catalog) if (h := _hit(r, folded)) is not None]
    hits = [h.rule for h in found if h.strict]
    if not hits:
        return Identification(None, None, None, NONE)
    ids = tuple(dict.fromkeys(h.license_id for h in hits))
    if len(ids) > MAX_CANDIDATES:
        # A text quoting many licenses (notes, a survey, a README) is none of them.
        return Identification(None, None, None, NONE, candidates=ids)
    # A title past its limit counts here: a second license appended to a first starts with its
    # title far down the file, and missing it would hide that license's terms.
    found.sort(key=lambda h: h.at)
    licenses = tuple(dict.fromkeys(h.rule.license_id for h in found))
    if len(licenses) > 1:
        return Identification(
            None,
            None,
            None,
            LOW,
            evidence=tuple(dict.fromkeys(h.rule.match[0] for h in found)),
            candidates=licenses,
            licenses=licenses,
            note=f"the text holds several licenses: {', '.join(licenses)}",
            license_documents=_license_documents(found),
        )
    # The most specific fingerprint (most matched text) decides; versions come with it.
    hits.sort(key=lambda r: -sum(len(m) for m in r.match))
    best = hits[0]
    version = best.version or next((h.version for h in hits if h.version), None)
    note = _added_terms(folded, hits) if best.guarded else None
    return Identification(
        license_id=best.license_id,
        version=version,
        document=best.document,
        confidence=MEDIUM if note else HIGH,
        evidence=best.match,
        candidates=ids,
        licenses=ids,
        note=note,
        license_documents=_license_documents(found),
    )


def _license_documents(found: list[_Hit]) -> tuple[str, ...]:
    """Ids whose license document the text holds, in text order; notices and policies aside."""
    by_id: dict[str, list[_Hit]] = {}
    for hit in found:
        by_id.setdefault(hit.rule.license_id, []).append(hit)
    out = []
    for license_id, hits in by_id.items():
        # A use policy names its license in passing (the Llama 4 AUP does, below its title), so
        # what the text starts with decides: the sets within their limits, or else, for a text
        # appended far down, the set found first.
        deciding = [h for h in hits if h.strict]
        if not deciding:
            first = min(h.at for h in hits)
            deciding = [h for h in hits if h.at == first]
        if any(h.rule.document == "license" for h in deciding):
            out.append(license_id)
    return tuple(out)


def _added_terms(folded: str, hits: list[_Rule]) -> str | None:
    """Why a permissive text is more than its license, or None when nothing suggests so."""
    license_id = hits[0].license_id
    restricting = _ADDED_TERMS.search(folded)
    if restricting:
        return (
            f'the text restricts use ("{restricting.group(0)}"), which {license_id} does not; '
            "it carries terms beyond the license"
        )
    lengths = [h.length for h in hits if h.length is not None]
    if lengths:
        limit = max(lengths) + max(_SLACK_CHARS, max(lengths) // _SLACK_SHARE)
        if len(folded) > limit:
            return (
                f"the text has {len(folded):,} characters, far more than the {max(lengths):,} "
                f"of the {license_id} text; it may carry terms beyond the license"
            )
    return None
