"""Lineage at scale: N derivative models against the fake Hub with injected latency.

Run on demand: python bench/lineage.py [--models 200] [--latency 0.05]

Compares, in one run, the pipeline (parents fetched concurrently and once per run) with a
one-by-one walk (each model's lineage fetched on its own, serially), and prints requests and
wall time for both.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from license_lint.catalog import load_catalog
from license_lint.fetch import HubFetcher
from license_lint.hub import HubClient, HubSettings
from license_lint.lineage import LineageWalker
from license_lint.model import ModelRef, Severity
from license_lint.pipeline import check_one, run_checks
from license_lint.rules import load_preset

from fakehub import FakeHub

ROOT_LICENSES = ("llama3.1", "gemma", "creativeml-openrail-m", "apache-2.0", "mit")


def populate(hub: FakeHub, models: int) -> list[str]:
    """10 roots, 20 intermediate fine-tunes, and `models` leaves spread over them."""
    for r in range(10):
        license = ROOT_LICENSES[r % len(ROOT_LICENSES)]
        hub.add_card(f"bench-root/base-{r}", f"---\nlicense: {license}\n---\n")
    for m in range(20):
        base = f"bench-root/base-{m % 10}"
        hub.add_card(f"bench-mid/tune-{m}", f"---\nlicense: apache-2.0\nbase_model: {base}\n---\n")
    leaves = []
    for n in range(models):
        name = f"bench-leaf/model-{n}"
        hub.add_card(name, f"---\nlicense: mit\nbase_model: bench-mid/tune-{n % 20}\n---\n")
        leaves.append(name)
    return leaves


def main() -> None:
    """Run both strategies against one fake Hub and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    catalog = load_catalog()
    rules = load_preset("commercial-saas", catalog)
    with FakeHub() as hub:
        leaves = populate(hub, args.models)
        hub.latency = args.latency
        refs = [ModelRef(repo_id=name) for name in leaves]

        client = HubClient(HubSettings(endpoint=hub.url))
        start = time.perf_counter()
        report = run_checks(refs, HubFetcher(client, None), catalog, rules, Severity.ERROR)
        together = time.perf_counter() - start
        assert all(r.lineage is not None for r in report.results)
        together_requests = client.requests_made

        client = HubClient(HubSettings(endpoint=hub.url))
        start = time.perf_counter()
        for ref in refs:
            fetcher = HubFetcher(client, None)
            with LineageWalker(fetcher, catalog, workers=1) as walker:
                check_one(ref, fetcher, catalog, rules, Severity.ERROR, walker)
        alone = time.perf_counter() - start
        alone_requests = client.requests_made

    distinct = args.models + 20 + 10
    latency = f"{args.latency * 1000:.0f} ms"
    print(f"{args.models} derivative models, {distinct} distinct models, {latency} latency")
    print(f"{'strategy':34} {'requests':>9} {'seconds':>9}")
    print(f"{'pipeline (concurrent, fetch once)':34} {together_requests:9d} {together:9.2f}")
    print(f"{'one-by-one walk':34} {alone_requests:9d} {alone:9.2f}")
    print(
        f"speed-up: {alone / together:.1f}x, requests saved: {alone_requests - together_requests}"
    )


if __name__ == "__main__":
    main()
