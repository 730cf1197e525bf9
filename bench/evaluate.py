"""Evaluation throughput: every card of ../shared/corpus/cards under a preset, parsing included.

Run on demand: python bench/evaluate.py [--preset NAME] [--rounds N]
Prints cards per second on one core, and the share of time spent parsing front matter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from license_lint.card import card_from_readme
from license_lint.catalog import load_catalog
from license_lint.evaluate import evaluate
from license_lint.model import ModelRef
from license_lint.normalize import normalize
from license_lint.rules import load_preset

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LICENSE_LINT_SHARED") or ROOT.parent / "shared")


def main() -> None:
    """Parse, normalize and evaluate every corpus card, several rounds, and report the median."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="commercial-saas")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = sorted((SHARED / "corpus" / "cards").glob("*.yaml"))
    if not files:
        raise SystemExit(f"no cards under {SHARED / 'corpus' / 'cards'}")
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in files]
    catalog = load_catalog()
    rules = load_preset(args.preset, catalog)
    totals, parse_share = [], []
    for _ in range(args.rounds):
        parse_time = 0.0
        start = time.perf_counter()
        for name, text in texts:
            began = time.perf_counter()
            card = card_from_readme(ModelRef(path=name), text, source="local")
            parse_time += time.perf_counter() - began
            license = normalize(card.declaration, catalog)
            evaluate(card, license, catalog, rules)
        elapsed = time.perf_counter() - start
        totals.append(elapsed)
        parse_share.append(parse_time / elapsed)
    median = statistics.median(totals)
    print(f"cards: {len(texts)}, preset: {args.preset}, rounds: {args.rounds}")
    print(f"median {median:.3f} s per pass = {len(texts) / median:,.0f} cards per second")
    print(f"parsing share of the time: {statistics.median(parse_share):.0%}")


if __name__ == "__main__":
    main()
