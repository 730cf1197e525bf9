"""What a derivative inherits from its ancestors, and the findings about its declared license."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .catalog import Catalog, LicensePolicy
from .codes import DEFAULT_SEVERITY
from .model import (
    PLACEHOLDERS,
    Card,
    Evidence,
    Finding,
    LicenseTerm,
    Lineage,
    LineageNode,
    Location,
    Normalized,
    Severity,
)
from .rules import Rules

# How restrictive each category is, for "declared less restrictive than the base" and for
# telling a relicensing (stale terms) from a wrong version.
RANK = {
    "public-domain": 0,
    "permissive": 1,
    "data": 1,
    "copyleft-weak": 2,
    "share-alike": 2,
    "copyleft-strong": 3,
    "responsible-ai": 3,
    "community": 3,
    "non-commercial": 4,
    "research-only": 5,
}
BINDING_PASS_THROUGH = frozenset(
    {"required", "implicit", "share-alike", "whole-license", "no-conflict"}
)
SHARING = frozenset({"share-alike", "whole-license"})


def binds_derivatives(policy: LicensePolicy) -> bool:
    """True when a derivative cannot shed the license's terms by declaring another license."""
    if not policy.derivatives_inherit or policy.kind != "license":
        return False
    if policy.restrictions or policy.thresholds or policy.pass_through in BINDING_PASS_THROUGH:
        return True
    return any(p.status != "allowed" for p in policy.permissions.values())


def _policies(license: Normalized | None, catalog: Catalog) -> list[LicensePolicy]:
    if license is None:
        return []
    found = (catalog.get(i) for i in license.ids if i not in PLACEHOLDERS)
    return [p for p in found if p is not None]


def effective_license(lineage: Lineage, catalog: Catalog) -> Normalized:
    """The subject's own terms plus those of every ancestor whose license binds derivatives."""
    root = lineage.nodes[lineage.root]
    own = root.license or Normalized(terms=())
    terms = list(own.terms)
    line = root.card.declaration.lines.get("base_model") if root.card else None
    path = root.card.readme_path if root.card else None
    for node in lineage.ancestors():
        for term in node.license.terms if node.license else ():
            # A base that offers a choice (A OR B) passes the choice on, not both licenses.
            options = tuple(i for i in term.any_of if _inherits(i, catalog))
            if not options or len(options) < len(term.any_of) or _covered(options, terms):
                continue
            label = " OR ".join(options)
            terms.append(
                LicenseTerm(
                    options,
                    Evidence("base_model", f"{node.repo_id}: {label}", line, path),
                    term.confidence,
                    f"inherited from {node.repo_id}",
                )
            )
    return Normalized(terms=tuple(terms), conflicts=own.conflicts)


def _covered(options: tuple[str, ...], terms: Sequence[LicenseTerm]) -> bool:
    """True when the terms already impose these options: each one alone, or the same choice."""
    # A license the card only offers (mit OR cc-by-nc-4.0) may be declined for the other one,
    # so it does not stand for a base's license, which binds whatever the derivative offers.
    required = {t.any_of[0] for t in terms if len(t.any_of) == 1}
    return set(options) <= required or any(set(t.any_of) == set(options) for t in terms)


def _inherits(license_id: str, catalog: Catalog) -> bool:
    policy = catalog.get(license_id)
    return policy is not None and policy.id not in PLACEHOLDERS and policy.derivatives_inherit


def _single_policies(license: Normalized | None, catalog: Catalog) -> list[LicensePolicy]:
    """Licenses that certainly apply: terms without a choice."""
    if license is None:
        return []
    found = (catalog.get(t.any_of[0]) for t in license.terms if len(t.any_of) == 1)
    return [p for p in found if p is not None and p.id not in PLACEHOLDERS]


