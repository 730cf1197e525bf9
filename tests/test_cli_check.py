"""`license-lint check` as a CI gate: verdicts, exit codes and the JSON report (fake Hub)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from conftest import ROOT, SHARED, needs_corpus, run_cli
from fakehub import FakeHub

RULES = """\
version: 1
organization:
  name: Acme
  monthly_active_users: {mau}
  annual_revenue_usd: 40000000
  domicile: [US]
deployment:
  commercial: true
  modes: [internal, hosted-service]
licenses:
  deny: [agpl-3.0]
obligations:
  accept: [include-license, retain-notices, notice-file, attribution-display, name-prefix,
           pass-through-restrictions, user-compliance, modification-notice, no-endorsement,
           use-latest-version, model-card, register]
"""


def rules_file(tmp_path: Path, mau: int = 2_500_000, extra: str = "") -> str:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES.format(mau=mau) + extra)
    return str(path)


def report_schema() -> dict[str, object]:
    text = (resources.files("license_lint") / "schemas" / "report.schema.json").read_text("utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def check_json(*args: str) -> tuple[int, dict[str, object]]:
    result = run_cli("check", "--format", "json", *args)
    data = json.loads(result.out)
    jsonschema.validate(data, report_schema())
    return result.code, data


@needs_corpus
def test_recorded_models_pass_with_duties(hub: FakeHub, tmp_path: Path) -> None:
    code, data = check_json(
        "--rules",
        rules_file(tmp_path),
        "meta-llama/Llama-3.1-8B-Instruct",
        "HuggingFaceH4/zephyr-7b-beta",
        "stabilityai/stable-diffusion-2-1",
    )
    assert code == 0
    models = data["models"]
    assert [m["verdict"] for m in models] == ["pass", "pass", "pass"]  # type: ignore[index]
    llama = models[0]  # type: ignore[index]
    assert llama["sha"] == "0e9e39f249a16976918f6564b8830bc894c89659"
    assert llama["license"]["ids"] == ["llama3.1"]
    duties = [f for f in llama["findings"] if f["code"] == "obligation-duty"]
    assert any("Built with Llama" in f["message"] for f in duties)
    assert any(f["code"] == "gated" for f in llama["findings"])


@needs_corpus
def test_non_commercial_and_threshold_failures(hub: FakeHub, tmp_path: Path) -> None:
    code, data = check_json(
        "--rules",
        rules_file(tmp_path, mau=800_000_000),
        "CohereForAI/c4ai-command-r-plus",
        "meta-llama/Meta-Llama-3-70B-Instruct",
        "HuggingFaceH4/zephyr-7b-beta",
    )
    assert code == 1
    cohere, llama3, zephyr = data["models"]  # type: ignore[misc]
    assert cohere["verdict"] == "fail"
    assert "commercial-use-forbidden" in {f["code"] for f in cohere["findings"]}
    assert llama3["verdict"] == "fail"
    exceeded = [f for f in llama3["findings"] if f["code"] == "threshold-exceeded"]
    assert exceeded and exceeded[0]["clause"] and "700,000,000" in exceeded[0]["message"]
    assert zephyr["verdict"] == "pass"
    assert data["summary"] == {"models": 3, "pass": 1, "fail": 2, "error": 0}


def test_unfetchable_model_is_an_error_never_a_pass(hub: FakeHub, tmp_path: Path) -> None:
    code, data = check_json(
        "--rules", rules_file(tmp_path), "acme-test/base-apache", "acme-test/gone"
    )
    assert code == 2
    ok, gone = data["models"]  # type: ignore[misc]
    assert ok["verdict"] == "pass"
    assert gone["verdict"] == "error" and "not found" in gone["error"]


def test_a_license_tag_contradicting_the_card_fails_a_commercial_check(
    hub: FakeHub, tmp_path: Path
) -> None:
    """`license: apache-2.0` with the tag license:cc-by-nc-4.0: both apply, so NC fails."""
    readme = "---\nlicense: apache-2.0\ntags:\n- text-generation\n- license:cc-by-nc-4.0\n---\n"
    hub.add_card("acme-test/tagged-nc", readme)
    code, data = check_json("--rules", rules_file(tmp_path), "acme-test/tagged-nc")
    assert code == 1
    (model,) = data["models"]  # type: ignore[misc]
    assert model["verdict"] == "fail"
    assert model["license"]["ids"] == ["apache-2.0", "cc-by-nc-4.0"]
    (conflict,) = [f for f in model["findings"] if f["code"] == "license-conflict"]
    assert conflict["severity"] == "warning"
    assert conflict["message"].startswith(
        "license: apache-2.0 and the tag license:cc-by-nc-4.0 name different licenses; both apply"
    )
    forbidden = [f for f in model["findings"] if f["code"] == "commercial-use-forbidden"]
    assert [f["license"] for f in forbidden] == ["cc-by-nc-4.0"]


def test_fail_on_warning(hub: FakeHub, tmp_path: Path) -> None:
    # openrail is a family: a warning under these rules.
    hub.add_card("acme-test/family-only", "---\nlicense: openrail\n---\n")
    rules = rules_file(tmp_path)
    assert run_cli("check", "--rules", rules, "acme-test/family-only").code == 0
    assert (
        run_cli("check", "--rules", rules, "--fail-on", "warning", "acme-test/family-only").code
        == 1
    )


def test_text_output_shows_reasons_and_duties(hub: FakeHub, tmp_path: Path) -> None:
    result = run_cli("check", "--rules", rules_file(tmp_path), "acme-test/base-nc")
    assert result.code == 1
    assert "FAIL" in result.out
    assert "commercial-use-forbidden" in result.out
    assert "fix:" in result.out


def test_waiver_from_the_rules_file(hub: FakeHub, tmp_path: Path) -> None:
    waiver = """\
