"""The organization's rules: discovery, loading, validation with file:line, presets, defaults."""

from __future__ import annotations

import datetime
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .catalog import Catalog
from .codes import DEFAULT_SEVERITY
from .errors import ConfigError
from .yamlsource import YamlDocument, dotted, parse_yaml

RULE_FILES = (".license-lint.yaml", ".license-lint.yml")
DEFAULT_PRESET = "commercial-saas"
MODES = (
    "internal",
    "research",
    "hosted-service",
    "on-device",
    "distribute-weights",
    "distribute-derivative",
)


@dataclass(frozen=True)
class Organization:
    """Who the organization is: the figures license thresholds are compared with."""

    name: str | None = None
    monthly_active_users: int | None = None
    daily_active_users: int | None = None
    annual_revenue_usd: float | None = None
    domicile: tuple[str, ...] = ()


@dataclass(frozen=True)
class Deployment:
    """How the organization uses the models."""

    commercial: bool = True
    modes: tuple[str, ...] = ("internal",)
    uses: tuple[str, ...] = ()
    train_on_outputs: bool = False
    # Never read from a rules file: `lint` sets it, since a publisher's model card is public.
    publishes_card: bool = False


@dataclass(frozen=True)
class Waiver:
    """An accepted exception for one model (and revision), with reason, owner and expiry."""

    model: str
    codes: tuple[str, ...]
    reason: str
    owner: str
    expires: datetime.date
    revision: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Rules:
    """The allowed-use rules of one organization, validated."""

    source: str
    organization: Organization = field(default_factory=Organization)
    deployment: Deployment = field(default_factory=Deployment)
    allow: frozenset[str] | None = None
    deny: frozenset[str] = frozenset()
    unknown: str = "fail"
    families: str = "warn"
    accept: frozenset[str] = frozenset()
    max_depth: int = 8
    datasets: str = "warn"
    severity: Mapping[str, str] = field(default_factory=dict)
    exceptions: tuple[Waiver, ...] = ()
    path: str | None = None

    def line_of(self, *key: str) -> int | None:
        """The line of a key in the rules file, if it came from a file."""
        return self.lines.get(tuple(key)) if self.lines else None

    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict, repr=False)


