"""License text identification: time per file against a naive matcher, and accuracy.

Run on demand: python bench/identify.py [--rounds 20]

The naive matcher folds the text again for every fingerprint string, as a straightforward
implementation would; license-lint folds the text once and the fingerprints once per catalog.
Accuracy is measured on ../shared/license-texts (file name -> expected catalog id).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from license_lint.catalog import Catalog, load_catalog
from license_lint.identify import fold, identify

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LICENSE_LINT_SHARED") or ROOT.parent / "shared")
sys.path.insert(0, str(ROOT / "tests"))


def naive(text: str, catalog: Catalog) -> str | None:
    """First policy whose fingerprint strings all occur, folding everything every time."""
    for policy in catalog.policies.values():
        for fingerprint in policy.fingerprints:
            if all(fold(m) in fold(text) for m in fingerprint.match) and not any(
                fold(e) in fold(text) for e in fingerprint.exclude
            ):
                return policy.id
    return None


def main() -> None:
    """Time both matchers side by side over the same texts, then report accuracy."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from test_catalog import TEXTS  # the expected id of every stored text

    catalog = load_catalog()
    texts = {name: (SHARED / "license-texts" / f"{name}.txt").read_text("utf-8") for name in TEXTS}
    identify(next(iter(texts.values())), catalog)  # build the folded fingerprints once
    ours, theirs = [], []
    for _ in range(args.rounds):
        for text in texts.values():
            start = time.perf_counter()
            identify(text, catalog)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            naive(text, catalog)
            theirs.append(time.perf_counter() - start)
    right = sum(identify(t, catalog).license_id == TEXTS[n] for n, t in texts.items())
    naive_right = sum(naive(t, catalog) == TEXTS[n] for n, t in texts.items())
    mean_ours, mean_naive = statistics.mean(ours), statistics.mean(theirs)
    print(f"{len(texts)} texts, {args.rounds} rounds")
    print(f"license-lint: {mean_ours * 1000:7.2f} ms per file, {right}/{len(texts)} right")
    print(f"naive:        {mean_naive * 1000:7.2f} ms per file, {naive_right}/{len(texts)} right")
    print(f"ratio naive/license-lint: {mean_naive / mean_ours:.1f}x")


if __name__ == "__main__":
    main()
