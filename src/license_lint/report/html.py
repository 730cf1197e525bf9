"""The HTML report: one self-contained page with summary, filters, model details and lineage."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable

from ..model import SEVERITY_ORDER, Finding, Lineage, ModelResult, Report, Severity
from ..textstyle import Styler, clean

# The page's only style sheet and script. Both are constants: no value from a card, the Hub or
# a rules file is ever placed inside them, and the Content-Security-Policy allows exactly these
# two blocks by hash, so an injected <script>, inline handler or javascript: URL cannot run.
_STYLE = """
:root { color-scheme: light; --pass: #0b6b2b; --fail: #a4161a; --error: #8a4b00; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b;
  background: #fff; margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 80rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid #d0d0d0; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 0.4rem; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em;
  overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem;
  margin: 0.5rem 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
th, td { border: 1px solid #c8c8c8; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
td code, th code { overflow-wrap: break-word; }
.wrap { min-width: 14ch; overflow-wrap: anywhere; }
.wrap code { overflow-wrap: anywhere; }
@media screen and (min-width: 70rem) { td.nowrap { white-space: nowrap; } }
thead th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict, .severity { display: inline-block; font-weight: 700; padding: 0 0.4rem;
  border: 1px solid currentColor; border-radius: 3px; white-space: nowrap; }
.verdict-pass { color: var(--pass); background: #e7f5eb; }
.verdict-fail { color: var(--fail); background: #fdeaea; }
.verdict-error { color: var(--error); background: #fff3e0; }
.severity-error { color: var(--fail); }
.severity-warning { color: var(--error); }
.severity-info { color: #3d4f66; }
.severity-waived { color: #555; font-weight: 400; }
tr.waived td { color: #555; }
.counts { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; gap: 0.75rem;
  flex-wrap: wrap; }
.filters { display: flex; gap: 0.5rem; align-items: center; flex-wrap: wrap; margin: 1rem 0; }
.filters button { font: inherit; padding: 0.25rem 0.75rem; border: 1px solid #777;
  border-radius: 3px; background: #fff; color: #1b1b1b; cursor: pointer; }
.filters button[aria-pressed="true"] { background: #1b1b1b; color: #fff; }
.filters button:focus-visible, a:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
a { color: #1a4f9c; }
section.model { border-top: 1px solid #e0e0e0; }
ul.duties { list-style: none; padding-left: 0.25rem; }
ul.duties li { margin: 0.2rem 0; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 1.4rem; }
ul.tree { padding-left: 0.25rem; }
ul.tree ul li { border-left: 1px solid #999; padding-left: 0.6rem; margin: 0.15rem 0; }
.relation { font-style: italic; }
.note { color: #555; }
.problem { color: var(--fail); }
footer { margin-top: 3rem; color: #555; font-size: 0.9rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 0.1rem 0.25rem; }
  .wrap { min-width: 0; }
  .filters { display: none !important; }
  a { color: inherit; text-decoration: none; }
  h2, h3 { break-after: avoid; }
  tr { break-inside: avoid; }
  .verdict, .severity { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""

_SCRIPT = """
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  var status = document.getElementById("filter-status");
  var buttons = bar.querySelectorAll("button[data-filter]");
  function show(verdict) {
    var items = document.querySelectorAll("[data-verdict]");
    var shown = 0;
    items.forEach(function (item) {
      var keep = verdict === "all" || item.getAttribute("data-verdict") === verdict;
      item.hidden = !keep;
      if (keep && item.tagName === "TR") { shown += 1; }
    });
    buttons.forEach(function (button) {
      var on = button.getAttribute("data-filter") === verdict;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    var rows = document.querySelectorAll("tr[data-verdict]").length;
    status.textContent = verdict === "all" ? "Showing all " + rows + " models."
      : "Showing " + shown + " of " + rows + " models (verdict: " + verdict + ").";
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-filter")); });
  });
  bar.hidden = false;
})();
"""

_VERDICTS = {"pass": "\u2713 pass", "fail": "\u2717 FAIL", "error": "! ERROR"}
_VERDICT_WORDS = {"pass": "passed", "fail": "failed", "error": "could not be checked"}


def _hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# Nothing may load (default-src 'none'); only the two blocks above may apply or run.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_hash(_STYLE)}; script-src {_hash(_SCRIPT)}; "
    "img-src 'none'; base-uri 'none'; form-action 'none'"
)


def _e(value: object) -> str:
    """Untrusted text for HTML: control characters shown as escapes, markup characters escaped."""
    return html.escape(clean(str(value)), quote=True)


def _verdict_key(verdict: str) -> str:
    # Only known words ever reach a class or data attribute.
    return verdict if verdict in _VERDICTS else "error"


def _badge(verdict: str) -> str:
    key = _verdict_key(verdict)
    return f'<span class="verdict verdict-{key}">{_VERDICTS[key]}</span>'


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _duties(result: ModelResult) -> list[Finding]:
    return [f for f in result.findings if f.code == "obligation-duty" and f.waiver is None]


def _reasons(findings: Iterable[Finding]) -> list[Finding]:
    reasons = [f for f in findings if f.code != "obligation-duty"]
    return sorted(reasons, key=lambda f: (f.waiver is not None, -SEVERITY_ORDER[f.severity]))


def _revision(result: ModelResult, short: bool) -> str:
    if result.card is not None and result.card.sha:
        sha = result.card.sha
        return f"<code>{_e(sha[:8] if short else sha)}</code>"
    if result.ref.path is not None:
        return "local"
    return _e(result.ref.revision) if result.ref.revision else "-"


def _declared(result: ModelResult) -> str:
    return _e(result.license.expression) if result.license is not None else "-"


def _effective(result: ModelResult) -> str:
    if result.effective is None:
        return "-"
    text = _e(result.effective.expression)
    if result.license is not None:
        # Terms, not ids: a base's license binds even when the card offers it as one option.
        inherited = [t.label() for t in result.effective.terms if t.evidence.source == "base_model"]
        if inherited:
            text += f' <span class="note">(from base: {_e(", ".join(inherited))})</span>'
    return text


def _counts(result: ModelResult) -> dict[str, int]:
    active = [f for f in result.findings if f.waiver is None and f.code != "obligation-duty"]
    counts = {s.value: sum(1 for f in active if f.severity is s) for s in Severity}
    counts["waived"] = sum(1 for f in result.findings if f.waiver is not None)
    counts["duties"] = len(_duties(result))
    return counts


def _header(report: Report) -> list[str]:
    total = len(report.results)
    counts = "".join(
        f"<li>{_badge(v)} {report.count(v)} {_VERDICT_WORDS[v]}</li>" for v in _VERDICTS
    )
    return [
        "<header>",
        "<h1>license-lint report</h1>",
        '<dl class="facts">',
        f"<dt>Rules</dt><dd><code>{_e(report.rules_source)}</code></dd>",
        f'<dt>Generated</dt><dd><time datetime="{_e(report.generated)}">'
        f"{_e(report.generated)}</time></dd>",
        f"<dt>Fails on</dt><dd>{_e(report.fail_on.value)} and above</dd>",
        f"<dt>Tool</dt><dd>license-lint {_e(report.tool_version)}</dd>",
        f"<dt>Models</dt><dd>{total}</dd>",
        "</dl>",
        f'<ul class="counts" aria-label="Verdicts">{counts}</ul>',
        "</header>",
    ]


def _filters(report: Report) -> list[str]:
    # Without JavaScript the bar stays hidden and every model is shown; the script reveals it.
    buttons = [
        f'<button type="button" data-filter="all" aria-pressed="true">'
        f"All ({len(report.results)})</button>"
    ]
    buttons += [
        f'<button type="button" data-filter="{v}" aria-pressed="false">'
        f"{v} ({report.count(v)})</button>"
        for v in _VERDICTS
    ]
    return [
        '<div class="filters" id="filters" role="group" aria-label="Filter models by verdict" '
        "hidden>",
        "<span>Show:</span>",
        *buttons,
        "</div>",
        '<p id="filter-status" class="note" aria-live="polite"></p>',
    ]


def _summary_table(report: Report) -> list[str]:
    head = (
        "<tr>"
        + "".join(
            f'<th scope="col">{name}</th>'
            for name in (
                "Verdict",
                "Model",
                "Revision",
                "Declared license",
                "Effective license",
                "Errors",
                "Warnings",
                "Info",
                "Waived",
                "Duties",
            )
        )
        + "</tr>"
    )
    rows = []
    for index, result in enumerate(report.results, start=1):
        counts = _counts(result)
        numbers = "".join(
            f'<td class="num">{counts[k]}</td>'
            for k in ("error", "warning", "info", "waived", "duties")
        )
        rows.append(
            f'<tr data-verdict="{_verdict_key(result.verdict)}">'
            f"<td>{_badge(result.verdict)}</td>"
            f'<th scope="row" class="wrap"><a href="#model-{index}">{_e(result.label)}</a></th>'
            f"<td>{_revision(result, short=True)}</td>"
            f"<td>{_declared(result)}</td>"
            f"<td>{_effective(result)}</td>"
            f"{numbers}</tr>"
        )
    return [
        '<section aria-labelledby="summary-title">',
        '<h2 id="summary-title">Summary</h2>',
        '<table class="summary">',
        "<caption>One row per model; the counts leave out waived findings.</caption>",
        f"<thead>{head}</thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
        "</section>",
    ]


def _location(finding: Finding) -> str:
    location = finding.location
    if location is None:
        return ""
    text = f"<code>{_e(location)}</code>"
    if location.key:
        text += f' <span class="note">key <code>{_e(location.key)}</code></span>'
    return text


def _findings_table(findings: list[Finding], caption: str) -> list[str]:
    # The caption names the table for screen readers; the heading above shows it on screen.
    head = "".join(
        f'<th scope="col">{name}</th>'
        for name in ("Severity", "Code", "Message", "Clause", "Location", "Fix", "Waiver")
    )
    rows = []
    for finding in findings:
        severity = finding.severity.value
        if finding.waiver is not None:
            label = f'<span class="severity severity-waived">waived ({_e(severity)})</span>'
        else:
            label = f'<span class="severity severity-{_e(severity)}">{_e(severity)}</span>'
        clause = ""
        if finding.clause:
            clause = " ".join(_e(p) for p in (finding.license_id, finding.clause) if p)
        row_class = ' class="waived"' if finding.waiver is not None else ""
        rows.append(
            f"<tr{row_class}>"
            f"<td>{label}</td>"
            f'<td class="nowrap"><code>{_e(finding.code)}</code></td>'
            f"<td>{_e(finding.message)}</td>"
            f"<td>{clause}</td>"
            f'<td class="wrap">{_location(finding)}</td>'
            f"<td>{_e(finding.hint) if finding.hint else ''}</td>"
            f"<td>{_e(finding.waiver) if finding.waiver else ''}</td>"
            "</tr>"
        )
    return [
        '<table class="findings">',
        f'<caption class="visually-hidden">{caption}</caption>',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]


def _card_facts(result: ModelResult) -> list[str]:
    facts = [("Reference", f"<code>{_e(result.ref)}</code>")]
    card = result.card
    facts.append(("Revision", _revision(result, short=False)))
    if result.ref.origin is not None:
        facts.append(("Listed in", f"<code>{_e(result.ref.origin)}</code>"))
    facts.append(("Declared license", _declared(result)))
    facts.append(("Effective license", _effective(result)))
    if card is not None:
        declaration = card.declaration
        if declaration.key and declaration.values:
            values = ", ".join(_e(v) for v in declaration.values)
            facts.append(("Card says", f"<code>{_e(declaration.key)}</code>: {values}"))
        # Card values are shown as text only: a license_link is never made into a link.
        if declaration.license_name:
            facts.append(("license_name", f"<code>{_e(declaration.license_name)}</code>"))
        if declaration.license_link:
            facts.append(("license_link", f"<code>{_e(declaration.license_link)}</code>"))
        if card.license_files:
            facts.append(("License files", ", ".join(_e(f) for f in card.license_files)))
        if card.gated:
            facts.append(("Gated", _e(card.gated)))
        if card.pipeline_tag:
            facts.append(("Task", _e(card.pipeline_tag)))
        facts.append(("Read from", _e(card.source)))
    return [
        '<dl class="facts">',
        *(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts),
        "</dl>",
    ]


def _duty_list(duties: list[Finding]) -> list[str]:
    items = []
    for duty in duties:
        clause = ""
        if duty.clause:
            parts = " ".join(_e(p) for p in (duty.license_id, duty.clause) if p)
            clause = f' <span class="note">[{parts}]</span>'
        items.append(f'<li><label><input type="checkbox"> {_e(duty.message)}{clause}</label></li>')
    return ['<ul class="duties">', *items, "</ul>"]


def _lineage_tree(lineage: Lineage) -> list[str]:
    """Base models as nested lists under the subject (each node expanded once), then datasets."""
    expanded: set[str] = set()

    def label(repo_id: str) -> str:
        node = lineage.nodes.get(repo_id)
        text = f"<code>{_e(repo_id)}</code>"
        if node is None:
            return text
        if node.card is None:
            problem = f": {_e(node.problem)}" if node.problem else ""
            return f'{text} <span class="problem">unresolved{problem}</span>'
        if node.resolved_id != repo_id:
            text += f' <span class="note">(now <code>{_e(node.resolved_id)}</code>)</span>'
        declared = _e(node.license.expression) if node.license else "-"
        text += f" \u2014 license {declared}"
        if node.card.gated:
            text += ' <span class="note">(gated)</span>'
        if repo_id in lineage.truncated:
            text += ' <span class="note">(its bases were not followed: depth limit)</span>'
        return text

    def walk(repo_id: str, path: tuple[str, ...]) -> list[str]:
        edges = lineage.parents(repo_id)
        if not edges:
            return []
        out = ["<ul>"]
        for edge in edges:
            relation = f'<span class="relation">{_e(edge.relation or "base")}</span>: '
            item = f"<li>{relation}{label(edge.parent)}"
            if edge.parent in path:
                out.append(f'{item} <span class="problem">(cycle)</span></li>')
            elif edge.parent in expanded:
                out.append(f'{item} <span class="note">(bases listed above)</span></li>')
            else:
                expanded.add(edge.parent)
                out += [item, *walk(edge.parent, (*path, edge.parent)), "</li>"]
        out.append("</ul>")
        return out

    lines = [
        '<ul class="tree">',
        f"<li>{label(lineage.root)}",
        *walk(lineage.root, (lineage.root,)),
        "</li>",
        "</ul>",
    ]
    if lineage.datasets:
        lines.append("<h4>Datasets</h4>")
        lines.append("<ul>")
        for dataset in lineage.datasets:
            if dataset.card is None:
                problem = f": {_e(dataset.problem)}" if dataset.problem else ""
                status = f'<span class="problem">unresolved{problem}</span>'
            else:
                declared = _e(dataset.license.expression) if dataset.license else "-"
                status = f"license {declared}"
            lines.append(f"<li><code>{_e(dataset.repo_id)}</code> \u2014 {status}</li>")
        lines.append("</ul>")
    return lines


def _model_section(index: int, result: ModelResult) -> list[str]:
    lines = [
        f'<section class="model" id="model-{index}" data-verdict="{_verdict_key(result.verdict)}"'
        f' aria-labelledby="model-{index}-title">',
        f'<h2 id="model-{index}-title">{_badge(result.verdict)} {_e(result.label)}</h2>',
        *_card_facts(result),
    ]
    if result.error:
        lines.append(
            f'<p class="problem"><strong>Could not be checked:</strong> {_e(result.error)}</p>'
        )
    reasons = _reasons(result.findings)
    if reasons:
        lines.append("<h3>Findings</h3>")
        lines += _findings_table(reasons, f"Findings for {_e(result.label)}")
    elif not result.error:
        lines.append("<p>No findings.</p>")
    duties = _duties(result)
    if duties:
        lines.append("<h3>Duties (what the organization must do)</h3>")
        lines += _duty_list(duties)
    if result.lineage is not None and (result.lineage.edges or result.lineage.datasets):
        lines.append("<h3>Lineage</h3>")
        lines += _lineage_tree(result.lineage)
    lines.append("</section>")
    return lines


def render(report: Report, style: Styler) -> str:
    """The report as one self-contained HTML page."""
    del style
    total = len(report.results)
    title = (
        f"license-lint report: {_plural(total, 'model')}, {report.count('pass')} passed, "
        f"{report.count('fail')} failed, {report.count('error')} could not be checked"
    )
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *_header(report),
        "<main>",
        *_filters(report),
        *_summary_table(report),
    ]
    for index, result in enumerate(report.results, start=1):
        lines += _model_section(index, result)
    if report.findings:
        lines += [
            '<section aria-labelledby="run-findings-title">',
            '<h2 id="run-findings-title">Findings about the rules</h2>',
            *_findings_table(_reasons(report.findings), "Findings about the rules file"),
            "</section>",
        ]
    lines += [
        "</main>",
        "<footer><p>Each finding code is explained in license-lint&#39;s docs/rules.md. "
        "This page loads nothing from the network.</p></footer>",
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(lines) + "\n"