exceptions:
  - model: acme-test/base-nc
    codes: [commercial-use-forbidden]
    reason: pilot approved by legal, LEGAL-42
    owner: legal@acme.example
    expires: 2099-12-31
  - model: acme-test/base-nc
    codes: [license-denied]
    reason: old
    owner: legal@acme.example
    expires: 2020-01-01
"""
    code, data = check_json("--rules", rules_file(tmp_path, extra=waiver), "acme-test/base-nc")
    assert code == 0
    (model,) = data["models"]  # type: ignore[misc]
    waived = [f for f in model["findings"] if f["waived"]]
    assert [f["code"] for f in waived] == ["commercial-use-forbidden"]
    assert "LEGAL-42" in waived[0]["waiver"]
    assert [f["code"] for f in data["findings"]] == ["waiver-unused"]  # type: ignore[index]


def test_a_model_waiver_does_not_reach_a_dataset_of_the_same_name(
    hub: FakeHub, tmp_path: Path
) -> None:
    """`model: owner/name` names the model; the dataset of that name is another repository."""
    hub.add_card("acme-test/twin", "---\nlicense: cc-by-nc-4.0\n---\n", kind="dataset")
    waiver = """\
exceptions:
  - model: {name}
    codes: [commercial-use-forbidden]
    reason: licensed commercially, LEGAL-1
    owner: legal@acme.example
    expires: 2099-12-31
"""
    for name, waived in (("acme-test/twin", False), ("datasets/acme-test/twin", True)):
        rules = rules_file(tmp_path, extra=waiver.format(name=name))
        code, data = check_json("--rules", rules, "datasets/acme-test/twin@main")
        (model,) = data["models"]  # type: ignore[misc]
        assert code == (0 if waived else 1), name
        assert any(f["waived"] for f in model["findings"]) == waived, name


def test_expired_waiver_is_reported_with_its_line(hub: FakeHub, tmp_path: Path) -> None:
    waiver = """\
exceptions:
  - model: acme-test/base-nc
    codes: [commercial-use-forbidden]
    reason: pilot
    owner: legal@acme.example
    expires: 2020-01-01
