"""Findings from a card's licenses, the catalog and the organization's rules; then waivers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import replace

from .catalog import Catalog, LicensePolicy, Obligation, Restriction, Threshold
from .codes import DEFAULT_SEVERITY
from .model import (
    PLACEHOLDERS,
    SEVERITY_ORDER,
    Card,
    Finding,
    LicenseTerm,
    Lineage,
    Location,
    ModelRef,
    Normalized,
    Severity,
)
from .rules import Rules, Waiver

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# The 27 member states, for domicile checks against "EU".
EU_MEMBERS = frozenset(
    ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
) | frozenset(("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"))

MULTIMODAL_PIPELINES = frozenset(
    {
        "image-text-to-text",
        "visual-question-answering",
        "image-to-text",
        "any-to-any",
        "video-text-to-text",
        "audio-text-to-text",
        "document-question-answering",
        "visual-document-retrieval",
    }
)

_ACTION_WORDS = {
    "use": "any use",
    "commercial-use": "commercial use",
    "distribute": "distributing the model",
    "derivative-distributed": "distributing a derivative",
    "hosted-service": "offering it as a service",
    "product": "shipping it in a product",
    "train-on-outputs": "training on its outputs",
    "outputs": "using its outputs",
    "public-statement": "public statements about a derivative",
}


def actions(rules: Rules) -> frozenset[str]:
    """What the deployment does, in the vocabulary license obligations are written in."""
    dep = rules.deployment
    out = {"use", "outputs"}
    if dep.commercial:
        out.add("commercial-use")
    modes = set(dep.modes)
    if "hosted-service" in modes:
        out |= {"hosted-service", "product"}
    if "on-device" in modes:
        out |= {"distribute", "product"}
    if "distribute-weights" in modes:
        out.add("distribute")
    if "distribute-derivative" in modes:
        out |= {"distribute", "derivative-distributed"}
    if dep.train_on_outputs:
        out.add("train-on-outputs")
    if dep.publishes_card and "derivative-distributed" in out:
        # The published card of a derivative is a public statement about it (Falcon §6).
        out.add("public-statement")
    return frozenset(out)


def is_multimodal(card: Card) -> bool | None:
    """True or False when the card says; None when it cannot tell."""
    if card.pipeline_tag in MULTIMODAL_PIPELINES:
        return True
    tags = {t.lower() for t in card.tags}
    if tags & {"multimodal", "vision", "image-text-to-text", "vision-language"}:
        return True
    return False if card.pipeline_tag else None


class _Context:
    """What every check needs: the subject, where its license was declared, and the rules."""

    def __init__(
        self, card: Card, catalog: Catalog, rules: Rules, lineage: Lineage | None = None
    ) -> None:
        self.card = card
        self.lineage = lineage
        self.catalog = catalog
        self.rules = rules
        self.actions = actions(rules)
        declaration = card.declaration
        line = declaration.lines.get(declaration.key or "license") or declaration.lines.get(
            "license_name"
        )
        self.location = Location(card.readme_path, line, declaration.key or "license")

    def finding(
        self,
        code: str,
        message: str,
        *,
        policy: LicensePolicy | None = None,
        clause: str | None = None,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=code,
            severity=severity or DEFAULT_SEVERITY[code],
            message=message,
            subject=self.card.label,
            location=self.location,
            clause=clause,
            hint=hint,
            license_id=policy.id if policy else None,
        )


def evaluate(
    card: Card,
    license: Normalized,
    catalog: Catalog,
    rules: Rules,
    lineage: Lineage | None = None,
) -> list[Finding]:
    """Every finding for one card under the rules, severities as the rules set them."""
    ctx = _Context(card, catalog, rules, lineage)
    findings: list[Finding] = list(card.findings)
    if card.gated:
        findings.append(
            ctx.finding(
                "gated",
                f"the repository is gated ({card.gated}): its terms must be accepted on the Hub "
                "by an account of the organization before the weights can be downloaded",
                hint="accept the terms on the model's Hub page; keep a record of who accepted",
            )
        )
    for conflict in license.conflicts:
        code = "license-file-mismatch" if conflict.kind == "file" else "license-conflict"
        findings.append(ctx.finding(code, conflict.message, hint="ask the author to fix the card"))
    if not license.terms:
        findings += _missing(ctx)
    for term in license.terms:
        findings += _term_findings(ctx, term)
    return _apply_severity(_dedupe(findings), rules)


def _missing(ctx: _Context) -> list[Finding]:
    return _unknown_finding(
        ctx,
        "license-missing",
        "the card declares no license that license-lint can read",
        "find the license in the repository files or ask the author; "
        "until then the model cannot be used",
    )


def unknown_severity(rules: Rules) -> Severity | None:
    """The severity `licenses.unknown` gives missing or unknown licenses; None for ignore."""
    return {"fail": E, "warn": W}.get(rules.unknown)


def _action_severity(action: str) -> Severity | None:
    return {"fail": E, "warn": W}.get(action)


def _unknown_finding(
    ctx: _Context, code: str, message: str, hint: str, policy: LicensePolicy | None = None
) -> list[Finding]:
    """A missing or unreadable license, at the severity `licenses.unknown` gives."""
    severity = unknown_severity(ctx.rules)
    if severity is None:
        return []
    return [ctx.finding(code, message, policy=policy, hint=hint, severity=severity)]


def _term_findings(ctx: _Context, term: LicenseTerm) -> list[Finding]:
    """Findings for one license term; with a choice (OR), the option that fares best."""
    if not term.any_of:
        return _unknown(ctx, term)
    options = [_license_findings(ctx, term, license_id) for license_id in term.any_of]
    return min(options, key=lambda fs: sum(SEVERITY_ORDER[f.severity] * 10 for f in fs))


def _unknown(ctx: _Context, term: LicenseTerm) -> list[Finding]:
    return _unknown_finding(
        ctx,
        "license-unknown",
        f"{term.evidence.source} '{term.evidence.raw}' is not a license license-lint knows"
        + (f" ({term.note})" if term.note else ""),
        "read the license text, then add a waiver or ask for the license to be "
        "added to the catalog (`license-lint licenses` lists the known ones)",
    )


def _terms_unverified(policy: LicensePolicy) -> bool:
    """True when the catalog knows the license by name only (its permissions are unverified)."""
    entries = policy.raw.get("unverified") or []
    return any(isinstance(e, dict) and e.get("field") == "permissions" for e in entries)


def _unverified(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    return _unknown_finding(
        ctx,
        "license-unknown",
        f"{policy.id} ({policy.name}) is known to license-lint by name only: its terms are "
        "not verified, so no use of it can be checked",
        f"read the license text, then add a waiver; `license-lint explain {policy.id}` shows "
        "what is known",
        policy,
    )


def _license_findings(ctx: _Context, term: LicenseTerm, license_id: str) -> list[Finding]:
    policy = ctx.catalog.get(license_id)
    if policy is None:
        return _unknown(ctx, term)
    if policy.id in PLACEHOLDERS:
        return _unknown(ctx, term)
    findings: list[Finding] = []
    rules = ctx.rules
    if policy.id in rules.deny:
        findings.append(
            ctx.finding(
                "license-denied",
                f"{policy.id} ({policy.name}) is on the deny list of the rules",
                policy=policy,
                hint=f"denied by licenses.deny in {_rules_place(rules, 'licenses', 'deny')}",
            )
        )
        return findings
    if policy.kind == "family":
        severity = _action_severity(rules.families)
        if rules.allow is not None and policy.id not in rules.allow:
            findings.append(_not_allowed(ctx, policy))
        if severity is not None:
            findings.append(
                ctx.finding(
                    "license-family",
                    f"'{policy.id}' names a family of licenses ({', '.join(policy.members)}), "
                    "not one license",
                    policy=policy,
                    hint="find which member applies (LICENSE file, base model) and ask the "
                    "author to declare it",
                    severity=severity,
                )
            )
        return findings
    if rules.allow is not None and policy.id not in rules.allow:
        findings.append(_not_allowed(ctx, policy))
    if _terms_unverified(policy):
        # Known by name only: every answer would be a guess, so it is as good as unknown.
        return findings + _unverified(ctx, policy)
    findings += _permissions(ctx, policy)
    findings += _field_of_use(ctx, policy)
    findings += _thresholds(ctx, policy)
    findings += _geography(ctx, policy)
    findings += _uses(ctx, policy)
    findings += _obligations(ctx, policy)
    return findings


def _rules_place(rules: Rules, *key: str) -> str:
    """Where a rules key is: file:line for a rules file, the preset's name otherwise."""
    line = rules.line_of(*key) if rules.path else None
    return f"{rules.source}:{line}" if line else rules.source


