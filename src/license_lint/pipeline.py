"""One run of checks: fetch each card, normalize, evaluate, waive, and gather the report."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from . import __version__
from .catalog import Catalog
from .codes import DEFAULT_SEVERITY
from .errors import HubUnavailableError, LicenseLintError, RateLimitedError
from .evaluate import evaluate, unknown_severity, unused_waivers, verdict, waive
from .fetch import Fetcher
from .identify import HIGH, MEDIUM, Identification, identify
from .inherit import RANK, effective_license, lineage_findings
from .lineage import LineageWalker
from .model import Card, Finding, Location, ModelRef, ModelResult, Normalized, Report, Severity
from .normalize import normalize
from .repolint import repo_findings
from .rules import Rules, obligation_kinds

# Root files the Hub serves even for gated repos, then the names repositories give the weights'
# license when the code has another (DeepSeek's LICENSE-MODEL); the first identified one counts.
ROOT_LICENSE_FILES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENSE-MODEL",
    "LICENSE_MODEL",
    "MODEL-LICENSE",
    "MODEL_LICENSE",
)
MAX_LICENSE_BYTES = 2 * 1024 * 1024


def license_file_identity(
    card: Card, fetcher: Fetcher, catalog: Catalog
) -> tuple[tuple[str, str, str] | None, Finding | None]:
    """(path, catalog id, confidence) of the card's license file, and a finding about the file.

    A Hub that keeps failing is not a reason to trust the card alone: that error propagates,
    and the model ends as `error`. A file that is refused (gated, offline and not cached) is
    a finding, so that the gap is visible, and so is a license text with terms added to it.
    A file holding several licenses stands for the strictest of them.
    """
    wanted = [card.declaration.link_file] if card.declaration.link_file else []
    wanted += [f for f in ROOT_LICENSE_FILES if f in card.files]
    for path in dict.fromkeys(p for p in wanted if p and p in card.files):
        try:
            body = fetcher.file(card, path)
        except (HubUnavailableError, RateLimitedError):
            raise
        except LicenseLintError as exc:
            return None, _file_finding(
                card,
                path,
                "license-file-unreadable",
                f"{path} could not be read ({exc.message}); the card alone decided the license",
                exc.hint or "read the license file and compare it with the card",
            )
        if body is None or len(body) > MAX_LICENSE_BYTES:
            continue
        found = identify(body.decode("utf-8", "replace"), catalog)
        if found.license_id is not None:
            return (path, found.license_id, found.confidence), _added_terms(card, path, found)
        if found.candidates:
            # Several licenses, or more than a text could be (a bundle of third-party licenses):
            # a license file holds them all, so none of their terms may be dropped.
            return _strictest(path, found, catalog), None
    return None, None


def _strictest(path: str, found: Identification, catalog: Catalog) -> tuple[str, str, str]:
    """The identity of a file holding several licenses: the strictest, first in the file on a tie.

    Whoever uses what the file covers is bound by every license in it, so the strictest one must
    reach the checks. It is certain when it restricts more than a permissive license would (a
    card naming only the permissive one then conflicts with it); a choice among permissive
    licenses is never certain, so it cannot settle a card that leaves its license open.
    """
    ids = found.licenses or found.candidates
    ranks = {
        i: RANK.get(policy.category, RANK["community"]) if (policy := catalog.get(i)) else 0
        for i in ids
    }
    strictest = max(ids, key=lambda i: ranks[i])  # max keeps the first of equal ranks
    confidence = HIGH if ranks[strictest] > RANK["permissive"] else MEDIUM
    return (path, strictest, confidence)


def _added_terms(card: Card, path: str, found: Identification) -> Finding | None:
    """license-unknown for a license text with terms its license lacks (a non-commercial rider).

    The added terms bind users whatever the card says, and license-lint cannot read them, so
    they weigh like an unknown license: the rules' `licenses.unknown` decides their severity.
    """
    if found.note is None:
        return None
    return _file_finding(
        card,
        path,
        "license-unknown",
        f"{path} is the {found.license_id} text with more in it ({found.note}); "
        "license-lint cannot read what was added",
        "read the added terms; they bind users whatever the card or the license id says",
    )


def _file_finding(card: Card, path: str, code: str, message: str, hint: str) -> Finding:
    return Finding(
        code=code,
        severity=DEFAULT_SEVERITY[code],
        message=message,
        subject=card.label,
        location=Location(path),
        hint=hint,
    )


def _with_rules_severity(finding: Finding, rules: Rules) -> list[Finding]:
    """The finding at the severity the rules give its code (none when they turn it off)."""
    if finding.code == "license-unknown":
        # As for any unknown license: licenses.unknown says fail, warn or ignore.
        severity = unknown_severity(rules)
        if severity is None:
            return []
        finding = replace(finding, severity=severity)
    override = rules.severity.get(finding.code)
    if override == "off":
        return []
    return [replace(finding, severity=Severity(override)) if override else finding]


def check_one(
    ref: ModelRef,
    fetcher: Fetcher,
    catalog: Catalog,
    rules: Rules,
    fail_on: Severity,
    walker: LineageWalker | None = None,
) -> tuple[ModelResult, set[int]]:
    """The result for one reference; a failure to fetch is an `error` verdict, never a pass."""
    if ref.uses:
        # An inventory may give intended uses for one model: they add to the deployment's.
        uses = tuple(dict.fromkeys((*rules.deployment.uses, *ref.uses)))
        rules = replace(rules, deployment=replace(rules.deployment, uses=uses))
    try:
        card = fetcher.card(ref)
        identity, about_file = license_file_identity(card, fetcher, catalog)
    except LicenseLintError as exc:
        return ModelResult(ref=ref, verdict="error", error=str(exc)), set()
    license = normalize(
        card.declaration, catalog, readme_path=card.readme_path, license_file=identity
    )
    lineage = None
    effective = license
    extra: list[Finding] = []
    if walker is not None:
        lineage = walker.walk(card)
        # The root node keeps the license read with the license file, not the card alone.
        nodes = dict(lineage.nodes)
        nodes[lineage.root] = replace(nodes[lineage.root], license=license)
        lineage = replace(lineage, nodes=nodes)
        effective = effective_license(lineage, catalog)
        extra = lineage_findings(lineage, catalog, rules)
    findings = evaluate(card, effective, catalog, rules, lineage) + extra
    if about_file is not None:
        findings += _with_rules_severity(about_file, rules)
    findings, used = waive(ref, card.sha, findings, rules, datetime.date.today())
    result = ModelResult(
        ref=ref,
        verdict=verdict(findings, fail_on),
        card=card,
        license=license,
        findings=tuple(findings),
        lineage=lineage,
        effective=effective if walker is not None else None,
    )
    return result, used


def run_checks(
    refs: Sequence[ModelRef],
    fetcher: Fetcher,
    catalog: Catalog,
    rules: Rules,
    fail_on: Severity,
    *,
    progress: Callable[[ModelResult], None] | None = None,
    workers: int = 8,
    lineage: bool = True,
) -> Report:
    """Check every reference (concurrently, results in input order) and build the report."""
    walker = (
        LineageWalker(
            fetcher, catalog, max_depth=rules.max_depth, datasets=rules.datasets != "ignore"
        )
        if lineage
        else None
    )

    def one(ref: ModelRef) -> tuple[ModelResult, set[int]]:
        outcome = check_one(ref, fetcher, catalog, rules, fail_on, walker)
        if progress is not None:
            progress(outcome[0])
        return outcome

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(refs)))) as pool:
            outcomes = list(pool.map(one, refs))
    finally:
        if walker is not None:
            walker.close()
    used: set[int] = set().union(*(u for _, u in outcomes)) if outcomes else set()
    return Report(
        results=tuple(r for r, _ in outcomes),
        rules_source=rules.source,
        fail_on=fail_on,
        tool_version=__version__,
        generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        findings=tuple(unused_waivers(rules, used)),
    )


def lint_repository(
    ref: ModelRef,
    fetcher: Fetcher,
    catalog: Catalog,
    rules: Rules,
    fail_on: Severity,
    *,
    name: str,
    lineage: bool = True,
) -> Report:
    """Check a local model repository as its publisher: the model's terms and the repo's duties."""
    publishing = tuple(dict.fromkeys((*rules.deployment.modes, "distribute-weights")))
    if lineage:
        publishing = tuple(dict.fromkeys((*publishing, "distribute-derivative")))
    # A publisher does not choose which duties to accept: lint checks the ones it can see in the
    # repository and lists the others as duties.
    rules = replace(
        rules,
        deployment=replace(rules.deployment, modes=publishing, publishes_card=True),
        accept=frozenset(obligation_kinds()),
    )
    walker = (
        LineageWalker(
            fetcher, catalog, max_depth=rules.max_depth, datasets=rules.datasets != "ignore"
        )
        if lineage
        else None
    )
    try:
        result, used = check_one(ref, fetcher, catalog, rules, fail_on, walker)
    finally:
        if walker is not None:
            walker.close()
    if result.card is not None:
        card = result.card
        # Repository-relative paths, read through the fetcher (which stays inside the folder).
        wanted = {Path(card.readme_path).name: card.readme_path}
        wanted |= {path: path for path in card.license_files}
        texts: dict[str, str] = {}
        for path, shown in wanted.items():
            body = fetcher.file(card, path)
            if body is not None and len(body) <= MAX_LICENSE_BYTES:
                texts[shown] = body.decode("utf-8", "replace")
        effective = result.effective or result.license or Normalized(terms=())
        extra = repo_findings(card, effective, texts, catalog, rules, name)
        extra, more = waive(ref, card.sha, extra, rules, datetime.date.today())
        findings = (*result.findings, *extra)
        result = replace(result, findings=findings, verdict=verdict(findings, fail_on))
        used |= more
    return Report(
        results=(result,),
        rules_source=rules.source,
        fail_on=fail_on,
        tool_version=__version__,
        generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        findings=tuple(unused_waivers(rules, used)),
    )
