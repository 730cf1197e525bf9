"""The catalog commands as a user runs them: licenses, explain, identify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import LICENSE_TEXTS, ROOT, run_cli


def test_licenses_table_and_json() -> None:
    result = run_cli("licenses")
    assert result.code == 0
    assert "llama3.1" in result.out and "cc-by-nc-4.0" in result.out
    data = json.loads(run_cli("licenses", "--format", "json").out)
    rows = {row["id"]: row for row in data["licenses"]}
    assert rows["cc-by-nc-4.0"]["commercial_use"] == "forbidden"
    assert rows["openrail"]["kind"] == "family"
    assert rows["mistral-mrl"]["spdx"] is None


def test_explain_llama32_shows_the_eu_exclusion() -> None:
    result = run_cli("explain", "llama3.2")
    assert result.code == 0
    assert "EU (multimodal models): no grant" in result.out
    assert '"Built with Llama"' in result.out
    for heading in (
        "What you may do",
        "Under which conditions",
        "What you must do",
        "What you must not do",
    ):
        assert heading in result.out


@pytest.mark.parametrize(
    "spelling", ["llama3.1", "LLAMA3.1", "Llama 3.1 Community License Agreement"]
)
def test_explain_accepts_every_spelling(spelling: str) -> None:
    data = json.loads(run_cli("explain", "-f", "json", spelling).out)
    assert data["id"] == "llama3.1"
    assert any(c.get("limit") == 700_000_000 for c in data["conditions"])


def test_explain_mrl_by_its_card_name_and_spdx_confusable() -> None:
    data = json.loads(run_cli("explain", "-f", "json", "mrl").out)
    assert data["id"] == "mistral-mrl"
    assert data["spdx"] is None
    ms_rl = run_cli("explain", "MS-RL")
    assert ms_rl.code == 2  # the Microsoft Reciprocal License is not in the catalog
    assert "mistral-mrl" not in ms_rl.err


def test_explain_unknown_exits_2_with_the_closest_ids() -> None:
    result = run_cli("explain", "llama3.5")
    assert result.code == 2
    assert "'llama3.5' is not a license in the catalog" in result.err
    assert "llama3.3" in result.err
    assert result.out == ""


@pytest.mark.skipif(not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts absent")
def test_identify_real_texts_and_unrelated_ones() -> None:
    result = run_cli(
        "identify",
        "-f",
        "json",
        str(LICENSE_TEXTS / "stable-diffusion-2022-08-22.txt"),
        str(LICENSE_TEXTS / "llama-4-license-2025.txt"),
        str(ROOT / "README.md"),
    )
    assert result.code == 0
    sd, aup, readme = json.loads(result.out)["files"]
    assert (sd["license"], sd["confidence"]) == ("creativeml-openrail-m", "high")
    assert (aup["license"], aup["document"]) == ("llama4", "use-policy")
    assert readme["license"] is None and readme["confidence"] == "none"


@pytest.mark.skipif(not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts absent")
def test_identify_lists_several_licenses_and_notes_added_terms(tmp_path: Path) -> None:
    """Two licenses in one file are both named; a permissive text with a rider gets a note."""
    mit = (LICENSE_TEXTS / "mit.txt").read_text(encoding="utf-8")
    flux = (LICENSE_TEXTS / "flux-1-nc.txt").read_text(encoding="utf-8")
    both = tmp_path / "LICENSE"
    both.write_text(mit + "\n\nModel weights\n\n" + flux, encoding="utf-8")
    rider = tmp_path / "LICENSE-RIDER"
    rider.write_text(mit + "\nCommercial use is prohibited.\n", encoding="utf-8")
    text = run_cli("identify", "--no-color", str(both), str(rider))
    assert text.code == 0, text.err
    assert f"{both}: several licenses: mit, flux-1-dev-non-commercial, confidence low" in text.out
    assert f"{rider}: mit, confidence medium" in text.out
    assert 'note: the text restricts use ("commercial use")' in text.out
    data = run_cli("identify", "-f", "json", str(both), str(rider))
    several, medium = json.loads(data.out)["files"]
    assert (several["license"], several["licenses"]) == (None, ["mit", "flux-1-dev-non-commercial"])
    assert (medium["license"], medium["confidence"]) == ("mit", "medium") and medium["note"]


def test_identify_a_missing_file_exits_2(tmp_path: object) -> None:
    result = run_cli("identify", "/nonexistent/LICENSE")
    assert result.code == 2
    assert "is not a file" in result.err
