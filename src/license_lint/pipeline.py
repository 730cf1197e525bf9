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
from .evaluate import evaluate, unused_waivers, verdict, waive
from .fetch import Fetcher
from .identify import identify
from .inherit import effective_license, lineage_findings
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
    """(path, catalog id, confidence) of the card's license file, or why it could not be read.

    A Hub that keeps failing is not a reason to trust the card alone: that error propagates,
    and the model ends as `error`. A file that is refused (gated, offline and not cached) is
    a finding, so that the gap is visible.
    """
    wanted = [card.declaration.link_file] if card.declaration.link_file else []
    wanted += [f for f in ROOT_LICENSE_FILES if f in card.files]
    for path in dict.fromkeys(p for p in wanted if p and p in card.files):
        try:
            body = fetcher.file(card, path)
        except (HubUnavailableError, RateLimitedError):
            raise
        except LicenseLintError as exc:
            return None, Finding(
                code="license-file-unreadable",
                severity=DEFAULT_SEVERITY["license-file-unreadable"],
                message=f"{path} could not be read ({exc.message}); the card alone decided "
                "the license",
                subject=card.label,
                location=Location(path),
                hint=exc.hint or "read the license file and compare it with the card",
            )
        if body is None or len(body) > MAX_LICENSE_BYTES:
            continue
        found = identify(body.decode("utf-8", "replace"), catalog)
        if found.license_id is not None:
            return (path, found.license_id, found.confidence), None
    return None, None


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
        identity, unreadable = license_file_identity(card, fetcher, catalog)
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
    if unreadable is not None and rules.severity.get(unreadable.code) != "off":
        findings.append(unreadable)
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
        deployment=replace(rules.deployment, modes=publishing),
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
