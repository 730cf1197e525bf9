"""GitHub Actions workflow commands: one annotation per active finding, then a summary line."""

from __future__ import annotations

import re

from ..model import Finding, ModelResult, Report, Severity
from ..textstyle import Styler, clean
from .sarif import finding_place

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

# Line breaks the runner may not split on but a log viewer might; shown as spaces.
_OTHER_BREAKS = re.compile("[\u2028\u2029]")


def escape_data(text: str) -> str:
    """A command's message: the runner decodes %25, %0D and %0A, so nothing starts a new line."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return clean(_OTHER_BREAKS.sub(" ", text))


def escape_property(text: str) -> str:
    """A command property: as a message, and ':' and ',' too, which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(result: ModelResult | None, finding: Finding) -> str:
    """One workflow command line for a finding."""
    properties: list[tuple[str, str]] = []
    place = finding_place(result, finding)
    if place is not None:
        properties.append(("file", place.path))
        if place.line:
            properties.append(("line", str(place.line)))
    properties.append(("title", finding.code))
    message = finding.message
    if finding.clause:
        message += f" [{finding.license_id or 'license'} {finding.clause}]"
    if result is not None:
        message = f"{result.label}: {message}"
    if finding.hint:
        message += f"\nfix: {finding.hint}"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}"


def render(report: Report, style: Styler) -> str:
    """Annotations for every finding that is not waived, and a one-line summary."""
    del style
    lines = [
        annotation(result, finding)
        for result in report.results
        for finding in result.findings
        if finding.waiver is None
    ]
    lines += [annotation(None, f) for f in report.findings if f.waiver is None]
    for result in report.results:
        if result.verdict == "error":
            # A model that could not be checked has no finding to annotate but must not go unseen.
            lines.append(
                f"::error title=not checked::{escape_data(f'{result.label}: {result.error}')}"
            )
    total = len(report.results)
    waived = sum(1 for r in report.results for f in r.findings if f.waiver is not None)
    summary = (
        f"license-lint: {total} model{'s' * (total != 1)} checked against {report.rules_source}: "
        f"{report.count('pass')} passed, {report.count('fail')} failed, "
        f"{report.count('error')} could not be checked; {len(lines)} annotation"
        f"{'s' * (len(lines) != 1)}, {waived} waived (GitHub shows at most 10 of each kind "
        "per step: see the SARIF report or the step summary for all)"
    )
    # A plain line, not a command: it only has to stay one line.
    lines.append(clean(_OTHER_BREAKS.sub(" ", summary.replace("\n", " "))))
    return "\n".join(lines) + "\n"
