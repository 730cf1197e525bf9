"""`lint` of a model repository as its publisher: the Llama 3.1 example and its broken twins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import LICENSE_TEXTS, ROOT, run_cli
from fakehub import FakeHub

EXAMPLE = ROOT / "examples" / "Llama-3.1-8B-Acme-Support"


@pytest.fixture
def base(hub: FakeHub) -> FakeHub:
    if not hub.has_repo("meta-llama/Llama-3.1-8B-Instruct"):
        hub.add_card(
            "meta-llama/Llama-3.1-8B-Instruct", "---\nlicense: llama3.1\n---\n", gated="manual"
        )
    return hub


def repo(tmp_path: Path, name: str = "Llama-3.1-8B-Acme-Support") -> Path:
    """A copy of the shipped example, with the full Llama 3.1 text when the shared texts exist."""
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    full = LICENSE_TEXTS / "llama-3.1-license-2024.txt"
    if full.is_file():
        shutil.copy(full, target / "LICENSE")
    return target


def lint(path: Path, *extra: str) -> tuple[int, dict[str, object]]:
    result = run_cli("lint", "-f", "json", str(path), *extra)
    return result.code, json.loads(result.out)


def codes(data: dict[str, object]) -> dict[str, int | None]:
    model = data["models"][0]  # type: ignore[index]
    return {
        f["code"]: (f["location"] or {}).get("line")
        for f in model["findings"]
        if f["severity"] in ("error", "warning")
    }


def test_the_shipped_example_passes(base: FakeHub) -> None:
    code, data = lint(EXAMPLE)
    assert code == 0, codes(data)
    assert data["models"][0]["lineage"]["nodes"][1]["id"] == "meta-llama/Llama-3.1-8B-Instruct"


def test_a_compliant_copy_passes(base: FakeHub, tmp_path: Path) -> None:
    code, data = lint(repo(tmp_path))
    assert code == 0, codes(data)
    assert not {"license-file-missing", "notice-missing", "attribution-missing"} & set(codes(data))


@pytest.mark.skipif(not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts absent")
def test_a_license_file_with_a_bundled_mit_notice_still_ships_the_llama_text(
    base: FakeHub, tmp_path: Path
) -> None:
    """A LICENSE holding the Llama agreement and a third-party MIT notice carries both texts."""
    folder = repo(tmp_path)
    mit = (LICENSE_TEXTS / "mit.txt").read_text(encoding="utf-8")
    with (folder / "LICENSE").open("a", encoding="utf-8") as license_file:
        license_file.write("\n\nThird-party notices\n\nsome-tokenizer: MIT License\n\n" + mit)
    code, data = lint(folder)
    assert code == 0, codes(data)
    assert "license-file-missing" not in codes(data)
    assert data["models"][0]["license"]["ids"] == ["llama3.1"]  # type: ignore[index]


def test_relabelled_apache(base: FakeHub, tmp_path: Path) -> None:
    folder = repo(tmp_path)
    readme = folder / "README.md"
    readme.write_text(readme.read_text().replace("license: llama3.1", "license: apache-2.0"))
    code, data = lint(folder)
    assert code == 1
    found = codes(data)
    assert found["lineage-conflict"] == 3  # the base_model line
    assert found["license-file-mismatch"] == 2  # the license line
    assert found["license-file-missing"] == 2  # no Apache-2.0 text for the declared license


def test_without_the_notice(base: FakeHub, tmp_path: Path) -> None:
    folder = repo(tmp_path)
    (folder / "NOTICE").unlink()
    code, data = lint(folder)
    assert code == 1
    notice = [f for f in data["models"][0]["findings"] if f["code"] == "notice-missing"]  # type: ignore[index]
    assert notice[0]["location"]["path"] == "NOTICE"  # the file that should be there


def test_without_the_llama_prefix(base: FakeHub, tmp_path: Path) -> None:
    folder = repo(tmp_path, name="Acme-Support-8B")
    code, data = lint(folder)
    assert code == 1
    found = codes(data)
    assert "name-prefix-missing" in found and found["name-prefix-missing"] == 2
    # --name overrides the folder name.
    _, data = lint(folder, "--name", "Llama-Acme-Support")
    assert "name-prefix-missing" not in codes(data)


def test_without_attribution_and_github_format(base: FakeHub, tmp_path: Path) -> None:
    folder = repo(tmp_path)
    readme = folder / "README.md"
    readme.write_text(readme.read_text().replace("Built with Llama.", ""))
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    result = run_cli(
        "lint",
        "--format",
        "github",
        str(folder),
        env={"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)},
    )
    assert f"::warning file={folder / 'README.md'},title=attribution-missing::" in result.out
    assert summary.read_text().strip()
    assert "findings=" in outputs.read_text()


def test_missing_path_is_an_error() -> None:
    result = run_cli("lint", "/nonexistent/model-repo")
    assert result.code == 2 and "does not exist" in result.err


@pytest.mark.skipif(not LICENSE_TEXTS.is_dir(), reason="license texts absent")
@pytest.mark.parametrize("front_matter", ["license: other", "tags: [llama]"])
def test_a_card_that_names_no_license_fails_lint_though_the_file_says_it(
    base: FakeHub, tmp_path: Path, front_matter: str
) -> None:
    """`check` may rely on the LICENSE text; a publisher's card must still declare it."""
    folder = repo(tmp_path)
    readme = folder / "README.md"
    readme.write_text(readme.read_text().replace("license: llama3.1", front_matter))
    code, data = lint(folder)
    assert code == 1
    (missing,) = [f for f in data["models"][0]["findings"] if f["code"] == "license-missing"]  # type: ignore[index]
    assert "read llama3.1 from LICENSE" in missing["message"]
    assert missing["hint"] == "add `license: llama3.1` to the README front matter"
    # The consumer's gate takes the license from the file and reports nothing missing.
    result = run_cli("check", "-f", "json", "--no-lineage", str(folder))
    (model,) = json.loads(result.out)["models"]
    assert "license-missing" not in {f["code"] for f in model["findings"]}
    assert model["license"]["ids"] == ["llama3.1"]


