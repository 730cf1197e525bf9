"""The GitHub Action and the pre-commit hook: metadata, and the action's main step run locally."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT
from fakehub import FakeHub

EXAMPLE = ROOT / "examples" / "Llama-3.1-8B-Acme-Support"


def test_action_metadata() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"command", "models", "rules", "fail-on", "format", "sarif-file"} <= set(
        action["inputs"]
    )
    assert {"verdict", "findings", "sarif-file"} <= set(action["outputs"])
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach the scripts through env only, never spliced into shell code.
            assert "${{ inputs." not in step["run"]


def test_pre_commit_hook() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "license-lint" and hook["language"] == "python"
    assert hook["entry"].startswith("license-lint lint")
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("README.md") and pattern.search("models/bert/README.md")
    assert not pattern.search("NOTREADME.md") and not pattern.search("docs/readme.md")


def run_step(tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    wrapper = tmp_path / "license-lint"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m license_lint "$@"\n')
    wrapper.chmod(0o755)
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    env = {
        **os.environ,
        "LL_BIN": str(wrapper),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(outputs),
        "HF_HUB_OFFLINE": "1",
        **inputs,
    }
    result = subprocess.run(
        ["bash", str(ROOT / "action" / "run.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=120,
    )
    return result, summary, outputs


def test_main_step_lints_a_repository(tmp_path: Path) -> None:
    repo = tmp_path / "Acme-Support"
    shutil.copytree(EXAMPLE, repo)
    (repo / "NOTICE").unlink()
    sarif = tmp_path / "out.sarif"
    result, summary, outputs = run_step(
        tmp_path, LL_COMMAND="lint", LL_MODELS=str(repo), LL_SARIF=str(sarif)
    )
    assert result.returncode == 1, result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert any(
        line.startswith("::error ") and "title=notice-missing" in line for line in annotations
    )
    assert any("title=name-prefix-missing" in line for line in annotations)
    assert "notice-missing" in summary.read_text()
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written["verdict"] == "fail"
    assert int(written["findings"]) >= 2
    assert written["sarif-file"] == str(sarif)
    assert sarif.is_file() and '"version": "2.1.0"' in sarif.read_text()


def test_main_step_check_with_text_format_and_a_bad_command(tmp_path: Path) -> None:
    result, _, outputs = run_step(
        tmp_path,
        LL_COMMAND="check",
        LL_MODELS="\n".join(
            str(ROOT / "examples" / n) for n in ("acme-image-model", "acme-support-bot")
        ),
        LL_FORMAT="text",
    )
    assert result.returncode == 1
    assert "acme-image-model" in result.stdout
    assert "verdict=fail" in outputs.read_text()
    bad, _, _ = run_step(tmp_path, LL_COMMAND="rm -rf /")
    assert bad.returncode == 2 and "must be lint, check or audit" in bad.stdout


def test_main_step_audits_a_scanned_code_base(tmp_path: Path, hub: FakeHub) -> None:
    code = tmp_path / "app"
    code.mkdir()
    (code / "serve.py").write_text('model = AutoModel.from_pretrained("acme-test/base-apache")\n')
    result, summary, outputs = run_step(
        tmp_path,
        LL_COMMAND="audit",
        LL_MODELS=f"--scan {code}",
        HF_HUB_OFFLINE="",
        HF_ENDPOINT=hub.url,
        LICENSE_LINT_CACHE=str(tmp_path / "cache"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "acme-test/base-apache" in summary.read_text()
    assert "verdict=pass" in outputs.read_text()
    bad, _, _ = run_step(tmp_path, LL_COMMAND="audit", LL_MODELS="--rules /etc/passwd")
    assert bad.returncode == 2 and "not '--rules'" in bad.stdout
