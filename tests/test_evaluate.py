"""Evaluation, table-driven over the catalog: the verdict each preset gives each license."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from license_lint.card import card_from_readme
from license_lint.catalog import load_catalog
from license_lint.evaluate import actions, evaluate, unused_waivers, verdict, waive
from license_lint.model import Card, ModelRef, Severity
from license_lint.normalize import normalize
from license_lint.rules import Organization, Rules, load_preset, parse_rules


def card(front: str, name: str = "acme/model") -> Card:
    return card_from_readme(
        ModelRef(repo_id=name), f"---\n{front}\n---\n", source="local", repo_id=name
    )


def check(front: str, rules: Rules, name: str = "acme/model") -> tuple[str, set[str]]:
    catalog = load_catalog()
    subject = card(front, name)
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    codes = {f.code for f in findings if f.severity is Severity.ERROR}
    return verdict(findings, Severity.ERROR), codes


def preset(name: str, **org: object) -> Rules:
    rules = load_preset(name, load_catalog())
    return replace(rules, organization=replace(rules.organization, **org))  # type: ignore[arg-type]


SAAS = {"monthly_active_users": 2_500_000, "annual_revenue_usd": 40_000_000, "domicile": ("US",)}

TABLE = [
    # preset, organization, card front matter, verdict, error codes that must be present
    ("commercial-saas", SAAS, "license: apache-2.0", "pass", set()),
    ("commercial-saas", SAAS, "license: mit", "pass", set()),
    ("commercial-saas", SAAS, "license: llama3.1", "pass", set()),
    ("commercial-saas", SAAS, "license: cc-by-nc-4.0", "fail", {"commercial-use-forbidden"}),
    (
        "commercial-saas",
        SAAS,
        "license: other\nlicense_name: mrl",
        "fail",
        {"commercial-use-forbidden"},
    ),
    (
        "commercial-saas",
        SAAS,
        "license: other\nlicense_name: stabilityai-ai-community",
        "fail",
        {"threshold-exceeded"},
    ),
    (
        "commercial-saas",
        {**SAAS, "annual_revenue_usd": 500_000},
        "license: other\nlicense_name: stabilityai-ai-community",
        "pass",
        set(),
    ),
    (
        "commercial-saas",
        {**SAAS, "monthly_active_users": 800_000_000},
        "license: llama3.1",
        "fail",
        {"threshold-exceeded"},
    ),
    (
        "commercial-saas",
        {**SAAS, "domicile": ("DE",)},
        "license: llama3.2\npipeline_tag: image-text-to-text",
        "fail",
        {"geography-excluded"},
    ),
    (
        "commercial-saas",
        {**SAAS, "domicile": ("DE",)},
        "license: llama3.2\npipeline_tag: text-generation",
        "pass",
        set(),
    ),
    ("commercial-saas", SAAS, "license: agpl-3.0", "fail", {"license-denied"}),
    ("commercial-saas", SAAS, "license: other", "fail", {"license-unknown"}),
    ("commercial-saas", SAAS, "language: en", "fail", {"license-missing"}),
    (
        "commercial-saas",
        {**SAAS, "monthly_active_users": 200_000_000},
        "license: other\nlicense_name: qwen",
        "fail",
        {"threshold-exceeded"},
    ),
    (
        "commercial-saas",
        SAAS,
        "license: other\nlicense_name: mnpl",
        "fail",
        {"hosted-service-forbidden"},
    ),
    (
        "commercial-saas",
        SAAS,
        "license: other\nlicense_name: sai-nc-community",
        "fail",
        {"hosted-service-forbidden", "commercial-use-forbidden"},
    ),
    (
        "commercial-saas",
        SAAS,
        "license: other\nlicense_name: falcon-180b-tii-license",
        "fail",
        {"hosted-service-forbidden"},
    ),
    (
        "commercial-saas",
        {**SAAS, "daily_active_users": 2_000_000},
        "license: other\nlicense_name: baichuan2-community-license",
        "fail",
        {"threshold-exceeded"},
    ),
    (
        "commercial-saas",
        {**SAAS, "daily_active_users": 1_000},
        "license: other\nlicense_name: baichuan2-community-license",
        "pass",
        set(),
    ),
    ("permissive-only", {}, "license: apache-2.0", "pass", set()),
    ("permissive-only", {}, "license: cc-by-4.0", "pass", set()),
    ("permissive-only", {}, "license: llama3.1", "fail", {"license-not-allowed"}),
    ("permissive-only", {}, "license: openrail", "fail", {"license-family"}),
    ("internal-research", {}, "license: cc-by-nc-4.0", "pass", set()),
    ("internal-research", {}, "license: other\nlicense_name: mrl", "pass", set()),
    ("redistribute-weights", {}, "license: cc-by-nd-4.0", "fail", {"derivatives-forbidden"}),
    ("redistribute-weights", {}, "license: apache-2.0", "pass", set()),
]


@pytest.mark.parametrize(("name", "org", "front", "expected", "codes"), TABLE)
def test_preset_verdicts(
    name: str, org: dict[str, object], front: str, expected: str, codes: set[str]
) -> None:
    got, errors = check(front, preset(name, **org))
    assert got == expected, errors
    assert codes <= errors


def test_medical_advice_fails_openrail_m() -> None:
    rules = preset("commercial-saas", **SAAS)
    rules = replace(rules, deployment=replace(rules.deployment, uses=("medical-advice",)))
    got, errors = check("license: creativeml-openrail-m", rules)
    assert got == "fail"
    assert "use-restricted" in errors
    assert check("license: apache-2.0", rules)[0] == "pass"


def use_findings(front: str, uses: tuple[str, ...], rules: Rules) -> list[tuple[str, str, str]]:
    """(severity, code, message) of the use findings for a card under rules with these uses."""
    catalog = load_catalog()
    subject = card(front)
    rules = replace(rules, deployment=replace(rules.deployment, uses=uses))
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    return [(f.severity.value, f.code, f.message) for f in findings if f.code.startswith("use-")]


NVIDIA = "license: other\nlicense_name: nvidia-open-model-license"


def test_guardrail_removal_is_restricted_under_nvidia_open_model() -> None:
    """Removing guardrails is safety circumvention, which ends all rights under NVIDIA §2.1."""
    rules = preset("commercial-saas", **SAAS)
    found = use_findings(NVIDIA, ("guardrail-removal",), rules)
    assert found == [
        (
            "error",
            "use-restricted",
            "the deployment declares 'guardrail-removal', a kind of 'safety-circumvention', "
            "which NVIDIA Open Model License Agreement restricts",
        )
    ]
    got, errors = check(
        NVIDIA, replace(rules, deployment=replace(rules.deployment, uses=("guardrail-removal",)))
    )
    assert got == "fail" and "use-restricted" in errors


def test_biometric_identification_is_restricted_where_biometric_processing_is() -> None:
    """LLaMA 1 §2.a(iv) forbids biometric processing; identification is biometric processing."""
    rules = preset("internal-research")
    found = use_findings(
        "license: other\nlicense_name: llama-license", ("biometric-identification",), rules
    )
    restricted = [f for f in found if f[1] == "use-restricted"]
    assert restricted == [
        (
            "error",
            "use-restricted",
            "the deployment declares 'biometric-identification', a kind of "
            "'biometric-processing', which LLaMA License Agreement restricts",
        )
    ]
    # The kind_of finding replaces the review for the same category; the other links stay.
    assert not any("may run into 'biometric-processing'" in f[2] for f in found)
    assert any("may run into 'tracking-surveillance'" in f[2] for f in found)


def test_a_qualified_restriction_reached_through_kind_of_is_a_review() -> None:
    """Llama 3.2 bans only intentional circumvention: the same review as declaring it directly."""
    rules = preset("commercial-saas", **SAAS)
    via_kind = use_findings("license: llama3.2", ("guardrail-removal",), rules)
    assert via_kind == [
        (
            "warning",
            "use-review",
            "the deployment declares 'guardrail-removal', a kind of 'safety-circumvention', "
            "which Llama 3.2 Acceptable Use Policy restricts (only intentional circumvention "
            "or removal)",
        )
    ]


def test_llama_duties_carry_the_notice_strings() -> None:
    catalog = load_catalog()
    subject = card("license: llama3.1")
    rules = preset("redistribute-weights", monthly_active_users=10)
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    duties = [f for f in findings if f.code == "obligation-duty"]
    text = " ".join(f.message for f in duties)
    assert '"Built with Llama"' in text and '"Llama"' in text
    assert all(f.severity is Severity.INFO and f.clause for f in duties)


def duty_messages(front: str, rules: Rules) -> list[str]:
    catalog = load_catalog()
    subject = card(front)
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    return [f.message for f in findings if f.code == "obligation-duty"]


def hosting_and_training(**deployment: object) -> Rules:
    rules = preset("commercial-saas", **SAAS)
    return replace(
        rules,
        deployment=replace(rules.deployment, modes=("hosted-service",), **deployment),  # type: ignore[arg-type]
        accept=frozenset({"name-prefix"}),
    )


@pytest.mark.parametrize("license_id", ["llama3.1", "llama3.2", "llama3.3", "llama4"])
def test_training_on_llama_outputs_asks_for_the_name_prefix(license_id: str) -> None:
    """Llama 3.1+ §1.b.i names the outputs too: a model they trained takes the prefix."""
    front = f"license: {license_id}"
    assert not duty_messages(front, hosting_and_training())
    (message,) = duty_messages(front, hosting_and_training(train_on_outputs=True))
    assert 'name prefix "Llama"' in message and "training on its outputs" in message


def test_llama3_asks_no_prefix_for_training_on_its_outputs() -> None:
    """Llama 3's clause covers models built with the materials, not with their outputs."""
    assert not duty_messages("license: llama3", hosting_and_training(train_on_outputs=True))


