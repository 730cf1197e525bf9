"""The CycloneDX 1.6 ML-BOM report: a machine-learning-model component per model."""

from __future__ import annotations

import json
import uuid
import warnings
from typing import Any

from ..catalog import Catalog, load_catalog
from ..errors import UsageError
from ..model import Report
from ..textstyle import Styler
from .spdx import (
    TOOL_NAME,
    Entry,
    Inventory,
    SbomLicense,
    content_digest,
    created_at,
    entry_comment,
    inventory,
    sbom_license,
    spdx_listed,
)

PROPERTY = "license-lint"


def _cyclonedx_listed(key: str) -> str | None:
    """The id CycloneDX's license enum accepts for `key`, preferring the current SPDX spelling."""
    from cyclonedx.spdx import is_supported_id

    # CycloneDX's list can be newer than spdx-tools' (OpenMDW-1.0), so ask it for both spellings.
    for candidate in (spdx_listed(key), key):
        if candidate is not None and is_supported_id(candidate):
            return candidate
    return None


def _licenses(declared: SbomLicense, concluded: SbomLicense | None) -> tuple[list[Any], str | None]:
    """License entries for a component, and the concluded expression when they cannot hold it."""
    from cyclonedx.model import XsUri
    from cyclonedx.model.license import (
        DisjunctiveLicense,
        LicenseAcknowledgement,
        LicenseExpression,
    )

    def entries(license: SbomLicense, acknowledgement: LicenseAcknowledgement) -> list[Any]:
        out: list[Any] = []
        for item in license.items:
            if item.listed:
                out.append(DisjunctiveLicense(id=item.key, acknowledgement=acknowledgement))
            else:
                url = XsUri(item.urls[0]) if item.urls else None
                out.append(
                    DisjunctiveLicense(name=item.name, url=url, acknowledgement=acknowledgement)
                )
        return out

    choice = declared.has_choice or (concluded is not None and concluded.has_choice)
    if not choice:
        # A list of licenses means all of them apply, which is what every group of one says.
        out = entries(declared, LicenseAcknowledgement.DECLARED)
        if concluded is not None:
            out += entries(concluded, LicenseAcknowledgement.CONCLUDED)
        return out, None
    # CycloneDX takes one expression per component, so the declared one goes there.
    out = []
    if declared.expression is not None:
        out.append(
            LicenseExpression(declared.expression, acknowledgement=LicenseAcknowledgement.DECLARED)
        )
    return out, concluded.expression if concluded is not None else None


def _component(entry: Entry, catalog: Catalog) -> Any:
    from cyclonedx.model import ExternalReference, ExternalReferenceType, Property, XsUri
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    declared = sbom_license(entry.declared, catalog, _cyclonedx_listed, entry.link)
    concluded = (
        sbom_license(entry.concluded, catalog, _cyclonedx_listed, entry.link)
        if entry.concluded is not None
        else None
    )
    licenses, concluded_expression = _licenses(declared, concluded)
    properties = []
    if entry.result is not None:
        properties.append(Property(name=f"{PROPERTY}:verdict", value=entry.result.verdict))
    if concluded_expression is not None:
        properties.append(
            Property(name=f"{PROPERTY}:concluded-license", value=concluded_expression)
        )
    if entry.card is not None and entry.card.gated:
        properties.append(Property(name=f"{PROPERTY}:gated", value=entry.card.gated))
    references = []
    if entry.hub_url:
        references.append(
            ExternalReference(type=ExternalReferenceType.WEBSITE, url=XsUri(entry.hub_url))
        )
    if entry.download_url:
        download = XsUri(entry.download_url)
        references.append(ExternalReference(type=ExternalReferenceType.DISTRIBUTION, url=download))
        if entry.card is not None and entry.kind == "model":
            card_url = f"{entry.hub_url}/blob/{entry.sha}/{entry.card.readme_path}"
            references.append(
                ExternalReference(type=ExternalReferenceType.MODEL_CARD, url=XsUri(card_url))
            )
    purl = PackageURL.from_string(entry.purl) if entry.purl else None
    return Component(
        type=(
            ComponentType.MACHINE_LEARNING_MODEL if entry.kind == "model" else ComponentType.DATA
        ),
        bom_ref=entry.ref,
        name=entry.name,
        version=entry.sha,
        purl=purl,
        licenses=licenses,
        description=entry_comment(entry),
        external_references=references,
        properties=properties,
    )


