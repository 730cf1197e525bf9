"""The license catalog: every policy valid and cited, every Hub id covered, facts spot-checked."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from license_lint.catalog import _load_taxonomy, load_catalog
from license_lint.errors import PolicyError
from license_lint.identify import GUARDED_CATEGORIES, fold, identify

from conftest import LICENSE_TEXTS, ROOT, SHARED

# The Hub's license identifiers (hub.md section 1, 83 at the snapshot the project follows).
HUB_IDS = (
    "apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0 "
    "bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause "
    "bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 "
    "cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 "
    "cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0 "
    "cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 "
    "eupl-1.2 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc h-research "
    "intel-research lppl-1.3c ms-pl apple-ascl apple-amlr mpl-2.0 odc-by odbl openmdw-1.0 "
    "openmdw-1.1 openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr "
    "deepfloyd-if-license fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 "
    "llama3.3 llama4 grok2-community gemma unknown other"
).split()

FAMILIES = ("openrail", "bsd", "cc", "gpl", "lgpl", "gfdl")

# Vendor licenses of licenses.md sections 3 and 4 that have no Hub id of their own.
VENDOR_IDS = (
    "llama1 stability-ai-community stability-ai-nc-research flux-1-dev-non-commercial mistral-mrl "
    "mistral-mnpl qwen qwen-research tongyi-qianwen deepseek falcon-180b falcon-2-11b "
    "tii-falcon-llm nvidia-open-model databricks-open-model yi msr-research ai2-impact-low-risk "
    "cohere-cc-by-nc-addendum kimi-modified-mit baichuan2 gpt-oss-usage-policy"
).split()

# Real texts in ../shared/license-texts (named by ScanCode keys, some misleading) -> catalog id.
TEXTS = {
    "agpl-3.0": "agpl-3.0",
    "apache-2.0": "apache-2.0",
    "bigcode-open-rail-m-v1": "bigcode-openrail-m",
    "bigscience-open-rail-m": "bigscience-openrail-m",
    "bigscience-open-rail-m2": "openrail++",
    "bigscience-rail-1.0": "bigscience-bloom-rail-1.0",
    "bsd-new": "bsd-3-clause",
    "cc-by-4.0": "cc-by-4.0",
    "cc-by-nc-4.0": "cc-by-nc-4.0",
    "cc-by-nc-sa-4.0": "cc-by-nc-sa-4.0",
    "cc-by-sa-4.0": "cc-by-sa-4.0",
    "deepseek-la-1.0": "deepseek",
    "exaone-ai-model-1.1-nc": "exaone-1.1-nc",
    "falcon-2-11b-1.0": "falcon-2-11b",
    "flux-1-nc": "flux-1-dev-non-commercial",
    "gemma-pup-2024-02-21": "gemma",
    "gemma-tou-2024-04-01": "gemma",
    "gemma-tou-2025-03-24": "gemma",
    "gpl-3.0": "gpl-3.0",
    "llama-2-license-2023": "llama2",
    "llama-3.1-license-2024": "llama3.1",
    "llama-3.2-license-2024": "llama3.2",
    "llama-3.3-license-2024": "llama3.3",
    "llama-4-cla-2025": "llama4",
    "llama-4-license-2025": "llama4",
    "llama-license-2023": "llama1",
    "mit": "mit",
    "moonshot-ai-modified-mit-2025": "kimi-modified-mit",
    "ms-research-license-terms": "msr-research",
    "nvidia-open-model-2025-04-28": "nvidia-open-model",
    "openmdw-1.0": "openmdw-1.0",
    "qwen-2024": "qwen",
    "stability-ai-community-2024": "stability-ai-community",
    "stability-ai-nc-2023-12-06": "stability-ai-nc-research",
    "stable-diffusion-2022-08-22": "creativeml-openrail-m",
    "tongyi-qianwen-2023": "tongyi-qianwen",
}

# The version each dated or numbered text must be identified as.
VERSIONS = {
    "gemma-pup-2024-02-21": "2024-02-21",
    "gemma-tou-2024-04-01": "2024-04-01",
    "gemma-tou-2025-03-24": "2025-03-24",
    "llama-2-license-2023": "2023-07-18",
    "llama-3.1-license-2024": "2024-07-23",
    "llama-3.2-license-2024": "2024-09-25",
    "llama-3.3-license-2024": "2024-12-06",
    "llama-4-cla-2025": "2025-04-05",
    "nvidia-open-model-2025-04-28": "2025-04-28",
    "qwen-2024": "2024-09-19",
    "stability-ai-community-2024": "2024-07-05",
    "stability-ai-nc-2023-12-06": "2023-12-06",
    "tongyi-qianwen-2023": "2023-08-03",
    "bigscience-open-rail-m": "2022-08-18",
    "bigscience-open-rail-m2": "2022-11-24",
    "bigscience-rail-1.0": "1.0",
    "deepseek-la-1.0": "1.0",
    "falcon-2-11b-1.0": "1.0",
    "openmdw-1.0": "1.0",
    "cc-by-4.0": "4.0",
    "apache-2.0": "2.0",
    "gpl-3.0": "3",
    "agpl-3.0": "3",
}

needs_texts = pytest.mark.skipif(
    not LICENSE_TEXTS.is_dir(), reason="../shared/license-texts absent"
)


def policy_files() -> list[str]:
    folder = resources.files("license_lint") / "policies" / "licenses"
    return sorted(e.name for e in folder.iterdir() if e.name.endswith(".yaml"))


def test_catalog_loads_and_every_file_is_valid() -> None:
    schema_text = resources.files("license_lint") / "schemas" / "license-policy.schema.json"
    schema = json.loads(schema_text.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    folder = resources.files("license_lint") / "policies" / "licenses"
    for name in policy_files():
        data = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], f"{name}: {errors}"
    catalog = load_catalog()
    assert len(catalog.policies) == len(policy_files())


def test_a_link_replaces_the_text_only_where_the_license_says_so() -> None:
    """The CC BY licenses accept their URI for the copy (CC BY 4.0 §3(a)(1)(C)); others do not."""
    catalog = load_catalog()
    linked = {p.id for p in catalog.policies.values() for o in p.obligations if o.satisfied_by_link}
    assert linked == {p for p in catalog.policies if p.startswith("cc-by")}
    assert all(catalog.policies[i].urls for i in linked)
    schema_text = resources.files("license_lint") / "schemas" / "license-policy.schema.json"
    validator = jsonschema.Draft202012Validator(json.loads(schema_text.read_text("utf-8")))
    folder = resources.files("license_lint") / "policies" / "licenses"
    data = yaml.safe_load((folder / "cc-by-4.0.yaml").read_text(encoding="utf-8"))
    retain = next(o for o in data["obligations"] if o["id"] == "retain-notices")
    retain["satisfied_by_link"] = True  # only a license copy can be replaced by a link
    assert list(validator.iter_errors(data))


def test_every_hub_id_has_a_policy_and_families_are_marked() -> None:
    catalog = load_catalog()
    assert len(HUB_IDS) == 83
    missing = [h for h in HUB_IDS if catalog.find_hub(h) != h]
    assert missing == []
    for family in FAMILIES:
        policy = catalog.get(family)
        assert policy is not None and policy.kind == "family" and policy.members
    assert catalog.get("other").kind == "placeholder"  # type: ignore[union-attr]
    assert catalog.get("unknown").kind == "placeholder"  # type: ignore[union-attr]


@pytest.mark.skipif(not (SHARED / "reference" / "hub.md").is_file(), reason="hub.md absent")
def test_hub_id_list_matches_the_reference() -> None:
    text = (SHARED / "reference" / "hub.md").read_text(encoding="utf-8")
    section = text.split("That makes 83")[0]
    listed = re.findall(r"^\| `([^`]+)` \| ", section, flags=re.MULTILINE)
    assert listed == HUB_IDS


def test_vendor_licenses_are_present() -> None:
    catalog = load_catalog()
    missing = [v for v in VENDOR_IDS if catalog.get(v) is None]
    assert missing == []
    vendor = [p for p in catalog.policies.values() if p.kind == "license" and not p.spdx]
    assert len(vendor) >= 45


def test_every_restriction_obligation_and_threshold_cites_a_clause() -> None:
    catalog = load_catalog()
    for policy in catalog.policies.values():
        for item in (*policy.restrictions, *policy.obligations, *policy.thresholds):
            assert item.clause.strip(), f"{policy.id}: {item}"
        for item in policy.restrictions:
            assert item.id in catalog.taxonomy, f"{policy.id}: {item.id}"
        for rule in policy.geography:
            assert catalog.taxonomy[rule.id].group == "geography"


def test_spot_checks() -> None:
    catalog = load_catalog()
    llama = catalog.get("llama3.1")
    assert llama is not None
    assert [t.limit for t in llama.thresholds if t.metric == "monthly_active_users"] == [7e8]
    assert "Built with Llama" in {o.text for o in llama.obligations}
    gemma = catalog.get("gemma")
    assert gemma is not None and gemma.pass_through == "required" and gemma.restrictions
    nc = catalog.get("cc-by-nc-4.0")
    assert nc is not None and nc.permissions["commercial_use"].status == "forbidden"
    mrl = catalog.get("mistral-mrl")
    assert mrl is not None and mrl.spdx is None
    assert mrl.permissions["commercial_use"].status == "forbidden"
    assert catalog.find_spdx("MS-RL") != "mistral-mrl"
    assert catalog.find_name("mrl") == "mistral-mrl"
    assert "research-only" in {r.id for r in mrl.restrictions} or mrl.category == "research-only"
    apache = catalog.get("apache-2.0")
    assert apache is not None and apache.restrictions == ()
    eu = [g for g in catalog.get("llama3.2").geography]  # type: ignore[union-attr]
    assert eu and eu[0].region.upper().startswith("EU") and eu[0].models == "multimodal-models"


@needs_texts
@pytest.mark.parametrize(("text", "expected"), sorted(TEXTS.items()))
def test_real_license_texts_are_identified(text: str, expected: str) -> None:
    catalog = load_catalog()
    result = identify((LICENSE_TEXTS / f"{text}.txt").read_text(encoding="utf-8"), catalog)
    assert (result.license_id, result.confidence) == (expected, "high")
    policy = catalog.get(expected)
    assert policy is not None
    if text in VERSIONS:
        assert result.version == VERSIONS[text]


# Stored texts that are a license's use policy, not the license agreement itself.
USE_POLICIES = {"gemma-pup-2024-02-21", "llama-4-license-2025"}


@needs_texts
@pytest.mark.parametrize("text", sorted(TEXTS))
def test_only_license_agreements_are_license_documents(text: str) -> None:
    """A use policy is its license's text for `identify`, but not the license document."""
    result = identify((LICENSE_TEXTS / f"{text}.txt").read_text(encoding="utf-8"), load_catalog())
    expected = () if text in USE_POLICIES else (TEXTS[text],)
    assert result.license_documents == expected
    assert result.document == ("use-policy" if text in USE_POLICIES else "license")


