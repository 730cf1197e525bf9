"""`check --format markdown` and `--format github`: readable, and safe against hostile cards."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from license_lint.report.github import escape_data, escape_property
from license_lint.report.markdown import md, mermaid_label

from conftest import ROOT, run_cli
from fakehub import FakeHub

IMAGE = "examples/acme-image-model"
BOT = "examples/acme-support-bot"

# A card written to break out of every format: newlines that would start workflow commands,
# pre-encoded %0A, table pipes, backticks that would close a code fence, HTML, Mermaid syntax.
HOSTILE = """\
---
license: "mit\\n::error::pwned"
license_name: "x%0A::warning file=a,line=1::pwned\\n| a | b |\\n<script>alert(1)</script>"
base_model:
- "evil/`repo`\\"]; click n0 call alert()"
- "acme/base%0A::error::x\\r\\n```\\n<script>alert(2)</script>"
datasets: ["a|b<script>alert(3)</script>"]
---
# hostile
"""
# license: other sends license_name into messages and the summary table's license column.
HOSTILE_NAME = """\
---
license: other
license_name: "x%0A::warning file=a,line=1::pwned\\n| a | b |\\n<script>alert(1)</script>"
---
"""


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def hostile(tmp_path: Path) -> list[str]:
    folders = []
    for name, card in (("evil|`<b>x", HOSTILE), ("name|<i>", HOSTILE_NAME)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "README.md").write_text(card)
        folders.append(str(folder))
    return folders


def active_findings(*args: str) -> int:
    data = json.loads(run_cli("check", "--format", "json", *args).out)
    models = sum(1 for m in data["models"] for f in m["findings"] if not f["waived"])
    return models + len(data["findings"])


def table_rows(markdown: str) -> list[str]:
    """The lines of the first table, header and separator included."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| verdict"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> int:
    """How many cells a table row has: pipes that a backslash does not escape, minus one."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def test_github_annotations_for_the_examples(at_root: Path) -> None:
    result = run_cli("check", "--offline", "-f", "github", BOT, IMAGE)
    assert result.code == 1
    lines = result.out.splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == active_findings("--offline", BOT, IMAGE)
    readme = (ROOT / IMAGE / "README.md").read_text().splitlines()
    license_line = next(n for n, text in enumerate(readme, 1) if text.startswith("license:"))
    assert (
        f"::error file={IMAGE}/README.md,line={license_line},title=commercial-use-forbidden::"
        "examples/acme-image-model: cc-by-nc-4.0 does not allow commercial use" in result.out
    )
    assert any(line.startswith("::warning ") for line in commands)
    assert any(line.startswith("::notice ") for line in commands)
    assert lines[-1].startswith("license-lint: 2 models checked against preset:commercial-saas")


def test_github_skips_waived_findings(at_root: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\n"
        "deployment:\n  commercial: true\n  modes: [internal]\n"
        "exceptions:\n"
        f"  - model: {IMAGE}\n"
        "    codes: [commercial-use-forbidden]\n"
        "    reason: permission from the licensor\n"
        "    owner: legal@acme.example\n"
        "    expires: 2099-12-31\n"
    )
    result = run_cli("check", "--offline", "--rules", str(rules), "-f", "github", IMAGE)
    assert result.code == 0
    assert "commercial-use-forbidden" not in result.out
    assert "1 waived" in result.out


def test_github_hub_models_without_a_local_file(hub: FakeHub) -> None:
    result = run_cli("check", "-f", "github", "acme-test/merge-model", "acme-test/nope")
    assert result.code == 2
    commands = [line for line in result.out.splitlines() if line.startswith("::")]
    # A Hub card's README.md is not a file of this checkout: no file= property.
    assert commands and not any("file=" in line for line in commands)
    assert any("title=lineage-conflict::acme-test/merge-model: " in c for c in commands)
    # The model that could not be checked gets an error annotation too.
    assert any(c.startswith("::error title=not checked::acme-test/nope: ") for c in commands)


def test_hostile_card_injects_no_workflow_command(hostile: list[str]) -> None:
    result = run_cli("check", "--offline", "-f", "github", *hostile)
    assert result.code == 1
    lines = result.out.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    commands = [line for line in lines if line.startswith("::")]
    expected = active_findings("--offline", *hostile)
    assert expected >= 5
    assert len(commands) == expected
    # Every line but the summary is a command; nothing in a message starts a line of its own.
    assert len(lines) == expected + 1
    assert not re.search(r"[\r\u2028\u2029\x85]", result.out)
    for command in commands:
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", command)
        assert match, command
        for prop in match.group(2).split(","):
            assert re.fullmatch(r"(file|line|title)=[^,:]*", prop), prop
    assert "mit%0A::error::pwned" in result.out
    # A pre-encoded %0A in the card stays text: its '%' is escaped as %25.
    assert "acme/base%250A::error::x%0D%0A```%0A" in result.out
    assert "'x%250A::warning file=a,line=1::pwned%0A| a | b |%0A<script>" in result.out


def test_hostile_card_keeps_the_markdown_table_intact(hostile: list[str], tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = run_cli(
        "check", "--offline", "-f", "markdown", "-o", str(out), *hostile, f"{ROOT}/{IMAGE}"
    )
    assert result.code == 1
    markdown = out.read_text("utf-8")
    rows = table_rows(markdown)
    assert len(rows) == 2 + 3
    assert {cells(row) for row in rows} == {10}
    assert "unknown(x%0A::warning file=a,line=1::pwned \\| a \\| b \\| &lt;script&gt;" in rows[3]
    assert "<script>" not in markdown and "</script>" not in markdown
    for number in (1, 2, 3):
        assert f"&lt;script&gt;alert({number})&lt;/script&gt;" in markdown
    assert "<b>" not in markdown and "<i>" not in markdown
    assert not any(line.startswith("::") for line in markdown.splitlines())
    # The only fences are the Mermaid block's: the card cannot open or close one.
    fences = [line for line in markdown.splitlines() if line.startswith("```")]
    assert fences == ["```mermaid", "```"]
    block = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0].splitlines()
    assert block[0] == "flowchart TD"
    statement = re.compile(
        r'  (n\d+\["[^"]*"\]|d\d+\[\("[^"]*"\)\]|n\d+ -->(\|"[^"]*"\|)? n\d+|d\d+ -\.-> n\d+)'
    )
    for line in block[1:]:
        assert statement.fullmatch(line), line
        assert "`" not in line and "<script" not in line


def test_markdown_report_for_the_examples(at_root: Path) -> None:
    result = run_cli("check", "--offline", "-f", "markdown", BOT, IMAGE)
    assert result.code == 1
    text = result.out
    assert text.startswith("# license-lint report\n")
    assert "2 models checked against preset:commercial-saas" in text
    assert "**1 passed**, **1 failed**, **0 could not be checked**" in text
    rows = table_rows(text)
    assert len(rows) == 4
    assert rows[2].startswith(f"| ✅ pass | {BOT} | local | llama3.1 |")
    assert rows[3].startswith(f"| ❌ fail | {IMAGE} | local | cc-by-nc-4.0 |")
    assert rows[3].endswith("| 1 | 1 | 0 | 0 | 0 |")
    # Reasons carry severity, code, clause, location and fix; duties are a checklist.
    assert "- **error** `commercial-use-forbidden`: cc-by-nc-4.0 does not allow" in text
    assert "clause: cc-by-nc-4.0 §2(a)(1)(A)-(B)" in text
    assert f"location: {IMAGE}/README.md:2" in text
    assert "- [ ] include license (llama3.1" in text
    assert '- [ ] attribution display "Built with Llama"' in text
    assert "obligation-duty" not in text
    assert '  n1 -->|"finetune"| n0' in text


def test_markdown_lineage_and_effective_license(hub: FakeHub) -> None:
    result = run_cli("check", "-f", "markdown", "acme-test/merge-model")
    assert result.code == 1
    row = table_rows(result.out)[2]
    assert "| apache-2.0 | apache-2.0 AND cc-by-nc-4.0 |" in row
    assert '  n0["acme-test/merge-model<br/>apache-2.0"]' in result.out
    assert '  n1 -->|"merge"| n0' in result.out and '  n2 -->|"merge"| n0' in result.out


def test_escaping_helpers() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("LL: a,b%\n") == "LL%3A a%2Cb%25%0A"
    assert md("a|b `c` <d> & *e* [f](g)\nh") == (
        "a\\|b \\`c\\` &lt;d&gt; &amp; \\*e\\* \\[f\\](g) h"
    )
    assert mermaid_label('say "hi" <b>#1</b> `x` | 50%') == (
        "say #34;hi#34; #60;b#62;#35;1#60;/b#62; #96;x#96; #124; 50#37;"
    )


def test_step_summary_stays_under_the_limit() -> None:
    # Built in memory: a run large enough to pass GitHub's step summary limit is slow to fetch.
    from license_lint.model import Finding, ModelRef, ModelResult, Report, Severity
    from license_lint.report.markdown import render, render_limited
    from license_lint.textstyle import Styler

    def result(index: int, verdict: str) -> ModelResult:
        finding = Finding("license-unknown", Severity.ERROR, "x" * 400, f"m{index}")
        return ModelResult(ModelRef(path=f"m{index}"), verdict, findings=(finding,) * 5)

    results = tuple(result(i, "fail" if i % 10 == 0 else "pass") for i in range(200))
    report = Report(results, "preset:x", Severity.ERROR, "0.1.0", "2025-01-01T00:00:00Z")
    assert render_limited(report, 10**8) == render(report, Styler())
    small = render_limited(report, 100_000)
    assert len(small.encode("utf-8")) <= 100_000
    assert len(table_rows(small)) == 2 + 200
    # Failing models keep their sections; passing ones are dropped first.
    assert small.count("## ❌ fail: m") == 20
    assert "## ✅ pass: m" in small
    assert small.rstrip().endswith("have everything.")
    tiny = render_limited(report, 10_000)
    assert len(tiny.encode("utf-8")) <= 10_000
    assert "200 of 200 model sections and" in tiny
