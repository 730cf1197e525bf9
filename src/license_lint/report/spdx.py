"""The SPDX 2.3 report, and what every SBOM format shares: the inventory and license mapping."""

# spdx3.py and cyclonedx.py import the shared parts from here: the packages and links taken from
# a report (one entry per model at its sha), and how a license becomes SPDX ids and LicenseRefs
# through the catalog.

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ..catalog import Catalog, LicensePolicy, load_catalog
from ..inherit import effective_ids
from ..model import (
    PLACEHOLDERS,
    Card,
    Evidence,
    Finding,
    LicenseTerm,
    Lineage,
    LineageNode,
    ModelResult,
    Normalized,
    Report,
)
from ..textstyle import Styler

HUB_URL = "https://huggingface.co"
# Element ids and namespaces live under the prefix SPDX suggests for documents without a website.
NAMESPACE_PREFIX = "https://spdx.org/spdxdocs/license-lint-"
TOOL_NAME = "license-lint"


class SbomError(RuntimeError):
    """An SBOM that fails its own format's validation: a bug in the reporter, never user input."""


# ---------------------------------------------------------------- licenses


@dataclass(frozen=True)
class LicenseItem:
    """One license in an SBOM: an id on the SPDX License List, or a LicenseRef defined here."""

    key: str
    listed: bool
    name: str
    urls: tuple[str, ...] = ()
    text: str = ""
    catalog_id: str | None = None


@dataclass(frozen=True)
class SbomLicense:
    """A license as SBOMs write it: all groups apply, one item of each; no groups is NOASSERTION."""

    groups: tuple[tuple[LicenseItem, ...], ...] = ()

    @property
    def expression(self) -> str | None:
        """The SPDX license expression, or None for NOASSERTION."""
        if not self.groups:
            return None
        parts = [" OR ".join(i.key for i in group) for group in self.groups]
        if len(parts) == 1:
            return parts[0]
        return " AND ".join(
            f"({p})" if len(g) > 1 else p for p, g in zip(parts, self.groups, strict=True)
        )

    @property
    def items(self) -> tuple[LicenseItem, ...]:
        """Every license named, first occurrence first."""
        seen: dict[str, LicenseItem] = {}
        for group in self.groups:
            for item in group:
                seen.setdefault(item.key, item)
        return tuple(seen.values())

    @property
    def has_choice(self) -> bool:
        """True when some group offers a choice (an OR)."""
        return any(len(g) > 1 for g in self.groups)


@functools.cache
def _spdx_licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


@functools.cache
def spdx_knows(key: str) -> bool:
    """True when the SPDX libraries accept `key` as a license id (or read it as an alias of one)."""
    return not _spdx_licensing().validate(key).invalid_symbols


@functools.cache
def spdx_listed(key: str) -> str | None:
    """The current SPDX License List id for `key`, or None when the SPDX libraries lack it."""
    result = _spdx_licensing().validate(key)
    if result.invalid_symbols or result.errors:
        return None
    # Deprecated ids become their replacements (GPL-3.0 is GPL-3.0-only by the list's own
    # definition); spdx-tools refuses the deprecated spelling.
    return str(result.normalized_expression)


def idstring(text: str) -> str:
    """Text folded to the characters SPDX allows in ids: letters, digits, '.' and '-'."""
    folded = re.sub(r"[^A-Za-z0-9.\-]+", "-", text.replace("+", "-plus"))
    return re.sub(r"-{2,}", "-", folded).strip("-") or "x"


@functools.cache
def license_ref(name: str) -> str:
    """`LicenseRef-<name>`, unless the SPDX libraries would read that as another license."""
    candidate = f"LicenseRef-{idstring(name)}"
    # license-expression rewrites some LicenseRefs (LicenseRef-gpl becomes GPL-1.0-or-later), so
    # a reader would see a different license than the one written; those get our own prefix.
    if spdx_knows(candidate):
        candidate = f"LicenseRef-{TOOL_NAME}-{idstring(name)}"
    return candidate