NOTICE_LICENSES = (
    "llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 gemma qwen tongyi-qianwen".split()
)


@pytest.mark.parametrize("license_id", NOTICE_LICENSES)
def test_the_required_notice_is_a_notice_not_the_license(license_id: str) -> None:
    """The one-line Notice names the license's title; title-only sets must not take it for it."""
    catalog = load_catalog()
    policy = catalog.get(license_id)
    assert policy is not None
    (notice,) = [o.text for o in policy.obligations if o.id == "notice-file" and o.text]
    result = identify(notice + "\n", catalog)
    assert (result.license_id, result.document, result.license_documents) == (
        license_id,
        "notice",
        (),
    )


@needs_texts
@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("gemma-tou-2025-03-24", "Last modified: March 24, 2025"),
        ("qwen-2024", "Release Date: September 19, 2024"),
        ("tongyi-qianwen-2023", "Release Date: August 3, 2023"),
    ],
)
def test_an_undated_copy_is_still_the_license_without_a_version(text: str, dated: str) -> None:
    """The title-only sets, now paired with a term of the body, still catch unknown versions."""
    body = (LICENSE_TEXTS / f"{text}.txt").read_text(encoding="utf-8")
    assert dated in body
    result = identify(body.replace(dated, ""), load_catalog())
    assert (result.license_id, result.confidence, result.version) == (TEXTS[text], "high", None)
    assert result.license_documents == (TEXTS[text],)


