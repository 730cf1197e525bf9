"""Inventories for audits: model lists (text or YAML) and model ids found in a code base."""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from .errors import InputError, LicenseLintError
from .hub import validate_revision
from .model import Location, ModelRef
from .reference import parse_reference
from .yamlsource import YamlDocument, parse_yaml

MAX_SCANNED_FILES = 50_000
MAX_SCANNED_BYTES = 2 * 1024 * 1024
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", "dist", "build"}
)

# Calls whose first argument (or a keyword) names a model or dataset on the Hub; each of them
# also takes `revision=`.
_MODEL_CALLS = {
    "from_pretrained": ("pretrained_model_name_or_path", "model_id", "repo_id"),
    "pipeline": ("model",),
    "hf_hub_download": ("repo_id",),
    "snapshot_download": ("repo_id",),
    "model_info": ("repo_id",),
    "SentenceTransformer": ("model_name_or_path",),
}
_DATASET_CALLS = {"load_dataset": ("path",)}
# Calls whose `repo_type=` says what the repo is: a model (the default), a dataset or a Space.
_TYPED_CALLS = frozenset({"hf_hub_download", "snapshot_download"})
_REPO_KINDS = frozenset({"model", "dataset"})
# The packaged builders of the datasets library (its datasets.packaged_modules: those load_dataset
# knows by name, and those behind Dataset.from_generator, from_spark, from_sql and its cache).
# load_dataset("json", data_files=...) reads local files with one and names no dataset on the Hub.
PACKAGED_BUILDERS = frozenset(
    {
        "arrow",
        "audiofolder",
        "cache",
        "csv",
        "eval",
        "generator",
        "hdf5",
        "imagefolder",
        "json",
        "lance",
        "niftifolder",
        "pandas",
        "parquet",
        "pdffolder",
        "spark",
        "sql",
        "text",
        "videofolder",
        "webdataset",
        "xml",
    }
)
# Config keys whose string values name a model (or a dataset) on the Hub.
_MODEL_KEYS = frozenset(
    {
        "model",
        "model_id",
        "model_name",
        "model_name_or_path",
        "pretrained_model_name_or_path",
        "base_model",
        "base_model_name_or_path",
        "repo_id",
        "tokenizer_name",
        "hub_model_id",
    }
)
_DATASET_KEYS = frozenset({"dataset", "dataset_name", "dataset_id"})
_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
_LEGACY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NOT_A_NAME = re.compile(r"\.(bin|pt|pth|safetensors|gguf|onnx|json|ya?ml|txt|py|ckpt|h5)$", re.I)
# How much of an argument's source a note quotes.
_QUOTED_SOURCE = 60


class _Hit(NamedTuple):
    """A repo id found in a file: its kind, line, the revision asked for, and what was unclear."""

    name: str
    kind: str
    line: int
    revision: str | None = None
    notes: tuple[str, ...] = ()


def read_inventory(path: str) -> list[ModelRef]:
    """Model references from a list file: one per line (text), or YAML with revision and uses."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read inventory {path}: {exc}") from None
    if file.suffix.lower() in (".yaml", ".yml", ".json"):
        return _yaml_inventory(parse_yaml(text, path))
    refs = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if entry:
            refs.append(_reference(entry, Location(path, number)))
    return refs


def _reference(text: str, where: Location) -> ModelRef:
    try:
        ref = parse_reference(text)
    except LicenseLintError as exc:
        raise InputError(exc.message, where=str(where), hint=exc.hint) from None
    return replace(ref, origin=where)


def _yaml_inventory(document: YamlDocument) -> list[ModelRef]:
    """`models:` (or a bare list) of ids or {model, revision, uses} mappings."""
    data: Any = document.data
    key: list[str | int] = []
    if isinstance(data, dict):
        data, key = data.get("models"), ["models"]
    if not isinstance(data, list):
        raise InputError(
            "an inventory file is a list of models (or has a 'models:' list)",
            where=document.where(key),
        )
    refs = []
    for index, item in enumerate(data):
        path = [*key, index]
        where = Location(document.name, document.line_of(path))
        if isinstance(item, str):
            refs.append(_reference(item, where))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("model"), str):
            raise InputError("each entry needs a 'model' id", where=document.where(path))
        unknown = set(item) - {"model", "revision", "uses"}
        if unknown:
            raise InputError(
                f"unknown key '{sorted(unknown)[0]}' (entries take model, revision, uses)",
                where=document.where([*path, sorted(unknown)[0]]),
            )
        text = item["model"] + (f"@{item['revision']}" if item.get("revision") else "")
        uses = item.get("uses") or []
        if not isinstance(uses, list) or not all(isinstance(u, str) for u in uses):
            raise InputError(
                "'uses' is a list of use categories", where=document.where([*path, "uses"])
            )
        refs.append(replace(_reference(text, where), uses=tuple(uses)))
    return refs


def scan(root: str) -> list[ModelRef]:
    """Model (and dataset) ids named in a code base, each with the file and line it was found at."""
    base = Path(root)
    if not base.exists():
        raise InputError(f"{root} does not exist", hint="give a folder of source code to scan")
    found: list[ModelRef] = []
    for file in _files(base):
        for hit in _scan_file(file):
            where = Location(file.as_posix(), hit.line)
            found.append(
                ModelRef(
                    repo_id=hit.name,
                    revision=hit.revision,
                    kind=hit.kind,
                    origin=where,
                    notes=tuple(f"{where}: {hit.name}: {note}" for note in hit.notes),
                )
            )
    return sorted(merge_duplicates(found), key=lambda r: (str(r.origin), r.repo_id or ""))


def merge_duplicates(refs: Iterable[ModelRef]) -> list[ModelRef]:
    """One reference per repo and revision, in first-seen order, keeping every entry's uses."""
    merged: dict[tuple[str, str], ModelRef] = {}
    for ref in refs:
        key = (ref.kind, str(ref).casefold())
        seen = merged.get(key)
        if seen is None:
            merged[key] = ref
            continue
        # The first place it was listed stays its origin: that is where a reader looks first.
        merged[key] = replace(
            seen,
            origin=seen.origin or ref.origin,
            uses=tuple(dict.fromkeys((*seen.uses, *ref.uses))),
            notes=tuple(dict.fromkeys((*seen.notes, *ref.notes))),
        )
    return list(merged.values())


