"""The SARIF 2.1.0 report for GitHub code scanning: one run, a rule per finding code."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any, NamedTuple
from urllib.parse import quote

from ..codes import DEFAULT_SEVERITY
from ..model import Finding, ModelResult, Report, Severity
from ..textstyle import Styler

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


class RuleText(NamedTuple):
    """What a rule says in SARIF: a headline, what it means, and what to do."""

    short: str
    full: str
    help: str


# Summaries of the entries in docs/rules.md, short enough for a code-scanning alert.
RULES: dict[str, RuleText] = {
    "card-invalid": RuleText(
        "Model card metadata cannot be read",
        "The YAML front matter of README.md is malformed, is not a mapping or is too large, or "
        "the README itself cannot be read, so the Hub and license-lint cannot see the license "
        "and lineage keys.",
        "Correct the front matter at the reported line, or ask the card's author to. If the "
        "license was confirmed another way, record that in a waiver for card-invalid and "
        "license-missing.",
    ),
    "license-missing": RuleText(
        "No license declared",
        "None of license, license_name, license_link, the gating prompt or a linked license "
        "file yields a license. Without one there is no permission to use, copy or share the "
        "weights.",
        "Look for the license in the repository or the base model's card, or ask the author to "
        "add a license key. Once a review settles it, a waiver for license-missing records it.",
    ),
    "license-unknown": RuleText(
        "Declared license is not in the catalog",
        "The card names a license the catalog does not contain, or only says other or unknown "
        "with nothing more specific, so its terms cannot be checked.",
        "Read the license text. Record an accepted review as a waiver, ask for the license to "
        "be added to the catalog, or ask the author to correct a misspelt id.",
    ),
    "license-family": RuleText(
        "Card names a family of licenses, not one license",
        "Labels such as openrail, cc, bsd, gpl, lgpl or gfdl cover several licenses with "
        "different terms; which one applies is open, so no permission checks run for it.",
        "Find the exact license (LICENSE file, base model) and have the card name it, for "
        "example creativeml-openrail-m instead of openrail, or waive license-family.",
    ),
    "license-conflict": RuleText(
        "license and license_name name different licenses",
        "Both keys resolve to known licenses that are not the same; both are evaluated as if "
        "both applied.",
        "Ask the author to make the keys agree. Once it is settled which applies, waive "
        "license-conflict and the findings of the license that does not apply.",
    ),
    "license-file-unreadable": RuleText(
        "A license file could not be read",
        "The repository has a license file (the license_link target or a root LICENSE file), "
        "but it was refused: gated for this token, or not in the cache in offline mode. The "
        "license was decided from the card alone. (A Hub that keeps failing makes the model an "
        "error instead.)",
        "Read the file yourself, or run again with a token that can read it or without "
        "--offline, then compare it with the card.",
    ),
    "license-file-mismatch": RuleText(
        "A license file contradicts the card",
        "A license file of the repository (the license_link target or a root LICENSE file) was "
        "identified with high confidence as a license the card does not declare, or is a "
        "permissive license's text with terms added to it (a non-commercial rider).",
        "Have the card or the file corrected so that they agree. Once settled, waive "
        "license-file-mismatch and the findings of the license that does not apply.",
    ),
    "license-denied": RuleText(
        "License is on the deny list",
        "The rules list this license under licenses.deny. The deny list wins over everything "
        "else and no further checks run for the license.",
        "Choose a model under another license. Record an approved exception as a waiver, or "
        "remove the license from licenses.deny to lift the ban for all models.",
    ),
    "license-not-allowed": RuleText(
        "License is not on the allow list",
        "The rules have a licenses.allow list and this license is not on it. The other checks "
        "still run.",
        "Pick a model under an allowed license, or after a review add the license to "
        "licenses.allow (all models) or waive license-not-allowed (this model).",
    ),
    "commercial-use-forbidden": RuleText(
        "Commercial use is not allowed",
        "The rules declare a commercial deployment, but the license forbids commercial use or "
        "limits the model to non-commercial purposes.",
        "Use another model or obtain a commercial license. If the use is really non-commercial, "
        "set deployment.commercial to false; record written permission in a waiver.",
    ),
    "hosted-service-forbidden": RuleText(
        "Offering the model as a service is not allowed",
        "The deployment includes hosted-service, and the license forbids making the model "
        "available to others over a network.",
        "Do not host the model for others, or obtain a hosting license. If it only runs inside "
        "your own product, check how the license defines hosting, then adjust deployment.modes "
        "or record the review in a waiver.",
    ),
    "redistribution-forbidden": RuleText(
        "Handing the weights on is not allowed",
        "The deployment gives the weights to others (distribute-weights, on-device or "
        "distribute-derivative), and the license forbids redistribution.",
        "Keep the weights inside the organization, choose a model that may be redistributed, "
        "or get the licensor's permission and record it in a waiver.",
    ),
    "derivatives-forbidden": RuleText(
        "Sharing derivatives is not allowed",
        "The deployment distributes a derivative (fine-tune, quantization or merge), and the "
        "license forbids making or sharing adaptations.",
        "Fine-tune a model whose license allows adaptations, or obtain permission; remove "
        "distribute-derivative from deployment.modes if nothing is handed on.",
    ),
    "permission-unclear": RuleText(
        "The license does not settle whether the use is allowed",
        "The deployment needs a permission that the license policy marks as unclear: the text "
        "neither clearly grants nor clearly refuses it.",
        "Have the license read for this case. If the answer is yes, waive permission-unclear; "
        "if it is no, change the deployment or the model.",
    ),
    "output-training-restricted": RuleText(
        "Training on the outputs is forbidden or conditional",
        "The rules say the model's outputs train other models, and the license forbids that "
        "(error) or allows it only under a condition (warning).",
        "Stop training on the outputs, switch models, or meet the condition given in the "
        "message and record the review in a waiver.",
    ),
    "use-restricted": RuleText(
        "A declared use is outside what the license allows",
        "The license limits the field of use (for example to research) or forbids a use listed "
        "in deployment.uses.",
        "Stay within the license's field of use, choose a model without the limit, or get a "
        "separate license. Remove uses from deployment.uses that do not really apply.",
    ),
    "use-review": RuleText(
        "A declared use may run into a license restriction",
        "A use of the deployment may fall under one of the license's use restrictions, but it "
        "is not clearly forbidden.",
        "Make sure the deployment stays clear of the restricted activity and record that review "
        "as a waiver for use-review.",
    ),
    "threshold-exceeded": RuleText(
        "The organization is above a limit of the license",
        "A figure given in the rules (users or revenue) is above a limit of the license; the "
        "message says what the license then demands, such as a separate license or royalties.",
        "Ask the licensor for a separate license or use another model. Correct the figure if it "
        "counts what the license does not, or record a legal review in a waiver.",
    ),
    "threshold-unknown": RuleText(
        "The rules do not give the figure a limit is about",
        "The license has a user or revenue limit, but the rules do not state the "
        "organization's figure, so it cannot be compared.",
        "Set the figure the hint names (organization.monthly_active_users, "
        "daily_active_users or annual_revenue_usd); check figures the rules cannot express by "
        "hand and record the result in a waiver.",
    ),
    "geography-excluded": RuleText(
        "The license grants nothing where the organization is domiciled",
        "The organization's domicile is in a region the license excludes (for some licenses "
        "only for multimodal models).",
        "Use another model. If an exemption applies to your situation, confirm it with counsel "
        "and record it in a waiver.",
    ),
    "geography-review": RuleText(
        "A geographic limit may apply",
        "A regional rule of the license may affect the organization, but it cannot be decided: "
        "the model's modality is not stated, or the rule only restricts some uses.",
        "Establish the model's modalities (a pipeline_tag on the card helps) or read the "
        "license's note on the region, decide, and record the decision in a waiver.",
    ),
    "obligation-unaccepted": RuleText(
        "The license requires a duty the rules do not accept",
        "For the declared deployment the license requires something of the organization, and "
        "that kind of duty is not in obligations.accept.",
        "When the organization can carry out the duty, add its kind to obligations.accept (it "
        "then becomes an obligation-duty); otherwise change the deployment or the model.",
    ),
    "obligation-duty": RuleText(
        "A duty the organization must carry out",
        "An obligation of the license applies and the rules accept its kind. This is a to-do "
        "item, not a problem.",
        "Nothing to fix: carry out the duty described in the message.",
    ),
    "gated": RuleText(
        "The Hub repository is gated",
        "The model's Hub repository asks users to accept terms before its files can be downloaded.",
        "Accept the terms on the model's Hub page with an account of the organization and keep "
        "a record of who accepted them.",
    ),
    "base-unresolved": RuleText(
        "A base model or its license cannot be read",
        "Part of the lineage could not be established (a base is missing, gated, not cached "
        "offline or has no readable license, or the walk stopped at a cycle or the depth "
        "limit); its terms may still bind this model.",
        "Act on the reason given: fix base_model for a renamed or deleted base, provide "
        "HF_TOKEN for a gated one, fill the cache before an offline run.",
    ),
    "lineage-conflict": RuleText(
        "The card declares another license than a base whose terms bind derivatives",
        "An ancestor's license carries over to derivatives, and the card declares a different "
        "license; both apply.",
        "For your own model, declare the base's license or one that keeps all of its terms. "
        "For someone else's, treat it as under both licenses and ask the author to fix the card.",
    ),
    "license-version-mismatch": RuleText(
        "The card declares another version of its base's license",
        "An ancestor's license binds derivatives, and the card declares another license of the "
        "same family that is not stricter, usually a different version.",
        "Declare the license the hint names, or ask the author to; read the findings of both "
        "versions.",
    ),
    "stale-license": RuleText(
        "The card keeps a stricter license than its base now has",
        "The card declares a license of the base's family in a more restrictive category, "
        "usually because the base has since been relicensed.",
        "Ask the author whether the model may follow the base's current license and to update "
        "the card; nothing else is needed.",
    ),
    "pass-through-missing": RuleText(
        "The base's use restrictions are not passed on",
        "The base's license requires its use restrictions to be carried into the license of "
        "every derivative, and none of the licenses the card declares has such restrictions.",
        "License the model under the base's license or one that repeats its use restrictions, "
        "and make sure the people using it know those restrictions.",
    ),
    "name-prefix-missing": RuleText(
        "The model's name lacks the prefix its base's license requires",
        "A base's license requires distributed derivatives to have a name that starts with a "
        "given text (for example Llama), and this model's name does not.",
        "Rename the repository so its name begins with the prefix, or ask the author to; if the "
        "model is only used and not handed on, record that in a waiver.",
    ),
    "merge-incompatible": RuleText(
        "The parents' licenses cannot both be honoured",
        "The model has several direct parents whose license terms conflict, so no license for "
        "the result can satisfy all of them.",
        "No card change fixes this: drop or replace one parent, or get a separate license from "
        "one of the licensors.",
    ),
    "dataset-restricted": RuleText(
        "A dataset the card lists has a restrictive license",
        "A dataset named in the card is non-commercial, research-only or forbids derivatives.",
        "Have the dataset's license reviewed for your use and record the result in a waiver; "
        "set lineage.datasets to the organization's policy.",
    ),
    "dataset-unresolved": RuleText(
        "A dataset the card lists cannot be read",
        "A dataset in the card's datasets key was not found, needs a token, or is not in the "
        "cache during an offline run.",
        "Check the dataset id (owner/name) in the card, find its license elsewhere if it "
        "matters, and record the answer in a waiver.",
    ),
    "license-drift": RuleText(
        "The model changed upstream since it was locked",
        "The lock file pinned this model with a revision and license; the Hub now answers "
        "differently (another commit, license or gating), so the earlier review may no longer "
        "hold.",
        "Review what changed; when it is acceptable, update the lock with license-lint lock.",
    ),
    "license-file-missing": RuleText(
        "The repository lacks the license text it must ship",
        "The model's license requires a copy of its text to travel with the weights, and no "
        "file in the repository was identified as that license.",
        "Add the full license text as LICENSE (or as the file that license_link names).",
    ),
    "notice-missing": RuleText(
        "The repository lacks the required notice file",
        "The model's license requires a notice file with a given text, and the repository has "
        "no such file containing it.",
        "Add a NOTICE file containing the text named in the message.",
    ),
    "attribution-missing": RuleText(
        "The model card does not show the required attribution",
        'The model\'s license requires a text such as "Built with Llama" to be displayed '
        "prominently, and the README does not contain it.",
        "Add the attribution text named in the message to README.md.",
    ),
    "waiver-expired": RuleText(
        "A waiver that would apply has expired",
        "A waiver matches a finding of this model, but its expiry date has passed, so the "
        "finding counts again.",
        "Review the case, then give the waiver a new expiry date or remove it and deal with the "
        "finding.",
    ),
    "waiver-unused": RuleText(
        "A waiver matched no finding",
        "A waiver in the rules matched no finding of any model checked in this run.",
        "Remove the waiver if the problem is gone; otherwise check its model id and codes.",
    ),
}


class Place(NamedTuple):
    """A local file (relative to the working directory when inside it) and maybe a line."""

    path: str
    line: int | None


def _local_path(path: str) -> str:
    """A path relative to the working directory where possible, always with forward slashes."""
    pure = PurePath(path)
    if pure.is_absolute():
        cwd = Path.cwd()
        try:
            pure = pure.relative_to(cwd)
        except ValueError:
            return pure.as_posix()
    return PurePath(os.path.normpath(pure)).as_posix()


def finding_place(result: ModelResult | None, finding: Finding) -> Place | None:
    """Where on disk a finding points: its own location, else the reference's origin, or None."""
    # A Hub model's card locations name files inside the Hub repository, not files here; for
    # those only the place the reference was listed (an inventory line) can be shown.
    location = finding.location
    card = result.card if result is not None else None
    on_hub = (
        result is not None
        and not result.ref.is_local
        and location is not None
        and (card is None or location.path == card.readme_path or location.path in card.files)
    )
    if location is not None and not on_hub:
        return Place(_local_path(location.path), location.line)
    if result is not None and result.ref.is_local and card is not None:
        return Place(_local_path(card.readme_path), None)
    origin = result.ref.origin if result is not None else None
    if origin is not None:
        return Place(_local_path(origin.path), origin.line)
    return None


