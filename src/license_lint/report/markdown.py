"""The Markdown report (also the GitHub step summary): summary table, reasons, duties, lineage."""

from __future__ import annotations

import re

from ..model import SEVERITY_ORDER, Finding, Lineage, ModelResult, Report, Severity
from ..textstyle import Styler, clean

VERDICTS = {"pass": "✅ pass", "fail": "❌ fail", "error": "⚠️ error"}

# Characters that Markdown (GitHub flavour: tables, strikethrough, math, mentions) gives a
# meaning; a backslash makes each one literal.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#$@])")
_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029]")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]*")


def md(text: str) -> str:
    """Untrusted text made literal for Markdown text and table cells, on one line, with no HTML."""
    text = clean(_BREAKS.sub(" ", text))
    # Entities first, so the '&' of the ones added for '<' and '>' stays as it is.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _code(code: str) -> str:
    return f"`{code}`" if _CODE.fullmatch(code) else md(code)


def mermaid_label(text: str) -> str:
    """Untrusted text for a quoted Mermaid label: characters that could end or change it encoded."""
    text = clean(_BREAKS.sub(" ", text))
    # Mermaid decodes '#<number>;' itself; quotes, markup, backticks (which could close the code
    # fence), '|' (edge labels) and '%' (directives) must never reach it as they are.
    return "".join(f"#{ord(ch)};" if ch in '"#&<>`|%' else ch for ch in text)


def _revision(result: ModelResult) -> str:
    if result.card is None or result.card.sha is None:
        return "-" if result.ref.path is None else "local"
    return result.card.sha[:8]


def _effective(result: ModelResult) -> str:
    """The effective license, only when it differs from the declared one."""
    if result.effective is None or result.license is None:
        return ""
    # Expressions, not ids: an inherited term may repeat an option the card only offers.
    if result.effective.expression == result.license.expression:
        return ""
    return result.effective.expression


def _duties(result: ModelResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "obligation-duty" and f.waiver is None]


def _reasons(result: ModelResult) -> list[Finding]:
    reasons = [f for f in result.findings if f.code != "obligation-duty"]
    return sorted(reasons, key=lambda f: (f.waiver is not None, -SEVERITY_ORDER[f.severity]))