def test_only_lint_makes_a_public_statement() -> None:
    """`check` never adds public-statement; lint's published card of a derivative is one."""
    rules = preset("commercial-saas", **SAAS)
    derivative = replace(rules.deployment, modes=("distribute-derivative",))
    assert "public-statement" not in actions(replace(rules, deployment=derivative))
    card_only = replace(rules.deployment, publishes_card=True)
    assert "public-statement" not in actions(replace(rules, deployment=card_only))
    published = replace(derivative, publishes_card=True)
    assert "public-statement" in actions(replace(rules, deployment=published))
    falcon = "license: other\nlicense_name: falcon-2-11b"
    accepted = replace(rules, deployment=derivative, accept=frozenset({"attribution-display"}))
    assert not any("Falcon LLM" in m for m in duty_messages(falcon, accepted))
    statement = replace(accepted, deployment=published)
    assert any("Falcon LLM" in m for m in duty_messages(falcon, statement))


def test_unaccepted_obligation_fails_with_the_clause() -> None:
    rules = replace(preset("commercial-saas", **SAAS), accept=frozenset())
    got, errors = check("license: llama3.1", rules)
    assert got == "fail" and "obligation-unaccepted" in errors


def test_missing_figures_warn() -> None:
    catalog = load_catalog()
    subject = card("license: llama3.1")
    rules = replace(preset("commercial-saas"), organization=Organization(domicile=("US",)))
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    unknown = [f for f in findings if f.code == "threshold-unknown"]
    assert unknown and unknown[0].severity is Severity.WARNING
    assert "monthly_active_users" in (unknown[0].hint or "")