"""
    path = rules_file(tmp_path, extra=waiver)
    code, data = check_json("--rules", path, "acme-test/base-nc")
    assert code == 1
    (model,) = data["models"]  # type: ignore[misc]
    expired = [f for f in model["findings"] if f["code"] == "waiver-expired"]
    assert expired and expired[0]["location"] == {"path": path, "line": 17, "key": "exceptions"}


def test_bad_rules_exit_2_with_file_and_line(hub: FakeHub, tmp_path: Path) -> None:
    path = rules_file(tmp_path).replace("rules.yaml", "rules.yaml")
    Path(path).write_text(RULES.format(mau="many"))
    result = run_cli("check", "--rules", path, "acme-test/base-apache")
    assert result.code == 2
    assert f"{path}:4" in result.err
    assert result.out == ""


def test_discovered_rules_file(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".license-lint.yaml").write_text("version: 1\nlicenses:\n  allow: [mit]\n")
    monkeypatch.chdir(tmp_path)
    code, data = check_json("acme-test/base-apache")
    assert code == 1
    assert data["rules"] == {"source": ".license-lint.yaml"}
    codes = {f["code"] for f in data["models"][0]["findings"]}  # type: ignore[index]
    assert "license-not-allowed" in codes


def test_local_example_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.chdir(ROOT)
    result = run_cli("check", "--offline", "examples/acme-support-bot", "examples/acme-image-model")
    assert result.code == 1, result.err
    assert "pass" in result.out and "FAIL" in result.out
    assert "commercial-use-forbidden" in result.out
    assert "examples/acme-image-model/README.md:2" in result.out  # the line of the license key


def test_offline_check_from_the_cache(hub: FakeHub, tmp_path: Path) -> None:
    rules = rules_file(tmp_path)
    first = run_cli("check", "--rules", rules, "acme-test/base-apache")
    assert first.code == 0
    hub.clear_requests()
    second = run_cli("check", "--offline", "--rules", rules, "acme-test/base-apache")
    assert second.code == 0, second.err
    assert hub.requests == []


@pytest.mark.skipif(not (SHARED / "license-texts").is_dir(), reason="license texts absent")
def test_license_file_disagreeing_with_the_card(tmp_path: Path) -> None:
    folder = tmp_path / "relabelled"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# A Llama fine-tune\n")
    text = (SHARED / "license-texts" / "llama-3.1-license-2024.txt").read_text(encoding="utf-8")
    (folder / "LICENSE").write_text(text)
    code, data = check_json(str(folder))
    (model,) = data["models"]  # type: ignore[misc]
    assert model["license"]["ids"] == ["mit", "llama3.1"]
    mismatch = [f for f in model["findings"] if f["code"] == "license-file-mismatch"]
    assert mismatch and "LICENSE is the llama3.1 license text" in mismatch[0]["message"]
    assert code in (0, 1)


@pytest.mark.parametrize(
    ("front_matter", "expected"),
    [
        ("license: cc-by-nc-4.0\nlicense: mit", "error card-invalid"),
        ('"licen\\x73e": cc-by-nc-4.0\nlicenses: mit', "error commercial-use-forbidden"),
        ("<<: {license: cc-by-nc-4.0}\nlicenses: mit", "error commercial-use-forbidden"),
        ("license: [mit, [cc-by-nc-4.0]]", "error license-unknown"),
        ("license: mit\nwidget: x\rlicense: cc-by-nc-4.0", "error card-invalid"),
    ],
    ids=["written-twice", "escaped-key", "merge-key", "nested-item", "lone-cr"],
)
def test_a_license_the_card_hides_does_not_pass(
    tmp_path: Path, front_matter: str, expected: str
) -> None:
    """Ways a card can write its license that a careless reader takes for plain mit."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(
        f"---\n{front_matter}\nmodel-index: [x]\n---\n# A model\n", newline=""
    )
    code, data = check_json("--offline", str(folder))
    assert code == 1, data
    (model,) = data["models"]  # type: ignore[misc]
    codes = {f"{f['severity']} {f['code']}" for f in model["findings"]}
    assert expected in codes, codes


def test_guardrail_removal_fails_under_the_nvidia_open_model_license(tmp_path: Path) -> None:
    """An abliterated model is safety circumvention: NVIDIA §2.1 ends all rights, so exit 1."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(
        "---\nlicense: other\nlicense_name: nvidia-open-model-license\n---\n# A model\n"
    )
    rules = rules_file(tmp_path)
    text = (
        Path(rules)
        .read_text()
        .replace(
            "  modes: [internal, hosted-service]\n",
            "  modes: [internal, hosted-service]\n  uses: [guardrail-removal]\n",
        )
    )
    Path(rules).write_text(text)
    code, data = check_json("--offline", "--rules", rules, str(folder))
    assert code == 1, data
    (model,) = data["models"]  # type: ignore[misc]
    assert model["verdict"] == "fail"
    found = [f for f in model["findings"] if f["code"].startswith("use-")]
    assert [(f["severity"], f["code"], f["clause"]) for f in found] == [
        ("error", "use-restricted", "§2.1")
    ]
    assert "a kind of 'safety-circumvention'" in found[0]["message"]


@pytest.mark.skipif(not (SHARED / "license-texts").is_dir(), reason="license texts absent")
@pytest.mark.parametrize(
    ("front_matter", "file_name"),
    [("license: other", "LICENSE"), ("tags: [chat]", "LICENSE"), ("tags: [chat]", "LICENSE-MODEL")],
)
def test_a_card_that_leaves_its_license_open_is_read_from_the_license_file(
    tmp_path: Path, front_matter: str, file_name: str
) -> None:
    """`other` or no license key, and a license text identified beyond doubt: that license."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(f"---\n{front_matter}\n---\n# A model\n")
    text = (SHARED / "license-texts" / "deepseek-la-1.0.txt").read_text(encoding="utf-8")
    (folder / file_name).write_text(text)
    (folder / "LICENSE-CODE").write_text((SHARED / "license-texts" / "mit.txt").read_text())
    _, data = check_json(str(folder))
    (model,) = data["models"]  # type: ignore[misc]
    assert model["license"]["ids"] == ["deepseek"], model["license"]
    codes = {f["code"] for f in model["findings"]}
    assert not codes & {"license-unknown", "license-missing", "license-file-mismatch"}, codes