def _uri(path: str) -> str:
    """A URI reference for a local path: relative paths stay relative, others become file URIs."""
    if PurePath(path).is_absolute() or path.startswith("../") or path == "..":
        return Path(os.path.abspath(path)).as_uri()
    # Percent-encoding keeps a ':' in the first segment from reading as a URI scheme.
    return quote(path, safe="/")


def _rule_name(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("-"))


def _rule(code: str) -> dict[str, Any]:
    text = RULES.get(code)
    if text is None:
        text = RuleText(code, f"license-lint finding {code}.", "See docs/rules.md.")
    severity = DEFAULT_SEVERITY.get(code, Severity.WARNING)
    return {
        "id": code,
        "name": _rule_name(code),
        "shortDescription": {"text": text.short},
        "fullDescription": {"text": text.full},
        "help": {"text": f"{text.help} (docs/rules.md#{code})"},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {"tags": ["license", "compliance"]},
    }


def _message(result: ModelResult | None, finding: Finding, place: Place | None) -> str:
    text = finding.message
    if finding.clause:
        text += f" [{finding.license_id or 'license'} {finding.clause}]"
    # Name the model unless the result already points at its own card.
    card = result.card if result is not None else None
    at_card = (
        place is not None
        and card is not None
        and result is not None
        and result.ref.is_local
        and finding.location is not None
        and finding.location.path == card.readme_path
    )
    if result is not None and not at_card:
        text = f"{result.label}: {text}"
    if finding.hint:
        text += f"\nFix: {finding.hint}"
    return text