_HOST_PATH = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?")
# A card's license_link is untrusted: only plain web addresses that every SBOM validator accepts
# (spdx-tools wants a named host with a short top-level domain) become cross references.
_WEB_URL = re.compile(r"https?://[a-z0-9]+([-.][a-z0-9]+)*\.[a-z]{2,5}(:\d{1,5})?(/\S*)?", re.I)


def policy_urls(policy: LicensePolicy) -> tuple[str, ...]:
    """Where the license can be read: its link patterns, its use policy, its sources."""
    # The catalog's patterns match links by substring; only those that are whole addresses
    # (a host, not a fragment such as a file name or a cut-off prefix) can be followed.
    patterns = [u for u in policy.urls if _HOST_PATH.fullmatch(u) and not u.endswith("-")]
    patterns.sort(key=lambda u: not re.search(r"licen[cs]e|terms|legal", u))
    urls = [f"https://{u}" for u in patterns]
    if policy.restrictions_url:
        urls.append(policy.restrictions_url)
    for source in policy.raw.get("sources") or []:
        url = source.get("url") if isinstance(source, dict) else None
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            urls.append(url)
    return tuple(dict.fromkeys(urls))


def _policy_text(policy: LicensePolicy) -> str:
    parts = [
        f"{policy.name}. This license is not on the SPDX License List; license-lint identifies it "
        f"as '{policy.id}' in its license catalog (policies/licenses/{policy.id}.yaml)."
    ]
    if policy.spdx and policy.spdx != "NOASSERTION":
        parts.append(
            f"Its SPDX id is {policy.spdx}, which the SPDX license list bundled with this "
            "tool's libraries does not know yet, so it is written as a LicenseRef."
        )
    if policy.kind == "family":
        parts.append("It names a family of licenses, not one version.")
    if policy.scancode:
        parts.append(f"ScanCode LicenseDB key: {', '.join(policy.scancode)}.")
    if policy.summary:
        parts.append(" ".join(policy.summary.split()))
    parts.append("The full text is not reproduced here; see the cross references.")
    return " ".join(parts)


Listed = Callable[[str], str | None]


def catalog_item(license_id: str, catalog: Catalog, listed: Listed) -> LicenseItem:
    """A catalog license: its SPDX id when the target format lists it, else a LicenseRef."""
    policy = catalog.get(license_id)
    if policy is None:
        return raw_item(license_id, "license")
    urls = policy_urls(policy)
    spdx = policy.spdx
    key = listed(spdx) if spdx and spdx != "NOASSERTION" else None
    if key is not None:
        # Only ids the catalog names are looked up: Hub ids such as `gpl` never reach the
        # SPDX libraries, which would read them as one particular license.
        return LicenseItem(key, True, policy.name, urls, catalog_id=policy.id)
    text = _policy_text(policy)
    return LicenseItem(license_ref(policy.id), False, policy.name, urls, text, policy.id)


def raw_item(raw: str, source: str, link: str | None = None) -> LicenseItem:
    """A license the catalog does not know, named by the card's own words."""
    text = " ".join(raw.split()) or "?"
    name = idstring(text)[:48]
    if name != text:
        # Folding or cutting can make two names meet; a digest of the words keeps them apart.
        name += "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    urls = (link,) if link and _WEB_URL.fullmatch(link) else ()
    return LicenseItem(
        license_ref(f"unknown-{name}"),
        False,
        text[:200],
        urls,
        f"The model card names the license '{text}' in its {source} field. license-lint does "
        "not know this license and did not read its text.",
    )


def sbom_license(
    license: Normalized | None,
    catalog: Catalog,
    listed: Listed,
    link: str | None = None,
) -> SbomLicense:
    """A normalized license as SBOM items; a card that names no license at all is NOASSERTION."""
    if license is None or not license.terms:
        return SbomLicense()
    if all(t.any_of and set(t.any_of) <= PLACEHOLDERS for t in license.terms):
        return SbomLicense()
    groups: list[tuple[LicenseItem, ...]] = []
    for term in license.terms:
        if term.any_of:
            items = [catalog_item(i, catalog, listed) for i in term.any_of]
        else:
            items = [raw_item(term.evidence.raw, term.evidence.source, link)]
        group = tuple({i.key: i for i in items}.values())
        if group not in groups:
            groups.append(group)
    return SbomLicense(tuple(groups))


