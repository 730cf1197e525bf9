"""Audit cost at scale: N models of one organization against the fake Hub with latency.

Run on demand: python bench/audit.py [--sizes 100 1000 10000] [--latency 0.05]

For each N: listing requests, other requests, wall time and peak memory. The models share a
pool of 50 base models, so requests should grow with listing pages and distinct bases, not
with a fixed number per model.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from license_lint.catalog import load_catalog
from license_lint.fetch import HubFetcher
from license_lint.hub import HubClient, HubSettings
from license_lint.model import ModelRef, Severity
from license_lint.pipeline import run_checks
from license_lint.rules import load_preset

from fakehub import FakeHub

BASES = 50
LICENSES = ("apache-2.0", "mit", "llama3.1", "cc-by-nc-4.0", "gemma")


def populate(hub: FakeHub, size: int) -> None:
    """`size` models of org bench-org, each fine-tuned from one of 50 bases."""
    for index in range(BASES):
        hub.add_model(
            {
                "id": f"bench-base/base-{index}",
                "sha": f"{index + 1:040x}",
                "cardData": {"license": LICENSES[index % len(LICENSES)]},
            }
        )
    for index in range(size):
        base = f"bench-base/base-{index % BASES}"
        hub.add_model(
            {
                "id": f"bench-org/model-{index:05d}",
                "sha": f"{index + 1000:040x}",
                "cardData": {"license": "apache-2.0", "base_model": base},
                "tags": [f"base_model:finetune:{base}"],
                "siblings": [{"rfilename": "README.md"}],
            }
        )


def run(size: int, latency: float) -> tuple[int, int, float, float]:
    """Audit one organization of `size` models; (listing requests, others, seconds, peak MiB)."""
    catalog = load_catalog()
    rules = load_preset("commercial-saas", catalog)
    with FakeHub() as hub:
        populate(hub, size)
        hub.page_size = 1000
        hub.latency = latency
        client = HubClient(HubSettings(endpoint=hub.url))
        fetcher = HubFetcher(client, None)
        start = time.perf_counter()
        listed = list(client.list_models(author="bench-org"))
        fetcher.remember(listed)
        refs = [ModelRef(repo_id=str(info["id"])) for info in listed]
        report = run_checks(refs, fetcher, catalog, rules, Severity.ERROR)
        elapsed = time.perf_counter() - start
        assert len(report.results) == size and not report.count("error")
        listing = len([r for r in hub.requests if r.path == "/api/models"])
        others = len(hub.requests) - listing
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return listing, others, elapsed, peak


def main() -> None:
    """Print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    print(f"{'models':>7} {'listing':>8} {'other':>6} {'seconds':>8} {'peak MiB':>9}")
    for size in args.sizes:
        listing, others, elapsed, peak = run(size, args.latency)
        print(f"{size:7d} {listing:8d} {others:6d} {elapsed:8.2f} {peak:9.0f}")


if __name__ == "__main__":
    main()
