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
        # The code pins revision="main": the reference says so, as written.
        "acme-test/base-nc@main",
        "acme-test/merge-model",
        "acme-test/lora-adapter",
        "acme-test-legacy",
        "datasets/acme-test/instruct-data",
        "acme-test/bom-crlf",
    }
    text = run_cli("audit", "--no-lineage", "--format", "sarif", "--scan", str(tmp_path)).out
    assert "train.py" in text
    lines = {m["reference"]: m for m in data["models"]}
    assert lines["acme-test/base-nc@main"]["findings"]


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


# -- duplicates, revisions, repo types and builders in the inventory -------------------------


def _openrail(hub: FakeHub, repo: str) -> None:
    """A model under a license with use restrictions, so that declared uses decide the verdict."""
    hub.add_card(repo, "---\nlicense: bigscience-openrail-m\n---\n")


def _scanned(tmp_path: Path, code: str) -> list[str]:
    """The references --scan finds in one Python file."""
    from license_lint.inventory import scan

    (tmp_path / "app.py").write_text(code)
    return [str(r) for r in scan(str(tmp_path))]


def test_scan_does_not_drop_uses_given_in_the_inventory_file(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model named in --file with uses and also found by --scan keeps the file's uses."""
    monkeypatch.chdir(tmp_path)
    _openrail(hub, "acme-audit/med-uses")
    (tmp_path / "inv.yaml").write_text(
        "models:\n  - model: acme-audit/med-uses\n    uses: [medical-advice]\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("acme-audit/med-uses")\n'
    )
    alone = run_cli("audit", "--no-lineage", "--file", "inv.yaml")
    assert alone.code == 1
    both = run_cli("audit", "--no-lineage", "-f", "json", "--file", "inv.yaml", "--scan", "src")
    assert both.code == 1, both.out
    data = json.loads(both.out)
    assert [m["reference"] for m in data["models"]] == ["acme-audit/med-uses"]
    assert "use-restricted" in {f["code"] for f in data["models"][0]["findings"]}
    # The merged entry points at the inventory line, where it was listed first.
    sarif = run_cli("audit", "--no-lineage", "-f", "sarif", "--file", "inv.yaml", "--scan", "src")
    assert "inv.yaml" in sarif.out and "app.py" not in sarif.out


def test_duplicate_inventory_entry_does_not_drop_uses(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model listed twice in a YAML inventory keeps the uses of the entry that gives them."""
    monkeypatch.chdir(tmp_path)
    _openrail(hub, "acme-audit/med-dup")
    (tmp_path / "inv.yaml").write_text(
        "models:\n"
        "  - model: acme-audit/med-dup\n    uses: [medical-advice]\n"
        "  - acme-audit/med-dup\n"
    )
    result = run_cli("audit", "--no-lineage", "--file", "inv.yaml")
    assert result.code == 1, result.out


def test_merge_duplicates_unions_uses_and_keeps_the_first_origin() -> None:
    from license_lint.inventory import merge_duplicates
    from license_lint.model import Location, ModelRef

    first = ModelRef(repo_id="acme/x", origin=Location("inv.yaml", 2), uses=("a",))
    again = ModelRef(repo_id="ACME/x", origin=Location("app.py", 9), uses=("b", "a"))
    other = ModelRef(repo_id="acme/x", revision="v1", uses=("c",))
    plain = ModelRef(repo_id="acme/y")
    found = ModelRef(repo_id="acme/y", origin=Location("app.py", 3), notes=("note",))
    merged = merge_duplicates([first, other, again, plain, found])
    assert [str(r) for r in merged] == ["acme/x", "acme/x@v1", "acme/y"]
    assert merged[0].uses == ("a", "b") and merged[0].origin == Location("inv.yaml", 2)
    assert merged[1].uses == ("c",)
    # A reference given on the command line has no origin: the first one listed is kept.
    assert merged[2].origin == Location("app.py", 3) and merged[2].notes == ("note",)


def test_scan_finds_the_model_passed_positionally_to_pipeline(tmp_path: Path) -> None:
    """pipeline("task", "org/model") names the model as its second positional argument."""
    code = (
        "from transformers import pipeline\n"
        'p = pipeline("text-generation", "acme-audit/gen")\n'
        'q = pipeline(task="fill-mask", model="acme-audit/mask")\n'
        'r = pipeline("acme-audit/a-task-not-a-model")\n'
    )
    assert sorted(_scanned(tmp_path, code)) == ["acme-audit/gen", "acme-audit/mask"]


def test_scan_keeps_the_revision_the_code_pins(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """from_pretrained("org/x", revision=SHA) is audited at SHA, not at main."""
    monkeypatch.chdir(tmp_path)
    pinned = hub.add_card(
        "acme-audit/pinned", "---\nlicense: cc-by-nc-4.0\n---\nold\n", branch=None
    )
    hub.add_card("acme-audit/pinned", "---\nlicense: apache-2.0\n---\nnew\n")
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModel\n"
        f'm = AutoModel.from_pretrained("acme-audit/pinned", revision="{pinned}")\n'
    )
    result = run_cli("audit", "--no-lineage", "-f", "json", "--scan", str(tmp_path))
    data = json.loads(result.out)
    assert [m["sha"] for m in data["models"]] == [pinned]
    assert [m["revision"] for m in data["models"]] == [pinned]
    assert result.code == 1


@pytest.mark.parametrize(
    "call",
    [
        'AutoModel.from_pretrained("acme-audit/rev", revision="v1.0")',
        'hf_hub_download("acme-audit/rev", "a.bin", revision="v1.0")',
        'snapshot_download(repo_id="acme-audit/rev", revision="v1.0")',
        'pipeline("text-generation", model="acme-audit/rev", revision="v1.0")',
        'SentenceTransformer("acme-audit/rev", revision="v1.0")',
    ],
)
def test_scan_reads_a_literal_revision_in_every_call(tmp_path: Path, call: str) -> None:
    assert _scanned(tmp_path, f"{call}\n") == ["acme-audit/rev@v1.0"]


def test_scan_reads_a_literal_dataset_revision(tmp_path: Path) -> None:
    code = 'load_dataset("acme-audit/data", revision="refs/convert/parquet")\n'
    assert _scanned(tmp_path, code) == ["datasets/acme-audit/data@refs/convert/parquet"]


def test_scan_does_not_invent_a_revision_it_cannot_read(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revision in a variable is not guessed: main is checked, and the run says so."""
    from license_lint.inventory import scan

    monkeypatch.chdir(tmp_path)
    hub.add_card("acme-audit/unpinned", "---\nlicense: apache-2.0\n---\n")
    (tmp_path / "app.py").write_text(
        "REV = 'abc'\n"
        'a = AutoModel.from_pretrained("acme-audit/unpinned", revision=REV)\n'
        'b = AutoModel.from_pretrained("acme-audit/unpinned", revision="bad rev")\n'
        'c = AutoModel.from_pretrained("acme-audit/unpinned", revision=None)\n'
    )
    (ref,) = scan("app.py")
    assert ref.revision is None and ref.origin is not None and ref.origin.line == 2
    assert ref.notes == (
        "app.py:2: acme-audit/unpinned: revision=REV is not a string literal; checked at main",
        "app.py:3: acme-audit/unpinned: revision='bad rev' is not a valid revision; "
        "checked at main",
    )
    result = run_cli("audit", "--no-lineage", "-f", "json", "--scan", "app.py")
    assert result.code == 0
    assert [m["revision"] for m in json.loads(result.out)["models"]] == [None]
    assert "app.py:2: acme-audit/unpinned: revision=REV is not a string literal" in result.err
    quiet = run_cli("audit", "--no-lineage", "-q", "--scan", "app.py")
    assert "revision=REV" not in quiet.err


def test_scan_attributes_repo_type_dataset_to_a_dataset(tmp_path: Path) -> None:
    """hf_hub_download(repo_id=..., repo_type="dataset") names a dataset, not a model."""
    code = (
        "from huggingface_hub import hf_hub_download, snapshot_download\n"
        'f = hf_hub_download(repo_id="acme-audit/data", filename="x.csv", repo_type="dataset")\n'
        'g = snapshot_download("acme-audit/more-data", repo_type="dataset")\n'
        'h = snapshot_download("acme-audit/model", repo_type="model")\n'
        'i = snapshot_download("acme-audit/demo", repo_type="space")\n'
    )
    assert sorted(_scanned(tmp_path, code)) == [
        "acme-audit/model",
        "datasets/acme-audit/data",
        "datasets/acme-audit/more-data",
    ]


def test_scan_says_when_it_cannot_read_the_repo_type(tmp_path: Path) -> None:
    from license_lint.inventory import scan

    (tmp_path / "app.py").write_text('snapshot_download("acme-audit/what", repo_type=KIND)\n')
    (ref,) = scan(str(tmp_path))
    assert ref.kind == "model"
    assert ref.notes and "repo_type=KIND is not a string literal" in ref.notes[0]


@pytest.mark.parametrize(
    "builder", ["json", "csv", "parquet", "text", "arrow", "webdataset", "imagefolder", "sql"]
)
def test_scan_ignores_packaged_dataset_loaders(tmp_path: Path, builder: str) -> None:
    """load_dataset("json", data_files=...) uses a local loader, not a Hub dataset named json."""
    code = (
        "from datasets import load_dataset\n"
        f'a = load_dataset("{builder}", data_files="train.data")\n'
        f'b = load_dataset(path="{builder}", data_dir="data")\n'
        'c = load_dataset("acme-audit/real-data")\n'
    )
    assert _scanned(tmp_path, code) == ["datasets/acme-audit/real-data"]


def test_author_listing_entries_without_id_are_not_dropped_silently(hub: FakeHub) -> None:
    """A listing page whose entries cannot be read fails the run; it never ends in a pass."""
    for index in range(4):
        hub.add_model(
            {
                "id": f"acme-audit-org/m{index}",
                "sha": f"{index + 1:040x}",
                "cardData": {"license": "mit"},
                "siblings": [{"rfilename": "README.md"}],
            }
        )
    hub.page_size = 2
    hub.add_fault(
        r"/api/models\?.*cursor=2",
        status=200,
        body='[{"modelId": "acme-audit-org/m2"}, "acme-audit-org/m3"]',
    )
    try:
        result = run_cli("audit", "--author", "acme-audit-org", "--no-lineage", "-f", "json")
    finally:
        hub.page_size = 100
    assert result.code == 2, result.err
    assert "entry 1 on page 2 of the Hub's model listing is not a model description" in result.err
    assert result.out == ""