# ---------------------------------------------------------------- inventory


@dataclass
class Entry:
    """One package of an SBOM: a checked model, a base model or a dataset, at one revision."""

    ref: str
    kind: str
    name: str
    sha: str | None
    on_hub: bool
    card: Card | None
    declared: Normalized | None
    concluded: Normalized | None
    result: ModelResult | None = None
    problem: str | None = None
    depth: int = 0
    # Why no license is concluded although the package was read: a base that could not be.
    unconcluded: str | None = None

    @property
    def owner(self) -> str | None:
        """The Hub namespace (user or organization) that publishes it."""
        if not self.on_hub or "/" not in self.name:
            return None
        return self.name.split("/", 1)[0]

    @property
    def hub_url(self) -> str | None:
        """The repository's page on the Hub; None when the name is not a valid Hub id.

        Unresolved base models keep the name a card gave them, which may be anything.
        """
        if not self.on_hub or not _valid_hub_id(self.name):
            return None
        prefix = "datasets/" if self.kind == "dataset" else ""
        return f"{HUB_URL}/{prefix}{self.name}"

    @property
    def download_url(self) -> str | None:
        """The repository on the Hub at its commit; None when there is no commit to point at."""
        if self.hub_url is None or not self.sha:
            return None
        return f"{self.hub_url}/tree/{self.sha}"

    @property
    def purl(self) -> str | None:
        """`pkg:huggingface/<owner>/<name>@<sha>` (the purl type covers models only)."""
        if self.kind != "model" or not self.on_hub or not self.sha:
            return None
        if not _valid_hub_id(self.name):
            return None  # a name a card or a mirror made up: no package URL to give
        path = "/".join(quote(part, safe="") for part in self.name.split("/"))
        return f"pkg:huggingface/{path}@{self.sha.lower()}"

    @property
    def link(self) -> str | None:
        """The card's license_link, for licenses only the card names."""
        return self.card.declaration.license_link if self.card else None


@dataclass(frozen=True)
class Link:
    """A model derived from a base model (kind base), or trained on a dataset (kind dataset)."""

    child: str
    parent: str
    kind: str
    relation: str | None = None
    source: str | None = None


@dataclass
class Inventory:
    """Everything an SBOM lists, in a stable order: checked models first, in report order."""

    entries: list[Entry] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)

    def get(self, ref: str) -> Entry:
        """The entry with this ref."""
        return next(e for e in self.entries if e.ref == ref)

    def parents(self, ref: str, kind: str) -> list[Link]:
        """Links from one entry to its bases or datasets."""
        return [link for link in self.links if link.child == ref and link.kind == kind]