@needs_texts
@pytest.mark.parametrize("use_policy", sorted(USE_POLICIES))
def test_a_use_policy_appended_to_another_license_is_still_no_license_document(
    use_policy: str,
) -> None:
    """Far down a file, the title a text starts with decides, not a later mention of a license."""
    text = stored("apache-2.0.txt") + "\n\n" + stored(f"{use_policy}.txt")
    found = identify(text, load_catalog())
    assert found.licenses == ("apache-2.0", TEXTS[use_policy])
    assert found.license_documents == ("apache-2.0",)


@needs_texts
def test_every_text_in_the_folder_is_covered() -> None:
    names = {p.stem for p in LICENSE_TEXTS.glob("*.txt")}
    assert names == set(TEXTS)


def test_unrelated_texts_are_unknown() -> None:
    catalog = load_catalog()
    for path in (ROOT / "README.md", ROOT / "docs" / "policy-format.md", ROOT / "pyproject.toml"):
        assert identify(path.read_text(encoding="utf-8"), catalog).license_id is None, path
    for path in (SHARED / "DESIGN.md", SHARED / "reference" / "licenses.md"):
        if path.is_file():
            assert identify(path.read_text(encoding="utf-8"), catalog).license_id is None, path


# --- texts that are more than one license ---------------------------------------------------

