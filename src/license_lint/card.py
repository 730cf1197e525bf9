"""Model card parsing: README front matter and API answers into a `Card`, for every real shape."""

from __future__ import annotations

import itertools
import re
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from .model import BaseModel, Card, Finding, LicenseDeclaration, Location, ModelRef, Severity

# The Hub (and huggingface_hub) find the front matter with the regex
#   ^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))
# We match the same block in two steps (opening fence, then a search for the closing one):
# the regex's lazy middle steps one character at a time through large cards.
_OPENING = re.compile(r"\s*---(?:\r\n|\r|\n)")
_CLOSING = re.compile(r"(?:\r\n|\r|\n)---[ \t]*(?:\r\n|\n|$)")

# Larger front matter is refused rather than parsed: real cards, whole Llama agreements in the
# gating prompt included, stay far below this.
MAX_FRONT_MATTER_CHARS = 1_000_000

# libyaml's loader is about eight times faster on real cards; the pure one is the fallback.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

# libyaml's parser, used alone to check a whole block's syntax quickly; None without libyaml.
_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)

# The top-level keys a card is read for. Other sections (evaluation results, widget examples,
# long descriptions) can be hundreds of kilobytes and never bear on licensing: their syntax is
# checked, but no objects are built for them (unless they hold what may be a tag or an alias,
# which could make the whole block invalid).
CARD_KEYS = frozenset(
    {
        "license",
        "licenses",
        "license_name",
        "license_link",
        "license_details",
        "extra_gated_prompt",
        "base_model",
        "base_model_relation",
        "finetuned_from",
        "datasets",
        "tags",
        "pipeline_tag",
        "library_name",
        "language",
        "model_name",
        "new_version",
    }
)
# A line at column 0 that starts a top-level key (plain or quoted), not a comment or list item.
_TOP_KEY = re.compile(
    r"""^(?P<key>"[^"\n]*"|'[^'\n]*'|[^\s:#'"\-?{\[!&*|>%@`][^:\n]*?)[ \t]*:(?:[ \t\r]|$)""",
    re.MULTILINE,
)

# Document markers, directives and complex keys (`? key`) at column 0: a block with one is
# composed whole, so that a second document (which the Hub refuses) is reported and a complex
# key is not lost with the section before it.
_DOCUMENT_MARKER = re.compile(r"^(?:(?:\.\.\.|---)(?=[ \t\r]|$)|[%?])", re.MULTILINE)
_LONE_CR = re.compile(r"\r(?!\n)")
# A `!` or `*` where a node can start: a tag or an alias (or prose that only looks like one).
_TAG_OR_ALIAS = re.compile(r"(?<![^\s\[{,])[!*]")

# Bounded: a nested value can be an alias bomb, which a full repr would expand.
_SHORT_REPR = reprlib.Repr()
_SHORT_REPR.maxlevel, _SHORT_REPR.maxlist, _SHORT_REPR.maxdict = 2, 4, 4
_SHORT_REPR.maxstring = _SHORT_REPR.maxother = 60
_SHORT_REPR_CHARS = 80

HUB_HOSTS = frozenset({"huggingface.co", "www.huggingface.co", "hf.co"})
RELATIONS = frozenset({"finetune", "adapter", "quantized", "merge"})