class _Builder:
    """Collects entries once each, whichever subjects' lineages they appear in."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.out = Inventory()
        self.by_key: dict[tuple[str, str, str | None], Entry] = {}
        self.refs: set[str] = set()

    def _ref(self, kind: str, name: str, sha: str | None) -> str:
        base = f"{kind}-{idstring(name)}"
        candidates = [base, f"{base}-{sha[:12]}"] if sha else [base]
        for candidate in candidates:
            if candidate not in self.refs:
                return candidate
        number = 2
        while f"{candidates[-1]}-{number}" in self.refs:
            number += 1
        return f"{candidates[-1]}-{number}"

    def entry(self, kind: str, name: str, sha: str | None, **values: Any) -> Entry:
        key = (kind, name, sha)
        found = self.by_key.get(key)
        if found is not None:
            return found
        ref = self._ref(kind, name, sha)
        self.refs.add(ref)
        created = Entry(ref=ref, kind=kind, name=name, sha=sha, **values)
        self.by_key[key] = created
        self.out.entries.append(created)
        return created

    def link(self, link: Link) -> None:
        if link not in self.out.links:
            self.out.links.append(link)

    def subject(self, result: ModelResult) -> None:
        card = result.card
        on_hub = not (card.ref.is_local if card else result.ref.is_local)
        concluded = result.effective if result.lineage is not None else None
        unread = _unread_bases(result.lineage)
        if unread:
            # What an unreadable base imposes is unknown, so no license can be concluded.
            concluded = None
        # Without a card the name is the reference less its revision, which was never resolved.
        name = card.label if card else result.ref.repo_id or str(result.ref)
        entry = self.entry(
            "dataset" if result.ref.kind == "dataset" else "model",
            name,
            card.sha if card else None,
            on_hub=on_hub,
            card=card,
            declared=result.license,
            concluded=concluded,
            unconcluded=_unconcluded(unread),
        )
        if entry.result is None:
            # Met before as a base model of an earlier subject: now it is checked itself.
            entry.result, entry.declared, entry.problem = result, result.license, result.error
            entry.concluded = None if unread else concluded or entry.concluded
            entry.unconcluded = _unconcluded(unread)
        if entry.ref not in self.out.subjects:
            self.out.subjects.append(entry.ref)
        if result.lineage is not None:
            self._lineage(result.lineage, entry)

    def _lineage(self, lineage: Lineage, root: Entry) -> None:
        refs = {lineage.root: root.ref}
        others = (n for key, n in lineage.nodes.items() if key != lineage.root)
        for node in sorted(others, key=lambda n: (n.depth, n.repo_id)):
            refs[node.repo_id] = self._node("model", node, lineage).ref
        for edge in sorted(lineage.edges, key=lambda e: (e.child, e.parent, e.relation or "")):
            if edge.child not in refs:
                continue
            if edge.parent not in refs:
                refs[edge.parent] = self._node("model", LineageNode(edge.parent, 0), None).ref
            self.link(Link(refs[edge.child], refs[edge.parent], "base", edge.relation, edge.source))
        for dataset in sorted(lineage.datasets, key=lambda n: n.repo_id):
            found = self._node("dataset", dataset, None)
            self.link(Link(root.ref, found.ref, "dataset", None, "card"))

    def _node(self, kind: str, node: LineageNode, lineage: Lineage | None) -> Entry:
        card = node.card
        concluded = None
        unread = _unread_bases(lineage, node.repo_id) if lineage is not None else []
        if lineage is not None and card is not None and node.license is not None and not unread:
            concluded = self._effective(lineage, node)
        return self.entry(
            kind,
            node.resolved_id,
            card.sha if card else None,
            on_hub=card is None or not card.ref.is_local,
            card=card,
            declared=node.license,
            concluded=concluded,
            problem=node.problem,
            depth=node.depth,
            unconcluded=_unconcluded(unread) if card is not None else None,
        )

    def _effective(self, lineage: Lineage, node: LineageNode) -> Normalized:
        """A base model's own license plus what it inherits from its own bases."""
        own = node.license or Normalized(terms=())
        required = {t.any_of[0] for t in own.terms if len(t.any_of) == 1}
        inherited = [
            LicenseTerm(
                (license_id,),
                Evidence("base_model", license_id),
                "high",
                "inherited from a base model",
            )
            for license_id in effective_ids(lineage, node.repo_id, self.catalog)
            # Only a license the node requires stands for an inherited one, not one it offers.
            if license_id not in required
        ]
        return Normalized(terms=own.terms + tuple(inherited), conflicts=own.conflicts)


def inventory(report: Report, catalog: Catalog) -> Inventory:
    """The packages and links of a report, each model once, in a stable order."""
    builder = _Builder(catalog)
    for result in report.results:
        builder.subject(result)
    return builder.out


# ---------------------------------------------------------------- shared wording


