"""license-lint.lock: what each model resolved to, and the drift of an audit against it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from .errors import InputError
from .evaluate import verdict
from .model import Finding, Location, ModelResult, Report, Severity

LOCK_FILE = "license-lint.lock"
LOCK_VERSION = 1


def lock_entries(report: Report) -> list[dict[str, Any]]:
    """One entry per checked model: reference, id, sha, licenses and verdict (sorted, no time)."""
    entries = []
    for result in report.results:
        if result.card is None:
            continue
        effective = result.effective or result.license
        entries.append(
            {
                "reference": str(result.ref),
                "id": result.card.repo_id,
                "sha": result.card.sha,
                "license": result.license.expression if result.license else None,
                "effective": effective.expression if effective else None,
                "verdict": result.verdict,
            }
        )
    return sorted(entries, key=lambda e: str(e["reference"]))


def render_lock(report: Report) -> str:
    """The lock file's text: stable JSON, so that a change shows as a small diff."""
    data = {"version": LOCK_VERSION, "models": lock_entries(report)}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def read_lock(path: str) -> dict[str, dict[str, Any]]:
    """The lock's entries by reference; a clear error when it is missing or malformed."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"{path} does not exist", hint="create it with `license-lint lock` first"
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(
            f"cannot read {path}: {exc}", hint="recreate it with `license-lint lock`"
        ) from None
    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION:
        raise InputError(f"{path} is not a license-lint lock file (version {LOCK_VERSION})")
    models = data.get("models")
    if not isinstance(models, list):
        raise InputError(f"{path} has no list of models")
    entries: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(models):
        # A dropped entry would make its model look merely unlocked (a warning), not drifted.
        if not isinstance(entry, dict) or not isinstance(entry.get("reference"), str):
            raise InputError(
                f"{path}: models[{index}] is not a lock entry (an object with a 'reference')",
                hint="recreate the lock with `license-lint lock`",
            )
        if entry["reference"] in entries:
            raise InputError(
                f"{path}: models[{index}] locks {entry['reference']} a second time",
                hint="recreate the lock with `license-lint lock`",
            )
        entries[entry["reference"]] = entry
    return entries


_COMPARED = (
    ("sha", "commit"),
    ("license", "declared license"),
    ("effective", "effective license"),
    ("verdict", "verdict"),
)


def apply_drift(report: Report, lock: dict[str, dict[str, Any]], lock_path: str) -> Report:
    """Add a license-drift finding to every model that changed since the lock; redo verdicts.

    The rules can neither lower nor waive license-drift (rules.FIXED_CODE): the lock settles it.
    """
    current = {str(e["reference"]): e for e in lock_entries(report)}
    results = []
    for result in report.results:
        reference = str(result.ref)
        now = current.get(reference)
        if result.card is None or now is None:
            results.append(result)
            continue
        locked = lock.get(reference)
        if locked is None:
            drift = [
                _drift(
                    result,
                    f"{reference} is not in {lock_path}",
                    lock_path,
                    Severity.WARNING,
                    "run `license-lint lock` to record it",
                )
            ]
        else:
            changes = [
                f"{words} {locked.get(key)} -> {now.get(key)}"
                for key, words in _COMPARED
                if locked.get(key) != now.get(key)
            ]
            drift = (
                [
                    _drift(
                        result,
                        f"changed upstream since the lock: {'; '.join(changes)}",
                        lock_path,
                        Severity.ERROR,
                        "review the change; then update the lock with `license-lint lock`",
                    )
                ]
                if changes
                else []
            )
        findings = (*result.findings, *drift)
        results.append(
            replace(result, findings=findings, verdict=verdict(findings, report.fail_on))
        )
    return replace(report, results=tuple(results))


def _drift(
    result: ModelResult, message: str, lock_path: str, severity: Severity, hint: str
) -> Finding:
    return Finding(
        code="license-drift",
        severity=severity,
        message=message,
        subject=result.label,
        location=Location(lock_path),
        hint=hint,
    )
