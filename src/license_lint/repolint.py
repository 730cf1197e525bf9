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
    identified = {
        path: found.license_id
        for path, text in files.items()
        if path != card.readme_path and (found := identify(text, catalog)).license_id
    }
    out: list[Finding] = []

    def add(code: str, message: str, policy: LicensePolicy, clause: str, hint: str) -> None:
        override = rules.severity.get(code)
        if override == "off":
            return
        out.append(
            Finding(
                code=code,
                severity=Severity(override) if override else DEFAULT_SEVERITY[code],
                message=message,
                subject=card.label,
                location=at_license,
                clause=clause,
                hint=hint,
                license_id=policy.id,
            )
        )

    for license_id in effective.ids:
        policy = catalog.get(license_id)
        if policy is None or policy.id in PLACEHOLDERS or policy.kind != "license":
            continue
        for duty in policy.obligations:
            publishing = set(duty.applies_to) & {"distribute", "derivative-distributed"}
            if not publishing:
                continue
            if duty.id == "include-license" and policy.id not in identified.values():
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
                )
            elif duty.id == "name-prefix" and duty.text and not _starts_with(name, duty.text):
                add(
                    "name-prefix-missing",
                    f"{policy.id} requires a distributed derivative's name to start with "
                    f'"{duty.text}"; this one is named {name}',
                    policy,
                    duty.clause,
                    f'rename the model so that its name begins with "{duty.text}"',
                )
    return out


def _has_notice(files: Mapping[str, str], text: str) -> bool:
    wanted = fold(text)
    return any(
        _NOTICE.match(path.rsplit("/", 1)[-1]) and wanted in fold(body)
        for path, body in files.items()
    )


def _starts_with(name: str, prefix: str) -> bool:
    return fold_model_name(name).startswith(fold_model_name(prefix))