def effective_ids(lineage: Lineage, repo_id: str, catalog: Catalog) -> tuple[str, ...]:
    """Catalog ids that bind one node of the graph: its own and its inheriting ancestors'."""
    out: list[str] = []
    seen: set[str] = set()
    stack = [repo_id]
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        node = lineage.nodes.get(current)
        if node is not None and node.license is not None:
            own = current == repo_id
            for license_id in node.license.ids:
                policy = catalog.get(license_id)
                inherits = policy is not None and policy.derivatives_inherit
                if license_id not in out and (own or inherits):
                    out.append(license_id)
        stack += [edge.parent for edge in lineage.parents(current)]
    return tuple(out)


class _Findings:
    """Builds lineage findings that point at the subject's card line."""

    def __init__(self, card: Card, rules: Rules) -> None:
        self.card = card
        self.rules = rules
        line = card.declaration.lines.get("base_model") or card.declaration.lines.get(
            card.declaration.key or "license"
        )
        self.location = Location(card.readme_path, line, "base_model")
        self.out: list[Finding] = []

    def _at(self, key: str) -> Location:
        return Location(self.card.readme_path, self.card.declaration.lines.get(key), key)

    def add(
        self,
        code: str,
        message: str,
        *,
        policy: LicensePolicy | None = None,
        clause: str | None = None,
        hint: str | None = None,
        severity: Severity | None = None,
        key: str = "base_model",
    ) -> None:
        override = self.rules.severity.get(code)
        if override == "off":
            return
        chosen = Severity(override) if override else severity or DEFAULT_SEVERITY[code]
        self.out.append(
            Finding(
                code=code,
                severity=chosen,
                message=message,
                subject=self.card.label,
                location=self.location if key == "base_model" else self._at(key),
                clause=clause,
                hint=hint,
                license_id=policy.id if policy else None,
            )
        )


def lineage_findings(lineage: Lineage, catalog: Catalog, rules: Rules) -> list[Finding]:
    """Findings about the subject's lineage: what it declares against what binds it."""
    root = lineage.nodes[lineage.root]
    if root.card is None:
        return []
    out = _Findings(root.card, rules)
    # What the card itself declares: a license file that disagrees is its own finding.
    card_terms = (
        tuple(t for t in root.license.terms if t.evidence.source != "file") if root.license else ()
    )
    _unresolved(lineage, out)
    for cycle in lineage.cycles:
        out.add(
            "base-unresolved",
            f"the base models form a cycle ({' -> '.join(cycle)}); the walk stopped there",
            hint="fix base_model in the cards of the cycle",
        )
    if lineage.truncated:
        out.add(
            "base-unresolved",
            f"the lineage is deeper than lineage.max_depth: the bases of "
            f"{', '.join(lineage.truncated[:3])} were not followed",
            hint="raise lineage.max_depth in the rules to follow it",
        )
    reported: set[str] = set()
    declared = _Declared(card_terms, catalog)
    for node in lineage.ancestors():
        for policy in _single_policies(node.license, catalog):
            if policy.id in reported or not binds_derivatives(policy):
                continue
            reported.add(policy.id)
            _against_ancestor(out, node, policy, declared)
    if set(rules.deployment.modes) & {"distribute-weights", "distribute-derivative", "on-device"}:
        _name_prefix(out, lineage, catalog, root.card)
    _merge(out, lineage, catalog)
    _datasets(out, lineage, catalog, rules)
    return out.out


def _unresolved(lineage: Lineage, out: _Findings) -> None:
    for node in lineage.ancestors():
        if node.card is None:
            out.add(
                "base-unresolved",
                f"base model {node.repo_id} cannot be read: {node.problem}; its terms may bind "
                "this model",
                hint="the reason says what is missing: a renamed or deleted base needs "
                "base_model fixed, a gated one HF_TOKEN, an offline run a filled cache",
            )
        elif node.license is not None and node.license.status != "resolved":
            out.add(
                "base-unresolved",
                f"the license of base model {node.repo_id} is {node.license.expression}; "
                "its terms may bind this model",
                hint="read the base model's license and record the result as a waiver",
            )


