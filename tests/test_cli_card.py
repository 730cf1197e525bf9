"""`license-lint card` as a user runs it: against the fake Hub serving recorded real answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, needs_corpus, run_cli
from fakehub import FakeHub

TOKEN = "hf_cli_secret_token_987654321"


def card_json(*args: str) -> dict[str, object]:
    result = run_cli("card", "--format", "json", *args)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    return data


@needs_corpus
def test_gated_meta_llama(hub: FakeHub) -> None:
    result = run_cli("card", "meta-llama/Llama-3.1-8B-Instruct")
    assert result.code == 0, result.err
    assert "0e9e39f249a16976918f6564b8830bc894c89659 (main)" in result.out
    assert "manual: accept the terms on the Hub" in result.out
    assert "license        llama3.1" in result.out
    assert "meta-llama/Llama-3.1-8B (finetune, from tag)" in result.out
    assert "LICENSE, USE_POLICY.md" in result.out
    assert "gating prompt" in result.out


@needs_corpus
def test_recorded_cards_as_json(hub: FakeHub) -> None:
    data = card_json("stabilityai/stable-diffusion-2-1", "HuggingFaceH4/zephyr-7b-beta")
    sd, zephyr = data["cards"]  # type: ignore[misc]
    assert sd["sha"] == "5cae40e6a2745ae2b01ad92ae5043f95f23644d6"
    assert sd["license"]["values"] == ["openrail++"]
    assert sd["gated"] is None
    assert sd["base_models"] == []
    # Three recorded answers of zephyr: the newest is main.
    assert zephyr["sha"] == "892b3d7a7b1cf10c7a701c60881cd93df615734c"
    assert zephyr["license"]["values"] == ["mit"]
    assert zephyr["base_models"] == [
        {"id": "mistralai/Mistral-7B-v0.1", "relation": "finetune", "source": "card"}
    ]
    assert zephyr["datasets"] == [
        "HuggingFaceH4/ultrachat_200k",
        "HuggingFaceH4/ultrafeedback_binarized",
    ]
    assert data["errors"] == []


@needs_corpus
def test_pinned_older_revision(hub: FakeHub) -> None:
    data = card_json("HuggingFaceH4/zephyr-7b-beta@b70e0c9a2d9e14bd1e812d3c398e5f313e93b473")
    card = data["cards"][0]  # type: ignore[index]
    assert card["sha"] == "b70e0c9a2d9e14bd1e812d3c398e5f313e93b473"
    assert card["revision"] == "b70e0c9a2d9e14bd1e812d3c398e5f313e93b473"


def test_fixture_shapes(hub: FakeHub) -> None:
    data = card_json(
        "acme-test/merge-model",
        "acme-test-legacy",
        "acme-test/bom-crlf",
        "datasets/acme-test/instruct-data",
    )
    merge, legacy, bom, dataset = data["cards"]  # type: ignore[misc]
    assert [b["id"] for b in merge["base_models"]] == ["acme-test/base-apache", "acme-test/base-nc"]
    assert {b["relation"] for b in merge["base_models"]} == {"merge"}
    assert legacy["id"] == "acme-test-legacy"
    assert bom["license"]["values"]
    assert dataset["kind"] == "dataset"


def test_invalid_yaml_on_the_hub_is_a_finding_with_a_line(hub: FakeHub) -> None:
    result = run_cli("card", "acme-test/invalid-yaml")
    assert result.code == 1
    assert "card-invalid" in result.out
    assert "README.md:" in result.out
    assert "Traceback" not in result.out + result.err


def test_missing_repo(hub: FakeHub) -> None:
    result = run_cli("card", "acme-test/does-not-exist")
    assert result.code == 2
    assert "model acme-test/does-not-exist was not found on the Hub" in result.err
    assert "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_gated_file_needed_and_not_readable(hub: FakeHub) -> None:
    hub.add_model(
        {
            "id": "acme-test/old-gate",
            "sha": "3" * 40,
            "gated": "manual",
            "siblings": [{"rfilename": "README.md"}],
        },
        files={"README.md": "---\nlicense: llama2\n---\n"},
    )
    hub.add_fault(
        "/acme-test/old-gate/resolve/",
        status=401,
        headers={"X-Error-Code": "GatedRepo", "X-Error-Message": "Access is restricted."},
    )
    result = run_cli("card", "acme-test/old-gate")
    assert result.code == 2
    assert "gated" in result.err
    assert "accept the license terms" in result.err and "HF_TOKEN" in result.err


@pytest.mark.parametrize(
    ("status", "headers", "words"),
    [(429, {"Retry-After": "0"}, "rate limiting"), (503, {}, "HTTP 503")],
)
def test_storms_give_up_after_bounded_retries(
    hub: FakeHub, monkeypatch: pytest.MonkeyPatch, status: int, headers: dict[str, str], words: str
) -> None:
    monkeypatch.setenv("LICENSE_LINT_HUB_ATTEMPTS", "3")
    hub.add_fault("acme-test/base-apache", status=status, headers=headers)
    result = run_cli("card", "acme-test/base-apache")
    assert result.code == 2
    assert words in result.err
    assert "after 3 attempts" in result.err
    assert hub.count("/api/models/acme-test/base-apache") == 3


def test_offline_answers_from_the_cache(hub: FakeHub) -> None:
    first = run_cli("card", "acme-test/base-apache")
    assert first.code == 0
    hub.clear_requests()
    second = run_cli("card", "--offline", "acme-test/base-apache")
    assert second.code == 0, second.err
    assert second.out == first.out
    assert hub.requests == []
    missing = run_cli("card", "--offline", "acme-test/merge-model")
    assert missing.code == 2
    assert "acme-test/merge-model@main is not in the cache" in missing.err
    assert hub.requests == []


def test_hf_hub_offline_is_honoured(hub: FakeHub) -> None:
    result = run_cli("card", "acme-test/base-apache", env={"HF_HUB_OFFLINE": "1"})
    assert result.code == 2
    assert "not in the cache" in result.err
    assert hub.requests == []


def test_second_run_uses_the_cache(hub: FakeHub) -> None:
    run_cli("card", "acme-test/base-nc")
    hub.clear_requests()
    assert run_cli("card", "acme-test/base-nc").code == 0
    assert hub.requests == []


def test_token_never_printed(hub: FakeHub) -> None:
    hub.add_fault("acme-test/base-apache", status=500, body=f"echo {TOKEN}")
    result = run_cli(
        "card",
        "-v",
        "acme-test/base-apache",
        "acme-test/gated-model",
        env={"HF_TOKEN": TOKEN, "LICENSE_LINT_HUB_ATTEMPTS": "2"},
    )
    assert TOKEN not in result.out + result.err
    assert any(r.header("Authorization") == f"Bearer {TOKEN}" for r in hub.requests)


def test_output_file_and_quiet(hub: FakeHub, tmp_path: Path) -> None:
    target = tmp_path / "card.json"
    result = run_cli("card", "-q", "-f", "json", "-o", str(target), "acme-test/base-apache")
    assert result.code == 0
    assert result.out == ""
    assert json.loads(target.read_text())["cards"][0]["id"] == "acme-test/base-apache"


def test_output_to_a_missing_folder_is_a_clear_error(hub: FakeHub, tmp_path: Path) -> None:
    result = run_cli("card", "-o", str(tmp_path / "no" / "x.txt"), "acme-test/base-apache")
    assert result.code == 2
    assert "does not exist" in result.err


def test_local_example_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    result = run_cli("card", str(ROOT / "examples" / "acme-support-bot"))
    assert result.code == 0, result.err
    assert "llama3.1" in result.out
    assert "meta-llama/Llama-3.1-8B-Instruct (finetune, from card)" in result.out


def test_local_invalid_and_symlinked_readme(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "README.md").write_text("---\nlicense: mit\n  base_model: [x\n---\n")
    result = run_cli("card", str(bad))
    assert result.code == 1
    assert f"{bad / 'README.md'}:" in result.out and "card-invalid" in result.out

    secret = tmp_path / "secret.md"
    secret.write_text("---\nlicense: mit\n---\n")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "README.md").symlink_to(secret)
    result = run_cli("card", str(linked))
    assert result.code == 1
    assert "outside" in result.out


def test_usage_errors_exit_2() -> None:
    assert run_cli("card").code == 2
    assert run_cli("card", "--format", "xml", "o/n").code == 2
    bad = run_cli("card", "o/../etc")
    assert bad.code == 2
    assert bad.err.startswith("license-lint: error: 'o/../etc' is not a valid Hub repo id")


def test_no_color_and_plain_output_when_not_a_terminal(hub: FakeHub) -> None:
    result = run_cli("card", "acme-test/base-apache")
    assert "\x1b[" not in result.out


def test_version_and_help_on_every_command() -> None:
    from license_lint import __version__
    from license_lint.cli import cli

    assert __version__ in run_cli("--version").out
    import click

    commands = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            assert run_cli(name, "--help").code == 0
            commands += [(name, sub) for sub in command.commands]
        else:
            commands.append((name,))
    assert len(commands) >= 8
    for words in commands:
        result = run_cli(*words, "--help")
        assert result.code == 0
        for option in ("--format", "--output", "--quiet", "--verbose", "--no-color", "--offline"):
            assert option in result.out, words


def test_installed_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "license_lint", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("license-lint, version")
