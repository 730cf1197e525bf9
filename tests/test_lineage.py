"""Lineage against the fake Hub: chains, merges, cycles, deleted, renamed, gated, legacy bases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from license_lint.catalog import load_catalog
from license_lint.fetch import HubFetcher
from license_lint.hub import HubClient, HubSettings
from license_lint.inherit import effective_license, lineage_findings
from license_lint.lineage import LineageWalker
from license_lint.model import Lineage, ModelRef
from license_lint.rules import load_preset

from conftest import run_cli
from fakehub import FakeHub, load_fixtures

RULES = """\
version: 1
organization: {monthly_active_users: 1000, annual_revenue_usd: 100000, domicile: [US]}
deployment: {commercial: true, modes: [internal, hosted-service]}
obligations:
  accept: [include-license, retain-notices, notice-file, attribution-display, name-prefix,
           pass-through-restrictions, user-compliance, modification-notice, no-endorsement,
           use-latest-version, model-card, register, same-license, share-alike,
           no-additional-restrictions, no-conflicting-terms]
"""


def card(license: str, base: str | list[str] | None = None, **extra: object) -> str:
    lines = [f"license: {license}"]
    if base is not None:
        lines.append(f"base_model: {json.dumps(base)}")
    lines += [f"{k}: {json.dumps(v)}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    with FakeHub() as server:
        load_fixtures(server)
        server.add_card("meta-test/Llama-Root", card("llama3.1"), gated="manual")
        server.add_card("acme-l/Llama-Mid", card("llama3.1", "meta-test/Llama-Root"))
        server.add_card("acme-l/leaf", card("mit", "acme-l/Llama-Mid"))
        server.add_card("acme-l/loop-a", card("apache-2.0", "acme-l/loop-b"))
        server.add_card("acme-l/loop-b", card("apache-2.0", "acme-l/loop-a"))
        server.add_card("acme-l/orphan", card("apache-2.0", "runwayml-test/deleted"))
        server.add_card("acme-l/new-name", card("creativeml-openrail-m"))
        server.add_card("acme-l/uses-old-name", card("creativeml-openrail-m", "acme-l/old-name"))
        server.add_fault(
            "^/api/models/acme-l/old-name/revision/",
            status=307,
            headers={"Location": "/api/models/acme-l/new-name/revision/main"},
        )
        server.add_card("acme-l/sa-parent", card("cc-by-sa-4.0"))
        server.add_card("acme-l/rail-parent", card("creativeml-openrail-m"))
        server.add_card(
            "acme-l/bad-merge",
            card(
                "cc-by-sa-4.0",
                ["acme-l/sa-parent", "acme-l/rail-parent"],
                base_model_relation="merge",
            ),
        )
        server.add_card("acme-l/sai-new", card("other", license_name="stabilityai-ai-community"))
        server.add_card(
            "acme-l/turbo-tune", card("other", "acme-l/sai-new", license_name="sai-nc-community")
        )
        server.add_card("acme-l/gemma-base", card("gemma"))
        server.add_card("acme-l/gemma-mit", card("mit", "acme-l/gemma-base"))
        server.add_card("acme-l/old-gate-tune", card("llama2", "acme-l/old-gate"))
        server.add_card("acme-l/old-gate", card("llama2"), gated="manual")
        server.add_fault(
            "^/api/models/acme-l/old-gate/",
            status=401,
            headers={"X-Error-Code": "GatedRepo"},
        )
        server.add_dataset(
            {"id": "acme-l/nc-data", "sha": "d" * 40, "cardData": {"license": "cc-by-nc-4.0"}}
        )
        server.add_card(
            "acme-l/trained",
            card(
                "apache-2.0", datasets=["acme-l/nc-data", "acme-test/instruct-data", "acme-l/gone"]
            ),
        )
        monkeypatch.setenv("HF_ENDPOINT", server.url)
        yield server


def walk(
    hub: FakeHub, repo_id: str, max_depth: int = 8, preset: str = "commercial-saas"
) -> tuple[Lineage, set[str]]:
    client = HubClient(HubSettings(endpoint=hub.url, backoff=0.001, max_attempts=2))
    fetcher = HubFetcher(client, None)
    catalog = load_catalog()
    rules = load_preset(preset, catalog)
    with LineageWalker(fetcher, catalog, max_depth=max_depth) as walker:
        lineage = walker.walk(fetcher.card(ModelRef(repo_id=repo_id)))
    codes = {f.code for f in lineage_findings(lineage, catalog, rules)}
    return lineage, codes


def effective_and_codes(hub: FakeHub, repo_id: str) -> tuple[str, set[str]]:
    """The effective license expression of a Hub model and its lineage finding codes."""
    lineage, codes = walk(hub, repo_id)
    return effective_license(lineage, load_catalog()).expression, codes


def test_three_level_chain(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/leaf")
    assert [n.repo_id for n in lineage.ancestors()] == ["acme-l/Llama-Mid", "meta-test/Llama-Root"]
    assert [n.depth for n in lineage.ancestors()] == [1, 2]
    assert "lineage-conflict" in codes
    # The name prefix is the publisher's duty: it is checked when the deployment distributes.
    assert "name-prefix-missing" not in codes
    _, codes = walk(hub, "acme-l/leaf", preset="redistribute-weights")
    assert "name-prefix-missing" in codes
    effective = effective_license(lineage, load_catalog())
    assert effective.ids == ("mit", "llama3.1")
    assert lineage.nodes["meta-test/Llama-Root"].card.gated == "manual"  # type: ignore[union-attr]


def test_depth_limit(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/leaf", max_depth=1)
    assert [n.repo_id for n in lineage.ancestors()] == ["acme-l/Llama-Mid"]
    assert lineage.truncated == ("acme-l/Llama-Mid",)
    assert "base-unresolved" in codes


def test_merge_of_two_parents_and_incompatible_merge(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-test/merge-model")
    assert {e.relation for e in lineage.edges} == {"merge"}
    assert len(lineage.edges) == 2
    assert "lineage-conflict" in codes  # apache-2.0 over a cc-by-nc-4.0 parent
    _, codes = walk(hub, "acme-l/bad-merge")
    assert "merge-incompatible" in codes


def test_cycle_is_detected_and_the_walk_ends(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/loop-a")
    assert lineage.cycles == (("acme-l/loop-a", "acme-l/loop-b", "acme-l/loop-a"),)
    assert "base-unresolved" in codes


def test_deleted_base_is_never_a_silent_pass(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/orphan")
    node = lineage.nodes["runwayml-test/deleted"]
    assert node.card is None and "not found" in (node.problem or "")
    assert "base-unresolved" in codes


def test_renamed_base_is_followed(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/uses-old-name")
    node = lineage.nodes["acme-l/old-name"]
    assert node.card is not None and node.resolved_id == "acme-l/new-name"
    assert "base-unresolved" not in codes


def test_gated_base_the_api_refuses(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/old-gate-tune")
    problem = lineage.nodes["acme-l/old-gate"].problem or ""
    assert "gated" in problem and "HF_TOKEN" in problem
    assert "base-unresolved" in codes


def test_legacy_id_and_adapter_config(hub: FakeHub) -> None:
    hub.add_card("acme-l/legacy-tune", card("apache-2.0", "acme-test-legacy"))
    lineage, _ = walk(hub, "acme-l/legacy-tune")
    assert lineage.nodes["acme-test-legacy"].card is not None
    lineage, _ = walk(hub, "acme-test/lora-adapter")
    (edge,) = lineage.edges
    assert (edge.parent, edge.relation, edge.source) == (
        "acme-test/base-apache",
        "adapter",
        "adapter_config",
    )


def test_stale_and_version_and_pass_through(hub: FakeHub) -> None:
    _, codes = walk(hub, "acme-l/turbo-tune")
    assert "stale-license" in codes
    _, codes = walk(hub, "acme-l/gemma-mit")
    assert {"lineage-conflict", "pass-through-missing"} <= codes


def test_datasets(hub: FakeHub) -> None:
    lineage, codes = walk(hub, "acme-l/trained")
    assert [d.repo_id for d in lineage.datasets] == [
        "acme-l/nc-data",
        "acme-test/instruct-data",
        "acme-l/gone",
    ]
    assert {"dataset-restricted", "dataset-unresolved"} <= codes


def test_each_distinct_model_is_fetched_once(hub: FakeHub) -> None:
    hub.add_card("acme-l/sibling", card("llama3.1", "acme-l/Llama-Mid"))
    hub.clear_requests()
    result = run_cli("check", "--no-color", "acme-l/leaf", "acme-l/sibling")
    assert result.code in (0, 1), result.err
    assert hub.count("/api/models/acme-l/Llama-Mid/") == 1
    assert hub.count("/api/models/meta-test/Llama-Root/") == 1


def test_check_output_tree_json_graph_and_no_lineage(hub: FakeHub, tmp_path: object) -> None:
    result = run_cli("check", "acme-l/leaf")
    assert "lineage: acme-l/leaf (mit)" in result.out
    assert "└─ finetune: meta-test/Llama-Root (llama3.1, gated)" in result.out
    data = json.loads(run_cli("check", "-f", "json", "acme-l/leaf").out)
    (model,) = data["models"]
    graph = model["lineage"]
    assert graph["root"] == "acme-l/leaf"
    assert [n["id"] for n in graph["nodes"]] == [
        "acme-l/leaf",
        "acme-l/Llama-Mid",
        "meta-test/Llama-Root",
    ]
    assert graph["nodes"][0]["effective"] == ["mit", "llama3.1"]
    assert {(e["child"], e["parent"]) for e in graph["edges"]} == {
        ("acme-l/leaf", "acme-l/Llama-Mid"),
        ("acme-l/Llama-Mid", "meta-test/Llama-Root"),
    }
    assert model["effective_license"]["ids"] == ["mit", "llama3.1"]
    hub.clear_requests()
    off = json.loads(run_cli("check", "-f", "json", "--no-lineage", "acme-l/leaf").out)
    assert off["models"][0]["lineage"] is None
    assert hub.count("Llama-Mid") == 0


def test_version_mismatch_and_dataset_severity_from_the_rules(
    hub: FakeHub, tmp_path: object
) -> None:
    hub.add_card("acme-l/Llama-v3-tune", card("llama3", "meta-test/Llama-Root"))
    _, codes = walk(hub, "acme-l/Llama-v3-tune")
    assert "license-version-mismatch" in codes and "lineage-conflict" not in codes
    from pathlib import Path

    rules = Path(str(tmp_path)) / "rules.yaml"
    for action, expected in (("fail", "error"), ("warn", "warning"), ("ignore", None)):
        rules.write_text(RULES + f"lineage: {{datasets: {action}}}\n")
        data = json.loads(
            run_cli("check", "-f", "json", "--rules", str(rules), "acme-l/trained").out
        )
        found = [f for f in data["models"][0]["findings"] if f["code"] == "dataset-restricted"]
        assert [f["severity"] for f in found] == ([expected] if expected else [])


def test_same_family_but_another_kind_of_license_is_a_conflict(hub: FakeHub) -> None:
    hub.add_card("acme-l/nc-base", card("cc-by-nc-4.0"))
    hub.add_card("acme-l/by-child", card("cc-by-4.0", "acme-l/nc-base"))
    _, codes = walk(hub, "acme-l/by-child")
    assert "lineage-conflict" in codes and "license-version-mismatch" not in codes


def test_a_base_offering_a_choice_passes_the_choice_on(hub: FakeHub) -> None:
    hub.add_card("acme-l/dual", card("MIT OR CC-BY-NC-4.0"))
    hub.add_card("acme-l/dual-child", card("mit", "acme-l/dual"))
    expression, codes = effective_and_codes(hub, "acme-l/dual-child")
    assert expression == "mit AND (cc-by-nc-4.0 OR mit)"
    assert "lineage-conflict" not in codes


@pytest.mark.parametrize("operator", ["OR", "or"])
def test_offering_the_base_license_as_one_option_keeps_its_terms(
    hub: FakeHub, tmp_path: Path, operator: str
) -> None:
    hub.add_card("acme-l/nc-base", card("cc-by-nc-4.0"))
    hub.add_card("acme-l/nc-or-mit", card(f"mit {operator} cc-by-nc-4.0", "acme-l/nc-base"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    result = run_cli("check", "--no-color", "--rules", str(rules), "acme-l/nc-or-mit")
    assert result.code == 1, result.out + result.err
    assert "error commercial-use-forbidden: cc-by-nc-4.0" in result.out
    assert "error lineage-conflict: the card declares (cc-by-nc-4.0 OR mit)" in result.out
    assert "(cc-by-nc-4.0 OR mit) (+cc-by-nc-4.0 from base)" in result.out
    data = json.loads(run_cli("check", "-f", "json", "--rules", str(rules), "acme-l/nc-or-mit").out)
    (model,) = data["models"]
    assert model["effective_license"]["expression"] == "(cc-by-nc-4.0 OR mit) AND cc-by-nc-4.0"


def test_a_base_license_required_on_every_branch_is_declared(hub: FakeHub) -> None:
    hub.add_card("acme-l/nc-base", card("cc-by-nc-4.0"))
    hub.add_card(
        "acme-l/nc-and-choice", card("(mit OR apache-2.0) AND cc-by-nc-4.0", "acme-l/nc-base")
    )
    hub.add_card("acme-l/nc-dual", card("mit OR cc-by-nc-4.0"))
    hub.add_card("acme-l/same-choice", card("mit OR cc-by-nc-4.0", "acme-l/nc-dual"))
    expression, codes = effective_and_codes(hub, "acme-l/nc-and-choice")
    assert expression == "cc-by-nc-4.0 AND (apache-2.0 OR mit)"
    assert "lineage-conflict" not in codes
    # Passing on the base's own choice unchanged keeps the choice.
    expression, codes = effective_and_codes(hub, "acme-l/same-choice")
    assert expression == "(cc-by-nc-4.0 OR mit)"
    assert "lineage-conflict" not in codes


@pytest.mark.parametrize(
    "front_matter",
    [
        '"base\\u005fmodel": acme-l/nc-base',
        "<<: {base_model: acme-l/nc-base}",
        "base_model: [{id: acme-l/nc-base}]",
    ],
    ids=["escaped-key", "merge-key", "mapping-item"],
)
def test_a_base_the_card_writes_oddly_is_not_lost(
    hub: FakeHub, tmp_path: Path, front_matter: str
) -> None:
    """A parent behind an escaped or merged key is followed; one that is a mapping is reported."""
    hub.add_card("acme-l/nc-base", card("cc-by-nc-4.0"))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(f"---\nlicense: mit\ntags: [x]\n{front_matter}\n---\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    result = run_cli("check", "--no-color", "--rules", str(rules), str(folder))
    if front_matter.startswith("base_model: [{"):
        # Not a Hub id: kept as a parent that cannot be read, never silently nothing.
        assert "warning base-unresolved" in result.out, result.out + result.err
    else:
        assert result.code == 1, result.out + result.err
        assert "error lineage-conflict: the card declares mit, but its base acme-l/nc-base" in (
            result.out
        )


EU_RULES = """\
version: 1
organization: {monthly_active_users: 20000, domicile: [DE]}
deployment: {modes: [internal]}
"""


def test_eu_exclusion_follows_a_multimodal_base(hub: FakeHub, tmp_path: Path) -> None:
    """A text-only fine-tune of a multimodal Llama 3.2 model derives from it: EU excluded."""
    hub.add_card(
        "meta-test/Llama-3.2-11B-Vision", card("llama3.2", pipeline_tag="image-text-to-text")
    )
    hub.add_card(
        "acme-l/vision-ft",
        card("llama3.2", "meta-test/Llama-3.2-11B-Vision", pipeline_tag="text-generation"),
    )
    hub.add_card("meta-test/Llama-3.2-1B", card("llama3.2", pipeline_tag="text-generation"))
    hub.add_card("acme-l/text-ft", card("llama3.2", "meta-test/Llama-3.2-1B"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(EU_RULES)
    result = run_cli("check", "--no-color", "--rules", str(rules), "acme-l/vision-ft")
    assert result.code == 1, result.out + result.err
    assert (
        "error geography-excluded: llama3.2 grants no rights to multimodal models and their "
        "derivatives (its base meta-test/Llama-3.2-11B-Vision is multimodal)"
    ) in result.out
    # A text model's fine-tune is not touched by the clause.
    result = run_cli("check", "--no-color", "--rules", str(rules), "acme-l/text-ft")
    assert "geography-excluded" not in result.out, result.out


def test_eu_exclusion_uses_the_hubs_pipeline_tag(hub: FakeHub, tmp_path: Path) -> None:
    """The task the Hub gives (asked for in the API request) decides when the card says none."""
    hub.add_card(
        "acme-l/hub-says-vision",
        card("llama3.2"),
        extra_info={"pipeline_tag": "image-text-to-text"},
    )
    rules = tmp_path / "rules.yaml"
    rules.write_text(EU_RULES)
    result = run_cli(
        "check", "--no-color", "--no-lineage", "--rules", str(rules), "acme-l/hub-says-vision"
    )
    assert result.code == 1, result.out + result.err
    assert "error geography-excluded: llama3.2 grants no rights to multimodal models" in result.out