def test_gated_is_a_duty_not_a_failure() -> None:
    catalog = load_catalog()
    subject = replace(card("license: llama3.1"), gated="manual")
    rules = preset("commercial-saas", **SAAS)
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    assert any(f.code == "gated" and f.severity is Severity.INFO for f in findings)
    assert verdict(findings, Severity.ERROR) == "pass"


def test_severity_overrides_and_off() -> None:
    rules = replace(
        preset("commercial-saas", **SAAS),
        severity={"commercial-use-forbidden": "warning", "gated": "off"},
    )
    got, errors = check("license: cc-by-nc-4.0", rules)
    assert got == "pass" and errors == set()


WAIVER_RULES = """\
version: 1
deployment: {{commercial: true, modes: [hosted-service]}}
exceptions:
  - model: acme/model
    codes: [commercial-use-forbidden]
    reason: research pilot approved by legal
    owner: legal@acme.example
    expires: {expires}
  - model: acme/other
    codes: [license-denied]
    reason: never used
    owner: legal@acme.example
    expires: 2099-01-01
"""


def test_waivers_apply_expire_and_report_unused() -> None:
    catalog = load_catalog()
    today = datetime.date(2026, 11, 29)
    subject = card("license: cc-by-nc-4.0")
    license = normalize(subject.declaration, catalog)

    rules = parse_rules(WAIVER_RULES.format(expires="2027-01-01"), "rules.yaml", catalog)
    findings, used = waive(
        subject.ref, None, evaluate(subject, license, catalog, rules), rules, today
    )
    waived = [f for f in findings if f.waiver]
    assert [f.code for f in waived] == ["commercial-use-forbidden"]
    assert "research pilot" in (waived[0].waiver or "")
    assert verdict(findings, Severity.ERROR) == "pass"
    unused = unused_waivers(rules, used)
    assert [f.code for f in unused] == ["waiver-unused"]
    assert unused[0].location is not None and unused[0].location.line == 9

    rules = parse_rules(WAIVER_RULES.format(expires="2026-01-01"), "rules.yaml", catalog)
    findings, _ = waive(subject.ref, None, evaluate(subject, license, catalog, rules), rules, today)
    assert verdict(findings, Severity.ERROR) == "fail"
    expired = [f for f in findings if f.code == "waiver-expired"]
    assert len(expired) == 1
    assert expired[0].location is not None and expired[0].location.line == 4
    assert "2026-01-01" in expired[0].message


