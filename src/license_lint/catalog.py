"""The license catalog: loads and validates policies/ and indexes every way a license is named."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .errors import PolicyError
from .yamlsource import YamlDocument, dotted, parse_yaml

PERMISSIONS = (
    "commercial_use",
    "derivatives",
    "redistribution",
    "hosted_service",
    "train_on_outputs",
)


@dataclass(frozen=True)
class Permission:
    """allowed / conditional / forbidden / unclear, with the clause that says so."""

    status: str
    clause: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Threshold:
    """A numeric limit (users, revenue) past which the license stops granting or changes."""

    metric: str
    limit: float
    comparison: str
    anchor: str
    measured: str
    applies_when: str
    consequence: str
    clause: str
    includes_affiliates: bool | None = None
    anchor_date: str | None = None
    exempt: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Obligation:
    """Something the licensee must do, when, and under which clause."""

    id: str
    applies_to: tuple[str, ...]
    clause: str
    text: str | None = None
    alternatives: tuple[str, ...] = ()
    condition: str | None = None
    note: str | None = None
    satisfied_by_link: bool = False


@dataclass(frozen=True)
class Restriction:
    """A use the license (or a policy it incorporates) forbids, by taxonomy id."""

    id: str
    clause: str
    document: str
    source: str | None = None
    qualifier: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class GeoRule:
    """A geographic limit on the grant, such as the EU exclusion for multimodal Llama models."""

    id: str
    region: str
    models: str
    effect: str
    clause: str
    persons: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Fingerprint:
    """Strings that together identify a license text (and its version) when found in a file."""

    match: tuple[str, ...]
    version: str | None
    document: str
    exclude: tuple[str, ...] = ()
    within: int | None = None
    length: int | None = None


@dataclass(frozen=True)
class LicensePolicy:
    """The machine-readable terms of one license, as loaded from policies/licenses/<id>.yaml."""

    id: str
    name: str
    kind: str
    family: str
    category: str
    version: str | None
    date: str | None
    summary: str | None
    hub_ids: tuple[str, ...]
    spdx: str | None
    scancode: tuple[str, ...]
    names: tuple[str, ...]
    urls: tuple[str, ...]
    confusable: tuple[str, ...]
    fingerprints: tuple[Fingerprint, ...]
    permissions: Mapping[str, Permission]
    thresholds: tuple[Threshold, ...]
    obligations: tuple[Obligation, ...]
    restrictions: tuple[Restriction, ...]
    restrictions_source: str | None
    restrictions_url: str | None
    restrictions_mutable: bool
    geography: tuple[GeoRule, ...]
    pass_through: str
    derivatives_inherit: bool
    members: tuple[str, ...]
    based_on: str | None
    unverified: tuple[str, ...]
    path: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_license(self) -> bool:
        """True when this names one license (not a family or a placeholder)."""
        return self.kind == "license"


@dataclass(frozen=True)
class TaxonomyEntry:
    """One use category shared by license policies and organization rules."""

    id: str
    group: str
    description: str
    declarable: bool
    implicates: tuple[str, ...]
    # Categories every use of this one belongs to: restricting them restricts this use too.
    kind_of: tuple[str, ...] = ()

    def kinds(self, taxonomy: Mapping[str, TaxonomyEntry]) -> tuple[str, ...]:
        """Every category this one is a kind of, following kind_of through the taxonomy."""
        found: list[str] = []
        pending = list(self.kind_of)
        while pending:
            current = pending.pop(0)
            if current in found or current == self.id:
                continue
            found.append(current)
            entry = taxonomy.get(current)
            pending += entry.kind_of if entry else ()
        return tuple(found)


@dataclass(frozen=True, eq=False)  # identity equality: derived indexes can be cached per catalog
class Catalog:
    """All license policies and the taxonomy, with indexes for each way a license is named."""

    policies: Mapping[str, LicensePolicy]
    taxonomy: Mapping[str, TaxonomyEntry]
    by_hub: Mapping[str, str]
    by_name: Mapping[str, str]
    by_spdx: Mapping[str, str]
    by_scancode: Mapping[str, str]
    urls: tuple[tuple[str, str], ...]

    def get(self, license_id: str) -> LicensePolicy | None:
        """The policy with this catalog id (case-insensitive)."""
        return self.policies.get(license_id.lower())

    def find_hub(self, value: str) -> str | None:
        """The catalog id for a Hub `license:` value, in any case."""
        return self.by_hub.get(value.strip().lower())

    def find_name(self, value: str) -> str | None:
        """The catalog id for a `license_name` spelling or a license title."""
        return self.by_name.get(name_key(value))

    def find_spdx(self, value: str) -> str | None:
        """The catalog id for an SPDX license id."""
        return self.by_spdx.get(value.strip().lower())

    def find_url(self, url: str) -> str | None:
        """The catalog id whose URL pattern is the longest match inside a link."""
        link = url_key(url)
        for pattern, license_id in self.urls:
            if pattern in link:
                return license_id
        return None

    def closest(self, value: str, count: int = 3) -> list[str]:
        """Catalog ids closest in spelling, for 'did you mean' hints; never a known look-alike."""
        lowered = value.strip().lower()
        candidates = [
            p.id for p in self.policies.values() if lowered not in {c.lower() for c in p.confusable}
        ]
        return difflib.get_close_matches(lowered, candidates, n=count, cutoff=0.5)


def name_key(value: str) -> str:
    """A license name folded for lookup: case, spaces, underscores and dashes do not matter."""
    return re.sub(r"[\s_\-]+", "-", value.strip().lower()).strip("-")


def url_key(url: str) -> str:
    """A URL folded for pattern matching: no scheme, no www., lower case, no trailing slash."""
    text = url.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    return text.removeprefix("www.").rstrip("/")


def _policies_root() -> Any:
    return resources.files("license_lint") / "policies"


@functools.cache
def load_catalog() -> Catalog:
    """Load, validate and index the shipped policies (once per process)."""
    root = _policies_root()
    taxonomy = _load_taxonomy(root / "taxonomy.yaml")
    entries = sorted(
        (e for e in (root / "licenses").iterdir() if e.name.endswith(".yaml")),
        key=lambda e: e.name,
    )
    texts = {f"policies/licenses/{e.name}": e.read_text(encoding="utf-8") for e in entries}
    digest = _digest(texts, root)
    documents = _validated_before(digest) or _parse_and_validate(texts)
    _remember_validated(digest, documents)
    policies: dict[str, LicensePolicy] = {}
    by_id: dict[str, YamlDocument] = {}
    for name, document in documents.items():
        policy = _policy(document)
        if f"policies/licenses/{policy.id}.yaml" != name:
            raise PolicyError(
                f"id '{policy.id}' does not match the file name", where=document.where(["id"])
            )
        policies[policy.id] = policy
        by_id[policy.id] = document
    _cross_check(policies, by_id, taxonomy)
    return _index(policies, taxonomy)


def _parse_and_validate(texts: Mapping[str, str]) -> dict[str, YamlDocument]:
    validator = _policy_validator()
    documents = {}
    for name, text in texts.items():
        document = parse_yaml(text, name)
        _validate(validator, document)
        documents[name] = document
    return documents


def _digest(texts: Mapping[str, str], root: Any) -> str:
    """A fingerprint of everything validation depends on: the files, the schema, the version."""
    from . import __version__

    schema = resources.files("license_lint") / "schemas" / "license-policy.schema.json"
    digest = hashlib.sha256(__version__.encode())
    digest.update(schema.read_bytes())
    digest.update((root / "taxonomy.yaml").read_bytes())
    for name, text in sorted(texts.items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


def _validated_file(digest: str) -> Any:
    from .cache import default_cache_dir

    return default_cache_dir() / f"catalog-{digest[:24]}.json"


def _validated_before(digest: str) -> dict[str, YamlDocument] | None:
    """Policies validated by an earlier run with exactly these files, if that run left them.

    Schema validation of every file takes about a second; a pre-commit hook runs often.
    """
    try:
        data = json.loads(_validated_file(digest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("digest") != digest:
        return None
    return {
        name: YamlDocument(name, item["data"], {tuple(p): line for p, line in item["lines"]})
        for name, item in data["documents"].items()
    }


def _remember_validated(digest: str, documents: Mapping[str, YamlDocument]) -> None:
    target = _validated_file(digest)
    if target.exists():
        return
    data = {
        "digest": digest,
        "documents": {
            name: {"data": d.data, "lines": [[list(p), line] for p, line in d.lines.items()]}
            for name, d in documents.items()
        },
    }
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        pass  # only a speed-up: without it the next run validates again


def _policy_validator() -> Any:
    import jsonschema

    schema_file = resources.files("license_lint") / "schemas" / "license-policy.schema.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _validate(validator: Any, document: YamlDocument) -> None:
    errors = sorted(validator.iter_errors(document.data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        path = list(first.absolute_path)
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise PolicyError(
            f"{dotted(path)}: {first.message}{more}",
            where=document.where(path),
            hint="see docs/policy-format.md",
        )


def _load_taxonomy(entry: Any) -> dict[str, TaxonomyEntry]:
    document = parse_yaml(entry.read_text(encoding="utf-8"), "policies/taxonomy.yaml")
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise PolicyError("taxonomy has no list of categories", where=document.name)
    groups = {g["id"] for g in data.get("groups", []) if isinstance(g, dict) and "id" in g}
    taxonomy: dict[str, TaxonomyEntry] = {}
    for index, item in enumerate(data["categories"]):
        where = document.where(["categories", index])
        if not isinstance(item, dict) or not {"id", "group", "description"} <= item.keys():
            raise PolicyError("a category needs id, group and description", where=where)
        if item["id"] in taxonomy:
            raise PolicyError(f"category '{item['id']}' is defined twice", where=where)
        if item["group"] not in groups:
            raise PolicyError(f"category '{item['id']}' has unknown group", where=where)
        taxonomy[item["id"]] = TaxonomyEntry(
            id=item["id"],
            group=item["group"],
            description=item["description"],
            declarable=bool(item.get("declarable")) or item["group"] == "deployment",
            implicates=tuple(item.get("implicates", ())),
            kind_of=_id_list(item, "kind_of", document.where(["categories", index, "kind_of"])),
        )
    for index, entry_ in enumerate(taxonomy.values()):
        for target in entry_.implicates:
            if target not in taxonomy:
                raise PolicyError(
                    f"category '{entry_.id}' implicates unknown category '{target}'",
                    where=document.where(["categories", index, "implicates"]),
                )
        _check_kind_of(entry_, taxonomy, document.where(["categories", index, "kind_of"]))
    # Only once every target is known can the links be walked for cycles.
    for index, entry_ in enumerate(taxonomy.values()):
        path = _kind_of_cycle(entry_.id, taxonomy, [])
        if path:
            raise PolicyError(
                "kind_of forms a cycle: " + " -> ".join(path),
                where=document.where(["categories", index, "kind_of"]),
            )
    return taxonomy


def _id_list(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """An optional list of category ids; anything else is a PolicyError at its line."""
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"'{key}' of category '{item['id']}' must be a list of ids", where=where)
    return tuple(value)


def _check_kind_of(entry: TaxonomyEntry, taxonomy: Mapping[str, TaxonomyEntry], where: str) -> None:
    """kind_of names known categories, never the category itself nor one it implicates."""
    for target in entry.kind_of:
        if target not in taxonomy:
            raise PolicyError(
                f"category '{entry.id}' is a kind of unknown category '{target}'", where=where
            )
        if target == entry.id:
            raise PolicyError(f"category '{entry.id}' is a kind of itself", where=where)
        if target in entry.implicates:
            # One link says "is a" and the other "may run into"; both at once is a mistake.
            raise PolicyError(
                f"category '{entry.id}' lists '{target}' in both kind_of and implicates",
                where=where,
            )


def _kind_of_cycle(
    current: str, taxonomy: Mapping[str, TaxonomyEntry], path: list[str]
) -> list[str] | None:
    """The kind_of path from the first category of `path` back to itself, if there is one."""
    if path and current == path[0]:
        return [*path, current]
    if current in path:
        return None  # a cycle that does not pass through the start; its own members report it
    for target in taxonomy[current].kind_of:
        found = _kind_of_cycle(target, taxonomy, [*path, current])
        if found:
            return found
    return None


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, list) else ()


def _policy(document: YamlDocument) -> LicensePolicy:
    """Typed view of a validated policy file."""
    data: dict[str, Any] = document.data
    ids = data["identifiers"]
    restrictions = data.get("restrictions") or {}
    source = restrictions.get("source")
    return LicensePolicy(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        family=data["family"],
        category=data["category"],
        version=data.get("version"),
        date=data.get("date"),
        summary=data.get("summary"),
        hub_ids=_tuple(ids.get("hub")),
        spdx=ids.get("spdx"),
        scancode=_tuple(ids.get("scancode")),
        names=_tuple(ids.get("names")),
        urls=_tuple(ids.get("urls")),
        confusable=_tuple(ids.get("confusable")),
        fingerprints=tuple(
            Fingerprint(
                match=tuple(f["match"]),
                version=f.get("version"),
                document=f["document"],
                exclude=_tuple(f.get("exclude")),
                within=f.get("within"),
                length=f.get("length"),
            )
            for f in data.get("fingerprints") or []
        ),
        permissions={
            k: Permission(v["status"], v.get("clause"), v.get("note"))
            for k, v in (data.get("permissions") or {}).items()
        },
        thresholds=tuple(
            Threshold(
                metric=t["metric"],
                limit=float(t["limit"]),
                comparison=t["comparison"],
                anchor=t["anchor"],
                measured=t["measured"],
                applies_when=t["applies_when"],
                consequence=t["consequence"],
                clause=t["clause"],
                includes_affiliates=t.get("includes_affiliates"),
                anchor_date=t.get("anchor_date"),
                exempt=_tuple(t.get("exempt")),
                note=t.get("note"),
            )
            for t in data.get("thresholds") or []
        ),
        obligations=tuple(
            Obligation(
                id=o["id"],
                applies_to=tuple(o["applies_to"]),
                clause=o["clause"],
                text=o.get("text"),
                alternatives=_tuple(o.get("alternatives")),
                condition=o.get("condition"),
                note=o.get("note"),
                satisfied_by_link=bool(o.get("satisfied_by_link")),
            )
            for o in data.get("obligations") or []
        ),
        restrictions=tuple(
            Restriction(
                id=r["id"],
                clause=r["clause"],
                document=r.get("document") or ("policy" if source else "license"),
                source=source if (r.get("document") or "policy") == "policy" else None,
                qualifier=r.get("qualifier"),
                note=r.get("note"),
            )
            for r in restrictions.get("items") or []
        ),
        restrictions_source=source,
        restrictions_url=restrictions.get("url"),
        restrictions_mutable=bool(restrictions.get("mutable")),
        geography=tuple(
            GeoRule(
                id=g["id"],
                region=g["region"],
                models=g["models"],
                effect=g["effect"],
                clause=g["clause"],
                persons=_tuple(g.get("persons")),
                exempt=_tuple(g.get("exempt")),
                note=g.get("note"),
            )
            for g in data.get("geography") or []
        ),
        pass_through=data["pass_through"],
        derivatives_inherit=bool(data["derivatives_inherit"]),
        members=_tuple(data.get("members")),
        based_on=data.get("based_on"),
        unverified=tuple(
            f"{u['field']}: {u['note']}" if u.get("field") else u["note"]
            for u in data.get("unverified") or []
        ),
        path=document.name,
        raw=data,
    )


_GROUPS_FOR_RESTRICTIONS = frozenset({"conduct", "field-of-use", "output-training"})


def _cross_check(
    policies: Mapping[str, LicensePolicy],
    documents: Mapping[str, YamlDocument],
    taxonomy: Mapping[str, TaxonomyEntry],
) -> None:
    """What one schema cannot see: taxonomy ids, unique names, and references between files."""
    claimed: dict[tuple[str, str], str] = {}
    for policy in policies.values():
        document = documents[policy.id]
        for index, item in enumerate(policy.restrictions):
            entry = taxonomy.get(item.id)
            if entry is None or entry.group not in _GROUPS_FOR_RESTRICTIONS:
                raise PolicyError(
                    f"restriction '{item.id}' is not a conduct, field-of-use or output-training "
                    "category of policies/taxonomy.yaml",
                    where=document.where(["restrictions", "items", index, "id"]),
                )
        for index, rule in enumerate(policy.geography):
            entry = taxonomy.get(rule.id)
            if entry is None or entry.group != "geography":
                raise PolicyError(
                    f"geography '{rule.id}' is not a geography category of the taxonomy",
                    where=document.where(["geography", index, "id"]),
                )
        for index, duty in enumerate(policy.obligations):
            if duty.satisfied_by_link and not policy.urls:
                # lint looks for one of the license's URLs; without any, no link could ever count.
                raise PolicyError(
                    "satisfied_by_link needs at least one URL in identifiers.urls",
                    where=document.where(["obligations", index, "satisfied_by_link"]),
                )
        for other in (*policy.members, *([policy.based_on] if policy.based_on else [])):
            if other not in policies:
                raise PolicyError(
                    f"refers to '{other}', which has no policy file", where=document.name
                )
        keys = [("hub", h) for h in policy.hub_ids] + [("name", name_key(n)) for n in policy.names]
        if policy.spdx and policy.spdx != "NOASSERTION":
            keys.append(("spdx", policy.spdx.lower()))
        for key in keys:
            owner = claimed.setdefault(key, policy.id)
            if owner != policy.id:
                raise PolicyError(
                    f"{key[0]} '{key[1]}' is claimed by both {owner} and {policy.id}",
                    where=document.name,
                )


def _index(policies: Mapping[str, LicensePolicy], taxonomy: Mapping[str, TaxonomyEntry]) -> Catalog:
    by_hub: dict[str, str] = {}
    by_name: dict[str, str] = {}
    by_spdx: dict[str, str] = {}
    by_scancode: dict[str, str] = {}
    urls: list[tuple[str, str]] = []
    for policy in policies.values():
        for hub_id in policy.hub_ids:
            by_hub[hub_id.lower()] = policy.id
        for name in (*policy.names, policy.name, policy.id):
            by_name.setdefault(name_key(name), policy.id)
        if policy.spdx and policy.spdx != "NOASSERTION":
            by_spdx[policy.spdx.lower()] = policy.id
        for key in policy.scancode:
            by_scancode.setdefault(key, policy.id)
        urls += [(url_key(u), policy.id) for u in policy.urls]
    # Longest pattern first, so a specific URL beats a general one on the same host.
    urls.sort(key=lambda pair: (-len(pair[0]), pair[0]))
    return Catalog(
        policies=dict(policies),
        taxonomy=dict(taxonomy),
        by_hub=by_hub,
        by_name=by_name,
        by_spdx=by_spdx,
        by_scancode=by_scancode,
        urls=tuple(urls),
    )


def policy_ids(catalog: Catalog, kind: str | None = None) -> Iterable[str]:
    """Catalog ids, optionally of one kind, sorted."""
    return sorted(p.id for p in catalog.policies.values() if kind is None or p.kind == kind)