def _bom(report: Report, stock: Inventory, catalog: Catalog, serial: uuid.UUID) -> Any:
    from cyclonedx.model.bom import Bom, BomMetaData
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.dependency import Dependency
    from cyclonedx.model.tool import ToolRepository

    components = {e.ref: _component(e, catalog) for e in stock.entries}
    tool = Component(type=ComponentType.APPLICATION, name=TOOL_NAME, version=report.tool_version)
    metadata = BomMetaData(tools=ToolRepository(components=[tool]), timestamp=created_at(report))
    dependencies = []
    for entry in stock.entries:
        needs = [components[link.parent] for link in stock.links if link.child == entry.ref]
        dependencies.append(
            Dependency(
                ref=components[entry.ref].bom_ref,
                dependencies=[Dependency(ref=c.bom_ref) for c in needs],
            )
        )
    return Bom(
        serial_number=serial,
        metadata=metadata,
        components=list(components.values()),
        dependencies=dependencies,
    )


def _model_card(entry: Entry, stock: Inventory, catalog: Catalog) -> dict[str, Any]:
    """modelCard (not modelled by cyclonedx-python-lib): task, datasets, license restrictions."""
    parameters: dict[str, Any] = {}
    if entry.card is not None and entry.card.pipeline_tag:
        parameters["task"] = entry.card.pipeline_tag
    datasets = [{"ref": link.parent} for link in stock.parents(entry.ref, "dataset")]
    if datasets:
        parameters["datasets"] = datasets
    considerations = []
    license = entry.concluded or entry.declared
    for license_id in license.ids if license is not None else ():
        policy = catalog.get(license_id)
        if policy is None:
            continue
        for restriction in policy.restrictions:
            category = catalog.taxonomy.get(restriction.id)
            # Conduct rules are the ethical side; who may use it (non-commercial, research)
            # is already said by the license itself.
            if category is None or category.group != "conduct":
                continue
            what = category.description
            if restriction.qualifier:
                what = f"{what} ({restriction.qualifier})"
            document = f"{restriction.source}, " if restriction.source else ""
            considerations.append(
                {
                    "name": what,
                    "mitigationStrategy": (
                        f"Forbidden by {policy.name} ({document}{restriction.clause}): do not "
                        "use the model for this."
                    ),
                }
            )
    card: dict[str, Any] = {}
    if parameters:
        card["modelParameters"] = parameters
    if considerations:
        card["considerations"] = {"ethicalConsiderations": considerations}
    return card


def _pedigree(entry: Entry, stock: Inventory) -> dict[str, Any] | None:
    """The base models as pedigree ancestors, linked to their own components by purl and name."""
    ancestors = []
    for link in stock.parents(entry.ref, "base"):
        parent = stock.get(link.parent)
        # No bom-ref here: the full component is listed once at the top level under its own.
        ancestor: dict[str, Any] = {"type": "machine-learning-model", "name": parent.name}
        if parent.sha:
            ancestor["version"] = parent.sha
        if parent.purl:
            ancestor["purl"] = parent.purl
        if link.relation:
            ancestor["properties"] = [{"name": f"{PROPERTY}:relation", "value": link.relation}]
        ancestors.append(ancestor)
    return {"ancestors": ancestors} if ancestors else None


def build(report: Report, catalog: Catalog) -> dict[str, Any]:
    """The ML-BOM as JSON-ready data; the serial number is named after the content."""
    try:
        from cyclonedx.output.json import JsonV1Dot6
    except ImportError as exc:
        raise UsageError(
            "--format cyclonedx needs the cyclonedx-python-lib package",
            hint="pip install cyclonedx-python-lib",
        ) from exc

    stock = inventory(report, catalog)

    def serialise(serial: uuid.UUID) -> dict[str, Any]:
        bom = _bom(report, stock, catalog, serial)
        with warnings.catch_warnings():
            # The library warns that a BOM without metadata.component has dependencies; an
            # inventory of models describes no single component, so that is intended.
            warnings.simplefilter("ignore", UserWarning)
            data: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
        for component in data.get("components", []):
            entry = stock.get(component["bom-ref"])
            pedigree = _pedigree(entry, stock)
            if pedigree:
                component["pedigree"] = pedigree
            if entry.kind == "model":
                card = _model_card(entry, stock, catalog)
                if card:
                    component["modelCard"] = card
        return data

    draft = serialise(uuid.UUID(int=0))
    for key in ("serialNumber", "metadata"):
        draft.pop(key, None)
    return serialise(uuid.uuid5(uuid.NAMESPACE_URL, f"{TOOL_NAME}:{content_digest(draft)}"))


def render(report: Report, style: Styler) -> str:
    """The report as a CycloneDX 1.6 JSON ML-BOM."""
    del style
    return json.dumps(build(report, load_catalog()), indent=2, ensure_ascii=False) + "\n"