def _same_family(a: LicensePolicy, b: LicensePolicy) -> bool:
    return a.family == b.family and a.family not in ("permissive", "copyleft", "placeholder")


class _Declared:
    """What a card declares, split into the licenses it requires and the choices it offers."""

    def __init__(self, terms: Sequence[LicenseTerm], catalog: Catalog) -> None:
        self.terms = tuple(t for t in terms if t.known)
        self.required = _single_policies(Normalized(terms=self.terms), catalog)
        self.choices = [
            [p for p in (catalog.get(i) for i in t.any_of) if p and p.id not in PLACEHOLDERS]
            for t in self.terms
            if len(t.any_of) > 1
        ]

    def text(self) -> str:
        """The declaration as the messages name it."""
        if self.choices:
            return " AND ".join(t.label() for t in self.terms)
        return ", ".join(p.id for p in self.required)

    def branch_without(self, policy: LicensePolicy) -> list[LicensePolicy]:
        """The licenses of the branch a licensee would take to avoid `policy` (or its family)."""
        branch = list(self.required)
        for options in self.choices:
            others = [p for p in options if p.id != policy.id]
            unrelated = [p for p in others if not _same_family(p, policy)]
            branch += (unrelated or others)[:1]
        return branch


def _against_ancestor(
    out: _Findings, node: LineageNode, policy: LicensePolicy, card: _Declared
) -> None:
    """The declared license against one binding ancestor license, on its least bound branch."""
    if any(d.id == policy.id for d in card.required):
        return
    # Offering the base's license as one option is not declaring it: the other can be taken.
    declared = card.branch_without(policy)
    if not declared:
        return
    ids = card.text()
    same_family = [d for d in declared if _same_family(d, policy)]
    stricter = [d for d in same_family if RANK.get(d.category, 3) > RANK.get(policy.category, 3)]
    versions = [d for d in same_family if d.category == policy.category]
    if stricter or versions:
        newer = (stricter or versions)[0]
        if stricter:
            out.add(
                "stale-license",
                f"the card declares {newer.id}, but its base {node.repo_id} is now under "
                f"{policy.id}, which is less restrictive",
                policy=policy,
                hint="check whether the derivative may move to the base's current license",
            )
        else:
            out.add(
                "license-version-mismatch",
                f"the card declares {newer.id}, but its base {node.repo_id} is under "
                f"{policy.id}; a derivative carries its base's license version",
                policy=policy,
                hint=f"declare license: {policy.hub_ids[0] if policy.hub_ids else policy.id}",
            )
        return
    chosen = " whichever license is chosen" if card.choices else ""
    out.add(
        "lineage-conflict",
        f"the card declares {ids}, but its base {node.repo_id} is under {policy.id} "
        f"({policy.name}), whose terms bind derivatives{chosen}; both apply",
        policy=policy,
        clause=_binding_clause(policy),
        hint=f"declare the base's license ({policy.id}) or one that keeps all of its terms"
        + (", not as one option of a choice" if card.choices else ""),
    )
    if policy.pass_through == "required" and not any(d.restrictions for d in declared):
        out.add(
            "pass-through-missing",
            f"{policy.id} requires its use restrictions to be passed on to every recipient of a "
            f"derivative, and {', '.join(d.id for d in declared)} carries none",
            policy=policy,
            clause=_binding_clause(policy),
            hint="include the base license's use restrictions in the derivative's license",
        )


def _binding_clause(policy: LicensePolicy) -> str | None:
    for obligation in policy.obligations:
        if obligation.id in ("pass-through-restrictions", "same-license", "include-license"):
            return obligation.clause
    return None


_SEPARATORS = re.compile(r"[\s_\-.]+")


def fold_model_name(name: str) -> str:
    """A model name for prefix comparison: "Llama3-8B" and "Llama 3" both begin "llama3"."""
    return _SEPARATORS.sub("", name).lower()


