"""`check --format sarif`: valid SARIF 2.1.0 whose results sit on the right README line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from license_lint.codes import DEFAULT_SEVERITY
from license_lint.report.sarif import RULES

from conftest import ROOT, run_cli
from fakehub import FakeHub

IMAGE = "examples/acme-image-model"
BOT = "examples/acme-support-bot"


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema, from the path CI puts in LICENSE_LINT_SARIF_SCHEMA."""
    path = os.environ.get("LICENSE_LINT_SARIF_SCHEMA")
    if not path:
        pytest.skip("LICENSE_LINT_SARIF_SCHEMA is not set (.ci/run sets it to the fetched schema)")
    if not Path(path).is_file():
        pytest.skip(f"LICENSE_LINT_SARIF_SCHEMA names {path}, which does not exist")
    schema: dict[str, Any] = json.loads(Path(path).read_text("utf-8"))
    return schema


def validate(log: dict[str, Any], schema: dict[str, Any]) -> None:
    from jsonschema import Draft4Validator

    errors = sorted(Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def check(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("check", "--format", "sarif", *args)
    assert result.code in (0, 1), result.err
    log: dict[str, Any] = json.loads(result.out)
    return result.code, log


def findings_json(*args: str) -> list[dict[str, Any]]:
    data = json.loads(run_cli("check", "--format", "json", *args).out)
    found = [f for m in data["models"] for f in m["findings"]] + data["findings"]
    return found


def key_line(readme: Path, key: str) -> int:
    lines = readme.read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(f"{key}:"))


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


def test_local_examples_point_at_the_license_line(at_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    result = run_cli("check", "--offline", "-f", "sarif", "-o", str(out), BOT, IMAGE)
    assert result.code == 1
    log = json.loads(out.read_text("utf-8"))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "license-lint"
    forbidden = [r for r in run["results"] if r["ruleId"] == "commercial-use-forbidden"]
    assert len(forbidden) == 1
    (location,) = forbidden[0]["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == f"{IMAGE}/README.md"
    assert physical["region"]["startLine"] == key_line(at_root / IMAGE / "README.md", "license")
    assert forbidden[0]["level"] == "error"
    assert "suppressions" not in forbidden[0]
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["dataset-unresolved"] == "note"
    assert levels["threshold-unknown"] == "warning"


def test_rule_ids_match_the_findings(at_root: Path) -> None:
    args = ("--offline", BOT, IMAGE)
    _, log = check(*args)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    codes = [f["code"] for f in findings_json(*args)]
    assert [r["ruleId"] for r in run["results"]] == codes
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert {r["id"] for r in rules} >= set(DEFAULT_SEVERITY)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        expected = {"error": "error", "warning": "warning", "info": "note"}
        assert rule["defaultConfiguration"]["level"] == expected[DEFAULT_SEVERITY[rule["id"]]]


def test_every_code_has_written_help() -> None:
    assert set(RULES) == set(DEFAULT_SEVERITY)


def waiver_rules(tmp_path: Path) -> str:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\n"
        "deployment:\n  commercial: true\n  modes: [internal, hosted-service]\n"
        "exceptions:\n"
        f"  - model: {IMAGE}\n"
        "    codes: [commercial-use-forbidden]\n"
        "    reason: written permission from the licensor, LEGAL-7\n"
        "    owner: legal@acme.example\n"
        "    expires: 2099-12-31\n"
        "  - model: acme/not-checked\n"
        "    codes: [gated]\n"
        "    reason: unused\n"
        "    owner: legal@acme.example\n"
        "    expires: 2099-12-31\n"
    )
    return str(rules)


def test_waived_findings_carry_suppressions(at_root: Path, tmp_path: Path) -> None:
    code, log = check("--offline", "--rules", waiver_rules(tmp_path), IMAGE)
    assert code == 0
    results = log["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["commercial-use-forbidden"]
    (suppression,) = waived[0]["suppressions"]
    assert suppression["kind"] == "external"
    assert "LEGAL-7" in suppression["justification"]
    assert all("suppressions" not in r for r in results if r["ruleId"] != waived[0]["ruleId"])
    # The rules' own finding sits on the waiver's line in the rules file.
    unused = next(r for r in results if r["ruleId"] == "waiver-unused")
    physical = unused["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == (tmp_path / "rules.yaml").as_uri()
    assert physical["region"]["startLine"] == 11


def outside_model(tmp_path: Path) -> Path:
    outside = tmp_path / "my model"
    outside.mkdir()
    (outside / "README.md").write_text(
        "---\npipeline_tag: text-generation\nlicense: cc-by-nc-4.0\n---\n"
    )
    return outside


def test_absolute_and_outside_paths(at_root: Path, tmp_path: Path) -> None:
    outside = outside_model(tmp_path)
    _, log = check("--offline", str(at_root / IMAGE), str(outside))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    # Inside the working directory: relative with forward slashes; outside: a file URI.
    assert uris == {f"{IMAGE}/README.md", (outside / "README.md").as_uri()}


def test_hub_models_are_placed_on_their_inventory_line(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A README.md here must not receive the findings of a Hub card's own README.md.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("# an application\n")
    _, log = check("acme-test/merge-model", "acme-test/invalid-yaml")
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"lineage-conflict", "card-invalid"}
    for result in results:
        assert "locations" not in result
        assert result["message"]["text"].startswith(result["properties"]["model"] + ": ")
    invalid = next(r for r in results if r["ruleId"] == "card-invalid")
    assert len(invalid["properties"]["revision"]) == 40

    # Listed in an inventory, each model's results point at the line that names it.
    (tmp_path / "models.txt").write_text(
        "# models we use\nacme-test/invalid-yaml\n\nacme-test/merge-model\n"
    )
    audit = run_cli("audit", "--file", "models.txt", "-f", "sarif")
    assert audit.code == 1, audit.err
    log = json.loads(audit.out)
    lines = {}
    for result in log["runs"][0]["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "models.txt"
        lines[result["properties"]["model"]] = physical["region"]["startLine"]
    assert lines == {"acme-test/invalid-yaml": 2, "acme-test/merge-model": 4}


HOSTILE = """\
---
license: "mit\\n::error::pwned"
license_name: "x%0A::warning::pwned <script>alert(1)</script>"
base_model: "evil/`repo`\\"]; click n0 call alert()"
---
"""


def test_valid_against_the_official_schema(
    sarif_schema: dict[str, Any],
    hub: FakeHub,
    at_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile = tmp_path / "evil|<b>"
    hostile.mkdir()
    (hostile / "README.md").write_text(HOSTILE)
    runs = {
        "examples": ("check", "--offline", BOT, IMAGE),
        "waivers": ("check", "--offline", "--rules", waiver_rules(tmp_path), IMAGE),
        "paths": ("check", "--offline", str(at_root / IMAGE), str(outside_model(tmp_path))),
        "hostile": ("check", "--offline", str(hostile)),
        "hub": ("check", "acme-test/merge-model", "acme-test/gated-model", "acme-test/nope"),
    }
    for name, args in runs.items():
        result = run_cli(*args, "--format", "sarif")
        assert result.code in (0, 1, 2), (name, result.err)
        log = json.loads(result.out)
        assert log["runs"][0]["results"], name
        validate(log, sarif_schema)
    # The model that could not be read is reported as a failed tool execution.
    invocation = json.loads(run_cli(*runs["hub"], "-f", "sarif").out)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "acme-test/nope" in invocation["toolExecutionNotifications"][0]["message"]["text"]
