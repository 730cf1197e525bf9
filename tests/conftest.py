"""Shared test set-up: an isolated environment, the shared corpus (when present), the CLI runner."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from license_lint.cli import main

from fakehub import FakeHub, load_fixtures

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LICENSE_LINT_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpus"
LICENSE_TEXTS = SHARED / "license-texts"

needs_corpus = pytest.mark.skipif(
    not (CORPUS / "cards").is_dir(), reason="../shared/corpus is not present"
)

_HUB_VARIABLES = (
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_TOKEN_PATH",
    "HF_HUB_OFFLINE",
    "HF_ENDPOINT",
    "NO_COLOR",
    "XDG_CACHE_HOME",
)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's token, cache or Hub settings; retries wait milliseconds."""
    for name in _HUB_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("LICENSE_LINT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("LICENSE_LINT_HUB_BACKOFF", "0.01")
    monkeypatch.setenv("LICENSE_LINT_HUB_MAX_WAIT", "10")
    monkeypatch.setenv("LICENSE_LINT_HUB_TIMEOUT", "5")


@dataclass(frozen=True)
class Result:
    """What a user sees from one CLI run."""

    code: int
    out: str
    err: str


def run_cli(*args: str, env: Mapping[str, str] | None = None) -> Result:
    """Run the real CLI entry point in-process and capture its exit code and output."""
    runner = CliRunner()
    code = 0
    with runner.isolation(env=dict(env or {})) as streams:
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        out = streams[0].getvalue().decode()
        err = streams[1].getvalue().decode()
    return Result(code, out, err)


@pytest.fixture
def cli() -> Iterator[type[Result]]:
    """The CLI runner, as a fixture for tests that prefer one."""
    yield Result


@pytest.fixture(scope="module")
def module_hub() -> Iterator[FakeHub]:
    """A fake Hub for a whole test module: our fixtures plus the recorded corpus when present."""
    with FakeHub() as server:
        load_fixtures(server)
        if (CORPUS / "api").is_dir():
            server.load_corpus(CORPUS)
        yield server


@pytest.fixture
def hub(module_hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """The module's fake Hub as HF_ENDPOINT, with a fresh request log and no faults left over."""
    monkeypatch.setenv("HF_ENDPOINT", module_hub.url)
    module_hub.clear_requests()
    yield module_hub
    module_hub.clear_faults()
