"""A 500-model audit under injected Hub faults: every model checked or `error`, retries bounded,
a second run resumes from the cache, and two audits sharing one cache corrupt nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import run_cli
from fakehub import FakeHub

N_MODELS = 500
ATTEMPTS = 3
TIMEOUT = 0.3
# A delay the client's read timeout cuts short; kept small so a run stays quick.
SLOW = 0.6
OWNER = "fault-test"
LICENSES = ("apache-2.0", "mit", "cc-by-nc-4.0", "llama3.1", "openrail")
MIT_TEXT = (
    "MIT License\n\nCopyright (c) 2025 Acme\n\nPermission is hereby granted, free of charge, "
    "to any person obtaining a copy of this software and associated documentation files (the "
    '"Software"), to deal in the Software without restriction, including without limitation '
    "the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies "
    'of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.\n'
)

# Each fault kind: the add_fault arguments and a word the error reason must contain.
FAULT_KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "429": ({"status": 429, "headers": {"Retry-After": "0"}, "body": "slow down"}, "HTTP 429"),
    "500": ({"status": 500, "body": "boom"}, "HTTP 500"),
    "502": ({"status": 502, "body": "bad gateway"}, "HTTP 502"),
    "503": ({"status": 503, "body": "unavailable"}, "HTTP 503"),
    "timeout": ({"delay": SLOW}, "timeout"),
    "reset": ({"reset": True}, "reset"),
    "cut-off": ({"truncate": 15}, "cut off"),
    "html": (
        {
            "status": 200,
            "body": "<html><body>proxy login</body></html>",
            "content_type": "text/html",
        },
        "not JSON",
    ),
}
# Per kind: models that recover (fault fires fewer times than the attempts) and models that don't.
RECOVER_TIMES = (1, 2, 1, 2, 1, 2)
EXHAUST = 4


def name(index: int) -> str:
    return f"{OWNER}/m{index:04d}"


def sha_of(kind: str, index: int) -> str:
    return f"{kind}{index:039x}"


@dataclass(frozen=True)
class Plan:
    """What the test injected, so it can say what each model must end as."""

    info_faults: dict[str, tuple[str, int | None]]  # model -> (kind, times or None = forever)
    file_faults: dict[str, int | None]  # model whose LICENSE download fails -> times
    broken_bases: frozenset[str]  # bases whose info never comes back
    base_of: dict[str, str]  # model -> its base
    has_license: frozenset[str]


def build(hub: FakeHub) -> Plan:
    """Register 500 models (bases with chains, gated ones, license files) and the faults."""
    for root in range(3):
        hub.add_model(
            {
                "id": f"fault-root/r{root}",
                "sha": sha_of("a", root),
                "cardData": {"license": "apache-2.0"},
                "siblings": [{"rfilename": "README.md"}],
            }
        )
    for base in range(7):
        hub.add_model(
            {
                "id": f"fault-base/b{base}",
                "sha": sha_of("b", base),
                "cardData": {"license": "apache-2.0", "base_model": f"fault-root/r{base % 3}"},
                "siblings": [{"rfilename": "README.md"}],
            }
        )
    base_of: dict[str, str] = {}
    has_license: set[str] = set()
    for index in range(N_MODELS):
        model = name(index)
        card: dict[str, object] = {"license": LICENSES[index % len(LICENSES)]}
        siblings = [{"rfilename": "README.md"}, {"rfilename": "config.json"}]
        files: dict[str, str] = {}
        info: dict[str, object] = {"id": model, "sha": sha_of("c", index)}
        if index % 10 == 0:
            parent = f"fault-base/b{index % 7}"
            card["base_model"] = parent
            base_of[model] = parent
        if index % 10 == 3:
            card["license"] = "mit"
            siblings.append({"rfilename": "LICENSE"})
            files["LICENSE"] = MIT_TEXT
            has_license.add(model)
        if index % 10 == 7:
            info["gated"] = "manual"
        info["cardData"] = card
        info["siblings"] = siblings
        hub.add_model(info, files=files)

    info_faults: dict[str, tuple[str, int | None]] = {}
    # Faulty models are spread over the inventory, avoiding those with bases or license files.
    candidates = iter(i for i in range(5, N_MODELS, 3) if i % 10 not in (0, 3))
    for kind, (arguments, _) in FAULT_KINDS.items():
        schedule: list[int | None] = [*RECOVER_TIMES, *([None] * EXHAUST)]
        for times in schedule:
            model = name(next(candidates))
            hub.add_fault(rf"^/api/models/{model}/", times=times, **arguments)
            info_faults[model] = (kind, times)
    file_faults: dict[str, int | None] = {}
    for offset, times in enumerate((1, 2, None, None)):
        model = name(13 + 10 * offset)
        hub.add_fault(rf"^/{model}/resolve/[^/]+/LICENSE$", truncate=5, times=times)
        file_faults[model] = times
    hub.add_fault(r"^/api/models/fault-base/b3/", status=503)
    hub.add_fault(r"^/api/models/fault-base/b5/", status=502, times=2)
    return Plan(
        info_faults, file_faults, frozenset({"fault-base/b3"}), base_of, frozenset(has_license)
    )


@pytest.fixture
def faulty(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Plan]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LICENSE_LINT_HUB_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("LICENSE_LINT_HUB_BACKOFF", "0.001")
    monkeypatch.setenv("LICENSE_LINT_HUB_TIMEOUT", str(TIMEOUT))
    plan = build(hub)
    (tmp_path / "models.txt").write_text("".join(f"{name(i)}\n" for i in range(N_MODELS)))
    yield plan
    hub.clear_faults()


def requests_for(hub: FakeHub, repo_id: str) -> int:
    """Requests for one repo: its info answers and its files."""
    return hub.count(f"/api/models/{repo_id}/") + sum(
        r.path.startswith(f"/{repo_id}/resolve/") for r in hub.requests
    )


def repos_requested(hub: FakeHub) -> set[str]:
    found = set()
    for request in hub.requests:
        parts = request.path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and len(parts) >= 4:
            found.add(f"{parts[2]}/{parts[3]}")
        elif len(parts) >= 3 and parts[2] == "resolve":
            found.add(f"{parts[0]}/{parts[1]}")
    return found


def audit(out: Path) -> tuple[int, dict[str, Any], str]:
    result = run_cli("audit", "--format", "json", "-o", str(out), "--file", "models.txt")
    data = json.loads(out.read_text(encoding="utf-8"))
    models = {str(m["reference"]): m for m in data["models"]}
    assert len(models) == N_MODELS == data["summary"]["models"]
    return result.code, models, result.err


def test_audit_under_faults_then_resume_from_cache(
    hub: FakeHub, faulty: Plan, tmp_path: Path
) -> None:
    plan = faulty
    code, first, err = audit(tmp_path / "first.json")
    assert hub.errors == []

    # Every model ends checked (pass/fail) or as an error that says why.
    for model, result in first.items():
        assert result["verdict"] in ("pass", "fail", "error"), model
        if result["verdict"] == "error":
            assert isinstance(result["error"], str) and result["error"].strip(), model
            assert result["findings"] == [] and result["sha"] is None, model
        else:
            assert result["error"] is None and result["sha"] == sha_of("c", int(model[-4:]))

    errors = {m for m, r in first.items() if r["verdict"] == "error"}
    exhausted = {m for m, (_, times) in plan.info_faults.items() if times is None}
    # A LICENSE that keeps failing leaves the check incomplete: that model is an error too.
    exhausted |= {m for m, times in plan.file_faults.items() if times is None}
    assert errors == exhausted
    assert code == 2, err[-2000:]

    for model, (kind, times) in plan.info_faults.items():
        reason = FAULT_KINDS[kind][1]
        used = hub.count(f"/api/models/{model}/")
        if times is None:
            # A model none of whose requests succeeded is never a pass, and says why.
            assert first[model]["verdict"] == "error", (model, kind)
            error = str(first[model]["error"])
            assert f"after {ATTEMPTS} attempts" in error and reason in error, (kind, error)
            assert used == ATTEMPTS, (model, kind, used)
        else:
            assert first[model]["verdict"] in ("pass", "fail"), (model, kind, first[model])
            assert used == times + 1, (model, kind, used)

    # Attempts stay within the bound for every repo: at most ATTEMPTS per resource (info, LICENSE).
    for index in range(N_MODELS):
        model = name(index)
        resources = 2 if model in plan.has_license else 1
        assert 1 <= requests_for(hub, model) <= ATTEMPTS * resources, model
        if model not in plan.info_faults and model not in plan.file_faults:
            assert requests_for(hub, model) == resources, model
    for base in [f"fault-base/b{i}" for i in range(7)] + [f"fault-root/r{i}" for i in range(3)]:
        # Each base is fetched once per run however many models name it.
        assert 1 <= requests_for(hub, base) <= ATTEMPTS, base
    assert requests_for(hub, "fault-base/b3") == ATTEMPTS
    assert requests_for(hub, "fault-base/b5") == 3
    for model, times in plan.file_faults.items():
        license_gets = requests_for(hub, model) - 1
        assert license_gets == (ATTEMPTS if times is None else times + 1), model
        assert first[model]["verdict"] == ("error" if times is None else first[model]["verdict"])
        if times is not None:
            assert first[model]["verdict"] in ("pass", "fail")

    # A base that could not be read is said to be unresolved on every model that names it.
    for model, base in plan.base_of.items():
        codes = {f["code"] for f in first[model]["findings"]}
        if base in plan.broken_bases:
            assert "base-unresolved" in codes, model
            assert "fault-base/b3" in json.dumps(first[model]["lineage"])
        else:
            assert "base-unresolved" not in codes, model
    gated = [name(i) for i in range(7, N_MODELS, 10) if name(i) not in exhausted]
    assert all(first[m]["card"]["gated"] == "manual" for m in gated)
    first_requests = len(hub.requests)

    # Second run, faults gone, same cache: only what failed is asked for again.
    hub.clear_faults()
    hub.clear_requests()
    code2, second, err2 = audit(tmp_path / "second.json")
    assert code2 in (0, 1), err2[-2000:]
    assert all(r["verdict"] in ("pass", "fail") for r in second.values())
    lost_files = {m for m, times in plan.file_faults.items() if times is None}
    failed_before = exhausted | plan.broken_bases | lost_files
    asked = repos_requested(hub)
    assert asked <= failed_before, sorted(asked - failed_before)
    assert exhausted <= asked
    # One request per thing that failed before: an info, a base's info or a LICENSE download.
    # (Models whose LICENSE was lost are among the exhausted ones: their info is cached.)
    assert len(hub.requests) == len(exhausted) + len(plan.broken_bases)
    # Models checked in both runs keep their verdict: a recovered fault changed nothing.
    for model, result in first.items():
        if result["verdict"] != "error" and plan.base_of.get(model) not in plan.broken_bases:
            assert second[model]["verdict"] == result["verdict"], model
    print(
        f"\nfaults: {N_MODELS} models, {len(plan.info_faults)} with info faults, "
        f"{len(errors)} errors; requests {first_requests} then {len(hub.requests)}"
    )


def _subprocess_env(hub: FakeHub, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "HF_ENDPOINT": hub.url,
            "LICENSE_LINT_CACHE": str(cache),
            "LICENSE_LINT_HUB_ATTEMPTS": str(ATTEMPTS),
            "LICENSE_LINT_HUB_BACKOFF": "0.001",
            # No fault here: a generous timeout keeps two busy processes from timing out.
            "LICENSE_LINT_HUB_TIMEOUT": "10",
            "NO_COLOR": "1",
        }
    )
    return env


def test_two_concurrent_audits_share_one_cache(hub: FakeHub, faulty: Plan, tmp_path: Path) -> None:
    hub.clear_faults()
    cache = tmp_path / "shared-cache"
    env = _subprocess_env(hub, cache)
    command = [sys.executable, "-m", "license_lint", "audit", "--format", "json", "--quiet"]
    runs = []
    for run in ("a", "b"):
        out = tmp_path / f"audit-{run}.json"
        process = subprocess.Popen(
            [*command, "-o", str(out), "--file", "models.txt"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs.append((process, out))
    for process, out in runs:
        try:
            _, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail("a concurrent audit did not finish")
        assert process.returncode in (0, 1), err[-2000:]
        assert "unusable" not in err and "Traceback" not in err, err[-2000:]
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["summary"]["models"] == N_MODELS
        assert data["summary"]["error"] == 0
    first = json.loads(runs[0][1].read_text(encoding="utf-8"))
    second = json.loads(runs[1][1].read_text(encoding="utf-8"))
    assert [m["verdict"] for m in first["models"]] == [m["verdict"] for m in second["models"]]

    conn = sqlite3.connect(cache / "hub-cache.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        infos = conn.execute("SELECT COUNT(*) FROM infos").fetchone()[0]
        refs = conn.execute("SELECT COUNT(*) FROM refs").fetchone()[0]
    finally:
        conn.close()
    # Every model, base and root once, whichever process wrote it first.
    assert infos == refs == N_MODELS + 7 + 3

    # A third run over the shared cache needs no request at all.
    hub.clear_requests()
    out = tmp_path / "audit-c.json"
    third = subprocess.run(
        [*command, "-o", str(out), "--file", "models.txt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert third.returncode in (0, 1), third.stderr[-2000:]
    assert hub.requests == []


NC_TEXT = (
    "Attribution-NonCommercial 4.0 International\n\n"
    "Creative Commons Corporation does not provide legal services or legal advice.\n"
)


def test_unreadable_license_file_is_not_a_silent_pass(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LICENSE_LINT_HUB_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("LICENSE_LINT_HUB_BACKOFF", "0.001")
    for label, digit in (("readable", "1"), ("unreadable", "2")):
        hub.add_model(
            {
                "id": f"fault-lic/{label}",
                "sha": digit * 40,
                "cardData": {"license": "apache-2.0"},
                "siblings": [{"rfilename": "README.md"}, {"rfilename": "LICENSE"}],
            },
            files={"LICENSE": NC_TEXT},
        )
    hub.add_fault(r"^/fault-lic/unreadable/resolve/", status=503)
    result = run_cli("check", "-f", "json", "fault-lic/readable", "fault-lic/unreadable")
    readable, unreadable = json.loads(result.out)["models"]
    # Without the fault the LICENSE text (CC BY-NC) makes the model fail ...
    assert readable["verdict"] == "fail"
    assert hub.count("/fault-lic/unreadable/resolve/") == ATTEMPTS
    # ... so with it the model must not pass quietly: an error, or at least a finding saying so.
    said = any("LICENSE" in f["message"] for f in unreadable["findings"])
    assert unreadable["verdict"] != "pass" or said, unreadable
