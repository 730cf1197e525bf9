"""The SPDX 3.0.1 report: JSON-LD with an AI package per model and a dataset package per dataset."""

from __future__ import annotations

import json
from typing import Any

from ..catalog import Catalog, load_catalog
from ..model import Report
from ..textstyle import Styler
from .spdx import (
    NAMESPACE_PREFIX,
    TOOL_NAME,
    Entry,
    Inventory,
    LicenseItem,
    SbomLicense,
    content_digest,
    created_at,
    entry_comment,
    idstring,
    inventory,
    license_comment,
    run_summary,
    sbom_license,
    spdx_listed,
)

CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
CREATION = "_:creation-info"
PROFILES = ["core", "software", "simpleLicensing", "expandedLicensing", "ai", "dataset"]


class _Graph:
    """Elements of one document, each written once, in the order they were first needed."""

    def __init__(self, base: str, catalog: Catalog) -> None:
        self.base = base
        self.catalog = catalog
        self.elements: dict[str, dict[str, Any]] = {}

    def iri(self, *parts: str) -> str:
        return "/".join([self.base, *parts])

    def add(self, element: dict[str, Any]) -> str:
        element.setdefault("creationInfo", CREATION)
        self.elements.setdefault(element["spdxId"], element)
        return str(element["spdxId"])

    def agent(self, name: str) -> str:
        """An Agent for a Hub namespace: the Hub does not say whether it is a person or not."""
        return self.add(
            {"type": "Agent", "spdxId": self.iri("agent", idstring(name)), "name": name}
        )

    def custom(self, item: LicenseItem) -> str:
        element: dict[str, Any] = {
            "type": "expandedlicensing_CustomLicense",
            "spdxId": self.iri("license", item.key),
            "name": item.name,
            "simplelicensing_licenseText": item.text,
        }
        if item.urls:
            element["expandedlicensing_seeAlso"] = list(item.urls)
        return self.add(element)

    def license(self, license: SbomLicense) -> str | None:
        """The element a package's license relationship points at; None for no assertion."""
        expression = license.expression
        if expression is None:
            return None
        customs = {i.key: self.custom(i) for i in license.items if not i.listed}
        if len(license.items) == 1 and customs:
            return customs[expression]
        element: dict[str, Any] = {
            "type": "simplelicensing_LicenseExpression",
            "spdxId": self.iri("license-expression", content_digest(expression)[:16]),
            "simplelicensing_licenseExpression": expression,
        }
        if customs:
            element["simplelicensing_customIdToUri"] = [
                {"type": "DictionaryEntry", "key": key, "value": value}
                for key, value in sorted(customs.items())
            ]
        return self.add(element)

    def relationship(
        self, source: str, kind: str, targets: list[str], name: str, comment: str | None = None
    ) -> str:
        element: dict[str, Any] = {
            "type": "Relationship",
            "spdxId": self.iri("relationship", name),
            "from": source,
            "relationshipType": kind,
            "to": targets,
        }
        if comment:
            element["comment"] = comment
        return self.add(element)

    def package(self, entry: Entry) -> str:
        element: dict[str, Any] = {
            "type": "ai_AIPackage" if entry.kind == "model" else "dataset_DatasetPackage",
            "spdxId": self.iri(entry.kind, entry.ref),
            "name": entry.name,
        }
        if entry.sha:
            element["software_packageVersion"] = entry.sha
        if entry.download_url:
            element["software_downloadLocation"] = entry.download_url
        if entry.hub_url:
            element["software_homePage"] = entry.hub_url
        if entry.purl:
            element["software_packageUrl"] = entry.purl
        element["software_primaryPurpose"] = "model" if entry.kind == "model" else "data"
        if entry.owner:
            element["suppliedBy"] = self.agent(entry.owner)
        if entry.kind == "dataset":
            # Required by the dataset profile; the card does not say what kind of data it holds.
            element["dataset_datasetType"] = ["noAssertion"]
        element["comment"] = entry_comment(entry)
        return self.add(element)


def build_graph(report: Report, catalog: Catalog, base: str) -> list[dict[str, Any]]:
    """The document's @graph: creation info, then the document and every element it holds."""
    graph = _Graph(base, catalog)
    stock: Inventory = inventory(report, catalog)
    tool_name = f"{TOOL_NAME} {report.tool_version}"
    tool = graph.add({"type": "Tool", "spdxId": graph.iri("tool", TOOL_NAME), "name": tool_name})
    agent = graph.add(
        {"type": "SoftwareAgent", "spdxId": graph.iri("agent", TOOL_NAME), "name": TOOL_NAME}
    )
    packages = {e.ref: graph.package(e) for e in stock.entries}
    for entry in stock.entries:
        source = packages[entry.ref]
        declared = graph.license(sbom_license(entry.declared, catalog, spdx_listed, entry.link))
        if declared is not None:
            note = license_comment(entry, concluded=False)
            name = f"{entry.ref}-declared-license"
            graph.relationship(source, "hasDeclaredLicense", [declared], name, note)
        if entry.concluded is not None:
            concluded = graph.license(
                sbom_license(entry.concluded, catalog, spdx_listed, entry.link)
            )
            if concluded is not None:
                note = license_comment(entry, declared=False)
                name = f"{entry.ref}-concluded-license"
                graph.relationship(source, "hasConcludedLicense", [concluded], name, note)
    for link in stock.links:
        child, parent = packages[link.child], packages[link.parent]
        if link.kind == "base":
            comment = f"{link.relation or 'derived'} of the base model (declared in {link.source})"
            name = f"{link.child}-descendant-of-{link.parent}"
            graph.relationship(child, "descendantOf", [parent], name, comment)
        else:
            comment = "the model's card lists this dataset as training data"
            name = f"{link.child}-trained-on-{link.parent}"
            graph.relationship(child, "trainedOn", [parent], name, comment)
    document = {
        "type": "SpdxDocument",
        "spdxId": graph.iri("document"),
        "creationInfo": CREATION,
        "name": f"{TOOL_NAME} report",
        "comment": run_summary(report),
        "profileConformance": PROFILES,
        "rootElement": [packages[ref] for ref in stock.subjects],
        "element": list(graph.elements),
    }
    creation = {
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": SPEC_VERSION,
        "created": created_at(report).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "createdBy": [agent],
        "createdUsing": [tool],
    }
    return [creation, document, *graph.elements.values()]


def build(report: Report, catalog: Catalog) -> dict[str, Any]:
    """The JSON-LD document; ids are named after the content, so equal inputs give equal ids."""
    draft = build_graph(report, catalog, f"{NAMESPACE_PREFIX}0")
    for node in draft:
        node.pop("created", None)
    base = f"{NAMESPACE_PREFIX}{content_digest(draft)[:32]}"
    return {"@context": CONTEXT, "@graph": build_graph(report, catalog, base)}


def render(report: Report, style: Styler) -> str:
    """The report as an SPDX 3.0.1 JSON-LD document."""
    del style
    return json.dumps(build(report, load_catalog()), indent=2, ensure_ascii=False) + "\n"