_LICENSE_FILE = re.compile(
    r"^(?:.*licen[cs]e.*|copying(?:\..*)?|notice(?:\..*)?|(?:use|usage|acceptable[-_]use)[-_]policy(?:\..*)?"
    r"|policy\.md)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FrontMatter:
    """The parsed first YAML block of a README, with the line of each top-level key."""

    found: bool
    data: dict[str, Any] | None = None
    key_lines: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    error_line: int | None = None


class DuplicateCardKeyError(yaml.constructor.ConstructorError):
    """A card key given twice in one front matter (PyYAML would keep the last silently)."""


def read_front_matter(text: str) -> FrontMatter:
    """Parse the README front matter exactly as the Hub finds it; never raises on bad YAML."""
    text = text.removeprefix("\ufeff")
    opening = _OPENING.match(text)
    closing = _CLOSING.search(text, opening.end()) if opening else None
    if opening is None or closing is None:
        return FrontMatter(found=False)
    body = text[opening.end() : closing.start()]
    first_line = len(opening.group().splitlines()) + 1
    if len(body) > MAX_FRONT_MATTER_CHARS:
        return FrontMatter(
            found=True,
            error=f"front matter is {len(body):,} characters, "
            f"over the {MAX_FRONT_MATTER_CHARS:,} limit",
            error_line=first_line,
        )
    try:
        node, data = _compose_light(body)
    except yaml.MarkedYAMLError as exc:
        return FrontMatter(
            found=True, error=_yaml_problem(exc), error_line=_error_line(exc, body, first_line)
        )
    except (
        yaml.YAMLError,
        RecursionError,
        ValueError,
        TypeError,
        LookupError,
        AttributeError,
        ArithmeticError,
    ) as exc:
        return FrontMatter(found=True, error=f"invalid YAML: {exc}", error_line=first_line)
    if data is None:
        # Metadata with none of the card keys is still metadata (the Hub shows it).
        return FrontMatter(found=True, data={}) if _has_content(body) else FrontMatter(found=False)
    if not isinstance(data, dict):
        return FrontMatter(
            found=True,
            error=f"front matter is a {type(data).__name__}, not a mapping of keys",
            error_line=first_line,
        )
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value not in lines:
                lines[key_node.value] = first_line + key_node.start_mark.line
    kept = {str(k): v for k, v in data.items() if str(k) in CARD_KEYS}
    return FrontMatter(found=True, data=kept, key_lines=lines)


def _error_line(exc: yaml.MarkedYAMLError, body: str, first_line: int) -> int:
    mark = exc.problem_mark or exc.context_mark
    last = body.count("\n") - (1 if body.endswith("\n") else 0)
    if mark is not None and mark.line > last and exc.context_mark is not None:
        # Noticed at the end of the block: where the unclosed construct began says more.
        mark = exc.context_mark
    return first_line + min(mark.line, last) if mark is not None else first_line


def _check_syntax(body: str) -> None:
    """Run libyaml's parser over the whole block without building objects (fast, C only)."""
    if _CParser is not None:
        _CParser(body).raw_parse()


def _compose(body: str) -> tuple[yaml.Node | None, Any]:
    """The block's node, and the card keys built from it (the whole value if not a mapping)."""
    loader = _Loader(body)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return node, loader.construct_document(node) if node is not None else None
        _refuse_duplicate_card_keys(node)
        if "!" in body:
            # Every explicit tag starts with '!': without one there is nothing to check.
            _check_tags(loader, node)
        # Merged keys (`<<:`) can be card keys; YAML's rule puts them next to the others.
        loader.flatten_mapping(node)
        kept = [
            (key, value)
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG and key.value in CARD_KEYS
        ]
        # Only the card keys are built. Values the Hub's parser reads but PyYAML would not
        # build (a list as a mapping key, the date 2024-02-30) do not bear on licensing.
        part = yaml.MappingNode(node.tag, kept, node.start_mark, node.end_mark)
        return node, loader.construct_document(part)
    finally:
        loader.dispose()


def _check_tags(loader: yaml.SafeLoader, root: yaml.Node) -> None:
    """Raise for a tag no parser can build, or one that does not fit its value (`!!int abc`).

    Both the Hub's parser and PyYAML refuse such a block, wherever the tag is.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
        if _plain_tag(loader, node):
            continue
        if node.tag not in loader.yaml_constructors:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"could not determine a constructor for the tag {node.tag!r}",
                node.start_mark,
            )
        loader.construct_object(node, deep=True)


def _plain_tag(loader: yaml.SafeLoader, node: yaml.Node) -> bool:
    """True when the node's tag is the one YAML gives such a value anyway (nothing to check)."""
    if isinstance(node, yaml.ScalarNode):
        implicit = loader.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
        return node.tag in (_STR_TAG, implicit)
    if isinstance(node, yaml.SequenceNode):
        return bool(node.tag == _SEQ_TAG)
    return bool(node.tag == _MAP_TAG)


def _refuse_duplicate_card_keys(node: yaml.MappingNode) -> None:
    """Raise when a card key is written twice: which value the author meant is unknowable."""
    # PyYAML keeps the last value silently; two licenses in one card must not become one.
    # Checked before construction, so a key given explicitly beside a `<<` merge is not one.
    seen: dict[str, yaml.Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value not in CARD_KEYS:
            continue
        first = seen.setdefault(key_node.value, key_node)
        if first is not key_node:
            raise DuplicateCardKeyError(
                None,
                first.start_mark,
                f"the key '{key_node.value}' is written twice, so which value applies is unclear",
                key_node.start_mark,
            )


def _has_content(body: str) -> bool:
    """True when a block holds more than blank lines and comments."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in body.splitlines())


def _compose_light(body: str) -> tuple[yaml.Node | None, Any]:
    """Compose only the card keys; whenever the split is in doubt, compose the whole block."""
    sections = _top_sections(body)
    if sections is None:
        return _compose(body)
    kept = [_section_key(s) in CARD_KEYS for s in sections]
    if all(kept):
        return _compose(body)
    try:
        # Every section must be valid YAML on its own. A column-0 line that only looks like a
        # key, inside a quoted scalar or a flow collection opened further up, leaves the section
        # holding the opener unterminated; and sections that are each a valid mapping at
        # column 0 (no markers, directives, anchors or byte order marks: see _top_sections) are
        # valid together, so the block as a whole is valid too. libyaml checks syntax in C
        # without building anything: a fraction of composing.
        for section in sections:
            _check_syntax(section)
    except yaml.YAMLError:
        return _compose(body)
    light = "".join(
        s if keep else "\n" * s.count("\n") for s, keep in zip(sections, kept, strict=True)
    )
    try:
        return _compose(light)
    except yaml.YAMLError:
        return _compose(body)


def _top_sections(body: str) -> list[str] | None:
    """The block cut at each top-level key (the text before the first key included).

    None when the block should be composed whole: no libyaml, anchors, what may be a tag or
    an alias, a byte order mark, line breaks other than LF and CRLF, a flow mapping or complex
    keys at the top, a key that needs decoding, or no key at all.
    """
    # A tag that does not fit its value, or an alias with no anchor, makes the Hub's full
    # parse fail wherever it is, so sections holding one cannot be left out unbuilt (the
    # substring test first: the pattern alone costs a tenth of all parsing). libyaml
    # counts a byte order mark inside the block as a column: the line is not at column 0.
    if (
        _CParser is None
        or "&" in body
        or "\ufeff" in body
        or _other_line_breaks(body)
        or (("!" in body or "*" in body) and _TAG_OR_ALIAS.search(body))
        or body.lstrip().startswith(("{", "?", "["))
    ):
        return None
    keys = list(_TOP_KEY.finditer(body))
    # A key whose text is not its name (escapes in double quotes, a `<<` merge) cannot be
    # told apart from the card keys by its text.
    if any(_encoded_key(k.group("key")) for k in keys):
        return None
    starts = [key.start() for key in keys]
    # Content before the first key, or a document marker, makes sections that are valid alone
    # invalid together: such a block is composed whole.
    if not starts or _has_content(body[: starts[0]]) or _DOCUMENT_MARKER.search(body):
        return None
    bounds = [0, *starts, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def _encoded_key(key: str) -> bool:
    return key.rstrip() == "<<" or (key.startswith('"') and "\\" in key)


def _other_line_breaks(body: str) -> bool:
    """True when the block breaks lines with more than LF and CRLF, which YAML also counts."""
    # A lone CR, NEL, LS or PS starts a line for libyaml but not for the patterns above.
    return (
        ("\r" in body and _LONE_CR.search(body) is not None)
        or "\x85" in body
        or "\u2028" in body
        or "\u2029" in body
    )


def _section_key(section: str) -> str | None:
    found = _TOP_KEY.match(section)
    return found.group("key").strip("'\"") if found else None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    if isinstance(exc, DuplicateCardKeyError):
        return str(exc.problem)
    parts = [p for p in (exc.context, exc.problem) if p]
    return "invalid YAML: " + (", ".join(parts) if parts else "cannot be parsed")


def license_shape(metadata: Mapping[str, Any]) -> str:
    """Classify the license value as the card writes it (string, list, missing, null, ...)."""
    key = _license_key(metadata)
    if key is None:
        return "missing"
    value = metadata[key]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string" if value.strip() else "empty"
    if isinstance(value, list):
        return "list" if value else "empty-list"
    return "mapping" if isinstance(value, dict) else "other"


def _license_key(metadata: Mapping[str, Any]) -> str | None:
    for key in ("license", "licenses"):
        if key in metadata:
            return key
    return None


def _scalar_text(value: Any) -> str | None:
    """A scalar YAML value as stripped text; None for null, empty, lists and mappings."""
    if value is None or isinstance(value, list | dict):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return valid_text(str(value)).strip() or None


def valid_text(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (valid in JSON) becomes '?'."""
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


def declaration_from(
    metadata: Mapping[str, Any],
    key_lines: Mapping[str, int],
    repo_id: str | None,
    api_tags: Sequence[str] = (),
) -> LicenseDeclaration:
    """What the card declares about its license, values kept as written."""
    key = _license_key(metadata)
    raw = metadata.get(key) if key else None
    # A nested item is kept as text (an unknown license); a mapping as the whole value is no
    # license at all (`license-missing`).
    found = [_item_text(v) for v in raw] if isinstance(raw, list) else [_scalar_text(raw)]
    values = tuple(t for t in found if t is not None)
    link = _scalar_text(metadata.get("license_link"))
    prompt = metadata.get("extra_gated_prompt")
    wanted: tuple[str, ...] = (
        "license",
        "licenses",
        "license_name",
        "license_link",
        "extra_gated_prompt",
        "base_model",
        "datasets",
    )
    own_tags = license_tags(_string_list(metadata.get("tags")))
    if own_tags:
        # Only the card's own tags have a line; the Hub's computed ones have none.
        wanted += ("tags",)
    return LicenseDeclaration(
        values=values,
        shape=license_shape(metadata),
        key=key,
        license_name=_scalar_text(metadata.get("license_name")),
        license_link=link,
        link_file=link_file(link, repo_id) if link else None,
        gated_prompt=prompt.strip() or None if isinstance(prompt, str) else None,
        license_tags=license_tags((*own_tags, *api_tags)),
        lines={k: v for k, v in key_lines.items() if k in wanted},
    )


def license_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """The `license:<id>` tags among tags, once each (by id, in any case), as written."""
    out: dict[str, str] = {}
    for tag in tags:
        prefix, sep, value = tag.partition(":")
        value = value.strip()
        if sep and prefix.strip().lower() == "license" and value:
            out.setdefault(value.lower(), tag.strip())
    return tuple(out.values())


def link_file(link: str, repo_id: str | None) -> str | None:
    """The repo path a `license_link` points at, when it names a file of this same repo."""
    try:
        parts = urlsplit(link)
    except ValueError:  # e.g. a bracket in the host part: not a link we can follow anyway
        return None
    if not parts.scheme and not parts.netloc:
        path = parts.path
        while path.startswith("./"):
            path = path[2:]
        path = path.lstrip("/")
        return path if path and ".." not in path.split("/") else None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in HUB_HOSTS:
        return None
    if repo_id is None:
        return None
    # /{repo}/blob|resolve|raw/{revision}/{path}
    pattern = re.compile(rf"^/{re.escape(repo_id)}/(?:blob|resolve|raw)/[^/]+/(.+)$")
    found = pattern.match(parts.path)
    return found.group(1) if found else None


def _item_text(value: Any) -> str | None:
    """A list item as text; a nested list or mapping as a short rendering of itself."""
    # Kept rather than dropped, so that `[mit, [cc-by-nc-4.0]]` is an unknown license and
    # `base_model: [{id: x}]` a parent that cannot be read, never silently nothing.
    if isinstance(value, list | dict):
        text = valid_text(_SHORT_REPR.repr(value))
        return text if len(text) <= _SHORT_REPR_CHARS else text[: _SHORT_REPR_CHARS - 1] + "…"
    return _scalar_text(value)


def _string_list(value: Any) -> tuple[str, ...]:
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = _item_text(item)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def base_models_from(
    metadata: Mapping[str, Any],
    api_base_models: Any = None,
    tags: Sequence[str] = (),
) -> tuple[BaseModel, ...]:
    """Parents from the card's `base_model`, the API's `baseModels` and `base_model:` tags."""
    found: dict[str, BaseModel] = {}

    def add(repo_id: str, relation: str | None, source: str) -> None:
        relation = relation if relation in RELATIONS else None
        known = found.get(repo_id)
        if known is None:
            found[repo_id] = BaseModel(repo_id=repo_id, relation=relation, source=source)
        elif known.relation is None and relation is not None:
            found[repo_id] = BaseModel(repo_id=repo_id, relation=relation, source=known.source)

    card_relation = _scalar_text(metadata.get("base_model_relation"))
    for repo_id in _string_list(metadata.get("base_model")):
        add(repo_id, card_relation, "card")
    for repo_id in _string_list(metadata.get("finetuned_from")):
        add(repo_id, card_relation or "finetune", "card")
    for repo_id, relation in _api_base_models(api_base_models):
        add(repo_id, relation, "api")
    for tag in tags:
        if not isinstance(tag, str) or not tag.startswith("base_model:"):
            continue
        rest = tag.removeprefix("base_model:")
        relation, _, target = rest.partition(":")
        if target and relation in RELATIONS:
            add(target, relation, "tag")
        elif not target:
            add(rest, None, "tag")
    return tuple(found.values())


def _api_base_models(value: Any) -> list[tuple[str, str | None]]:
    """The API's `baseModels`: a dict {relation, models: [{id}]}, or a list of ids or dicts."""
    if isinstance(value, dict):
        relation = _scalar_text(value.get("relation"))
        models = value.get("models")
        return [(m, relation) for m in _model_ids(models)]
    return [(m, None) for m in _model_ids(value)]


def _model_ids(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    ids: list[str] = []
    for item in value:
        text = _scalar_text(item.get("id")) if isinstance(item, dict) else _scalar_text(item)
        if text:
            ids.append(text)
    return ids


def license_files(paths: Iterable[str]) -> tuple[str, ...]:
    """The license-like files among a repo's files, root files first."""
    chosen = [p for p in paths if _LICENSE_FILE.match(p.rsplit("/", 1)[-1])]
    return tuple(sorted(chosen, key=lambda p: (p.count("/"), p.lower())))


def _invalid(subject: str, readme_path: str, parsed: FrontMatter) -> Finding:
    return Finding(
        code="card-invalid",
        severity=Severity.ERROR,
        message=f"the README front matter cannot be read: {parsed.error}",
        subject=subject,
        location=Location(readme_path, parsed.error_line),
        hint="fix the YAML between the first two '---' lines; "
        "the Hub ignores metadata it cannot parse",
    )


def card_from_readme(
    ref: ModelRef,
    text: str,
    *,
    source: str,
    files: Sequence[str] = (),
    readme_path: str = "README.md",
    repo_id: str | None = None,
    sha: str | None = None,
) -> Card:
    """A card from README text alone (a local folder, or a Hub repo whose API had no card data)."""
    parsed = read_front_matter(text)
    metadata = parsed.data or {}
    subject = repo_id or str(ref)
    findings = (_invalid(subject, readme_path, parsed),) if parsed.error else ()
    tags = tuple(t for t in _string_list(metadata.get("tags")))
    return Card(
        ref=ref,
        source=source,
        repo_id=repo_id,
        sha=sha,
        declaration=declaration_from(metadata, parsed.key_lines, repo_id),
        base_models=base_models_from(metadata, None, tags),
        datasets=_string_list(metadata.get("datasets")),
        license_files=license_files(files),
        files=tuple(files),
        tags=tags,
        pipeline_tag=_scalar_text(metadata.get("pipeline_tag")),
        readme_path=readme_path,
        has_metadata=parsed.data is not None,
        findings=findings,
        metadata=metadata,
    )


def card_from_api(ref: ModelRef, info: Mapping[str, Any], readme: str | None = None) -> Card:
    """A card from a Hub API answer; README text, when given, supplies line numbers or metadata."""
    repo_id = _scalar_text(info.get("id")) or ref.repo_id
    files = tuple(
        valid_text(s["rfilename"])
        for s in _list(info.get("siblings"))
        if isinstance(s, dict) and isinstance(s.get("rfilename"), str)
    )
    raw_tags = info.get("tags")
    api_tags = _string_list(raw_tags) if isinstance(raw_tags, list) else ()
    card_data = info.get("cardData")
    parsed = read_front_matter(readme) if readme is not None else FrontMatter(found=False)
    findings: tuple[Finding, ...] = ()
    if isinstance(card_data, dict):
        # The Hub's own parse of the README is authoritative; our parse only adds line numbers.
        metadata: dict[str, Any] = {str(k): v for k, v in card_data.items()}
        has_metadata = bool(metadata)
        source = "hub-api"
    else:
        metadata = parsed.data or {}
        has_metadata = parsed.data is not None
        source = "hub-readme" if readme is not None else "hub-api"
        if parsed.error:
            findings = (_invalid(repo_id or str(ref), "README.md", parsed),)
    return Card(
        ref=ref,
        source=source,
        repo_id=repo_id,
        sha=_scalar_text(info.get("sha")),
        gated=_gated(info.get("gated")),
        last_modified=_scalar_text(info.get("lastModified")),
        declaration=declaration_from(metadata, parsed.key_lines, repo_id, api_tags),
        base_models=base_models_from(metadata, info.get("baseModels"), api_tags),
        datasets=_string_list(metadata.get("datasets")),
        license_files=license_files(files),
        files=files,
        tags=api_tags,
        pipeline_tag=_scalar_text(info.get("pipeline_tag") or metadata.get("pipeline_tag")),
        has_metadata=has_metadata,
        findings=findings,
        metadata=metadata,
    )


def _list(value: Any) -> list[Any]:
    """A value an API answer promises to be a list, or an empty one if it is not."""
    return value if isinstance(value, list) else []


def _gated(value: Any) -> str | None:
    """The API's gating mode: None when open, else 'auto', 'manual' (or 'true' from old answers)."""
    if value is None or value is False:
        return None
    if value is True:
        return "true"
    text = _scalar_text(value)
    return None if text in (None, "false", "False") else text