COMMONS_CLAUSE = (
    '\n"Commons Clause" License Condition v1.0\n\n'
    "The Software is provided to you by the Licensor under the License, as defined below, "
    "subject to the following condition.\n\n"
    "Without limiting other conditions in the License, the grant of rights under the License "
    "will not include, and the License does not grant to you, the right to Sell the Software.\n"
)
NC_RIDER = (
    "\n\nADDITIONAL TERMS: The model weights may be used for non-commercial research "
    "purposes only. Commercial use is prohibited.\n"
)
FIELD_OF_USE = "\nYou may not use the Licensed Material for military purposes.\n"
MIT_NOTICE = "\n\nThird-party notices\n\nsome-tokenizer: MIT License\n\n"


def stored(name: str) -> str:
    return (LICENSE_TEXTS / name).read_text(encoding="utf-8")


def mit_non_commercial() -> str:
    """MIT with a title, a copyright line and one sentence limiting it to non-commercial use."""
    # The stored copy breaks the line inside "subject to the following conditions:".
    body, count = re.subn(
        r"subject to\s+the following conditions:",
        "subject to the following conditions:\n\n"
        "The Software may be used for non-commercial purposes only.\n",
        stored("mit.txt"),
    )
    assert count == 1
    return "MIT License\n\nCopyright (c) 2024 Acme\n\n" + body


@needs_texts
@pytest.mark.parametrize(
    ("base", "rider", "permissive"),
    [
        ("apache-2.0.txt", COMMONS_CLAUSE, "apache-2.0"),
        ("apache-2.0.txt", NC_RIDER, "apache-2.0"),
        ("cc-by-4.0.txt", NC_RIDER, "cc-by-4.0"),
        ("bsd-new.txt", NC_RIDER, "bsd-3-clause"),
        ("cc-by-sa-4.0.txt", FIELD_OF_USE, "cc-by-sa-4.0"),
    ],
    ids=["apache-commons-clause", "apache-nc", "cc-by-nc", "bsd-nc", "cc-by-sa-field-of-use"],
)
def test_permissive_text_with_restrictive_rider_is_not_high(
    base: str, rider: str, permissive: str
) -> None:
    """A permissive text with an appended restriction is that license at medium, with a note."""
    found = identify(stored(base) + rider, load_catalog())
    assert (found.license_id, found.confidence) == (permissive, "medium")
    assert found.note and "beyond the license" in found.note


@needs_texts
def test_mit_with_non_commercial_sentence_is_not_high_mit() -> None:
    """MIT text with a 'non-commercial purposes only' condition is not plain MIT beyond doubt."""
    found = identify(mit_non_commercial(), load_catalog())
    assert (found.license_id, found.confidence) == ("mit", "medium")
    assert found.note and '"non-commercial"' in found.note


@needs_texts
def test_permissive_text_with_title_and_copyright_stays_high() -> None:
    """The packaging every LICENSE file has (a title, copyright lines) adds no terms."""
    header = "MIT License\n\n" + "".join(f"Copyright (c) 20{n:02} Author {n}\n" for n in range(10))
    found = identify(header + "\n" + stored("mit.txt"), load_catalog())
    assert (found.license_id, found.confidence, found.note) == ("mit", "high", None)


@needs_texts
def test_permissive_text_far_longer_than_the_license_is_medium() -> None:
    """Pages of extra text next to Apache-2.0, in words no guard knows, are not plain Apache."""
    extra = "\n\nSupplementary terms.\n" + "The Licensee shall report each deployment. " * 80
    found = identify(stored("apache-2.0.txt") + extra, load_catalog())
    assert (found.license_id, found.confidence) == ("apache-2.0", "medium")
    assert found.note and "characters" in found.note


@needs_texts
def test_guarded_licenses_record_the_length_of_their_text() -> None:
    """Each permissive-style license set carries its stored text's folded length, as a fact."""
    lengths: dict[str, int] = {}
    for name, license_id in TEXTS.items():
        length = len(fold(stored(f"{name}.txt")))
        lengths[license_id] = max(lengths.get(license_id, 0), length)
    for policy in load_catalog().policies.values():
        if policy.category not in GUARDED_CATEGORIES:
            continue
        for fingerprint in policy.fingerprints:
            if fingerprint.document == "license":
                assert fingerprint.length == lengths[policy.id], policy.id


