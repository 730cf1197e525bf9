"""Review regressions: false matches that make a restricted model look less restricted."""

from __future__ import annotations

from pathlib import Path

import pytest

from license_lint.card import declaration_from, read_front_matter
from license_lint.catalog import load_catalog
from license_lint.identify import identify
from license_lint.model import LicenseDeclaration
from license_lint.normalize import normalize

from conftest import LICENSE_TEXTS, run_cli

needs_texts = pytest.mark.skipif(
    not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts is not present"
)

COMMONS_CLAUSE = (
    '\n"Commons Clause" License Condition v1.0\n\n'
    "The Software is provided to you by the Licensor under the License, as defined below, "
    "subject to the following condition.\n\n"
    "Without limiting other conditions in the License, the grant of rights under the License "
    "will not include, and the License does not grant to you, the right to Sell the Software.\n"
)
NC_RIDER = (
    "\n\nADDITIONAL TERMS: The model weights may be used for non-commercial research "
    "purposes only. Commercial use is prohibited.\n"
)


def text(name: str) -> str:
    return (LICENSE_TEXTS / name).read_text(encoding="utf-8")


def declared(yaml_text: str) -> LicenseDeclaration:
    front = read_front_matter(f"---\n{yaml_text}\n---\n")
    assert front.data is not None
    return declaration_from(front.data, front.key_lines, "o/n")


def model(tmp_path: Path, front_matter: str, license_text: str) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(f"---\n{front_matter}\n---\n# model\n", encoding="utf-8")
    (folder / "LICENSE").write_text(license_text, encoding="utf-8")
    return folder


def mit_non_commercial() -> str:
    return "MIT License\n\nCopyright (c) 2024 Acme\n\n" + text("mit.txt").replace(
        "subject to the following conditions:",
        "subject to the following conditions:\n\n"
        "The Software may be used for non-commercial purposes only.\n",
    )


# --- license text identification -------------------------------------------------------------


@needs_texts
@pytest.mark.parametrize(
    ("base", "rider", "permissive"),
    [
        ("apache-2.0.txt", COMMONS_CLAUSE, "apache-2.0"),
        ("apache-2.0.txt", NC_RIDER, "apache-2.0"),
        ("cc-by-4.0.txt", NC_RIDER, "cc-by-4.0"),
    ],
)
def test_permissive_text_with_restrictive_rider_is_not_high(
    base: str, rider: str, permissive: str
) -> None:
    """A permissive text with an appended non-commercial rider is not that license for sure."""
    found = identify(text(base) + rider, load_catalog())
    assert (found.license_id, found.confidence) != (permissive, "high")


@needs_texts
def test_mit_with_non_commercial_sentence_is_not_high_mit() -> None:
    """MIT text with a 'non-commercial purposes only' condition is not plain MIT beyond doubt."""
    found = identify(mit_non_commercial(), load_catalog())
    assert (found.license_id, found.confidence) != ("mit", "high")


@needs_texts
@pytest.mark.parametrize("restricted", ["flux-1-nc.txt", "llama-3.1-license-2024.txt"])
def test_restricted_license_with_mit_notice_is_not_mit(restricted: str) -> None:
    """A restricted license file ending in a third-party MIT notice is not identified as MIT."""
    notice = "\n\nThird-party notices\n\nsome-tokenizer: MIT License\n\n" + text("mit.txt")
    found = identify(text(restricted) + notice, load_catalog())
    assert found.license_id != "mit"


@needs_texts
@pytest.mark.parametrize("restricted", ["flux-1-nc.txt", "gemma-tou-2024-04-01.txt"])
def test_mit_followed_by_restricted_license_is_not_high_mit(restricted: str) -> None:
    """An MIT (code) text followed by a restricted weights license is not MIT beyond doubt."""
    combined = "MIT License\n\n" + text("mit.txt") + "\n\nModel weights\n\n" + text(restricted)
    found = identify(combined, load_catalog())
    assert (found.license_id, found.confidence) != ("mit", "high")


# --- what a check concludes from such files --------------------------------------------------


@needs_texts
def test_other_with_apache_commons_clause_file_does_not_pass(tmp_path: Path) -> None:
    """`license: other` and an Apache-2.0 + Commons Clause LICENSE do not pass commercial use."""
    folder = model(tmp_path, "license: other", text("apache-2.0.txt") + COMMONS_CLAUSE)
    result = run_cli("check", "--offline", "--no-lineage", "--no-color", str(folder))
    assert result.code != 0, result.out + result.err


@needs_texts
def test_other_with_mit_non_commercial_file_does_not_pass(tmp_path: Path) -> None:
    """`license: other` and an MIT 'non-commercial only' LICENSE do not pass commercial use."""
    folder = model(tmp_path, "license: other", mit_non_commercial())
    result = run_cli("check", "--offline", "--no-lineage", "--no-color", str(folder))
    assert result.code != 0, result.out + result.err


@needs_texts
def test_linked_flux_license_with_mit_notice_does_not_pass(tmp_path: Path) -> None:
    """A card linking its LICENSE, the FLUX.1 [dev] NC text plus an MIT notice, does not pass."""
    notice = "\n\nThird-party notices\n\nsome-tokenizer: MIT License\n\n" + text("mit.txt")
    folder = model(
        tmp_path, "license: other\nlicense_link: LICENSE", text("flux-1-nc.txt") + notice
    )
    result = run_cli("check", "--offline", "--no-lineage", "--no-color", str(folder))
    assert result.code != 0, result.out + result.err


# --- the gating prompt ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prompt", "not_expected"),
    [
        (
            "This model is for non-commercial research only. Unlike the MIT License, "
            "these terms forbid commercial use.",
            "mit",
        ),
        (
            "This model is released under the ACME Non-Commercial License. Unlike the "
            "Apache License 2.0, it forbids commercial use.",
            "apache-2.0",
        ),
        (
            "The weights are licensed under CC-BY-NC-4.0. The inference code is under the "
            "MIT License.",
            "mit",
        ),
    ],
)
def test_prompt_naming_a_permissive_license_in_passing_is_not_that_license(
    prompt: str, not_expected: str
) -> None:
    """A gating prompt merely mentioning a permissive license does not make it the license."""
    result = normalize(declared(f"license: other\nextra_gated_prompt: {prompt!r}"), load_catalog())
    assert result.ids != (not_expected,)


def test_prompt_submit_license_is_not_mit_license() -> None:
    """'submit license requests' in a gating prompt is not the 'MIT License'."""
    prompt = "Commercial use is not permitted. Please submit license requests to legal@acme.test."
    result = normalize(declared(f"license: other\nextra_gated_prompt: {prompt!r}"), load_catalog())
    assert "mit" not in result.ids


def test_prompt_longest_name_wins_at_the_same_position() -> None:
    """'Apache License 2.0 with the OpenAI gpt-oss usage policy' keeps the usage policy."""
    prompt = "You agree to the Apache License 2.0 with the OpenAI gpt-oss usage policy."
    result = normalize(declared(f"license: other\nextra_gated_prompt: {prompt!r}"), load_catalog())
    assert result.ids == ("gpt-oss-usage-policy",)