def _files(base: Path) -> Iterator[Path]:
    if base.is_file():
        yield base
        return
    count = 0
    for folder, dirs, names in os.walk(base, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        for name in sorted(names):
            if name.endswith((".py", ".yaml", ".yml", ".json")):
                count += 1
                if count > MAX_SCANNED_FILES:
                    return
                yield Path(folder) / name


def _scan_file(file: Path) -> list[_Hit]:
    try:
        if file.is_symlink() or file.stat().st_size > MAX_SCANNED_BYTES:
            return []
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if file.suffix == ".py":
        return list(_python_ids(text))
    try:
        document = parse_yaml(text, str(file))
    except LicenseLintError:
        return []
    return list(_config_ids(document.data, (), document))


def _python_ids(text: str) -> Iterator[_Hit]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in _MODEL_CALLS:
            kind, keywords = "model", _MODEL_CALLS[name]
        elif name in _DATASET_CALLS:
            kind, keywords = "dataset", _DATASET_CALLS[name]
        else:
            continue
        given = {k.arg: k.value for k in node.keywords if k.arg is not None}
        notes: list[str] = []
        if name in _TYPED_CALLS:
            typed = _repo_kind(given.get("repo_type"), notes)
            if typed is None:
                continue
            kind = typed
        revision = _revision(given.get("revision"), notes)
        # pipeline(task, model, ...): the first argument is the task, the second the model.
        candidates = node.args[1:2] if name == "pipeline" else node.args[:1]
        candidates += [value for key, value in given.items() if key in keywords]
        for value in candidates:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                hub_id = _as_hub_id(value.value, allow_legacy=True)
                if hub_id and not (kind == "dataset" and hub_id in PACKAGED_BUILDERS):
                    yield _Hit(hub_id, kind, value.lineno, revision, tuple(notes))


def _repo_kind(value: ast.expr | None, notes: list[str]) -> str | None:
    """The kind of repo a `repo_type=` argument names; None for a Space or an unknown type."""
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return "model"
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        # Spaces are applications, not models: their license is not the audit's concern.
        return value.value if value.value in _REPO_KINDS else None
    notes.append(f"repo_type={_quote(value)} is not a string literal; checked as a model")
    return "model"


def _revision(value: ast.expr | None, notes: list[str]) -> str | None:
    """The revision a `revision=` argument pins; None (and a note) when the code does not say."""
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        try:
            return validate_revision(value.value)
        except LicenseLintError:
            notes.append(f"revision={_quote(value)} is not a valid revision; checked at main")
            return None
    # A variable or an expression: guessing would audit a revision the code may never load.
    notes.append(f"revision={_quote(value)} is not a string literal; checked at main")
    return None


def _quote(value: ast.expr) -> str:
    """An argument's source, shortened for a one-line note."""
    text = " ".join(ast.unparse(value).split())
    return text if len(text) <= _QUOTED_SOURCE else text[: _QUOTED_SOURCE - 3] + "..."


def _config_ids(data: Any, path: tuple[str | int, ...], document: YamlDocument) -> Iterator[_Hit]:
    if isinstance(data, dict):
        for key, value in data.items():
            child = (*path, str(key))
            kind = "model" if key in _MODEL_KEYS else "dataset" if key in _DATASET_KEYS else None
            if kind and isinstance(value, str):
                hub_id = _as_hub_id(value, allow_legacy=False)
                if hub_id:
                    yield _Hit(hub_id, kind, document.line_of(list(child)) or 0)
            else:
                yield from _config_ids(value, child, document)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _config_ids(item, (*path, index), document)


def _as_hub_id(value: str, *, allow_legacy: bool) -> str | None:
    """A string that names a Hub repo (not a local path, URL, file or ordinary word)."""
    text = value.strip()
    if not text or _NOT_A_NAME.search(text) or text.startswith((".", "/", "~")):
        return None
    if _HUB_ID.match(text) and "--" not in text and ".." not in text:
        return text
    # Un-namespaced ids (gpt2, bert-base-uncased) only where the call can only mean a model.
    if allow_legacy and _LEGACY_ID.match(text) and any(c.isalpha() for c in text):
        return text
    return None