def _table(report: Report) -> list[str]:
    lines = [
        "| verdict | model | revision | declared license | effective license "
        "| errors | warnings | notes | duties | waived |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in report.results:
        active = [f for f in result.findings if f.waiver is None]
        errors = sum(1 for f in active if f.severity is Severity.ERROR)
        warnings = sum(1 for f in active if f.severity is Severity.WARNING)
        notes = sum(
            1 for f in active if f.severity is Severity.INFO and f.code != "obligation-duty"
        )
        waived = len(result.findings) - len(active)
        cells = [
            VERDICTS.get(result.verdict, md(result.verdict)),
            md(result.label),
            md(_revision(result)),
            md(result.license.expression) if result.license else "-",
            md(_effective(result)),
            str(errors),
            str(warnings),
            str(notes),
            str(len(_duties(result))),
            str(waived),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _finding_lines(finding: Finding) -> list[str]:
    head = f"**{finding.severity.value}** {_code(finding.code)}: {md(finding.message)}"
    if finding.waiver is not None:
        head = f"*waived* {head}"
    details = []
    if finding.clause:
        details.append(f"clause: {md(finding.license_id or 'license')} {md(finding.clause)}")
    if finding.location is not None:
        details.append(f"location: {md(str(finding.location))}")
    if finding.hint:
        details.append(f"fix: {md(finding.hint)}")
    if finding.waiver is not None:
        details.append(f"waiver: {md(finding.waiver)}")
    lines = [f"- {head}"]
    if details:
        # Two trailing spaces: a line break inside the list item.
        lines[0] += "  "
        lines.append("  " + " · ".join(details))
    return lines


def _duty_line(duty: Finding) -> str:
    clause = ""
    if duty.clause:
        clause = f" ({md(duty.license_id or 'license')} {md(duty.clause)})"
    return f"- [ ] {md(duty.message)}{clause}"


def _node_label(lineage: Lineage, repo_id: str) -> str:
    node = lineage.nodes.get(repo_id)
    parts = [mermaid_label(repo_id)]
    if node is None or node.card is None:
        parts.append("unresolved")
    else:
        if node.resolved_id != repo_id:
            parts[0] += " #8594; " + mermaid_label(node.resolved_id)
        declared = node.license.expression if node.license else "-"
        parts.append(mermaid_label(declared) + (", gated" if node.card.gated else ""))
    return "<br/>".join(parts)


def mermaid(lineage: Lineage) -> list[str]:
    """The lineage as a Mermaid flowchart, base models above the models made from them."""
    order = [lineage.root] + [n.repo_id for n in lineage.ancestors()]
    for edge in lineage.edges:
        for repo_id in (edge.child, edge.parent):
            if repo_id not in order:
                order.append(repo_id)
    # Node ids are generated: card text never becomes Mermaid syntax outside a quoted label.
    ids = {repo_id: f"n{index}" for index, repo_id in enumerate(order)}
    lines = ["```mermaid", "flowchart TD"]
    for repo_id in order:
        lines.append(f'  {ids[repo_id]}["{_node_label(lineage, repo_id)}"]')
    for edge in lineage.edges:
        arrow = f'-->|"{mermaid_label(edge.relation)}"|' if edge.relation else "-->"
        lines.append(f"  {ids[edge.parent]} {arrow} {ids[edge.child]}")
    for index, dataset in enumerate(lineage.datasets):
        declared = dataset.license.expression if dataset.license else "unresolved"
        label = f"dataset {mermaid_label(dataset.repo_id)}<br/>{mermaid_label(declared)}"
        lines.append(f'  d{index}[("{label}")]')
        lines.append(f"  d{index} -.-> {ids[lineage.root]}")
    lines.append("```")
    return lines


def _model_section(result: ModelResult) -> list[str]:
    verdict = VERDICTS.get(result.verdict, md(result.verdict))
    lines = ["", f"## {verdict}: {md(result.label)}", ""]
    facts = [f"reference: {md(str(result.ref))}"]
    if result.card is not None and result.card.sha:
        facts.append(f"revision: {md(result.card.sha)}")
    if result.license is not None:
        facts.append(f"license: {md(result.license.expression)}")
    effective = _effective(result)
    if effective:
        facts.append(f"effective license: {md(effective)}")
    lines.append(" · ".join(facts))
    if result.error:
        lines += ["", f"Could not be checked: {md(result.error)}"]
        return lines
    reasons = _reasons(result)
    if reasons:
        lines += ["", "### Reasons", ""]
        for finding in reasons:
            lines += _finding_lines(finding)
    duties = _duties(result)
    if duties:
        lines += ["", "### Duties (what the organization must do)", ""]
        lines += [_duty_line(d) for d in duties]
    if not reasons and not duties:
        lines += ["", "No findings."]
    if result.lineage is not None and (result.lineage.edges or result.lineage.datasets):
        lines += ["", "### Lineage", "", *mermaid(result.lineage)]
    return lines


def _header(report: Report) -> list[str]:
    total = len(report.results)
    return [
        "# license-lint report",
        "",
        f"{total} model{'s' * (total != 1)} checked against {md(report.rules_source)} "
        f"(failing on {report.fail_on.value}): **{report.count('pass')} passed**, "
        f"**{report.count('fail')} failed**, "
        f"**{report.count('error')} could not be checked**.",
        "",
        f"license-lint {md(report.tool_version)}, {md(report.generated)}",
        "",
        *_table(report),
    ]


def _rules_section(report: Report) -> list[str]:
    if not report.findings:
        return []
    lines = ["", "## Rules", ""]
    for finding in report.findings:
        lines += _finding_lines(finding)
    return lines


def render(report: Report, style: Styler) -> str:
    """The Markdown report; also fit for $GITHUB_STEP_SUMMARY."""
    del style
    lines = _header(report)
    for result in report.results:
        lines += _model_section(result)
    lines += _rules_section(report)
    return "\n".join(lines) + "\n"


# GitHub refuses a step summary above 1 MiB; leave room for anything else the step writes.
SUMMARY_LIMIT = 1_000_000


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def render_limited(report: Report, max_bytes: int = SUMMARY_LIMIT) -> str:
    """The Markdown report cut to max_bytes: the table first, then model sections while they fit."""
    full = render(report, Styler())
    if len(full.encode("utf-8")) <= max_bytes:
        return full
    header, rules = _header(report), _rules_section(report)
    # Room for the closing note.
    budget = max_bytes - 400
    rows_cut = 0
    while _size(header) + _size(rules) > budget and rows_cut < len(report.results):
        header.pop()
        rows_cut += 1
    used = _size(header) + _size(rules)
    sections: list[str] = []
    shown = 0
    # A cut report is read for its failures: sections of passing models are left out first.
    ranked = sorted(report.results, key=lambda r: {"error": 0, "fail": 1}.get(r.verdict, 2))
    for result in ranked if not rows_cut else ():
        section = _model_section(result)
        if used + _size(section) > budget:
            break
        sections += section
        used += _size(section)
        shown += 1
    left = len(report.results) - shown
    note = f"{left} of {len(report.results)} model sections"
    if rows_cut:
        note += f" and {rows_cut} table rows"
    note += (
        f" are left out to keep this report under {max_bytes:,} bytes; the other formats "
        "(or --format markdown with -o FILE) have everything."
    )
    return "\n".join([*header, *sections, *rules, "", note]) + "\n"