# --- license files that hold more than one license -------------------------------------------

COMMONS_CLAUSE = (
    '\n"Commons Clause" License Condition v1.0\n\n'
    "Without limiting other conditions in the License, the grant of rights under the License "
    "will not include, and the License does not grant to you, the right to Sell the Software.\n"
)
MIT_NOTICE = "\n\nThird-party notices\n\nsome-tokenizer: MIT License\n\n"
needs_texts = pytest.mark.skipif(
    not (SHARED / "license-texts").is_dir(), reason="license texts absent"
)


def stored(name: str) -> str:
    return (SHARED / "license-texts" / name).read_text(encoding="utf-8")


def model_with_license(tmp_path: Path, front_matter: str, license_text: str) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(f"---\n{front_matter}\n---\n# model\n", encoding="utf-8")
    (folder / "LICENSE").write_text(license_text, encoding="utf-8")
    return folder


@needs_texts
@pytest.mark.parametrize(
    ("base", "rider"),
    [
        ("apache-2.0.txt", COMMONS_CLAUSE),
        ("mit.txt", "\nThe Software may be used for non-commercial purposes only.\n"),
    ],
    ids=["apache-commons-clause", "mit-non-commercial"],
)
@pytest.mark.parametrize("names_it", [False, True], ids=["card-says-other", "card-names-it"])
def test_a_permissive_file_with_a_rider_does_not_pass(
    tmp_path: Path, base: str, rider: str, names_it: bool
) -> None:
    """A permissive LICENSE with added terms binds users to terms nobody read: unknown."""
    card = f"license: {base.removesuffix('.txt')}" if names_it else "license: other"
    folder = model_with_license(tmp_path, card, stored(base) + rider)
    code, data = check_json("--offline", "--no-lineage", str(folder))
    assert code == 1, data
    (model,) = data["models"]  # type: ignore[misc]
    added = [
        f
        for f in model["findings"]
        if f["code"] == "license-unknown" and "with more in it" in f["message"]
    ]
    assert added and added[0]["severity"] == "error", model["findings"]
    assert added[0]["location"]["path"] == "LICENSE"


@needs_texts
def test_linked_flux_license_with_mit_notice_does_not_pass(tmp_path: Path) -> None:
    """A card linking its LICENSE, the FLUX.1 [dev] NC text plus an MIT notice, does not pass."""
    folder = model_with_license(
        tmp_path,
        "license: other\nlicense_link: LICENSE",
        stored("flux-1-nc.txt") + MIT_NOTICE + stored("mit.txt"),
    )
    code, data = check_json("--offline", "--no-lineage", str(folder))
    assert code == 1, data
    (model,) = data["models"]  # type: ignore[misc]
    assert model["license"]["ids"] == ["flux-1-dev-non-commercial"], model["license"]
    assert "commercial-use-forbidden" in {f["code"] for f in model["findings"]}


@needs_texts
def test_card_naming_mit_with_a_file_adding_a_restricted_license_does_not_pass(
    tmp_path: Path,
) -> None:
    """`license: mit`, and a LICENSE with MIT then the Gemma terms: Gemma applies as well."""
    text = "MIT License\n\n" + stored("mit.txt") + "\n\nModel weights\n\n"
    folder = model_with_license(tmp_path, "license: mit", text + stored("gemma-tou-2024-04-01.txt"))
    _, data = check_json("--offline", "--no-lineage", str(folder))
    (model,) = data["models"]  # type: ignore[misc]
    assert model["license"]["ids"] == ["mit", "gemma"], model["license"]
    mismatch = [f for f in model["findings"] if f["code"] == "license-file-mismatch"]
    assert mismatch and "gemma" in mismatch[0]["message"]


@pytest.mark.parametrize("license_id", ["llama3.1", "llama3.2", "llama3.3", "llama4"])
def test_training_on_llama_outputs_lists_the_name_prefix_duty(
    tmp_path: Path, license_id: str
) -> None:
    """Llama 3.1+ §1.b.i: a model trained on Llama outputs must have a name starting "Llama"."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "README.md").write_text(f"---\nlicense: {license_id}\n---\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\n"
        "organization:\n  monthly_active_users: 20000\n"
        "deployment:\n  commercial: true\n  modes: [hosted-service]\n  train_on_outputs: true\n"
        "obligations:\n"
        "  accept: [include-license, attribution-display, name-prefix, notice-file]\n",
        encoding="utf-8",
    )
    result = run_cli("check", "--offline", "--no-color", "--rules", str(rules), str(model))
    assert 'name prefix "Llama"' in result.out
    assert "training on its outputs" in result.out
