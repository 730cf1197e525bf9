"""SBOM reports (SPDX 2.3, SPDX 3.0.1, CycloneDX 1.6) written by the CLI and validated."""

from __future__ import annotations

import copy
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from license_lint.catalog import load_catalog

from conftest import ROOT, run_cli
from fakehub import FakeHub, load_fixtures

HUB = "https://huggingface.co"
LLAMA = load_catalog().get("llama3.1")
assert LLAMA is not None
LLAMA_NAME = LLAMA.name


def card(license: str, base: str | list[str] | None = None, **extra: object) -> str:
    lines = [f"license: {license}"]
    if base is not None:
        lines.append(f"base_model: {json.dumps(base)}")
    lines += [f"{k}: {json.dumps(v)}" for k, v in extra.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


SHAS: dict[str, str] = {}


@pytest.fixture(scope="module")
def module_hub() -> Iterator[FakeHub]:
    """The fixtures plus a Llama-style chain, a dataset and cards with awkward licenses."""
    with FakeHub() as server:
        load_fixtures(server)
        cards = {
            "meta-sbom/Llama-Root": card("llama3.1", pipeline_tag="text-generation"),
            "acme-sbom/Llama-Mid": card("llama3.1", "meta-sbom/Llama-Root"),
            "acme-sbom/leaf": card(
                "mit",
                "acme-sbom/Llama-Mid",
                base_model_relation="finetune",
                datasets=["acme-sbom/nc-data", "acme-test/instruct-data"],
                pipeline_tag="text-generation",
            ),
            "acme-sbom/gpl-model": card("gpl"),
            "acme-sbom/gpl3-model": card("gpl-3.0"),
            # A link no validator accepts as a web address (an IP) must not break the document.
            "acme-sbom/custom": card("my own license v2", license_link="http://127.0.0.1:9/L"),
            "acme-sbom/custom-link": card(
                "other",
                license_name="Lizenz für «Modelle» v1",
                license_link="https://acme.example.com/model-license",
            ),
            "acme-sbom/dual": card("mit OR llama3.1"),
            "acme-sbom/openmdw": card("openmdw-1.0"),
            "acme-sbom/other": card("other"),
            "acme-sbom/everything": card(json.dumps(sorted(load_catalog().policies))),
            # Its base is not on the Hub: what the base imposes is unknown.
            "acme-sbom/orphan": card("apache-2.0", "acme-sbom/deleted-base"),
            "acme-sbom/orphan-child": card("apache-2.0", "acme-sbom/orphan"),
        }
        for repo_id, text in cards.items():
            gated = "manual" if repo_id.startswith("meta-") else None
            SHAS[repo_id] = server.add_card(repo_id, text, gated=gated)
        server.add_dataset(
            {"id": "acme-sbom/nc-data", "sha": "d" * 40, "cardData": {"license": "cc-by-nc-4.0"}}
        )
        yield server


CHAIN = ("acme-sbom/leaf", "acme-test/merge-model")
ODD = (
    "acme-sbom/gpl-model",
    "acme-sbom/gpl3-model",
    "acme-sbom/custom",
    "acme-sbom/custom-link",
    "acme-sbom/dual",
    "acme-sbom/openmdw",
    "acme-sbom/other",
)


def write(fmt: str, path: Path, *models: str) -> dict[str, Any]:
    """Run `check --format fmt -o path`, validate the file for its format, return its data."""
    result = run_cli("check", "--format", fmt, "-o", str(path), *models)
    assert result.code in (0, 1), result.err
    assert result.out == ""
    VALIDATE[fmt](path)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


# ---------------------------------------------------------------- validators


def validate_spdx2(path: Path) -> None:
    """spdx-tools reads the file back and finds nothing wrong with it."""
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    document = parse_file(str(path))
    messages = validate_full_spdx_document(document)
    assert [m.validation_message for m in messages] == []


def load_spdx3(data: dict[str, Any]) -> tuple[Any, Any]:
    """Deserialize with the official SPDX 3.0.1 bindings; every reference must resolve."""
    from spdx_python_model import load_data

    model, objects = load_data(copy.deepcopy(data))
    missing = objects.link()
    if missing:
        raise ValueError(f"references to elements that are not in the document: {missing}")
    # Serializing checks what deserializing does not: required properties and cardinalities.
    model.JSONLDSerializer().write(objects, io.BytesIO())
    return model, objects


def validate_spdx3(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    load_spdx3(data)
    schema_file = os.environ.get("LICENSE_LINT_SPDX3_SCHEMA")
    if schema_file:
        import jsonschema

        schema = json.loads(Path(schema_file).read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)


def validate_cyclonedx(path: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(path.read_text(encoding="utf-8"))
    assert error is None, error


VALIDATE: dict[str, Callable[[Path], None]] = {
    "spdx": validate_spdx2,
    "spdx3": validate_spdx3,
    "cyclonedx": validate_cyclonedx,
}

# ---------------------------------------------------------------- helpers


def spdx_packages(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in data["packages"]}


def spdx_relations(data: dict[str, Any]) -> set[tuple[str, str, str]]:
    names = {p["SPDXID"]: p["name"] for p in data["packages"]}
    names["SPDXRef-DOCUMENT"] = "DOCUMENT"
    return {
        (names[r["spdxElementId"]], r["relationshipType"], names[r["relatedSpdxElement"]])
        for r in data["relationships"]
    }


def spdx_extracted(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["licenseId"]: e for e in data.get("hasExtractedLicensingInfos", [])}


def spdx3_elements(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["spdxId"]: e for e in data["@graph"] if "spdxId" in e}


def spdx3_license(data: dict[str, Any], name: str, kind: str) -> dict[str, Any] | None:
    """The license element a package's hasDeclaredLicense / hasConcludedLicense points at."""
    elements = spdx3_elements(data)
    package = next(e["spdxId"] for e in elements.values() if e.get("name") == name)
    for element in elements.values():
        if element.get("from") == package and element.get("relationshipType") == kind:
            return elements[element["to"][0]]
    return None


def cdx_components(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in data["components"]}


def cdx_licenses(component: dict[str, Any], acknowledgement: str) -> list[dict[str, Any]]:
    return [
        entry.get("license") or entry
        for entry in component.get("licenses", [])
        if (entry.get("license") or entry).get("acknowledgement") == acknowledgement
    ]


def without_time(fmt: str, data: dict[str, Any]) -> dict[str, Any]:
    """The document less the report time, the one thing allowed to differ between runs."""
    data = copy.deepcopy(data)
    if fmt == "spdx":
        data["creationInfo"].pop("created")
    elif fmt == "spdx3":
        for node in data["@graph"]:
            node.pop("created", None)
    else:
        data["metadata"].pop("timestamp")
    return data


# ---------------------------------------------------------------- bundled examples


@pytest.mark.parametrize("fmt", ["spdx", "spdx3", "cyclonedx"])
def test_bundled_examples(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = tmp_path / f"examples.{fmt}.json"
    result = run_cli(
        "check",
        "--offline",
        "--format",
        fmt,
        "-o",
        str(path),
        "examples/acme-support-bot",
        "examples/acme-image-model",
    )
    assert result.code == 1, result.err  # the image model fails, as the README says
    VALIDATE[fmt](path)
    text = path.read_text(encoding="utf-8")
    assert "LicenseRef-llama3.1" in text or LLAMA_NAME in text
    data = json.loads(text)
    if fmt == "spdx":
        packages = spdx_packages(data)
        bot = packages["examples/acme-support-bot"]
        assert bot["licenseDeclared"] == "LicenseRef-llama3.1"
        assert bot["downloadLocation"] == "NOASSERTION"  # a local folder has no address
        assert "versionInfo" not in bot
        assert packages["examples/acme-image-model"]["licenseDeclared"] == "CC-BY-NC-4.0"
        # The unresolved base model is listed too, and says why it has no license.
        base = packages["meta-llama/Llama-3.1-8B-Instruct"]
        assert base["licenseDeclared"] == "NOASSERTION"
        assert "offline" in base["comment"]
        assert (
            "examples/acme-support-bot",
            "DESCENDANT_OF",
            "meta-llama/Llama-3.1-8B-Instruct",
        ) in spdx_relations(data)
    elif fmt == "cyclonedx":
        image = cdx_components(data)["examples/acme-image-model"]
        assert image["type"] == "machine-learning-model"
        assert "purl" not in image
        assert image["modelCard"]["modelParameters"]["task"] == "text-to-image"


# ---------------------------------------------------------------- lineage


def test_spdx2_lineage(hub: FakeHub, tmp_path: Path) -> None:
    data = write("spdx", tmp_path / "chain.spdx.json", *CHAIN)
    packages = spdx_packages(data)
    leaf_sha = SHAS["acme-sbom/leaf"]
    leaf = packages["acme-sbom/leaf"]
    assert leaf["versionInfo"] == leaf_sha
    assert leaf["downloadLocation"] == f"{HUB}/acme-sbom/leaf/tree/{leaf_sha}"
    assert leaf["externalRefs"] == [
        {
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceLocator": f"pkg:huggingface/acme-sbom/leaf@{leaf_sha}",
            "referenceType": "purl",
        }
    ]
    assert leaf["licenseDeclared"] == "MIT"
    # The Llama terms bind the fine-tune whatever its card says.
    assert leaf["licenseConcluded"] == "MIT AND LicenseRef-llama3.1"
    assert "verdict fail" in leaf["comment"] and "lineage-conflict" in leaf["comment"]
    root = packages["meta-sbom/Llama-Root"]
    assert root["versionInfo"] == SHAS["meta-sbom/Llama-Root"]
    assert root["licenseDeclared"] == root["licenseConcluded"] == "LicenseRef-llama3.1"
    assert root["supplier"] == "Organization: meta-sbom"
    assert packages["acme-sbom/nc-data"]["licenseDeclared"] == "CC-BY-NC-4.0"
    assert packages["acme-sbom/nc-data"]["downloadLocation"] == (
        f"{HUB}/datasets/acme-sbom/nc-data/tree/{'d' * 40}"
    )
    relations = spdx_relations(data)
    assert {
        ("DOCUMENT", "DESCRIBES", "acme-sbom/leaf"),
        ("DOCUMENT", "DESCRIBES", "acme-test/merge-model"),
        ("acme-sbom/leaf", "DESCENDANT_OF", "acme-sbom/Llama-Mid"),
        ("acme-sbom/Llama-Mid", "DESCENDANT_OF", "meta-sbom/Llama-Root"),
        ("acme-sbom/leaf", "OTHER", "acme-sbom/nc-data"),
        ("acme-sbom/leaf", "OTHER", "acme-test/instruct-data"),
        ("acme-test/merge-model", "DESCENDANT_OF", "acme-test/base-apache"),
        ("acme-test/merge-model", "DESCENDANT_OF", "acme-test/base-nc"),
    } <= relations
    assert ("DOCUMENT", "DESCRIBES", "acme-sbom/Llama-Mid") not in relations
    training = [r for r in data["relationships"] if r["relationshipType"] == "OTHER"]
    assert all("trainedOn" in r["comment"] for r in training)
    merge = packages["acme-test/merge-model"]
    assert merge["licenseDeclared"] == "Apache-2.0"
    assert "CC-BY-NC-4.0" in merge["licenseConcluded"]
    # A license without an SPDX id is defined once, with its name and where to read it.
    llama = spdx_extracted(data)["LicenseRef-llama3.1"]
    assert llama["name"] == LLAMA_NAME
    assert llama["seeAlsos"] and all(u.startswith("https://") for u in llama["seeAlsos"])
    assert "license-lint" in llama["extractedText"]


def test_spdx3_lineage(hub: FakeHub, tmp_path: Path) -> None:
    data = write("spdx3", tmp_path / "chain.spdx3.json", *CHAIN)
    model, objects = load_spdx3(data)
    packages = {p.name: p for p in objects.foreach_type(model.ai_AIPackage)}
    assert {"acme-sbom/leaf", "acme-sbom/Llama-Mid", "meta-sbom/Llama-Root"} <= set(packages)
    datasets = {d.name: d for d in objects.foreach_type(model.dataset_DatasetPackage)}
    assert set(datasets) == {"acme-sbom/nc-data", "acme-test/instruct-data"}
    leaf = packages["acme-sbom/leaf"]
    assert leaf.software_packageVersion == SHAS["acme-sbom/leaf"]
    assert leaf.software_primaryPurpose == model.software_SoftwarePurpose.model
    assert (
        leaf.software_downloadLocation
        == f"{HUB}/acme-sbom/leaf/tree/{leaf.software_packageVersion}"
    )
    assert leaf.software_packageUrl == f"pkg:huggingface/acme-sbom/leaf@{SHAS['acme-sbom/leaf']}"
    assert leaf.suppliedBy.name == "acme-sbom"
    assert datasets["acme-sbom/nc-data"].software_primaryPurpose == (
        model.software_SoftwarePurpose.data
    )

    kinds = model.RelationshipType
    relations = {
        (r.from_.name, r.relationshipType, tuple(t.name for t in r.to))
        for r in objects.foreach_type(model.Relationship)
        if r.relationshipType in (kinds.descendantOf, kinds.trainedOn)
    }
    assert relations == {
        ("acme-sbom/leaf", kinds.descendantOf, ("acme-sbom/Llama-Mid",)),
        ("acme-sbom/Llama-Mid", kinds.descendantOf, ("meta-sbom/Llama-Root",)),
        ("acme-sbom/leaf", kinds.trainedOn, ("acme-sbom/nc-data",)),
        ("acme-sbom/leaf", kinds.trainedOn, ("acme-test/instruct-data",)),
        ("acme-test/merge-model", kinds.descendantOf, ("acme-test/base-apache",)),
        ("acme-test/merge-model", kinds.descendantOf, ("acme-test/base-nc",)),
    }
    documents = list(objects.foreach_type(model.SpdxDocument))
    assert len(documents) == 1
    assert sorted(e.name for e in documents[0].rootElement) == sorted(CHAIN)

    declared = spdx3_license(data, "acme-sbom/leaf", "hasDeclaredLicense")
    assert declared is not None
    assert declared["type"] == "simplelicensing_LicenseExpression"
    assert declared["simplelicensing_licenseExpression"] == "MIT"
    concluded = spdx3_license(data, "acme-sbom/leaf", "hasConcludedLicense")
    assert concluded is not None
    assert concluded["simplelicensing_licenseExpression"] == "MIT AND LicenseRef-llama3.1"
    [entry] = concluded["simplelicensing_customIdToUri"]
    custom = spdx3_elements(data)[entry["value"]]
    assert entry["key"] == "LicenseRef-llama3.1"
    assert custom["type"] == "expandedlicensing_CustomLicense"
    assert custom["name"] == LLAMA_NAME
    # A license that is only a LicenseRef is the custom license element itself.
    root = spdx3_license(data, "meta-sbom/Llama-Root", "hasDeclaredLicense")
    assert root is not None and root["spdxId"] == custom["spdxId"]


def test_cyclonedx_lineage(hub: FakeHub, tmp_path: Path) -> None:
    data = write("cyclonedx", tmp_path / "chain.cdx.json", *CHAIN)
    assert data["specVersion"] == "1.6"
    components = cdx_components(data)
    leaf, mid = components["acme-sbom/leaf"], components["acme-sbom/Llama-Mid"]
    leaf_sha = SHAS["acme-sbom/leaf"]
    assert leaf["type"] == "machine-learning-model"
    assert leaf["version"] == leaf_sha
    assert leaf["purl"] == f"pkg:huggingface/acme-sbom/leaf@{leaf_sha}"
    assert cdx_licenses(leaf, "declared") == [{"acknowledgement": "declared", "id": "MIT"}]
    concluded = cdx_licenses(leaf, "concluded")
    assert {"acknowledgement": "concluded", "id": "MIT"} in concluded
    llama = next(entry for entry in concluded if "name" in entry)
    assert llama["name"] == LLAMA_NAME and llama["url"].startswith("https://")
    assert components["acme-sbom/nc-data"]["type"] == "data"
    assert cdx_licenses(components["acme-sbom/nc-data"], "declared") == [
        {"acknowledgement": "declared", "id": "CC-BY-NC-4.0"}
    ]

    card = leaf["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    refs = {d["ref"] for d in card["modelParameters"]["datasets"]}
    assert refs == {
        components["acme-sbom/nc-data"]["bom-ref"],
        components["acme-test/instruct-data"]["bom-ref"],
    }
    # The Llama acceptable-use policy reaches the fine-tune's model card.
    assert any(
        "Llama" in c["mitigationStrategy"] for c in card["considerations"]["ethicalConsiderations"]
    )
    [ancestor] = leaf["pedigree"]["ancestors"]
    assert ancestor["purl"] == mid["purl"] and ancestor["name"] == "acme-sbom/Llama-Mid"
    assert {"name": "license-lint:relation", "value": "finetune"} in ancestor["properties"]
    merge = components["acme-test/merge-model"]
    assert {a["name"] for a in merge["pedigree"]["ancestors"]} == {
        "acme-test/base-apache",
        "acme-test/base-nc",
    }
    assert {"name": "license-lint:verdict", "value": "fail"} in merge["properties"]

    needs = {d["ref"]: set(d.get("dependsOn", [])) for d in data["dependencies"]}
    assert needs[leaf["bom-ref"]] == {
        mid["bom-ref"],
        components["acme-sbom/nc-data"]["bom-ref"],
        components["acme-test/instruct-data"]["bom-ref"],
    }
    assert needs[mid["bom-ref"]] == {components["meta-sbom/Llama-Root"]["bom-ref"]}


# ---------------------------------------------------------------- license mapping


def test_spdx2_licenses_without_spdx_ids(hub: FakeHub, tmp_path: Path) -> None:
    path = tmp_path / "odd.spdx.json"
    data = write("spdx", path, *ODD)
    text = path.read_text(encoding="utf-8")
    # `gpl` names a family: it must not turn into one GPL version.
    assert "GPL-1.0-or-later" not in text
    packages = spdx_packages(data)
    declared = {name: p["licenseDeclared"] for name, p in packages.items()}
    assert declared["acme-sbom/gpl-model"] == "LicenseRef-license-lint-gpl"
    # The catalog's GPL-3.0 is deprecated on the SPDX list, which defines it as GPL-3.0-only.
    assert declared["acme-sbom/gpl3-model"] == "GPL-3.0-only"
    assert declared["acme-sbom/dual"] == "LicenseRef-llama3.1 OR MIT"
    assert declared["acme-sbom/openmdw"] == "LicenseRef-openmdw-1.0"
    assert declared["acme-sbom/other"] == "NOASSERTION"
    assert declared["acme-sbom/custom"].startswith("LicenseRef-unknown-my-own-license-v2")
    extracted = spdx_extracted(data)
    gpl = load_catalog().get("gpl")
    assert gpl is not None
    assert extracted["LicenseRef-license-lint-gpl"]["name"] == gpl.name
    custom = extracted[declared["acme-sbom/custom"]]
    assert custom["name"] == "my own license v2"
    assert "my own license v2" in custom["extractedText"]
    assert "seeAlsos" not in custom
    linked = extracted[declared["acme-sbom/custom-link"]]
    assert linked["name"] == "Lizenz für «Modelle» v1"
    assert linked["seeAlsos"] == ["https://acme.example.com/model-license"]
    assert "OpenMDW-1.0" in extracted["LicenseRef-openmdw-1.0"]["extractedText"]

    # A reader using spdx-tools sees the same licenses that were written.
    from spdx_tools.spdx.parser.parse_anything import parse_file

    read = {p.name: str(p.license_declared) for p in parse_file(str(path)).packages}
    assert read["acme-sbom/gpl-model"] == "LicenseRef-license-lint-gpl"
    assert read["acme-sbom/custom"] == declared["acme-sbom/custom"]


def test_spdx3_licenses_without_spdx_ids(hub: FakeHub, tmp_path: Path) -> None:
    path = tmp_path / "odd.spdx3.json"
    data = write("spdx3", path, *ODD)
    assert "GPL-1.0-or-later" not in path.read_text(encoding="utf-8")
    gpl = spdx3_license(data, "acme-sbom/gpl-model", "hasDeclaredLicense")
    assert gpl is not None and gpl["type"] == "expandedlicensing_CustomLicense"
    assert gpl["spdxId"].endswith("/LicenseRef-license-lint-gpl")
    assert gpl["simplelicensing_licenseText"]
    dual = spdx3_license(data, "acme-sbom/dual", "hasDeclaredLicense")
    assert dual is not None
    assert dual["simplelicensing_licenseExpression"] == "LicenseRef-llama3.1 OR MIT"
    assert [e["key"] for e in dual["simplelicensing_customIdToUri"]] == ["LicenseRef-llama3.1"]
    # No license known: no license relationship at all (SPDX 3's way of saying NOASSERTION).
    assert spdx3_license(data, "acme-sbom/other", "hasDeclaredLicense") is None


def test_cyclonedx_licenses_without_spdx_ids(hub: FakeHub, tmp_path: Path) -> None:
    path = tmp_path / "odd.cdx.json"
    data = write("cyclonedx", path, *ODD)
    assert "GPL-1.0-or-later" not in path.read_text(encoding="utf-8")
    components = cdx_components(data)
    gpl = load_catalog().get("gpl")
    assert gpl is not None
    assert cdx_licenses(components["acme-sbom/gpl-model"], "declared")[0]["name"] == gpl.name
    assert cdx_licenses(components["acme-sbom/gpl3-model"], "declared")[0]["id"] == "GPL-3.0-only"
    # CycloneDX's list is newer than SPDX-tools' and knows OpenMDW-1.0.
    assert cdx_licenses(components["acme-sbom/openmdw"], "declared")[0]["id"] == "OpenMDW-1.0"
    assert cdx_licenses(components["acme-sbom/custom"], "declared") == [
        {"acknowledgement": "declared", "name": "my own license v2"}
    ]
    assert cdx_licenses(components["acme-sbom/custom-link"], "declared") == [
        {
            "acknowledgement": "declared",
            "name": "Lizenz für «Modelle» v1",
            "url": "https://acme.example.com/model-license",
        }
    ]
    # A choice between licenses is one expression.
    assert components["acme-sbom/dual"]["licenses"] == [
        {"acknowledgement": "declared", "expression": "LicenseRef-llama3.1 OR MIT"}
    ]
    assert "licenses" not in components["acme-sbom/other"]


@pytest.mark.parametrize("fmt", ["spdx", "spdx3", "cyclonedx"])
def test_every_catalog_license_is_valid(fmt: str, hub: FakeHub, tmp_path: Path) -> None:
    data = write(fmt, tmp_path / f"all.{fmt}.json", "acme-sbom/everything")
    text = json.dumps(data, ensure_ascii=False)
    assert "GPL-1.0-or-later" not in text
    for policy in load_catalog().policies.values():
        if policy.id in ("other", "unknown"):
            continue
        assert policy.name in text or (policy.spdx or "?") in text, policy.id
    if fmt == "spdx":
        keys = [e["licenseId"] for e in data["hasExtractedLicensingInfos"]]
        assert len(keys) == len(set(keys))


# ---------------------------------------------------------------- determinism and failures


@pytest.mark.parametrize("fmt", ["spdx", "spdx3", "cyclonedx"])
def test_same_inputs_same_document(fmt: str, hub: FakeHub, tmp_path: Path) -> None:
    first = write(fmt, tmp_path / f"one.{fmt}.json", *CHAIN, *ODD)
    second = write(fmt, tmp_path / f"two.{fmt}.json", *CHAIN, *ODD)
    assert without_time(fmt, first) == without_time(fmt, second)
    # Ids are named after the content, so a different set of models gets different ones.
    other = write(fmt, tmp_path / f"three.{fmt}.json", *CHAIN)
    key = {"spdx": "documentNamespace", "cyclonedx": "serialNumber"}.get(fmt)
    if key:
        assert first[key] == second[key] != other[key]
    else:
        assert first["@graph"][1]["spdxId"] == second["@graph"][1]["spdxId"]
        assert first["@graph"][1]["spdxId"] != other["@graph"][1]["spdxId"]


def test_spdx3_broken_documents_are_rejected(hub: FakeHub, tmp_path: Path) -> None:
    data = write("spdx3", tmp_path / "chain.spdx3.json", *CHAIN)

    def broken(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        copied = copy.deepcopy(data)
        for node in copied["@graph"]:
            change(node)
        return copied

    def bad_relation(node: dict[str, Any]) -> None:
        if node.get("relationshipType") == "trainedOn":
            node["relationshipType"] = "trainedBy"

    def inline_license(node: dict[str, Any]) -> None:
        if node["type"] == "ai_AIPackage":
            node["software_declaredLicense"] = "MIT"  # SPDX 3.0 drafts; not in 3.0.1

    def dangling(node: dict[str, Any]) -> None:
        if node.get("relationshipType") == "descendantOf":
            node["to"] = ["https://example.invalid/nothing"]

    def no_dataset_type(node: dict[str, Any]) -> None:
        node.pop("dataset_datasetType", None)

    for change in (bad_relation, inline_license, dangling, no_dataset_type):
        with pytest.raises((ValueError, KeyError, TypeError)):
            load_spdx3(broken(change))


def test_spdx3_official_json_schema(hub: FakeHub, tmp_path: Path) -> None:
    if not os.environ.get("LICENSE_LINT_SPDX3_SCHEMA"):
        pytest.skip(
            "LICENSE_LINT_SPDX3_SCHEMA is not set: the SPDX 3.0.1 JSON schema is on no package "
            "registry, so it cannot be fetched here"
        )
    write("spdx3", tmp_path / "chain.spdx3.json", *CHAIN, *ODD)  # write() validates with it


def test_invalid_spdx_is_an_error_not_a_file(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from license_lint.report import spdx

    # Simulate a reporter bug: LicenseRefs with characters SPDX ids may not contain.
    monkeypatch.setattr(spdx, "license_ref", lambda name: f"LicenseRef-{name}_x")
    path = tmp_path / "bad.spdx.json"
    result = run_cli("check", "--format", "spdx", "-o", str(path), "acme-sbom/leaf")
    assert result.code == 2
    assert "SPDX 2.3 document is not valid" in result.err
    assert "LicenseRef-llama3.1_x" in result.err
    assert not path.exists()


@pytest.mark.parametrize("fmt", ["spdx", "spdx3", "cyclonedx"])
def test_unreadable_model_is_listed_with_the_reason(fmt: str, hub: FakeHub, tmp_path: Path) -> None:
    path = tmp_path / f"missing.{fmt}.json"
    result = run_cli(
        "check", "--format", fmt, "-o", str(path), "acme-sbom/leaf", "acme-sbom/no-such-model@main"
    )
    assert result.code == 2  # something could not be checked: never a pass
    VALIDATE[fmt](path)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert "Could not be checked" in text and "verdict error" in text
    if fmt == "spdx":
        missing = spdx_packages(data)["acme-sbom/no-such-model"]
        assert missing["downloadLocation"] == "NOASSERTION"
        assert missing["licenseDeclared"] == missing["licenseConcluded"] == "NOASSERTION"
        assert "versionInfo" not in missing and "externalRefs" not in missing
    elif fmt == "cyclonedx":
        missing = cdx_components(data)["acme-sbom/no-such-model"]
        assert "licenses" not in missing and "purl" not in missing


def test_without_lineage_nothing_is_concluded(hub: FakeHub, tmp_path: Path) -> None:
    path = tmp_path / "alone.spdx.json"
    result = run_cli("check", "--no-lineage", "--format", "spdx", "-o", str(path), "acme-sbom/leaf")
    assert result.code in (0, 1), result.err
    validate_spdx2(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(spdx_packages(data)) == ["acme-sbom/leaf"]
    leaf = data["packages"][0]
    assert leaf["licenseDeclared"] == "MIT"
    assert leaf["licenseConcluded"] == "NOASSERTION"


def test_no_license_is_concluded_over_a_base_that_could_not_be_read(
    hub: FakeHub, tmp_path: Path
) -> None:
    """A confident concluded license would hide that an ancestor's terms are unknown."""
    data = write("spdx", tmp_path / "orphan.spdx.json", "acme-sbom/orphan-child")
    packages = spdx_packages(data)
    for name in ("acme-sbom/orphan-child", "acme-sbom/orphan"):
        package = packages[name]
        assert package["licenseDeclared"] == "Apache-2.0", name
        assert package["licenseConcluded"] == "NOASSERTION", name
        assert "base acme-sbom/deleted-base could not be read" in package["licenseComments"]
    cdx = write("cyclonedx", tmp_path / "orphan.cdx.json", "acme-sbom/orphan-child")
    for name in ("acme-sbom/orphan-child", "acme-sbom/orphan"):
        component = cdx_components(cdx)[name]
        assert cdx_licenses(component, "declared") == [
            {"acknowledgement": "declared", "id": "Apache-2.0"}
        ]
        assert cdx_licenses(component, "concluded") == [], name