@needs_texts
@pytest.mark.parametrize(
    ("restricted", "license_id"),
    [("flux-1-nc.txt", "flux-1-dev-non-commercial"), ("llama-3.1-license-2024.txt", "llama3.1")],
)
def test_restricted_license_with_mit_notice_is_not_mit(restricted: str, license_id: str) -> None:
    """A restricted license file ending in a third-party MIT notice is not identified as MIT."""
    found = identify(stored(restricted) + MIT_NOTICE + stored("mit.txt"), load_catalog())
    assert (found.license_id, found.confidence) == (None, "low")
    assert found.licenses == (license_id, "mit")
    assert found.note == f"the text holds several licenses: {license_id}, mit"


@needs_texts
@pytest.mark.parametrize(
    ("restricted", "license_id"),
    [("flux-1-nc.txt", "flux-1-dev-non-commercial"), ("gemma-tou-2024-04-01.txt", "gemma")],
)
def test_mit_followed_by_restricted_license_is_not_high_mit(
    restricted: str, license_id: str
) -> None:
    """An MIT (code) text, then a restricted weights license whose title is far down: both."""
    combined = "MIT License\n\n" + stored("mit.txt") + "\n\nModel weights\n\n" + stored(restricted)
    found = identify(combined, load_catalog())
    assert (found.license_id, found.confidence) == (None, "low")
    assert found.licenses == ("mit", license_id)


@needs_texts
def test_two_permissive_licenses_are_not_one_either() -> None:
    """Apache-2.0 with a bundled MIT notice holds both; neither is the file's one license."""
    found = identify(stored("apache-2.0.txt") + MIT_NOTICE + stored("mit.txt"), load_catalog())
    assert (found.license_id, found.licenses) == (None, ("apache-2.0", "mit"))


TAXONOMY = """\
version: 1
groups:
  - {id: conduct, description: c}
  - {id: deployment, description: d}
categories:
  - id: restricted-a
    group: conduct
    description: a
  - id: restricted-b
    group: conduct
    description: b
  - id: declared-use
    group: deployment
    description: u
"""


def taxonomy_file(tmp_path: Path, extra: dict[str, str]) -> Path:
    """The small taxonomy above, with lines added under the named categories."""
    text = TAXONOMY
    for category, line in extra.items():
        head = f"  - id: {category}\n"
        text = text.replace(head, f"{head}    {line}\n")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_kind_of_is_read_and_followed_transitively(tmp_path: Path) -> None:
    path = taxonomy_file(
        tmp_path,
        {"declared-use": "kind_of: [restricted-a]", "restricted-a": "kind_of: [restricted-b]"},
    )
    taxonomy = _load_taxonomy(path)
    assert taxonomy["declared-use"].kind_of == ("restricted-a",)
    assert taxonomy["declared-use"].kinds(taxonomy) == ("restricted-a", "restricted-b")
    assert taxonomy["restricted-b"].kind_of == ()


@pytest.mark.parametrize(
    ("extra", "message", "line"),
    [
        (
            {"declared-use": "kind_of: [no-such-category]"},
            "'declared-use' is a kind of unknown category 'no-such-category'",
            13,
        ),
        ({"declared-use": "kind_of: [declared-use]"}, "'declared-use' is a kind of itself", 13),
        (
            {"restricted-a": "kind_of: [restricted-b]", "restricted-b": "kind_of: [restricted-a]"},
            "kind_of forms a cycle: restricted-a -> restricted-b -> restricted-a",
            7,
        ),
        (
            {"declared-use": "kind_of: [restricted-a]\n    implicates: [restricted-a]"},
            "lists 'restricted-a' in both kind_of and implicates",
            13,
        ),
        ({"declared-use": "kind_of: restricted-a"}, "must be a list of ids", 13),
    ],
    ids=["unknown-target", "itself", "cycle", "also-implicated", "not-a-list"],
)
def test_bad_kind_of_is_a_policy_error_at_its_line(
    tmp_path: Path, extra: dict[str, str], message: str, line: int
) -> None:
    with pytest.raises(PolicyError) as caught:
        _load_taxonomy(taxonomy_file(tmp_path, extra))
    assert message in caught.value.message
    assert caught.value.where == f"policies/taxonomy.yaml:{line}"


def test_shipped_kind_of_links() -> None:
    """The definitional links, moved out of implicates: a use is never in both lists."""
    taxonomy = load_catalog().taxonomy
    assert taxonomy["guardrail-removal"].kind_of == ("safety-circumvention",)
    assert taxonomy["biometric-identification"].kind_of == ("biometric-processing",)
    assert taxonomy["surveillance"].kind_of == ("tracking-surveillance",)
    assert taxonomy["healthcare"].kind_of == ()
    for entry in taxonomy.values():
        assert not set(entry.kind_of) & set(entry.implicates), entry.id