def created_at(report: Report) -> datetime:
    """The report's time as an aware UTC datetime."""
    try:
        parsed = datetime.strptime(report.generated, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        parsed = datetime.fromisoformat(report.generated)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def run_summary(report: Report) -> str:
    """One line about the run: rules, failure level and verdict counts."""
    return (
        f"license-lint {report.tool_version} checked {len(report.results)} model(s) against "
        f"{report.rules_source} (fail on {report.fail_on.value}): {report.count('pass')} passed, "
        f"{report.count('fail')} failed, {report.count('error')} could not be checked."
    )


def _finding_line(finding: Finding) -> str:
    waived = f" (waived: {finding.waiver})" if finding.waiver is not None else ""
    clause = f" [{finding.license_id} {finding.clause}]" if finding.clause else ""
    return f"{finding.severity.value} {finding.code}: {finding.message}{clause}{waived}"


def entry_comment(entry: Entry) -> str:
    """What license-lint concluded about one package, in words."""
    lines: list[str] = []
    if entry.result is not None:
        lines.append(f"Checked by license-lint: verdict {entry.result.verdict}.")
        if entry.result.error:
            lines.append(f"Could not be checked: {entry.result.error}")
        lines += [_finding_line(f) for f in entry.result.findings]
    elif entry.kind == "dataset":
        lines.append("A dataset the checked model's card says it was trained on.")
    else:
        lines.append("A base model in the lineage of a checked model.")
    if entry.problem and (entry.result is None or entry.problem != entry.result.error):
        lines.append(f"Could not be read: {entry.problem}")
    if entry.card is not None and entry.card.gated:
        lines.append(f"Gated on the Hub ({entry.card.gated}).")
    return "\n".join(lines)


def _unread_bases(lineage: Lineage | None, start: str | None = None) -> list[str]:
    """Ancestors of `start` (the root by default) whose card or license could not be read."""
    if lineage is None:
        return []
    parents: dict[str, list[str]] = {}
    for edge in lineage.edges:
        parents.setdefault(edge.child, []).append(edge.parent)
    seen: set[str] = set()
    stack = list(parents.get(start or lineage.root, []))
    unread: list[str] = []
    while stack:
        repo = stack.pop()
        if repo in seen:
            continue
        seen.add(repo)
        node = lineage.nodes.get(repo)
        if node is None or node.card is None or node.license is None:
            unread.append(repo)
        stack += parents.get(repo, [])
    return sorted(unread)


def _unconcluded(unread: Sequence[str]) -> str | None:
    if not unread:
        return None
    return f"because base {', '.join(unread)} could not be read, so what it imposes is unknown"


def license_comment(entry: Entry, declared: bool = True, concluded: bool = True) -> str | None:
    """Where the declared license was read, and how the concluded one was reached."""
    lines: list[str] = []
    if declared and entry.declared is not None:
        for term in entry.declared.terms:
            evidence = term.evidence
            where = f" ({evidence.path}:{evidence.line})" if evidence.path and evidence.line else ""
            lines.append(f"declared: {evidence.source}: {evidence.raw}{where} -> {term.label()}")
        lines += [f"conflict: {c.message}" for c in entry.declared.conflicts]
    if concluded and entry.concluded is not None:
        lines.append(
            "concluded: the package's own license and every license of its base models that "
            f"binds derivatives ({entry.concluded.expression})"
        )
    elif concluded and entry.unconcluded is not None:
        lines.append(f"concluded: NOASSERTION, {entry.unconcluded}")
    return "\n".join(lines) or None


def content_digest(data: Any) -> str:
    """A digest of JSON-ready data, for ids and namespaces that depend on content alone."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- SPDX 2.3


def build_document(report: Report, catalog: Catalog) -> Any:
    """The SPDX 2.3 document (spdx-tools model), validated; a SbomError lists what is wrong."""
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    document = _document(report, catalog, namespace=f"{NAMESPACE_PREFIX}0")
    # The namespace names this content: the same inputs give the same document, at any time.
    unnamed = _to_dict(document)
    unnamed["creationInfo"].pop("created", None)
    unnamed.pop("documentNamespace", None)
    document.creation_info.document_namespace = f"{NAMESPACE_PREFIX}{content_digest(unnamed)[:32]}"
    messages = validate_full_spdx_document(document)
    if messages:
        problems = "; ".join(
            f"{m.validation_message} (in {m.context.spdx_id or m.context.element_type})"
            for m in messages
        )
        raise SbomError(f"the SPDX 2.3 document is not valid: {problems}")
    return document


def _to_dict(document: Any) -> dict[str, Any]:
    from spdx_tools.spdx.jsonschema import document_converter

    converter: Any = document_converter.DocumentConverter  # untyped constructor
    data: dict[str, Any] = converter().convert(document)
    for package in data.get("packages", []):
        for ref in package.get("externalRefs", []):
            # The SPDX 2.3 JSON schema spells categories with a hyphen (2.3.1 allows both).
            ref["referenceCategory"] = ref["referenceCategory"].replace("_", "-")
    return data


def _document(report: Report, catalog: Catalog, namespace: str) -> Any:
    from license_expression import Licensing
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
    from spdx_tools.spdx.model.package import (
        ExternalPackageRef,
        ExternalPackageRefCategory,
        Package,
        PackagePurpose,
    )
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    # A plain Licensing knows no ids, so it keeps every key exactly as written (no alias rewrites).
    plain = Licensing()
    extracted: dict[str, LicenseItem] = {}

    def expression(license: SbomLicense) -> Any:
        if license.expression is None:
            return SpdxNoAssertion()
        for item in license.items:
            if not item.listed:
                extracted.setdefault(item.key, item)
        return plain.parse(license.expression)

    stock = inventory(report, catalog)
    spdx_ids = {e.ref: f"SPDXRef-{e.ref}" for e in stock.entries}
    packages = []
    for entry in stock.entries:
        declared = sbom_license(entry.declared, catalog, spdx_listed, entry.link)
        concluded = sbom_license(entry.concluded, catalog, spdx_listed, entry.link)
        references = []
        if entry.purl:
            references.append(
                ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", entry.purl)
            )
        owner = entry.owner
        packages.append(
            Package(
                spdx_id=spdx_ids[entry.ref],
                name=entry.name,
                version=entry.sha,
                download_location=entry.download_url or SpdxNoAssertion(),
                homepage=entry.hub_url,
                supplier=Actor(ActorType.ORGANIZATION, owner) if owner else None,
                files_analyzed=False,
                license_declared=expression(declared),
                license_concluded=(
                    expression(concluded) if entry.concluded is not None else SpdxNoAssertion()
                ),
                license_comment=license_comment(entry),
                copyright_text=SpdxNoAssertion(),
                primary_package_purpose=PackagePurpose.OTHER,
                comment=entry_comment(entry),
                external_references=references,
            )
        )
    relationships = [
        Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, spdx_ids[ref])
        for ref in stock.subjects
    ]
    for link in stock.links:
        if link.kind == "base":
            comment = f"{link.relation or 'derived'} of the base model (declared in {link.source})"
            kind = RelationshipType.DESCENDANT_OF
        else:
            # SPDX 2.3 has no relationship for training data; SPDX 3 calls it trainedOn.
            comment = "trainedOn: the model's card lists this dataset as training data"
            kind = RelationshipType.OTHER
        relationships.append(
            Relationship(spdx_ids[link.child], kind, spdx_ids[link.parent], comment=comment)
        )
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=f"{TOOL_NAME} report",
        document_namespace=namespace,
        creators=[Actor(ActorType.TOOL, f"{TOOL_NAME}-{report.tool_version}")],
        created=created_at(report),
        creator_comment=run_summary(report),
    )
    infos = [
        ExtractedLicensingInfo(
            license_id=item.key,
            extracted_text=item.text,
            license_name=item.name,
            cross_references=list(item.urls),
            comment="Written by license-lint for a license that has no SPDX License List id.",
        )
        for item in sorted(extracted.values(), key=lambda i: i.key)
    ]
    return Document(
        creation, packages=packages, relationships=relationships, extracted_licensing_info=infos
    )


def render(report: Report, style: Styler) -> str:
    """The report as an SPDX 2.3 JSON document."""
    del style
    document = build_document(report, load_catalog())
    return json.dumps(_to_dict(document), indent=2, ensure_ascii=False) + "\n"


def _valid_hub_id(name: str) -> bool:
    from ..errors import InvalidReferenceError
    from ..hub import validate_repo_id

    try:
        validate_repo_id(name)
    except InvalidReferenceError:
        return False
    return True
