"""A model repository's own duties as a publisher: license file, notice, attribution, name."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .catalog import Catalog, LicensePolicy
from .codes import DEFAULT_SEVERITY
from .identify import fold, identify
from .inherit import fold_model_name
from .model import PLACEHOLDERS, Card, Finding, Location, Normalized, Severity
from .rules import Rules

_NOTICE = re.compile(r"^notice(\.[a-z]+)?$", re.IGNORECASE)


def repo_findings(
    card: Card,
    effective: Normalized,
    files: Mapping[str, str],
    catalog: Catalog,
    rules: Rules,
    name: str,
) -> list[Finding]:
    """What a repository publishing this model must contain, checked against its files.

    `files` holds the text of README.md and of the repository's license-like files.
    """
    readme = files.get(card.readme_path, "")
    line = card.declaration.lines.get(card.declaration.key or "license")
    at_license = Location(card.readme_path, line, card.declaration.key or "license")
    # Every license whose text a file holds counts as shipped: a LICENSE may carry two.
    shipped = {
        license_id
        for path, text in files.items()
        if path != card.readme_path
        for license_id in identify(text, catalog).licenses
    }
    out: list[Finding] = []

    def add(
        code: str,
        message: str,
        policy: LicensePolicy,
        clause: str,
        hint: str,
        where: Location = at_license,
    ) -> None:
        override = rules.severity.get(code)
        if override == "off":
            return
        out.append(
            Finding(
                code=code,
                severity=Severity(override) if override else DEFAULT_SEVERITY[code],
                message=message,
                subject=card.label,
                location=where,
                clause=clause,
                hint=hint,
                license_id=policy.id,
            )
        )

    undeclared = _undeclared(card, effective, catalog, rules)
    if undeclared is not None:
        out.append(undeclared)
    short_name = name.rsplit("/", 1)[-1]
    for term in effective.terms:
        if len(term.any_of) > 1:
            # A choice (A OR B) is met by shipping the text of one of them.
            if not set(term.any_of) & shipped:
                choice = " or ".join(term.any_of)
                first = catalog.get(term.any_of[0])
                if first is not None:
                    add(
                        "license-file-missing",
                        f"no file in the repository is the text of {choice}",
                        first,
                        "",
                        "add the text of the license you distribute under as LICENSE",
                    )
            continue
        policy = catalog.get(term.any_of[0]) if term.any_of else None
        if policy is None or policy.id in PLACEHOLDERS or policy.kind != "license":
            continue
        for duty in policy.obligations:
            publishing = set(duty.applies_to) & {"distribute", "derivative-distributed"}
            # Conditional duties (a model subset, a threshold) cannot be seen in a repository.
            applies = duty.condition is None or (
                duty.condition == "commercial-use" and rules.deployment.commercial
            )
            if not publishing or not applies:
                continue
            if duty.id == "include-license" and policy.id not in shipped:
                add(
                    "license-file-missing",
                    f"no file in the repository is the {policy.id} license text ({policy.name}), "
                    "which must travel with copies of the model",
                    policy,
                    duty.clause,
                    f"add the full {policy.name} as LICENSE (or the file license_link names)",
                )
            elif duty.id == "notice-file" and duty.text and not _has_notice(files, duty.text):
                add(
                    "notice-missing",
                    f'{policy.id} requires a "Notice" file containing: "{duty.text}"',
                    policy,
                    duty.clause,
                    "add a NOTICE file with that text",
                    Location("NOTICE"),
                )
            elif (
                duty.id == "attribution-display"
                and duty.text
                and fold(duty.text) not in fold(readme)
            ):
                add(
                    "attribution-missing",
                    f'{policy.id} requires "{duty.text}" to be displayed prominently; the model '
                    "card does not show it",
                    policy,
                    duty.clause,
                    f'add "{duty.text}" to README.md',
                    Location(card.readme_path),
                )
            elif duty.id == "name-prefix" and duty.text and not _starts_with(short_name, duty.text):
                add(
                    "name-prefix-missing",
                    f"{policy.id} requires a distributed derivative's name to start with "
                    f'"{duty.text}"; this one is named {short_name}',
                    policy,
                    duty.clause,
                    f'rename the model so that its name begins with "{duty.text}"',
                )
    return out


def _undeclared(
    card: Card, effective: Normalized, catalog: Catalog, rules: Rules
) -> Finding | None:
    """license-missing for a card that names no license itself, though a file or tag does."""
    # A consumer may rely on an identified LICENSE text; a publisher's card must still say it,
    # or the Hub shows no license and its license filter never finds the model.
    declaration = card.declaration
    stated = [v for v in declaration.values if v.lower() not in PLACEHOLDERS]
    if stated or declaration.license_name or rules.severity.get("license-missing") == "off":
        return None
    found = {
        (term.evidence.path or term.evidence.source): term.any_of
        for term in effective.terms
        if term.evidence.source in ("file", "tags") and term.any_of
    }
    if not found:
        return None
    ids = sorted({i for any_of in found.values() for i in any_of})
    policy = catalog.get(ids[0])
    hub_id = policy.hub_ids[0] if policy is not None and policy.hub_ids else "other"
    override = rules.severity.get("license-missing")
    return Finding(
        code="license-missing",
        severity=Severity(override) if override else DEFAULT_SEVERITY["license-missing"],
        message=f"the card's front matter names no license; license-lint read {', '.join(ids)} "
        f"from {', '.join(sorted(found))}, but the Hub and its license filter see none",
        subject=card.label,
        location=Location(card.readme_path, declaration.lines.get(declaration.key or "license")),
        hint=f"add `license: {hub_id}` to the README front matter"
        + (" with license_name and license_link" if hub_id == "other" else ""),
    )


def _has_notice(files: Mapping[str, str], text: str) -> bool:
    wanted = fold(text)
    return any(
        _NOTICE.match(path.rsplit("/", 1)[-1]) and wanted in fold(body)
        for path, body in files.items()
    )


def _starts_with(name: str, prefix: str) -> bool:
    return fold_model_name(name).startswith(fold_model_name(prefix))
