"""Rules files: discovery, presets, and one clear file:line message for each kind of mistake."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from license_lint.catalog import load_catalog
from license_lint.errors import ConfigError
from license_lint.rules import discover, load_preset, load_rules, parse_rules, preset_names

from conftest import run_cli

GOOD = """\
version: 1
organization:
  name: Acme
  monthly_active_users: 2500000
  domicile: [US, DE]
deployment:
  commercial: true
  modes: [internal, hosted-service]
  uses: [customer-support]
licenses:
  allow: [apache-2.0, MIT, llama3.1, "category:permissive"]
  deny: [agpl-3.0]
obligations:
  accept: [include-license, attribution-display]
exceptions:
  - model: acme/foo
    codes: [license-not-allowed]
    reason: approved by legal
    owner: legal@acme.example
    expires: 2030-06-30
"""


def test_a_good_file() -> None:
    rules = parse_rules(GOOD, ".license-lint.yaml", load_catalog())
    assert rules.organization.monthly_active_users == 2_500_000
    assert rules.allow is not None and {"apache-2.0", "mit", "llama3.1"} <= rules.allow
    assert "bsd-3-clause" in rules.allow  # through category:permissive
    assert rules.deny == {"agpl-3.0"}
    assert rules.exceptions[0].expires == datetime.date(2030, 6, 30)
    assert rules.exceptions[0].line == 16


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        (("monthly_active_users: 2500000", "monthly_active_users: lots"), ":4", "whole number"),
        (("  uses: [customer-support]", "  uses: [customer-suport]"), ":9", "customer-support"),
        (("allow: [apache-2.0,", "allow: [apache-2.1,"), ":11", "apache-2.0"),
        (("modes: [internal,", "modes: [internel,"), ":8", "internal"),
        (("deployment:", "deploymnet:"), ":6", "did you mean 'deployment'"),
        (("    reason: approved by legal\n", ""), ":16", "reason"),
        (("    expires: 2030-06-30\n", ""), ":16", "expires"),
        (("expires: 2030-06-30", "expires: next year"), ":20", "YYYY-MM-DD"),
        (("expires: 2030-06-30", "expires: 2030-02-30"), ":20", "not a real date"),
        (("accept: [include-license,", "accept: [include-licence,"), ":14", "include-license"),
        (("domicile: [US, DE]", "domicile: [USA]"), ":5", "country code"),
        (("version: 1", "version: 2"), ":1", "must be 1"),
        (("  name: Acme", "  name: [Acme"), ":", "invalid YAML"),
    ],
)
def test_each_mistake_gives_one_clear_message(
    change: tuple[str, str], where: str, words: str
) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(ConfigError) as caught:
        parse_rules(text, ".license-lint.yaml", load_catalog())
    message = str(caught.value)
    assert message.startswith(f".license-lint.yaml{where}"), message
    assert words in message


def test_rules_validate_command_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(GOOD.replace("deployment:", "deploymnet:"))
    result = run_cli("rules", "validate", str(bad))
    assert result.code == 2
    assert f"{bad}:6" in result.err and "deploymnet" in result.err
    assert "Traceback" not in result.err
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    assert run_cli("rules", "validate", str(good)).code == 0


def test_discovery_order(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert discover(None, sub) is None
    (tmp_path / "pyproject.toml").write_text(
        '[tool.license-lint]\nversion = 1\n[tool.license-lint.licenses]\nunknown = "warn"\n'
    )
    found = discover(None, sub)
    assert found is not None and found[1].endswith("pyproject.toml [tool.license-lint]")
    assert load_rules(None, sub, load_catalog()).unknown == "warn"
    (tmp_path / "a" / ".license-lint.yml").write_text("version: 1\n")
    found = discover(None, sub)
    assert found is not None and found[1].endswith(".license-lint.yml")
    with pytest.raises(ConfigError, match="does not exist"):
        discover(str(tmp_path / "missing.yaml"), sub)


def test_a_pyproject_without_the_section_is_ignored(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert discover(None, tmp_path) is None
    assert load_rules(None, tmp_path, load_catalog()).source == "preset:commercial-saas"


def test_presets_are_valid_and_init_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set(preset_names()) >= {
        "permissive-only",
        "commercial-saas",
        "internal-research",
        "redistribute-weights",
    }
    for name in preset_names():
        load_preset(name, load_catalog())
    monkeypatch.chdir(tmp_path)
    result = run_cli("rules", "init", "--preset", "internal-research")
    assert result.code == 0, result.err
    written = (tmp_path / ".license-lint.yaml").read_text()
    assert written.startswith("# license-lint rules: internal-research")
    assert run_cli("rules", "init").code == 2  # exists already
    assert (
        run_cli("rules", "init", "--preset", "comercial-saas", "-o", "x.yaml").err.count(
            "did you mean commercial-saas"
        )
        == 1
    )


def test_rules_schema_lists_catalog_ids() -> None:
    import json

    import jsonschema

    result = run_cli("rules", "schema")
    schema = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(schema)
    uses = schema["properties"]["deployment"]["properties"]["uses"]["items"]["enum"]
    assert "medical-advice" in uses
    validator = jsonschema.Draft202012Validator(schema)
    import yaml

    assert (
        list(validator.iter_errors(yaml.safe_load(GOOD.replace("2030-06-30", "'2030-06-30'"))))
        == []
    )


def test_severity_table_checks_codes_and_keeps_off_as_a_word() -> None:
    catalog = load_catalog()
    rules = parse_rules(
        "version: 1\nseverity:\n  gated: off\n  license-family: error\n", "r.yaml", catalog
    )
    assert rules.severity == {"gated": "off", "license-family": "error"}
    with pytest.raises(ConfigError) as caught:
        parse_rules("version: 1\nseverity:\n  gate: off\n", "r.yaml", catalog)
    assert str(caught.value).startswith("r.yaml:3: severity.gate: 'gate' is not a finding code")
    assert "did you mean 'gated'" in str(caught.value)


def test_waiver_codes_are_checked() -> None:
    text = GOOD.replace("codes: [license-not-allowed]", "codes: [license-not-alowed]")
    with pytest.raises(ConfigError) as caught:
        parse_rules(text, ".license-lint.yaml", load_catalog())
    assert str(caught.value).startswith(".license-lint.yaml:17: exceptions[0].codes[0]")
    assert "license-not-allowed" in str(caught.value)


def test_duplicate_keys_are_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(
            "version: 1\nlicenses:\n  deny: [mit]\nlicenses:\n  deny: []\n",
            "r.yaml",
            load_catalog(),
        )
    assert str(caught.value).startswith("r.yaml:4: licenses appears twice (first on line 2)")


@pytest.mark.parametrize("value", [".nan", ".NaN", "-.inf", "!!float nan", "!!float Infinity"])
def test_a_figure_that_cannot_be_compared_is_refused(value: str) -> None:
    """NaN is neither above nor below a cap, so it would pass every threshold."""
    text = f"version: 1\norganization:\n  annual_revenue_usd: {value}\n"
    with pytest.raises(ConfigError) as info:
        parse_rules(text, "r.yaml", load_catalog())
    assert info.value.where == "r.yaml:3"
    assert "organization.annual_revenue_usd" in str(info.value)


@pytest.mark.parametrize("revision", ["main", "v1.0", "3f2", "3f2a9c1z"])
def test_a_waiver_revision_must_be_a_commit_sha(revision: str) -> None:
    """A branch name never matches a commit, and a 1-3 digit prefix matches far too many."""
    text = (
        "version: 1\nexceptions:\n  - model: a/b\n    revision: "
        f"{revision}\n    codes: [license-unknown]\n    reason: r\n    owner: o\n"
        "    expires: 2099-01-01\n"
    )
    with pytest.raises(ConfigError) as info:
        parse_rules(text, "r.yaml", load_catalog())
    assert info.value.where == "r.yaml:4"
    assert f"'{revision}' is not a commit sha" in str(info.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("version: 1\nseverity:\n  license-drift: off\n", 3),
        (
            "version: 1\nexceptions:\n  - model: a/b\n    codes: [gated, license-drift]\n"
            "    reason: r\n    owner: o\n    expires: 2099-01-01\n",
            4,
        ),
    ],
)
def test_license_drift_cannot_be_lowered_or_waived(text: str, line: int) -> None:
    """The lock settles drift: a rules file that lowers or waives it is refused at its line."""
    with pytest.raises(ConfigError) as info:
        parse_rules(text, "r.yaml", load_catalog())
    assert info.value.where == f"r.yaml:{line}"
    assert "license-drift cannot be changed or waived" in str(info.value)
