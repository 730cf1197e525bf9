"""Cost of reading the most expensive front matters allowed, against the largest real card.

Run on demand: python bench/card_limits.py
Each shape fills the 1,000,000-character limit and is read in a child process of its own, so
that its peak memory is its own; the figures are ratios to the largest corpus card (or to a
10,000-key card when ../shared is absent), read the same way in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("LICENSE_LINT_SHARED") or ROOT.parent / "shared")
SIZE = 999_000

# Child: read one front matter several times; print the best time and the peak memory.
CHILD = """
import json, resource, sys, time
from license_lint.card import read_front_matter
text = sys.stdin.read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range(3):
    began = time.perf_counter()
    front = read_front_matter(text)
    times.append(time.perf_counter() - began)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": min(times), "mib": (peak - before) / 1024, "error": front.error}))
"""


def _fill(unit: Callable[[int], str], head: str = "", tail: str = "") -> str:
    """head, then unit(0), unit(1), ... as long as they fit under SIZE characters, then tail."""
    parts, size, i = [head], len(head) + len(tail), 0
    while size + len(unit(i)) <= SIZE:
        parts.append(unit(i))
        size += len(parts[-1])
        i += 1
    return "".join(parts) + tail


SHAPES: dict[str, Callable[[], str]] = {
    "100,000 short keys": lambda: _fill(lambda i: f"k{i}: v\n"),
    "keys with tags (built whole)": lambda: _fill(lambda i: f"k{i}: !!str v\n"),
    "one long string in license": lambda: "license: '" + "a" * (SIZE - 12) + "'\n",
    "flow list in tags": lambda: _fill(lambda i: "x,", head="tags: [", tail="x]\n"),
    "block list in tags": lambda: _fill(lambda i: "- x\n", head="tags:\n"),
    "flow maps in widget": lambda: _fill(lambda i: "{a: 1},", head="widget: [", tail="{}]\n"),
    "flow maps in widget, one tag": lambda: _fill(
        lambda i: "{a: 1},", head="widget: [!!str x,", tail="{}]\n"
    ),
}


def _measure(body: str) -> tuple[float, float, str | None]:
    """Seconds (best of 3), extra peak MiB and the error, read in a fresh process."""
    text = f"---\n{body}\n---\n"
    done = subprocess.run(
        [sys.executable, "-c", CHILD], input=text, capture_output=True, text=True, check=True
    )
    got = json.loads(done.stdout)
    return float(got["seconds"]), float(got["mib"]), got["error"]


def _reference() -> tuple[str, str]:
    cards = sorted((SHARED / "corpus" / "cards").glob("*.yaml"), key=lambda p: p.stat().st_size)
    if cards:
        text = cards[-1].read_text(encoding="utf-8")
        body = text.split("---\n", 2)[1] if text.startswith("---\n") else text
        return f"largest corpus card ({cards[-1].stem}, {len(body):,} chars)", body
    return "10,000 short keys", "".join(f"k{i}: v\n" for i in range(10_000))


def main() -> None:
    """Measure every shape and the reference side by side and print a table of ratios."""
    name, body = _reference()
    ref_seconds, ref_mib, _ = _measure(body)
    print(f"reference: {name}: {ref_seconds * 1000:.0f} ms, +{ref_mib:.0f} MiB")
    print(f"{'shape':32} {'time':>9} {'ratio':>7} {'memory':>9}  result")
    for shape, build in SHAPES.items():
        seconds, mib, error = _measure(build())
        outcome = "read" if error is None else f"card-invalid ({error[:40]})"
        print(f"{shape:32} {seconds:8.2f}s {seconds / ref_seconds:6.0f}x {mib:7.0f} MiB  {outcome}")


if __name__ == "__main__":
    main()