def _not_allowed(ctx: _Context, policy: LicensePolicy) -> Finding:
    return ctx.finding(
        "license-not-allowed",
        f"{policy.id} ({policy.name}) is not on the allow list of the rules",
        policy=policy,
        hint=f"licenses.allow in {_rules_place(ctx.rules, 'licenses', 'allow')}",
    )


def _permissions(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    rules = ctx.rules
    modes = set(rules.deployment.modes)
    checks = [
        (
            "commercial_use",
            rules.deployment.commercial,
            "commercial-use-forbidden",
            "commercial use",
        ),
        (
            "hosted_service",
            "hosted-service" in modes,
            "hosted-service-forbidden",
            "a hosted service",
        ),
        (
            "redistribution",
            bool(modes & {"distribute-weights", "on-device", "distribute-derivative"}),
            "redistribution-forbidden",
            "redistributing the weights",
        ),
        ("derivatives", "distribute-derivative" in modes, "derivatives-forbidden", "derivatives"),
        (
            "train_on_outputs",
            rules.deployment.train_on_outputs,
            "output-training-restricted",
            "training other models on its outputs",
        ),
    ]
    findings = []
    for key, needed, code, words in checks:
        permission = policy.permissions.get(key)
        if not needed or permission is None:
            continue
        note = f": {' '.join(permission.note.split())}" if permission.note else ""
        if permission.status == "forbidden":
            findings.append(
                ctx.finding(
                    code,
                    f"{policy.id} does not allow {words}{note}",
                    policy=policy,
                    clause=permission.clause,
                    hint="use a model under another license, or get a separate license from "
                    "the licensor",
                )
            )
        elif permission.status == "unclear":
            findings.append(
                ctx.finding(
                    "permission-unclear",
                    f"it is unclear whether {policy.id} allows {words}{note}",
                    policy=policy,
                    clause=permission.clause,
                    hint="have the license read before relying on it",
                )
            )
        elif permission.status == "conditional" and code == "output-training-restricted":
            findings.append(
                ctx.finding(
                    code,
                    f"{policy.id} allows {words} only under conditions{note}",
                    policy=policy,
                    clause=permission.clause,
                    severity=W,
                )
            )
    return findings


def _field_of_use(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    """Research-only, non-production and similar restrictions against the deployment."""
    rules = ctx.rules
    modes = set(rules.deployment.modes)
    findings = []
    for item in policy.restrictions:
        code, words = None, ""
        if item.id == "non-commercial-only" and rules.deployment.commercial:
            code, words = "commercial-use-forbidden", "is for non-commercial use only"
        elif item.id == "research-only" and (
            rules.deployment.commercial or modes & {"hosted-service", "on-device"}
        ):
            code, words = "use-restricted", "is for research only"
        elif item.id == "non-production-only" and modes & {"hosted-service", "on-device"}:
            code, words = "use-restricted", "may not be used in production"
        elif item.id in ("research-only", "non-production-only") and modes - {"research"}:
            # Internal use can be production work or research; only the rules can say which.
            findings.append(_internal_use_review(ctx, policy, item.id, item.clause))
            continue
        elif item.id == "no-hosted-service" and "hosted-service" in modes:
            code, words = "hosted-service-forbidden", "may not be offered as a hosted service"
        elif item.id == "no-distribution" and modes & {
            "distribute-weights",
            "distribute-derivative",
            "on-device",
        }:
            code, words = "redistribution-forbidden", "may not be redistributed"
        elif item.id == "no-sharing-derivatives" and "distribute-derivative" in modes:
            code, words = "derivatives-forbidden", "allows no sharing of adaptations"
        if code and item.qualifier:
            # A narrowed restriction ("adapted material only") needs a reader, not a verdict.
            findings.append(
                ctx.finding(
                    "use-review",
                    f"{policy.id} {words} ({item.qualifier})",
                    policy=policy,
                    clause=item.clause,
                    hint="check whether the qualification covers this deployment",
                )
            )
        elif code:
            findings.append(
                ctx.finding(
                    code,
                    f"{policy.id} {words}",
                    policy=policy,
                    clause=item.clause,
                    hint="use a model under another license, or get a separate license",
                )
            )
    return findings


def _internal_use_review(
    ctx: _Context, policy: LicensePolicy, limit: str, clause: str | None
) -> Finding:
    allowed = "research" if limit == "research-only" else "non-production use"
    return ctx.finding(
        "use-review",
        f"{policy.id} allows only {allowed}, and the rules declare internal use, which may be "
        "production work",
        policy=policy,
        clause=clause,
        hint="if the models are used only for research, declare deployment.modes: [research]",
    )


def _org_value(rules: Rules, threshold: Threshold) -> float | None:
    org = rules.organization
    if threshold.metric == "monthly_active_users":
        return org.monthly_active_users
    if threshold.metric == "daily_active_users":
        return org.daily_active_users
    if threshold.metric == "annual_revenue_usd":
        return org.annual_revenue_usd
    if threshold.metric == "monthly_revenue_usd" and org.annual_revenue_usd is not None:
        return org.annual_revenue_usd / 12
    return None


_METRIC_WORDS = {
    "monthly_active_users": "monthly active users",
    "daily_active_users": "daily active users",
    "annual_revenue_usd": "annual revenue (USD)",
    "monthly_revenue_usd": "monthly revenue (USD)",
    "attributable_revenue_usd": "revenue attributable to the model (USD)",
}


def _figure_hint(metric: str) -> str:
    if metric in ("monthly_active_users", "daily_active_users", "annual_revenue_usd"):
        return f"set organization.{metric} in the rules"
    if metric == "monthly_revenue_usd":
        return "set organization.annual_revenue_usd in the rules"
    return "check the figure by hand; the rules have no key for it"


def _exceeds(value: float, threshold: Threshold) -> bool:
    return (
        value > threshold.limit
        if threshold.comparison == "greater-than"
        else (value >= threshold.limit)
    )


def _thresholds(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    rules = ctx.rules
    findings = []
    for threshold in policy.thresholds:
        if threshold.applies_when == "commercial-use" and not rules.deployment.commercial:
            continue
        words = _METRIC_WORDS.get(threshold.metric, threshold.metric)
        limit = f"{threshold.limit:,.0f}"
        when = f" (measured at {threshold.anchor_date})" if threshold.anchor_date else ""
        value = _org_value(rules, threshold)
        if value is None:
            findings.append(
                ctx.finding(
                    "threshold-unknown",
                    f"{policy.id} has a limit of {limit} {words}{when}, and the rules do not "
                    "state the organization's figure",
                    policy=policy,
                    clause=threshold.clause,
                    hint=_figure_hint(threshold.metric),
                )
            )
            continue
        if not _exceeds(value, threshold):
            continue
        if threshold.consequence == "attribution-required":
            continue  # the obligations conditioned on it become duties below
        affiliates = " including affiliates" if threshold.includes_affiliates else ""
        findings.append(
            ctx.finding(
                "threshold-exceeded",
                f"the organization's {words}{affiliates} ({value:,.0f}) exceed the {limit} limit "
                f"of {policy.id}{when}: {threshold.consequence.replace('-', ' ')}",
                policy=policy,
                clause=threshold.clause,
                hint="ask the licensor for a separate license, or use another model",
            )
        )
    return findings


def _in_region(domicile: Iterable[str], region: str) -> bool:
    codes = {d.upper() for d in domicile}
    region = region.upper()
    if region in ("EU", "EUROPEAN UNION"):
        return bool(codes & (EU_MEMBERS | {"EU"}))
    return region in codes


def _geography(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    findings = []
    domicile = ctx.rules.organization.domicile
    for rule in policy.geography:
        if not _in_region(domicile, rule.region):
            continue
        multimodal = is_multimodal(ctx.card) if rule.models == "multimodal-models" else True
        through = _multimodal_base(ctx, policy) if multimodal is not True else None
        if through is not None:
            multimodal = True
        if multimodal is False:
            continue
        effect = rule.effect.replace("-", " ")
        if multimodal is None:
            findings.append(
                ctx.finding(
                    "geography-review",
                    f"{policy.id} excludes organizations domiciled in {rule.region} from "
                    "multimodal models, and the card does not say whether this model is one",
                    policy=policy,
                    clause=rule.clause,
                    hint="check the model's modalities (pipeline_tag)",
                )
            )
            continue
        restricted = rule.effect == "restricted"
        code = "geography-review" if restricted else "geography-excluded"
        scope = "multimodal models" if rule.models == "multimodal-models" else "the model"
        if through is not None:
            scope += f" and their derivatives (its base {through} is multimodal)"
        what = "restricts" if restricted else "grants no rights to"
        findings.append(
            ctx.finding(
                code,
                f"{policy.id} {what} {scope} for organizations domiciled in "
                f"{rule.region} ({effect}); the rules give domicile {', '.join(domicile)}",
                policy=policy,
                clause=rule.clause,
                hint="end users of a product that integrates the model may be exempt; ask counsel",
            )
        )
    return findings


def _multimodal_base(ctx: _Context, policy: LicensePolicy) -> str | None:
    """An ancestor under this license that is multimodal: the model derives from it."""
    # A text-only fine-tune of a multimodal base is still a derivative of that base, and a
    # license that excludes a region from the base's rights excludes it from derivatives too.
    for node in ctx.lineage.ancestors() if ctx.lineage is not None else ():
        if node.card is None or node.license is None or policy.id not in node.license.ids:
            continue
        if is_multimodal(node.card):
            return node.resolved_id
    return None


def _uses(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    """Declared deployment uses against the license's use restrictions."""
    findings = []
    taxonomy = ctx.catalog.taxonomy
    restricted = {r.id: r for r in policy.restrictions}
    for use in ctx.rules.deployment.uses:
        direct = restricted.get(use)
        if direct is not None:
            findings.append(_restricted_use(ctx, policy, f"'{use}'", direct))
            continue
        entry = taxonomy.get(use)
        # A use that is by definition a kind of a restricted category is that restricted use,
        # not merely near it: report it as if the category itself had been declared.
        kinds = [restricted[k] for k in (entry.kinds(taxonomy) if entry else ()) if k in restricted]
        for item in kinds:
            findings.append(_restricted_use(ctx, policy, f"'{use}', a kind of '{item.id}'", item))
        reported = {item.id for item in kinds}
        touched = [
            restricted[i]
            for i in (entry.implicates if entry else ())
            if i in restricted and i not in reported
        ]
        for item in touched:
            source = item.source or policy.name
            findings.append(
                ctx.finding(
                    "use-review",
                    f"the deployment declares '{use}', which may run into '{item.id}' "
                    f"restricted by {source}",
                    policy=policy,
                    clause=item.clause,
                    hint="check that the deployment stays clear of it, then record the review "
                    "as a waiver",
                )
            )
    return findings


def _restricted_use(
    ctx: _Context, policy: LicensePolicy, declared: str, item: Restriction
) -> Finding:
    """A declared use the license restricts: an error, or a review when the item is qualified."""
    qualifier = f" ({item.qualifier})" if item.qualifier else ""
    source = item.source or policy.name
    return ctx.finding(
        "use-restricted" if not item.qualifier else "use-review",
        f"the deployment declares {declared}, which {source} restricts{qualifier}",
        policy=policy,
        clause=item.clause,
        hint="do not use this model for that purpose, or get a separate license",
    )


def _obligation_applies(obligation: Obligation, ctx: _Context, policy: LicensePolicy) -> bool:
    if not set(obligation.applies_to) & ctx.actions:
        return False
    if obligation.condition == "commercial-use":
        return ctx.rules.deployment.commercial
    if obligation.condition == "threshold-exceeded":
        return any(
            (value := _org_value(ctx.rules, t)) is not None and _exceeds(value, t)
            for t in policy.thresholds
        )
    return True


def _obligations(ctx: _Context, policy: LicensePolicy) -> list[Finding]:
    findings = []
    for obligation in policy.obligations:
        if not _obligation_applies(obligation, ctx, policy):
            continue
        what = obligation.id.replace("-", " ")
        if obligation.text:
            what += f' "{obligation.text}"'
        when = ", ".join(_ACTION_WORDS.get(a, a) for a in obligation.applies_to if a in ctx.actions)
        note = f": {' '.join(obligation.note.split())}" if obligation.note else ""
        if obligation.id in ctx.rules.accept:
            findings.append(
                ctx.finding(
                    "obligation-duty",
                    f"{what} ({policy.id}, for {when}){note}",
                    policy=policy,
                    clause=obligation.clause,
                )
            )
        else:
            findings.append(
                ctx.finding(
                    "obligation-unaccepted",
                    f"{policy.id} requires {what} for {when}, and the rules do not accept "
                    f"'{obligation.id}'{note}",
                    policy=policy,
                    clause=obligation.clause,
                    hint=f"add {obligation.id} to obligations.accept once the organization "
                    "can meet it",
                )
            )
    return findings


# One of these per license is enough: a permission and a restriction often say the same thing.
_ONCE_PER_LICENSE = frozenset(
    {
        "commercial-use-forbidden",
        "hosted-service-forbidden",
        "redistribution-forbidden",
        "derivatives-forbidden",
    }
)


def _dedupe(findings: Sequence[Finding]) -> list[Finding]:
    seen: set[tuple[str | None, ...]] = set()
    out = []
    for finding in findings:
        key: tuple[str | None, ...] = (finding.code, finding.license_id)
        if finding.code not in _ONCE_PER_LICENSE:
            key += (finding.clause, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def _apply_severity(findings: Sequence[Finding], rules: Rules) -> list[Finding]:
    out = []
    for finding in findings:
        override = rules.severity.get(finding.code)
        if override == "off":
            continue
        if override is not None:
            finding = replace(finding, severity=Severity(override))
        out.append(finding)
    return out


def waive(
    ref: ModelRef,
    sha: str | None,
    findings: Sequence[Finding],
    rules: Rules,
    today: datetime.date,
) -> tuple[list[Finding], set[int]]:
    """Apply the rules' waivers to one model's findings; return them and the waivers used."""
    used: set[int] = set()
    out: list[Finding] = []
    # A dataset answers only to `datasets/owner/name`: a model of the same name is another
    # repository under other terms, and its waivers must not reach the dataset.
    hub_id = ref.repo_id if ref.kind == "model" or not ref.repo_id else f"datasets/{ref.repo_id}"
    names = {n.casefold() for n in (hub_id, ref.path, str(ref)) if n}
    expired_reported: set[int] = set()
    for finding in findings:
        for index, waiver in enumerate(rules.exceptions):
            if not _waiver_matches(waiver, names, sha, finding.code):
                continue
            if waiver.expires < today:
                if index not in expired_reported and rules.severity.get("waiver-expired") != "off":
                    expired_reported.add(index)
                    out.append(_expired(waiver, finding.subject, rules))
                used.add(index)
                continue
            used.add(index)
            finding = replace(
                finding,
                waiver=f"{waiver.reason} (owner {waiver.owner}, expires {waiver.expires})",
            )
            break
        out.append(finding)
    return out, used


def _waiver_matches(waiver: Waiver, names: set[str], sha: str | None, code: str) -> bool:
    if waiver.model.casefold() not in names or code not in waiver.codes:
        return False
    if waiver.revision is None:
        return True
    return sha is not None and sha.startswith(waiver.revision.lower())


def _expired(waiver: Waiver, subject: str, rules: Rules) -> Finding:
    return Finding(
        code="waiver-expired",
        severity=_severity_for("waiver-expired", rules),
        message=f"the waiver for {waiver.model} ({', '.join(waiver.codes)}) expired on "
        f"{waiver.expires}; it no longer applies",
        subject=subject,
        location=Location(rules.source, waiver.line, "exceptions") if rules.path else None,
        hint=f"renew it with a new expiry date after review (owner {waiver.owner}), or remove it",
    )


def unused_waivers(rules: Rules, used: set[int]) -> list[Finding]:
    """Waivers that matched no finding of any model in the run."""
    return [
        Finding(
            code="waiver-unused",
            severity=_severity_for("waiver-unused", rules),
            message=f"the waiver for {w.model} ({', '.join(w.codes)}) matched no finding",
            subject=rules.source,
            location=Location(rules.source, w.line, "exceptions") if rules.path else None,
            hint="remove it if the problem is gone, or check the model id and codes",
        )
        for i, w in enumerate(rules.exceptions)
        if i not in used and rules.severity.get("waiver-unused") != "off"
    ]


def _severity_for(code: str, rules: Rules) -> Severity:
    override = rules.severity.get(code)
    if override and override != "off":
        return Severity(override)
    return DEFAULT_SEVERITY[code]


def verdict(findings: Sequence[Finding], fail_on: Severity) -> str:
    """pass or fail: fail when an unwaived finding is at or above the failure level."""
    level = SEVERITY_ORDER[fail_on]
    failing = any(f.waiver is None and SEVERITY_ORDER[f.severity] >= level for f in findings)
    return "fail" if failing else "pass"