def _name_prefix(out: _Findings, lineage: Lineage, catalog: Catalog, card: Card) -> None:
    """A distributed derivative of Llama 3+ must carry the name prefix its license asks for."""
    if not lineage.ancestors() or card.repo_id is None:
        return
    name = fold_model_name(card.repo_id.rsplit("/", 1)[-1])
    seen: set[str] = set()
    for node in lineage.ancestors():
        for policy in _policies(node.license, catalog):
            for obligation in policy.obligations:
                if obligation.id != "name-prefix" or not obligation.text or policy.id in seen:
                    continue
                seen.add(policy.id)
                if not name.startswith(fold_model_name(obligation.text)):
                    out.add(
                        "name-prefix-missing",
                        f"{policy.id} requires a distributed derivative's name to start with "
                        f'"{obligation.text}"; this one is named {card.repo_id.rsplit("/", 1)[-1]}',
                        policy=policy,
                        clause=obligation.clause,
                        hint=f'rename the model so that its name begins with "{obligation.text}"',
                    )


def _merge(out: _Findings, lineage: Lineage, catalog: Catalog) -> None:
    """A merge of parents whose licenses cannot both be honoured."""
    parents = lineage.parents(lineage.root)
    if len(parents) < 2:
        return
    policies: list[tuple[str, LicensePolicy]] = []
    for edge in parents:
        node = lineage.nodes.get(edge.parent)
        policies += [(edge.parent, p) for p in _policies(node.license if node else None, catalog)]
    sharing = [(n, p) for n, p in policies if p.pass_through in SHARING]
    for name, policy in sharing:
        others = [(n, p) for n, p in policies if n != name and p.id != policy.id]
        clash = [
            (n, p) for n, p in others if p.restrictions or p.pass_through in SHARING | {"required"}
        ]
        if clash:
            other_name, other = clash[0]
            out.add(
                "merge-incompatible",
                f"merging {name} ({policy.id}, whose derivatives must stay under it) with "
                f"{other_name} ({other.id}, which adds its own terms) leaves no license that "
                "honours both",
                policy=policy,
                hint="drop one of the parents, or get permission from a licensor",
            )
            return


def _datasets(out: _Findings, lineage: Lineage, catalog: Catalog, rules: Rules) -> None:
    severity = {"fail": Severity.ERROR, "warn": Severity.WARNING}.get(rules.datasets)
    if severity is None:
        return
    for node in lineage.datasets:
        if node.card is None:
            out.add(
                "dataset-unresolved",
                f"dataset {node.repo_id} cannot be read: {node.problem}",
                hint="check the dataset id in the card's datasets",
                key="datasets",
            )
            continue
        if node.license is None or node.license.status != "resolved":
            expression = node.license.expression if node.license else "none"
            out.add(
                "dataset-unresolved",
                f"the license of dataset {node.repo_id} is {expression}; it may restrict the "
                "model trained on it",
                hint="read the dataset's license and record the result as a waiver",
                key="datasets",
            )
            continue
        for policy in _policies(node.license, catalog):
            reasons = list(_dataset_reasons(policy))
            if reasons:
                out.add(
                    "dataset-restricted",
                    f"training data {node.repo_id} is under {policy.id}: {', '.join(reasons)}",
                    policy=policy,
                    hint="check whether the model may be used given its training data, "
                    "or record a waiver",
                    severity=severity,
                    key="datasets",
                )


def _dataset_reasons(policy: LicensePolicy) -> Iterable[str]:
    if policy.permissions.get("commercial_use") and (
        policy.permissions["commercial_use"].status == "forbidden"
    ):
        yield "non-commercial"
    if policy.category == "research-only":
        yield "research only"
    derivatives = policy.permissions.get("derivatives")
    if derivatives is not None and derivatives.status == "forbidden":
        yield "no derivatives"
    if any(r.id == "no-sharing-derivatives" for r in policy.restrictions):
        yield "adaptations may not be shared"
