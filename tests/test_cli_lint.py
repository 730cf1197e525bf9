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
