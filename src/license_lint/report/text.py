"""The text report: a summary table, then per model the reasons and the duties."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import SEVERITY_ORDER, Finding, Lineage, ModelResult, Report, Severity
from ..textstyle import Styler, clean


def _verdict(style: Styler, verdict: str) -> str:
    if verdict == "fail":
        return style.red("FAIL")
    if verdict == "error":
        return style.red("ERROR")
    return "pass"


def _revision(result: ModelResult) -> str:
    if result.card is None or result.card.sha is None:
        return "-" if result.ref.path is None else "local"
    return result.card.sha[:8]


def _license(result: ModelResult) -> str:
    if result.license is None:
        return "-"
    declared = result.license.expression
    # Terms, not ids: a base's license binds even when the card offers it as one option.
    effective = result.effective.terms if result.effective is not None else ()
    inherited = [t.label() for t in effective if t.evidence.source == "base_model"]
    if inherited:
        return f"{declared} (+{', '.join(inherited)} from base)"
    return declared


def _duties(result: ModelResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "obligation-duty" and f.waiver is None]


def _reasons(result: ModelResult) -> list[Finding]:
    reasons = [f for f in result.findings if f.code != "obligation-duty"]
    return sorted(reasons, key=lambda f: (-SEVERITY_ORDER[f.severity], f.waiver is not None))


def _table(report: Report, style: Styler) -> list[str]:
    rows = [("verdict", "model", "revision", "license", "")]
    for result in report.results:
        active = [f for f in result.findings if f.waiver is None]
        errors = sum(1 for f in active if f.severity is Severity.ERROR)
        warnings = sum(1 for f in active if f.severity is Severity.WARNING)
        notes = []
        if errors:
            notes.append(f"{errors} error{'s' * (errors != 1)}")
        if warnings:
            notes.append(f"{warnings} warning{'s' * (warnings != 1)}")
        duties = len(_duties(result))
        if duties:
            notes.append(f"{duties} dut{'ies' if duties != 1 else 'y'}")
        rows.append(
            (
                result.verdict,
                clean(result.label),
                _revision(result),
                clean(_license(result)),
                ", ".join(notes),
            )
        )
    return _rich_table(rows, style)


def _rich_table(rows: Sequence[tuple[str, ...]], style: Styler) -> list[str]:
    """The summary table drawn by rich; card values go in as plain Text, never as markup."""
    import io
    import shutil

    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for header in rows[0]:
        table.add_column(header or "notes", no_wrap=header in ("verdict", "revision"))
    colours = {"fail": "red", "error": "red"}
    for row in rows[1:]:
        verdict = Text(
            row[0].upper() if row[0] != "pass" else row[0], style=colours.get(row[0], "")
        )
        table.add_row(verdict, *(Text(cell) for cell in row[1:]))
    # Without a terminal the width is fixed, so that output is the same on every machine.
    width = shutil.get_terminal_size((120, 24)).columns if style.color else 120
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, color_system="standard" if style.color else None, highlight=False
    )
    console.print(table)
    return [line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines()]


def _finding_lines(finding: Finding, style: Styler) -> list[str]:
    clause = f" [{finding.license_id} {finding.clause}]" if finding.clause else ""
    if finding.waiver is not None:
        head = f"  {style.dim('waived')} {finding.code}: {clean(finding.message)}{clause}"
        return [head, f"      waiver: {clean(finding.waiver)}"]
    head = f"  {style.severity(finding.severity)} {finding.code}: {clean(finding.message)}{clause}"
    lines = [head]
    details = []
    if finding.location is not None and finding.location.line:
        details.append(clean(str(finding.location)))
    if finding.hint:
        details.append(f"fix: {clean(finding.hint)}")
    if details:
        lines.append("      " + " - ".join(details))
    return lines


def _lineage_lines(lineage: Lineage) -> list[str]:
    """The base models as an indented tree under the subject, then the datasets."""

    def label(repo_id: str) -> str:
        node = lineage.nodes.get(repo_id)
        if node is None:
            return clean(repo_id)
        if node.card is None:
            return f"{clean(repo_id)} (unresolved)"
        text = clean(repo_id)
        if node.resolved_id != repo_id:
            text += f" -> {clean(node.resolved_id)}"
        declared = node.license.expression if node.license else "-"
        gated = ", gated" if node.card.gated else ""
        return f"{text} ({clean(declared)}{gated})"

    lines = [f"  lineage: {label(lineage.root)}"]

    def walk(repo_id: str, indent: str, path: tuple[str, ...]) -> None:
        edges = lineage.parents(repo_id)
        for index, edge in enumerate(edges):
            last = index == len(edges) - 1
            relation = f"{edge.relation}: " if edge.relation else ""
            cycle = " (cycle)" if edge.parent in path else ""
            lines.append(
                f"  {indent}{'└─' if last else '├─'} {relation}{label(edge.parent)}{cycle}"
            )
            if not cycle:
                walk(edge.parent, indent + ("   " if last else "│  "), (*path, edge.parent))

    walk(lineage.root, "  ", (lineage.root,))
    for dataset in lineage.datasets:
        declared = dataset.license.expression if dataset.license else "unresolved"
        lines.append(f"    dataset: {clean(dataset.repo_id)} ({clean(declared)})")
    return lines


def render(report: Report, style: Styler) -> str:
    """The text report."""
    total = len(report.results)
    summary = (
        f"license-lint: {total} model{'s' * (total != 1)} checked against {report.rules_source}: "
        f"{report.count('pass')} passed, {report.count('fail')} failed, "
        f"{report.count('error')} could not be checked"
    )
    lines = [summary, "", *_table(report, style)]
    for result in report.results:
        lines.append("")
        lines.append(style.bold(clean(result.label)) + f"  {_verdict(style, result.verdict)}")
        if result.error:
            lines.append(f"  {style.red('error')} {clean(result.error)}")
            continue
        reasons = _reasons(result)
        for finding in reasons:
            lines += _finding_lines(finding, style)
        duties = _duties(result)
        if duties:
            lines.append("  duties (what the organization must do):")
            for duty in duties:
                clause = f" [{duty.license_id} {duty.clause}]" if duty.clause else ""
                lines.append(f"    - {clean(duty.message)}{clause}")
        if not reasons and not duties:
            lines.append("  no findings")
        if result.lineage is not None and (result.lineage.edges or result.lineage.datasets):
            lines += _lineage_lines(result.lineage)
    if report.findings:
        lines.append("")
        lines.append(style.bold("rules"))
        for finding in report.findings:
            lines += _finding_lines(finding, style)
    return "\n".join(lines) + "\n"