def _result(
    result: ModelResult | None, finding: Finding, rule_index: dict[str, int]
) -> dict[str, Any]:
    place = finding_place(result, finding)
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index[finding.code],
        "level": LEVELS[finding.severity],
        "message": {"text": _message(result, finding, place)},
    }
    if place is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(place.path)}}
        if place.line:
            physical["region"] = {"startLine": place.line}
        out["locations"] = [{"physicalLocation": physical}]
    if finding.waiver is not None:
        out["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.waiver}
        ]
    properties: dict[str, Any] = {"subject": finding.subject}
    if result is not None:
        properties["model"] = result.label
        if result.card is not None and result.card.sha:
            properties["revision"] = result.card.sha
    if finding.license_id:
        properties["license"] = finding.license_id
    if finding.clause:
        properties["clause"] = finding.clause
    if finding.location is not None and finding.location.key:
        properties["key"] = finding.location.key
    out["properties"] = properties
    return out


def report_to_sarif(report: Report) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log."""
    pairs: list[tuple[ModelResult | None, Finding]] = [
        (result, finding) for result in report.results for finding in result.findings
    ]
    pairs += [(None, finding) for finding in report.findings]
    # Every known code gets a rule, in a fixed order, so rule indices stay stable across runs.
    codes = list(DEFAULT_SEVERITY)
    codes += sorted({f.code for _, f in pairs} - set(codes))
    rule_index = {code: index for index, code in enumerate(codes)}
    notifications = [
        {"level": "error", "message": {"text": f"{r.label}: {r.error or 'could not be checked'}"}}
        for r in report.results
        if r.verdict == "error"
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "license-lint",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "rules": [_rule(code) for code in codes],
            }
        },
        "invocations": [invocation],
        "results": [_result(result, finding, rule_index) for result, finding in pairs],
        "properties": {"rulesSource": report.rules_source, "failOn": report.fail_on.value},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, style: Styler) -> str:
    """The report as indented SARIF JSON."""
    del style
    return json.dumps(report_to_sarif(report), indent=2, ensure_ascii=False) + "\n"
