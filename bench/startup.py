"""Start-up cost of `license-lint --version` as a ratio to `python -c pass`, measured side by side.

Run on demand: python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "Llama-3.1-8B-Acme-Support"


def timed(command: list[str]) -> float:
    """Wall time of one run of a command, in seconds."""
    start = time.perf_counter()
    subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Alternate the two commands so machine noise hits both alike, then report medians."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    entry = shutil.which("license-lint")
    tool = [entry] if entry else [sys.executable, "-m", "license_lint"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        # The floor for any click-based CLI: what importing click alone costs.
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "license-lint --version": [*tool, "--version"],
        "license-lint card --help": [*tool, "card", "--help"],
        # What a pre-commit hook runs: a small model repository, offline.
        "license-lint lint (small repo)": [
            *tool,
            "lint",
            "--offline",
            "--no-lineage",
            "--quiet",
            str(EXAMPLE),
        ],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():
        timed(command)  # warm the file cache once
        del name
    for _ in range(args.rounds):
        for name, command in commands.items():
            samples[name].append(timed(command))
    base = statistics.median(samples["python -c pass"])
    print(f"{'command':32} {'median ms':>10} {'ratio':>7}  (ratio to python -c pass)")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:32} {median * 1000:10.1f} {median / base:7.2f}x")


if __name__ == "__main__":
    main()
