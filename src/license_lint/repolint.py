"""A model repository's own duties as a publisher: license file, notice, attribution, name."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from .catalog import Catalog, LicensePolicy
from .codes import DEFAULT_SEVERITY
from .evaluate import actions
from .identify import fold, identify
from .inherit import fold_model_name
from .model import PLACEHOLDERS, Card, Finding, Location, Normalized, Severity
from .rules import Rules

_NOTICE = re.compile(r"^notice(\.[a-z]+)?$", re.IGNORECASE)
# A placeholder in a required text ("{model} is built using ..."), which any name fills.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


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
    # Every license whose own text a file holds counts as shipped: a LICENSE may carry two. A
    # Notice or a use policy names the license but is not "a copy of this Agreement".
    shipped = {
        license_id
        for path, text in files.items()
        if path != card.readme_path
        for license_id in _license_copies(text, catalog)
    }
    doing = actions(rules)
    # Only what publishing the repository does can be checked in it; the card of a derivative
    # is a public statement about it when lint adds that action.
    checked = {"distribute", "derivative-distributed"} | ({"public-statement"} & doing)
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
            # A choice (A OR B) is met by shipping the text (or the link) of one of them.
            if not any(_carried(i, shipped, files, catalog) for i in term.any_of):
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
            publishing = set(duty.applies_to) & checked
            # Conditional duties (a model subset, a threshold) cannot be seen in a repository.
            applies = duty.condition is None or (
                duty.condition == "commercial-use" and rules.deployment.commercial
            )
            if not publishing or not applies:
                continue
            if duty.id == "include-license" and not _carried(policy.id, shipped, files, catalog):
                link = f"https://{policy.urls[0]}" if duty.satisfied_by_link else None
                add(
                    "license-file-missing",
                    f"no file in the repository is the {policy.id} license text ({policy.name})"
                    + (f" or links to it ({link})" if link else "")
                    + ", which must travel with copies of the model",
                    policy,
                    duty.clause,
                    f"add the full {policy.name} as LICENSE (or the file license_link names)"
                    + (f", or its link {link} to README.md" if link else ""),
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
                and not _displays(readme, (duty.text, *duty.alternatives))
            ):
                wanted = " or ".join(f'"{t}"' for t in (duty.text, *duty.alternatives))
                if publishing == {"public-statement"}:
                    required = (
                        f"{policy.id} requires every public statement about a derivative, its "
                        f"model card included, to say {wanted}"
                    )
                else:
                    required = f"{policy.id} requires {wanted} to be displayed prominently"
                add(
                    "attribution-missing",
                    f"{required}; the model card does not show it",
                    policy,
                    duty.clause,
                    f'add "{_PLACEHOLDER.sub(short_name, duty.text)}" to README.md',
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


@functools.cache
def _notices(catalog: Catalog) -> tuple[str, ...]:
    """The folded Notice sentences the catalog's licenses require, longest first."""
    texts = {
        fold(duty.text)
        for policy in catalog.policies.values()
        for duty in policy.obligations
        if duty.id == "notice-file" and duty.text
    }
    return tuple(sorted(texts, key=len, reverse=True))


def _license_copies(text: str, catalog: Catalog) -> tuple[str, ...]:
    """Ids whose license text the file holds, its required Notice sentences set aside."""
    # A Notice names its license by title ("... under the Mistral AI Research License"), and a
    # title-only fingerprint would take it for the license; the license itself survives the cut.
    folded = fold(text)
    for notice in _notices(catalog):
        folded = folded.replace(notice, " ")
    return identify(folded, catalog).license_documents


def _carried(
    license_id: str, shipped: set[str], files: Mapping[str, str], catalog: Catalog
) -> bool:
    """True when the repository carries the license: its text, or its link where that will do."""
    if license_id in shipped:
        return True
    policy = catalog.get(license_id)
    if policy is None or not policy.urls:
        return False
    if not any(d.id == "include-license" and d.satisfied_by_link for d in policy.obligations):
        return False
    texts = [text.lower() for text in files.values()]
    return any(url in text for url in policy.urls for text in texts)


def _displays(readme: str, accepted: Iterable[str]) -> bool:
    """True when the README shows one of the accepted texts; a placeholder matches any name."""
    shown = fold(readme)
    for text in accepted:
        parts = [fold(part) for part in _PLACEHOLDER.split(text)]
        fixed = [part for part in parts if part]
        if not fixed:
            return True  # nothing but placeholders: no wording to look for
        pattern = ".*?".join(re.escape(part) for part in fixed)
        if re.search(pattern, shown):
            return True
    return False


def _has_notice(files: Mapping[str, str], text: str) -> bool:
    wanted = fold(text)
    return any(
        _NOTICE.match(path.rsplit("/", 1)[-1]) and wanted in fold(body)
        for path, body in files.items()
    )


def _starts_with(name: str, prefix: str) -> bool:
    return fold_model_name(name).startswith(fold_model_name(prefix))