# --- what counts as the license copy, the attribution and the public statement ---------------


def offline_codes(path: Path, *extra: str) -> set[str]:
    """Error and warning codes of an offline lint, base models left unread unless asked."""
    _, data = lint(path, "--offline", *extra)
    return set(codes(data))


def make_repo(tmp_path: Path, name: str, card: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "README.md").write_text(card, encoding="utf-8")
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def test_llama_repository_with_notice_but_no_license_file_fails(tmp_path: Path) -> None:
    """Llama 3.1 §1.b.i: NOTICE is not "a copy of this Agreement"; no LICENSE must fail."""
    folder = tmp_path / "Llama-3.1-8B-Acme-Support"
    shutil.copytree(EXAMPLE, folder)
    (folder / "LICENSE").unlink()
    assert "license-file-missing" in offline_codes(folder)


NOTICE_ONLY = {
    "llama2": (
        "license: llama2",
        "Llama 2 is licensed under the LLAMA 2 Community License, "
        "Copyright (c) Meta Platforms, Inc. All Rights Reserved.",
    ),
    "llama3": (
        "license: llama3",
        "Meta Llama 3 is licensed under the Meta Llama 3 Community "
        "License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
    ),
    "llama3.2": (
        "license: llama3.2",
        "Llama 3.2 is licensed under the Llama 3.2 Community "
        "License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
    ),
    "llama3.3": (
        "license: llama3.3",
        "Llama 3.3 is licensed under the Llama 3.3 Community "
        "License, Copyright © Meta Platforms, Inc. All Rights Reserved.",
    ),
    "llama4": (
        "license: llama4",
        "Llama 4 is licensed under the Llama 4 Community License, "
        "Copyright © Meta Platforms, Inc. All Rights Reserved.",
    ),
    "gemma": (
        "license: gemma",
        "Gemma is provided under and subject to the Gemma Terms of Use "
        "found at ai.google.dev/gemma/terms",
    ),
    "qwen": (
        "license: other\nlicense_name: qwen",
        "Qwen is licensed under the Qwen LICENSE "
        "AGREEMENT, Copyright (c) Alibaba Cloud. All Rights Reserved.",
    ),
    "tongyi-qianwen": (
        "license: other\nlicense_name: tongyi-qianwen",
        "Tongyi Qianwen is "
        "licensed under the Tongyi Qianwen LICENSE AGREEMENT, Copyright (c) "
        "Alibaba Cloud. All Rights Reserved.",
    ),
    # Their title-only fingerprints match inside the Notice too; the sentence is set aside.
    "mistral-mrl": (
        "license: other\nlicense_name: mistral-mrl",
        "Licensed by Mistral AI under the Mistral AI Research License",
    ),
    "apple-amlr": (
        "license: apple-amlr",
        "Apple Machine Learning Research Model is licensed under the Apple Machine Learning "
        "Research Model License Agreement.",
    ),
    "flux-1-dev-non-commercial": (
        "license: other\nlicense_name: flux-1-dev-non-commercial",
        "The FLUX.1 [dev] Model is licensed by Black Forest Labs. Inc. under the FLUX.1 [dev] "
        "Non-Commercial License. Copyright Black Forest Labs. Inc.",
    ),
}