def _schema() -> dict[str, Any]:
    text = (resources.files("license_lint") / "schemas" / "rules.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def obligation_kinds() -> list[str]:
    """The kinds of duty a license policy can state (the policy schema's enum)."""
    entry = resources.files("license_lint") / "schemas" / "license-policy.schema.json"
    schema = json.loads(entry.read_text("utf-8"))
    return sorted(schema["$defs"]["obligationKind"]["enum"])


def rules_schema(catalog: Catalog) -> dict[str, Any]:
    """The rules JSON Schema with the catalog's license ids and taxonomy ids as enums."""
    schema = _schema()
    props = schema["properties"]
    props["deployment"]["properties"]["uses"]["items"] = {
        "enum": sorted(e.id for e in catalog.taxonomy.values() if e.declarable)
    }
    kinds = obligation_kinds()
    props["obligations"]["properties"]["accept"]["items"] = {"enum": kinds}
    schema["$defs"]["licenseList"]["items"] = {
        "anyOf": [
            {"enum": sorted(catalog.policies)},
            {"type": "string", "pattern": "^(category|family):[a-z0-9-]+$"},
            {
                "type": "string",
                "pattern": "^(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9][A-Za-z0-9.+-]*)$",
            },
        ]
    }
    return schema


def discover(explicit: str | None, cwd: Path) -> tuple[str, str] | None:
    """The rules text and its name: --rules, a .license-lint.yaml up the tree, or pyproject."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(
                f"rules file {explicit} does not exist",
                hint="create one with `license-lint rules init`, or drop --rules for the default",
            )
        return path.read_text(encoding="utf-8"), explicit
    for folder in (cwd, *cwd.parents):
        for name in RULE_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8"), _shown(candidate, cwd)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            found = _from_pyproject(pyproject, _shown(pyproject, cwd))
            if found is not None:
                return found
        if (folder / ".git").exists():
            break
    return None


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def _from_pyproject(path: Path, shown: str) -> tuple[str, str] | None:
    """`[tool.license-lint]` of a pyproject.toml, as YAML text (JSON is YAML)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", where=shown) from None
    tool = data.get("tool", {})
    section = tool.get("license-lint", tool.get("license_lint"))
    if section is None:
        return None
    return json.dumps(section, default=str), f"{shown} [tool.license-lint]"


def preset_names() -> list[str]:
    """The presets shipped in policies/presets/."""
    folder = resources.files("license_lint") / "policies" / "presets"
    return sorted(
        e.name.removesuffix(".yaml") for e in folder.iterdir() if e.name.endswith(".yaml")
    )


def preset_text(name: str) -> str:
    """The commented YAML of a preset."""
    if name not in preset_names():
        close = difflib.get_close_matches(name, preset_names(), n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        raise ConfigError(
            f"there is no preset '{name}'",
            hint=f"{hint}presets: {', '.join(preset_names())}",
        )
    entry = resources.files("license_lint") / "policies" / "presets" / f"{name}.yaml"
    return entry.read_text(encoding="utf-8")


def load_preset(name: str, catalog: Catalog) -> Rules:
    """A shipped preset as rules."""
    return parse_rules(preset_text(name), f"preset:{name}", catalog)


def load_rules(explicit: str | None, cwd: Path, catalog: Catalog) -> Rules:
    """Rules from --rules, discovery, or the default preset."""
    found = discover(explicit, cwd)
    if found is None:
        return load_preset(DEFAULT_PRESET, catalog)
    text, name = found
    return parse_rules(text, name, catalog)


def parse_rules(text: str, name: str, catalog: Catalog) -> Rules:
    """Validate rules text; every problem names file, line and key, with the closest valid value."""
    document = parse_yaml(text, name)
    data = document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError("the rules must be a mapping of keys", where=document.where([]))
    _check_schema(data, document)
    _check_ids(data, document, catalog)
    return _build(data, document, catalog)


def _check_schema(data: dict[str, Any], document: YamlDocument) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(
        validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)
    )
    if not errors:
        return
    error = errors[0]
    path = list(error.absolute_path)
    message, hint = _explain(error, path)
    raise ConfigError(f"{dotted(path)}: {message}", where=document.where(path), hint=hint)


def _explain(error: Any, path: list[str | int]) -> tuple[str, str | None]:
    """A schema error in the words of a rules file, with the closest valid spelling."""
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        allowed = list(error.schema.get("properties", {}))
        bad = extra[0] if extra else "?"
        path.append(bad)
        return f"unknown key '{bad}'", _suggest(bad, allowed, "keys")
    if error.validator == "enum":
        allowed = [str(v) for v in error.validator_value]
        return (
            f"'{error.instance}' is not one of the allowed values",
            _suggest(str(error.instance), allowed, "values"),
        )
    if error.validator == "required":
        missing = re.findall(r"'([^']+)'", error.message)
        return f"missing required key '{missing[0] if missing else '?'}'", None
    if error.validator == "type":
        return f"must be {_article(error.validator_value)}, not {error.instance!r}", None
    if error.validator == "const":
        return f"must be {error.validator_value!r}", None
    if error.validator == "pattern" and path and path[-1] == "expires":
        return f"'{error.instance}' is not a date", "write it as YYYY-MM-DD"
    if error.validator == "pattern" and path and path[-1] == "revision":
        return (
            f"'{error.instance}' is not a commit sha",
            "give the commit's sha or its first 7 or more hex digits; a branch or tag name "
            "never matches, because waivers are compared with the commit the Hub reports",
        )
    if error.validator == "pattern" and "domicile" in path:
        return f"'{error.instance}' is not a country code", "use ISO 3166 codes (US, DE) or EU"
    return error.message, None


def _article(kind: Any) -> str:
    names = {
        "integer": "a whole number",
        "number": "a number",
        "string": "text",
        "boolean": "true or false",
        "array": "a list",
        "object": "a mapping",
    }
    if isinstance(kind, list):
        return " or ".join(names.get(str(k), str(k)) for k in kind)
    return names.get(kind, str(kind))


def _suggest(value: str, options: Iterable[str], what: str) -> str:
    options = list(options)
    close = difflib.get_close_matches(value, options, n=1, cutoff=0.5)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"valid {what}: {', '.join(options[:12])}{' ...' if len(options) > 12 else ''}"


def resolve_license(entry: str, catalog: Catalog) -> set[str] | None:
    """Catalog ids for an allow/deny entry: an id, SPDX id or expression, category: or family:."""
    kind, _, value = entry.partition(":")
    if value and kind in ("category", "family"):
        found = {p.id for p in catalog.policies.values() if getattr(p, kind) == value}
        return found or None
    single = (
        catalog.get(entry)
        or catalog.get(catalog.find_hub(entry) or "")
        or catalog.get(catalog.find_spdx(entry) or "")
        or catalog.get(catalog.find_name(entry) or "")
    )
    if single is not None:
        return {single.id}
    parts = re.split(r"\s+(?:AND|OR)\s+|[()]", entry)
    ids: set[str] = set()
    for part in (p.strip() for p in parts):
        if not part:
            continue
        found_id = catalog.find_spdx(part) or catalog.find_hub(part)
        if found_id is None:
            return None
        ids.add(found_id)
    return ids or None


def _check_ids(data: dict[str, Any], document: YamlDocument, catalog: Catalog) -> None:
    """License ids, taxonomy ids, obligation kinds and finding codes must exist."""
    licenses = data.get("licenses") or {}
    for key in ("allow", "deny"):
        for index, entry in enumerate(licenses.get(key) or []):
            if resolve_license(entry, catalog) is None:
                path: list[str | int] = ["licenses", key, index]
                raise ConfigError(
                    f"{dotted(path)}: '{entry}' is not a license the catalog knows",
                    where=document.where(path),
                    hint=_suggest(entry, sorted(catalog.policies), "ids")
                    + " (`license-lint licenses` lists them)",
                )
    declarable = sorted(e.id for e in catalog.taxonomy.values() if e.declarable)
    codes = sorted(DEFAULT_SEVERITY)
    uses = (data.get("deployment") or {}).get("uses") or []
    _members(document, ["deployment", "uses"], uses, declarable, "a use category of the taxonomy")
    accept = (data.get("obligations") or {}).get("accept") or []
    _members(document, ["obligations", "accept"], accept, obligation_kinds(), "an obligation kind")
    severity = list(data.get("severity") or {})
    _members(document, ["severity"], severity, codes, "a finding code", by_key=True)
    if FIXED_CODE in severity:
        _fixed_code(document, ["severity", FIXED_CODE])
    for index, waiver in enumerate(data.get("exceptions") or []):
        path = ["exceptions", index, "codes"]
        _members(document, path, waiver.get("codes") or [], codes, "a finding code")
        if FIXED_CODE in (waiver.get("codes") or []):
            _fixed_code(document, [*path, list(waiver["codes"]).index(FIXED_CODE)])
        try:
            datetime.date.fromisoformat(waiver["expires"])
        except ValueError:
            path = ["exceptions", index, "expires"]
            raise ConfigError(
                f"{dotted(path)}: '{waiver['expires']}' is not a real date",
                where=document.where(path),
                hint="write it as YYYY-MM-DD",
            ) from None


# The lock is the organization's own record: a change against it is settled by reviewing it
# and writing the lock again, never by lowering or waiving the finding in the rules.
FIXED_CODE = "license-drift"


def _fixed_code(document: YamlDocument, path: list[str | int]) -> None:
    raise ConfigError(
        f"{dotted(path)}: {FIXED_CODE} cannot be changed or waived in the rules",
        where=document.where(path),
        hint="review the change and run `license-lint lock` to record it, or run the audit "
        "without --locked",
    )


def _members(
    document: YamlDocument,
    path: list[str | int],
    values: Sequence[str],
    allowed: Sequence[str],
    what: str,
    *,
    by_key: bool = False,
) -> None:
    """Every value must be one of `allowed`; the first that is not names its line and a fix."""
    for index, value in enumerate(values):
        if value not in allowed:
            where: list[str | int] = [*path, value if by_key else index]
            raise ConfigError(
                f"{dotted(where)}: '{value}' is not {what}",
                where=document.where(where),
                hint=_suggest(value, allowed, "values"),
            )


def _ids(entries: Sequence[str], catalog: Catalog) -> frozenset[str]:
    out: set[str] = set()
    for entry in entries:
        out |= resolve_license(entry, catalog) or set()
    return frozenset(out)


def _build(data: dict[str, Any], document: YamlDocument, catalog: Catalog) -> Rules:
    org = data.get("organization") or {}
    dep = data.get("deployment") or {}
    licenses = data.get("licenses") or {}
    lineage = data.get("lineage") or {}
    allow = licenses.get("allow")
    return Rules(
        source=document.name,
        organization=Organization(
            name=org.get("name"),
            monthly_active_users=org.get("monthly_active_users"),
            daily_active_users=org.get("daily_active_users"),
            annual_revenue_usd=org.get("annual_revenue_usd"),
            domicile=tuple(org.get("domicile") or ()),
        ),
        deployment=Deployment(
            commercial=bool(dep.get("commercial", True)),
            modes=tuple(dep.get("modes") or ("internal",)),
            uses=tuple(dep.get("uses") or ()),
            train_on_outputs=bool(dep.get("train_on_outputs", False)),
        ),
        allow=_ids(allow, catalog) if allow is not None else None,
        deny=_ids(licenses.get("deny") or [], catalog),
        unknown=licenses.get("unknown", "fail"),
        families=licenses.get("families", "warn"),
        accept=frozenset((data.get("obligations") or {}).get("accept") or ()),
        max_depth=int(lineage.get("max_depth", 8)),
        datasets=lineage.get("datasets", "warn"),
        severity=dict(data.get("severity") or {}),
        exceptions=tuple(
            Waiver(
                model=w["model"],
                codes=tuple(w["codes"]),
                reason=w["reason"],
                owner=w["owner"],
                expires=datetime.date.fromisoformat(w["expires"]),
                revision=w.get("revision"),
                line=document.line_of(["exceptions", i]),
            )
            for i, w in enumerate(data.get("exceptions") or [])
        ),
        path=None if document.name.startswith("preset:") else document.name,
        lines=document.lines,
    )
