"""Model references: Hub ids, revisions, URLs and local paths; invalid ones refused before I/O."""

from __future__ import annotations

from pathlib import Path

import pytest

from license_lint.errors import InvalidReferenceError
from license_lint.model import ModelRef
from license_lint.reference import parse_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meta-llama/Llama-3.1-8B", ModelRef(repo_id="meta-llama/Llama-3.1-8B")),
        ("gpt2", ModelRef(repo_id="gpt2")),
        ("o/n@main", ModelRef(repo_id="o/n", revision="main")),
        ("o/n@refs/pr/1", ModelRef(repo_id="o/n", revision="refs/pr/1")),
        ("o/n@" + "a" * 40, ModelRef(repo_id="o/n", revision="a" * 40)),
        ("datasets/o/d", ModelRef(repo_id="o/d", kind="dataset")),
        ("https://huggingface.co/o/n", ModelRef(repo_id="o/n")),
        ("https://huggingface.co/o/n/tree/v1.0", ModelRef(repo_id="o/n", revision="v1.0")),
        ("https://huggingface.co/datasets/o/d", ModelRef(repo_id="o/d", kind="dataset")),
    ],
)
def test_valid_references(text: str, expected: ModelRef) -> None:
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "o/../../etc",
        "o/n/extra",
        "-o/n",
        "o/n-",
        "o--x/n",
        "o/n@",
        "o/n@../x",
        "o/n@a b",
        "o/n@main?x=1",
        "o/n@%2e%2e",
        "a" * 97,
        "https://evil.example/o/n",
        "o /n",
        "o/n\x1b[31m",
    ],
)
def test_invalid_references_are_refused(text: str) -> None:
    with pytest.raises(InvalidReferenceError):
        parse_reference(text)


def test_local_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "owner" / "model"
    folder.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    # An existing folder wins over the Hub id it looks like.
    assert parse_reference("owner/model") == ModelRef(path="owner/model")
    assert parse_reference("./x") == ModelRef(path="./x")
    assert parse_reference("card.md") == ModelRef(path="card.md")