@pytest.mark.parametrize("license_id", sorted(NOTICE_ONLY))
def test_required_notice_file_alone_is_not_the_license_copy(
    tmp_path: Path, license_id: str
) -> None:
    """Llama §1.b.i, Gemma §3.1.2, Qwen §3.a: the one-line Notice is not the license copy."""
    declaration, notice = NOTICE_ONLY[license_id]
    folder = make_repo(
        tmp_path,
        "Llama-3-model",
        f"---\n{declaration}\n---\n# model\n",
        {"NOTICE": notice + "\n"},
    )
    assert "license-file-missing" in offline_codes(folder, "--no-lineage")


@pytest.mark.skipif(not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts absent")
def test_a_license_file_opening_with_the_notice_is_still_the_license(tmp_path: Path) -> None:
    """Setting the Notice sentence aside leaves the agreement that follows it recognisable."""
    folder = repo(tmp_path)
    notice = (folder / "NOTICE").read_text(encoding="utf-8")
    license_file = folder / "LICENSE"
    license_file.write_text(notice + "\n" + license_file.read_text(encoding="utf-8"))
    assert "license-file-missing" not in offline_codes(folder)


def test_llama4_acceptable_use_policy_is_not_the_license_agreement(tmp_path: Path) -> None:
    """Llama 4 §1.b.i: the AUP alone (USE_POLICY.md) is not a copy of the Agreement."""
    folder = make_repo(
        tmp_path,
        "Llama-4-Acme",
        "---\nlicense: llama4\n---\n# Llama-4-Acme\n\nBuilt with Llama\n",
        {
            "USE_POLICY.md": "Llama 4 Acceptable Use Policy\n\nMeta is committed to promoting "
            "safe and fair use of its tools and features, including Llama 4.\n",
            "NOTICE": "Llama 4 is licensed under the Llama 4 Community License, Copyright © Meta "
            "Platforms, Inc. All Rights Reserved.\n",
        },
    )
    assert "license-file-missing" in offline_codes(folder, "--no-lineage")


def test_gemma_prohibited_use_policy_is_not_the_terms_of_use(tmp_path: Path) -> None:
    """Gemma §3.1 item 2: the Prohibited Use Policy alone is not a copy of the Terms of Use."""
    folder = make_repo(
        tmp_path,
        "gemma-acme",
        "---\nlicense: gemma\n---\n# gemma-acme\n",
        {
            "LICENSE": "Gemma Prohibited Use Policy\n\nLast modified: February 21, 2024\n\n"
            "Google may update this policy from time to time.\n",
            "NOTICE": "Gemma is provided under and subject to the Gemma Terms of Use found at "
            "ai.google.dev/gemma/terms\n",
        },
    )
    assert "license-file-missing" in offline_codes(folder, "--no-lineage")


QWEN_FILES = {
    "LICENSE": "Qwen LICENSE AGREEMENT\n\nQwen LICENSE AGREEMENT Release Date: "
    "September 19, 2024\n",
    "NOTICE": "Qwen is licensed under the Qwen LICENSE AGREEMENT, Copyright (c) Alibaba "
    "Cloud. All Rights Reserved.\n",
}


@pytest.mark.parametrize("shown", ["Improved using Qwen", "Built with Qwen"])
def test_qwen_accepts_either_attribution(tmp_path: Path, shown: str) -> None:
    """Qwen §5.b: "Built with Qwen" or "Improved using Qwen"; either satisfies the duty."""
    folder = make_repo(
        tmp_path,
        "qwen-acme",
        f"---\nlicense: other\nlicense_name: qwen\n---\n# qwen-acme\n\n{shown}\n",
        QWEN_FILES,
    )
    assert "attribution-missing" not in offline_codes(folder, "--no-lineage")


def test_qwen_without_attribution_names_both_wordings(tmp_path: Path) -> None:
    folder = make_repo(
        tmp_path, "qwen-acme", "---\nlicense: other\nlicense_name: qwen\n---\n# x\n", QWEN_FILES
    )
    _, data = lint(folder, "--offline", "--no-lineage")
    (missing,) = [f for f in data["models"][0]["findings"] if f["code"] == "attribution-missing"]  # type: ignore[index]
    assert '"Built with Qwen" or "Improved using Qwen"' in missing["message"]


FALCON_CARD = (
    "---\nlicense: other\nlicense_name: falcon-2-11b\nbase_model: tiiuae/falcon-11B\n---\n# x\n"
)
FALCON_LICENSE = {"LICENSE": "Falcon 2 11B TII License Version 1.0\n\nMay 2024\n"}
FALCON_STATEMENT = "is built using Falcon LLM technology from the Technology Innovation Institute"


def test_publishing_a_falcon_2_derivative_lists_the_publication_statement(tmp_path: Path) -> None:
    """Falcon 2 11B §6: a published derivative's card is a public statement crediting Falcon."""
    folder = make_repo(tmp_path, "acme-falcon-tune", FALCON_CARD, FALCON_LICENSE)
    out = run_cli("lint", "--offline", "--no-color", str(folder)).out
    assert "falcon-2-11b" in out
    assert FALCON_STATEMENT in out
    # The card lacks it, and the fix fills the placeholder with the repository's name.
    assert f'add "acme-falcon-tune {FALCON_STATEMENT}" to README.md' in out
    assert "attribution-missing" in offline_codes(folder)


def test_a_falcon_statement_naming_the_model_satisfies_the_card(tmp_path: Path) -> None:
    """The {model} placeholder matches whatever name the card gives the derivative."""
    card = FALCON_CARD + f"\n**Acme Falcon Tune** {FALCON_STATEMENT}.\n"
    folder = make_repo(tmp_path, "acme-falcon-tune", card, FALCON_LICENSE)
    assert "attribution-missing" not in offline_codes(folder)


def test_without_lineage_lint_makes_no_public_statement_duty(tmp_path: Path) -> None:
    """--no-lineage publishes no derivative, so no statement about one is asked for."""
    folder = make_repo(tmp_path, "acme-falcon-tune", FALCON_CARD, FALCON_LICENSE)
    out = run_cli("lint", "--offline", "--no-lineage", "--no-color", str(folder)).out
    assert FALCON_STATEMENT not in out


def test_cc_by_license_uri_in_the_card_satisfies_the_license_copy(tmp_path: Path) -> None:
    """CC BY 4.0 §3(a)(1)(C): "the text of, or the URI" suffices; no LICENSE file needed."""
    folder = make_repo(
        tmp_path,
        "acme-ccby",
        "---\nlicense: cc-by-4.0\n---\n# acme-ccby\n\nCopyright 2025 Acme. Licensed under "
        "CC BY 4.0: https://creativecommons.org/licenses/by/4.0/\n",
        {},
    )
    assert "license-file-missing" not in offline_codes(folder)


def test_cc_by_without_text_or_link_names_the_link_in_the_fix(tmp_path: Path) -> None:
    folder = make_repo(tmp_path, "acme-ccby", "---\nlicense: cc-by-4.0\n---\n# acme-ccby\n", {})
    _, data = lint(folder, "--offline")
    (missing,) = [f for f in data["models"][0]["findings"] if f["code"] == "license-file-missing"]  # type: ignore[index]
    assert "creativecommons.org/licenses/by/4.0" in missing["hint"]


def test_a_link_does_not_replace_a_license_that_asks_for_its_text(tmp_path: Path) -> None:
    """Apache-2.0 §4(a) asks for a copy; its URL in the card is not one."""
    folder = make_repo(
        tmp_path,
        "acme-apache",
        "---\nlicense: apache-2.0\n---\n# x\n\nhttps://www.apache.org/licenses/LICENSE-2.0\n",
        {},
    )
    assert "license-file-missing" in offline_codes(folder)