def test_waiver_scoped_to_a_revision() -> None:
    catalog = load_catalog()
    text = WAIVER_RULES.format(expires="2099-01-01").replace(
        "    codes: [commercial-use-forbidden]",
        "    revision: abc1234\n    codes: [commercial-use-forbidden]",
    )
    rules = parse_rules(text, "rules.yaml", catalog)
    subject = card("license: cc-by-nc-4.0")
    findings = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
    today = datetime.date(2026, 11, 29)
    other, _ = waive(subject.ref, "f" * 40, findings, rules, today)
    assert verdict(other, Severity.ERROR) == "fail"
    same, _ = waive(subject.ref, "abc1234" + "0" * 33, findings, rules, today)
    assert verdict(same, Severity.ERROR) == "pass"


def test_kimi_attribution_is_a_duty_only_above_its_trigger() -> None:
    catalog = load_catalog()
    subject = card("license: other\nlicense_name: modified-mit")

    def duties(**org: object) -> list[str]:
        rules = preset("commercial-saas", **org)
        found = evaluate(subject, normalize(subject.declaration, catalog), catalog, rules)
        return [f.message for f in found if f.code == "obligation-duty"]

    assert not any(
        "Kimi K2" in m for m in duties(monthly_active_users=2_000, annual_revenue_usd=1e6)
    )
    big = duties(monthly_active_users=200_000_000, annual_revenue_usd=1e9)
    assert any('"Kimi K2"' in m for m in big)


@pytest.mark.parametrize(
    "license_id",
    [
        "fair-noncommercial-research-license",
        "tongyi-qianwen-research",
        "faipl-1.0-sd",
        "deepfloyd-if-license",
    ],
)
def test_a_license_known_by_name_only_is_as_good_as_unknown(license_id: str) -> None:
    """Its terms are not verified: it fails where unknown licenses fail, never passes quietly."""
    catalog = load_catalog()
    card = card_from_readme(
        ModelRef(path="m"), f"---\nlicense: {license_id}\n---\n", source="local"
    )
    license = normalize(card.declaration, catalog)
    for preset, severity in (
        ("commercial-saas", Severity.ERROR),
        ("internal-research", Severity.WARNING),
    ):
        findings = evaluate(card, license, catalog, load_preset(preset, catalog))
        assert [(f.code, f.severity) for f in findings] == [("license-unknown", severity)], preset
        assert "known to license-lint by name only" in findings[0].message


@pytest.mark.parametrize(
    ("modes", "expected"),
    [
        ("[research]", []),
        ("[research, internal]", [("use-review", Severity.WARNING)]),
        ("[internal]", [("use-review", Severity.WARNING)]),
        ("[research, hosted-service]", "error"),
    ],
)
def test_research_only_and_internal_use(modes: str, expected: object) -> None:
    """Internal work may be production: a research-only license gets a review, not a pass."""
    catalog = load_catalog()
    text = "---\nlicense: other\nlicense_name: mrl\n---\n"
    card = card_from_readme(ModelRef(path="m"), text, source="local")
    rules = parse_rules(
        f"version: 1\ndeployment: {{commercial: false, modes: {modes}}}\n", "r.yaml", catalog
    )
    findings = evaluate(card, normalize(card.declaration, catalog), catalog, rules)
    got = [(f.code, f.severity) for f in findings if f.code in ("use-review", "use-restricted")]
    if expected == "error":
        assert ("use-restricted", Severity.ERROR) in got
    else:
        assert got == expected
