"""`audit` and `lock` as a compliance team runs them: inventories, listings, scans, drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from fakehub import FakeHub

CODE = """\
from transformers import AutoModel, AutoTokenizer, pipeline
from huggingface_hub import hf_hub_download, snapshot_download
from datasets import load_dataset

model = AutoModel.from_pretrained("acme-test/base-apache")
tok = AutoTokenizer.from_pretrained(
    "acme-test/base-nc",
    revision="main",
)
classifier = pipeline("text-classification", model="acme-test/merge-model")
weights = hf_hub_download(repo_id="acme-test/lora-adapter", filename="adapter.bin")
snapshot_download("acme-test-legacy")
data = load_dataset("acme-test/instruct-data")
local = AutoModel.from_pretrained("./checkpoints/run-1")
note = "see acme-test/not-a-model for details"
path = "configs/model.yaml"
mime = "text/plain"
"""

CONFIG = """\
training:
  model_name_or_path: acme-test/bom-crlf
  output_dir: outputs/run-1
  dataset_name: acme-test/instruct-data
logging:
  project: acme/dashboard
"""


def test_scan_finds_every_id_with_file_and_line(hub: FakeHub, tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(CODE)
    (tmp_path / "config.yaml").write_text(CONFIG)
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.py").write_text('AutoModel.from_pretrained("evil/ignored")\n')
    result = run_cli("audit", "-f", "json", "--no-lineage", "--scan", str(tmp_path))
    data = json.loads(result.out)
    found = {(m["reference"], m["card"]["kind"] if m["card"] else None) for m in data["models"]}
    assert {r for r, _ in found} == {
        "acme-test/base-apache",
        "acme-test/base-nc",
        "acme-test/merge-model",
        "acme-test/lora-adapter",
        "acme-test-legacy",
        "datasets/acme-test/instruct-data",
        "acme-test/bom-crlf",
    }
    text = run_cli("audit", "--no-lineage", "--format", "sarif", "--scan", str(tmp_path)).out
    assert "train.py" in text
    lines = {m["reference"]: m for m in data["models"]}
    assert lines["acme-test/base-nc"]["findings"]


def test_scan_origins_have_the_right_lines(tmp_path: Path) -> None:
    from license_lint.inventory import scan

    (tmp_path / "train.py").write_text(CODE)
    (tmp_path / "config.yaml").write_text(CONFIG)
    where = {
        (r.repo_id, r.kind): (Path(r.origin.path).name, r.origin.line)
        for r in scan(str(tmp_path))
        if r.origin
    }
    assert where == {
        ("acme-test/base-apache", "model"): ("train.py", 5),
        ("acme-test/base-nc", "model"): ("train.py", 7),
        ("acme-test/merge-model", "model"): ("train.py", 10),
        ("acme-test/lora-adapter", "model"): ("train.py", 11),
        ("acme-test-legacy", "model"): ("train.py", 12),
        ("acme-test/instruct-data", "dataset"): ("config.yaml", 4),
        ("acme-test/bom-crlf", "model"): ("config.yaml", 2),
    }


def test_inventory_files_text_and_yaml(hub: FakeHub, tmp_path: Path) -> None:
    (tmp_path / "models.txt").write_text(
        "# our models\nacme-test/base-apache\n\nacme-test/base-nc  # NC\n"
    )
    hub.add_card("acme-audit/rail-model", "---\nlicense: creativeml-openrail-m\n---\n")
    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  - acme-test/base-apache\n"
        "  - model: acme-audit/rail-model\n"
        "    revision: main\n"
        "    uses: [medical-advice]\n"
    )
    data = json.loads(run_cli("audit", "-f", "json", "--file", str(tmp_path / "models.txt")).out)
    assert [m["reference"] for m in data["models"]] == [
        "acme-test/base-apache",
        "acme-test/base-nc",
    ]
    data = json.loads(run_cli("audit", "-f", "json", "--file", str(tmp_path / "models.yaml")).out)
    assert [m["reference"] for m in data["models"]] == [
        "acme-test/base-apache",
        "acme-audit/rail-model@main",
    ]
    # The intended use given for one model is checked against that model's license only.
    rail = data["models"][1]
    assert rail["verdict"] == "fail"
    assert "use-restricted" in {f["code"] for f in rail["findings"]}
    assert data["models"][0]["verdict"] == "pass"
    bad = tmp_path / "bad.yaml"
    bad.write_text("models:\n  - model: acme-test/base-apache\n    uses: [medical-advise]\n")
    result = run_cli("audit", "--file", str(bad))
    assert result.code == 2 and f"{bad}:2" in result.err
    result = run_cli("audit", "--file", str(tmp_path / "missing.txt"))
    assert result.code == 2


def test_partial_results_are_kept(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run_cli(
        "audit", "-f", "json", "-o", str(target), "acme-test/base-apache", "acme-test/vanished"
    )
    assert result.code == 2
    data = json.loads(target.read_text())
    assert [m["verdict"] for m in data["models"]] == ["pass", "error"]


def test_author_listing_is_paged_not_per_model(hub: FakeHub) -> None:
    for index in range(2500):
        hub.add_model(
            {
                "id": f"big-org/model-{index:04d}",
                "sha": f"{index:040x}",
                "cardData": {"license": "mit" if index % 2 else "cc-by-nc-4.0"},
                "siblings": [{"rfilename": "README.md"}],
            }
        )
    hub.page_size = 1000
    hub.clear_requests()
    try:
        result = run_cli("audit", "--author", "big-org", "-f", "json", "--no-lineage")
    finally:
        hub.page_size = 100
    data = json.loads(result.out)
    assert data["summary"]["models"] == 2500
    assert data["summary"]["fail"] == 1250
    assert len([r for r in hub.requests if r.path == "/api/models"]) == 3
    assert len(hub.requests) == 3
    assert "big-org has 2500 models" in result.err
    assert "checked 2500/2500" in result.err


def test_lock_then_drift(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    hub.add_card("acme-drift/model", "---\nlicense: apache-2.0\n---\n")
    assert run_cli("lock", "acme-drift/model", "acme-test/base-apache").code == 0
    lock = json.loads((tmp_path / "license-lint.lock").read_text())
    assert [m["reference"] for m in lock["models"]] == ["acme-drift/model", "acme-test/base-apache"]
    assert run_cli("audit", "--locked", "acme-drift/model", "acme-test/base-apache").code == 0
    # Upstream relicenses the model: a new commit with a non-commercial license.
    hub.add_card("acme-drift/model", "---\nlicense: cc-by-nc-4.0\n---\nrelicensed\n")
    monkeypatch.setenv("LICENSE_LINT_CACHE", str(tmp_path / "fresh-cache"))
    result = run_cli("audit", "--locked", "-f", "json", "acme-drift/model", "acme-test/base-apache")
    assert result.code == 1
    data = json.loads(result.out)
    drift = [f for f in data["models"][0]["findings"] if f["code"] == "license-drift"]
    assert drift and "apache-2.0 -> cc-by-nc-4.0" in drift[0]["message"]
    assert not [f for f in data["models"][1]["findings"] if f["code"] == "license-drift"]
    missing = run_cli("audit", "--locked", "--lock", "nope.lock", "acme-drift/model")
    assert missing.code == 2 and "license-lint lock" in missing.err


@pytest.mark.parametrize(
    ("models", "problem"),
    [
        ([{"ref": "acme-drift/bad", "sha": "0" * 40}], "models[0] is not a lock entry"),
        (["acme-drift/bad"], "models[0] is not a lock entry"),
        ([{"reference": "acme-drift/bad"}, {"reference": "acme-drift/bad"}], "a second time"),
    ],
)
def test_a_malformed_lock_is_an_error(
    hub: FakeHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    models: list[object],
    problem: str,
) -> None:
    """A dropped lock entry would turn a drifted model into one merely 'not in the lock'."""
    monkeypatch.chdir(tmp_path)
    hub.add_card("acme-drift/bad", "---\nlicense: apache-2.0\n---\n")
    (tmp_path / "license-lint.lock").write_text(json.dumps({"version": 1, "models": models}))
    result = run_cli("audit", "--no-lineage", "--locked", "acme-drift/bad")
    assert result.code == 2, result.out
    assert "license-lint.lock" in result.err and problem in result.err


def test_github_outputs_follow_the_exit_code(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fails on a finding about the rules (an unused waiver at error) says fail."""
    monkeypatch.chdir(tmp_path)
    hub.add_card("acme-drift/gh-ok", "---\nlicense: apache-2.0\n---\n")
    (tmp_path / "rules.yaml").write_text(
        "version: 1\nseverity:\n  waiver-unused: error\nexceptions:\n"
        "  - model: acme-drift/not-checked\n    codes: [license-denied]\n    reason: r\n"
        "    owner: legal@example.com\n    expires: 2099-01-01\n"
    )
    outputs = tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    result = run_cli("check", "-f", "github", "--rules", "rules.yaml", "acme-drift/gh-ok")
    assert result.code == 1
    assert outputs.read_text() == "verdict=fail\nfindings=1\n"
