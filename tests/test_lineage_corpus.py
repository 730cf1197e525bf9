"""Lineage over the real corpus: the verdicts of expected.tsv against what license-lint reports.

Every corpus card is served by the fake Hub. Bases that the corpus does not hold are served as
stand-ins carrying the license expected.tsv records for them (with its evidence), renamed and
legacy ids as redirects to the id they moved to, as the Hub does.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from license_lint.catalog import load_catalog
from license_lint.fetch import HubFetcher
from license_lint.hub import HubClient, HubSettings
from license_lint.lineage import LineageWalker
from license_lint.model import ModelRef, Severity
from license_lint.pipeline import check_one
from license_lint.rules import load_preset

from conftest import CORPUS, needs_corpus
from fakehub import FakeHub

LINEAGE_CODES = {
    "lineage-conflict",
    "license-version-mismatch",
    "pass-through-missing",
    "merge-incompatible",
    "stale-license",
}
_BASE = re.compile(r"(?P<id>[^=\s;]+)=(?P<license>[^\s;]+)(?: \[(?P<evidence>[^\]]*)\])?")
_MOVED = re.compile(
    r"(?:corpus card|recorded API response api/)\s*(?P<target>[\w.\-]+(?:/|__)[\w.\-]+)"
)


@dataclass(frozen=True)
class Row:
    repo_id: str
    verdict: str
    bases: tuple[tuple[str, str, str], ...]


def expected_rows() -> list[Row]:
    rows = []
    with (CORPUS / "expected.tsv").open(encoding="utf-8") as handle:
        for raw in csv.DictReader(handle, delimiter="\t"):
            column = raw.get("base_licence(s) [evidence]") or ""
            bases = [
                (found["id"], found["license"], found["evidence"] or "")
                for found in _BASE.finditer(column)
            ]
            rows.append(Row(raw["repo_id"], raw["verdict"].split(" ")[0], tuple(bases)))
    return rows


def serve_missing_bases(hub: FakeHub, rows: list[Row]) -> None:
    """Stand-ins and redirects for the bases expected.tsv names but the corpus lacks."""
    for row in rows:
        for base, license, evidence in row.bases:
            if hub.has_repo(base) or license == "?" or "deleted" in evidence:
                continue  # unknown, or gone from the Hub: license-lint must say so, not guess
            moved = _MOVED.search(evidence)
            target = _repo_of(moved["target"]) if moved else None
            if target and hub.has_repo(target):
                hub.add_fault(
                    f"^/api/models/{re.escape(base)}/revision/",
                    status=307,
                    headers={"Location": f"/api/models/{target}/revision/main"},
                )
                continue
            meta = {"license": license}
            if license.startswith("name:"):
                meta = {"license": "other", "license_name": license.removeprefix("name:")}
            hub.add_card(base, f"---\n{yaml.safe_dump(meta)}---\nStand-in: {evidence[:200]}\n")


def _repo_of(name: str) -> str:
    """owner/name from 'owner/name' or a recorded file name 'owner__name[.sha8].json'."""
    name = name.removesuffix(".json")
    if "__" in name:
        owner, _, rest = name.partition("__")
        rest = re.sub(r"\.[0-9a-f]{8}$", "", rest)
        return f"{owner}/{rest}"
    return name


@pytest.fixture(scope="module")
def corpus_run() -> Iterator[dict[str, set[str]]]:
    rows = expected_rows()
    with FakeHub() as hub:
        hub.load_corpus(CORPUS)
        serve_missing_bases(hub, rows)
        client = HubClient(HubSettings(endpoint=hub.url, backoff=0.001, max_attempts=2))
        fetcher = HubFetcher(client, None)
        catalog = load_catalog()
        rules = load_preset("commercial-saas", catalog)
        codes: dict[str, set[str]] = {}
        with LineageWalker(fetcher, catalog) as walker:
            for row in rows:
                if row.verdict not in ("conflict", "ok", "mismatch"):
                    continue
                ref = ModelRef(repo_id=row.repo_id)
                result, _ = check_one(ref, fetcher, catalog, rules, Severity.ERROR, walker)
                codes[row.repo_id] = {f.code for f in result.findings}
        yield codes


@needs_corpus
def test_conflicts_are_found_and_ok_cards_are_clean(corpus_run: dict[str, set[str]]) -> None:
    rows = {r.repo_id: r for r in expected_rows()}
    outcome: Counter[str] = Counter()
    disagreements = []
    for repo_id, codes in sorted(corpus_run.items()):
        verdict = rows[repo_id].verdict
        lineage = codes & LINEAGE_CODES
        # conflict and mismatch rows need a lineage finding; ok rows must have none.
        agree = bool(lineage) if verdict in ("conflict", "mismatch") else not lineage
        outcome[f"{verdict}:{'agree' if agree else 'disagree'}"] += 1
        if not agree:
            disagreements.append((verdict, repo_id, sorted(lineage)))
    print(dict(outcome))
    for item in disagreements:
        print("disagreement", *item)
    assert not [d for d in disagreements if d[0] == "conflict"]
    assert not [d for d in disagreements if d[0] == "ok"]
