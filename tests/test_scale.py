"""An audit of 10,000 models: requests grow with pages and distinct bases; memory stays bounded."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from fakehub import FakeHub

MODELS = 10_000
BASES = 40


def test_audit_of_ten_thousand_models(tmp_path: Path) -> None:
    with FakeHub() as hub:
        for index in range(BASES):
            hub.add_model(
                {
                    "id": f"scale-base/base-{index}",
                    "sha": f"{index + 1:040x}",
                    "cardData": {"license": ("apache-2.0", "llama3.1", "gemma")[index % 3]},
                }
            )
        for index in range(MODELS):
            base = f"scale-base/base-{index % BASES}"
            hub.add_model(
                {
                    "id": f"scale-org/model-{index:05d}",
                    "sha": f"{index + 100:040x}",
                    "cardData": {"license": "apache-2.0", "base_model": base},
                    "siblings": [{"rfilename": "README.md"}],
                }
            )
        hub.page_size = 1000
        out = tmp_path / "audit.json"
        env = {
            **os.environ,
            "HF_ENDPOINT": hub.url,
            "LICENSE_LINT_CACHE": str(tmp_path / "cache"),
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "license_lint",
                "audit",
                "--author",
                "scale-org",
                "-q",
                "-f",
                "json",
                "-o",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        assert result.returncode in (0, 1), result.stderr
        listing = [r for r in hub.requests if r.path == "/api/models"]
        others = [r for r in hub.requests if r.path != "/api/models"]
    data = json.loads(out.read_text())
    assert data["summary"]["models"] == MODELS
    assert data["summary"]["error"] == 0
    # One request per listing page and one per distinct base model, none per model.
    assert len(listing) == MODELS // 1000
    assert len(others) == BASES
    # Bounded memory: the child's peak resident set, far below what 10,000 cards could take.
    assert peak_kib < 1024 * 1024  # 1 GiB, in KiB
