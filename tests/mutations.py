"""Mutations of real model cards and hostile YAML, for the fuzz tests in test_fuzz.py.

Everything here is a pure function of its arguments, so hypothesis can draw the arguments,
shrink them, and replay a failure from the example it prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The keys a card is read for that bear on its license and lineage; each gets every wrong type.
LICENSE_KEYS = ("license", "licenses", "license_name", "license_link", "extra_gated_prompt")
LINEAGE_KEYS = (
    "base_model",
    "base_model_relation",
    "finetuned_from",
    "datasets",
    "tags",
    "pipeline_tag",
)
FUZZED_KEYS = LICENSE_KEYS + LINEAGE_KEYS

# YAML values of every type but the expected one (and a few expected ones written oddly).
# Multi-line values carry their own indentation.
WRONG_TYPE_YAML = (
    "0",
    "-1",
    "123456789012345678901234567890",
    "1e309",
    "-.inf",
    ".nan",
    "0x1F",
    "0o17",
    "1_000",
    "190:20:30",
    "true",
    "no",
    "null",
    "~",
    "",
    "''",
    "'   '",
    "{}",
    "[]",
    "[[]]",
    "{a: 1}",
    "{license: {license: mit}}",
    "[[mit]]",
    "[[[[[[[[apache-2.0]]]]]]]]",
    "[null, 1, true, 2.5, {id: x}]",
    "[{id: meta-llama/Llama-3.1-8B}, {relation: merge, models: [{id: a/b}]}]",
    "{relation: finetune, models: [{id: a/b}]}",
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "!!binary aGVsbG8=",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1, a: 2]",
    "!!str 5",
    "!!int '7'",
    "!!float '1e5'",
    "!!bool yes",
    "!!null ''",
    "!custom x",
    "!<tag:example.com,2000:x> y",
    "|\n  block\n  text\n",
    ">-\n  folded\n  text",
    "\n  - mit\n  - [apache-2.0]\n  - {a: b}",
    "\n  ? [a, b]\n  : c",
    "\n  ? {a: b}\n  : c",
    "\n  a: 1\n  a: 2",
    '"\\u0000\\x1b[31m\\t\\r\\n"',
    '"\\ud800"',
    "'<script>alert(1)</script>'",
    "'mit\n\n  ::error::x'",
    "&anchor mit",
    "*undefined_alias",
    "@reserved",
    "`backtick",
    "%directive",
    "- a\n- b",
    "[a, b",
    "{a: b",
    "'unterminated",
    '"unterminated',
    "a: b: c",
)

# Explicit core-schema tags on values they cannot construct: PyYAML's constructors raise
# KeyError, ValueError or AttributeError here, not a YAMLError.
INVALID_TAGGED_YAML = (
    "!!bool mit",
    "!!bool ''",
    "!!int abc",
    "!!float x",
    "!!timestamp x",
    "!!timestamp 2024-13-45",
    "!<tag:yaml.org,2002:bool> mit",
)


@dataclass(frozen=True)
class Mutation:
    """One edit: `kind` with a position (taken modulo the length) and a payload."""

    kind: str
    at: int = 0
    size: int = 0
    payload: str = ""


TEXT_KINDS = (
    "truncate",
    "insert",
    "delete",
    "duplicate",
    "swap-lines",
    "set-key",
    "indent",
    "replace-value",
    "line-endings",
    "drop-closing",
)


def set_key(text: str, key: str, value: str) -> str:
    """The card with `key: value` put first in its front matter (or as a new front matter)."""
    lines = value.split("\n")
    rendered = f"{key}: {lines[0]}" + "".join(f"\n{line}" for line in lines[1:])
    if text.startswith("---\n"):
        return f"---\n{rendered}\n{text[4:]}"
    return f"---\n{rendered}\n---\n{text}"


def apply(text: str, mutation: Mutation) -> str:
    """One mutation of a card's text."""
    n = len(text)
    at = mutation.at % (n + 1)
    if mutation.kind == "truncate":
        return text[:at]
    if mutation.kind == "insert":
        return text[:at] + mutation.payload + text[at:]
    if mutation.kind == "delete":
        return text[:at] + text[at + mutation.size :]
    if mutation.kind == "duplicate":
        return text[: at + mutation.size] + text[at : at + mutation.size] + text[at:]
    if mutation.kind == "swap-lines":
        lines = text.split("\n")
        i, j = at % len(lines), mutation.size % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if mutation.kind == "set-key":
        key, _, value = mutation.payload.partition("=")
        return set_key(text, key, value)
    if mutation.kind == "indent":
        lines = text.split("\n")
        i = at % len(lines)
        lines[i] = " " * (mutation.size % 9) + lines[i]
        return "\n".join(lines)
    if mutation.kind == "replace-value":
        # The value of some `key: value` line (the first one at or after the position).
        lines = text.split("\n")
        for offset in range(len(lines)):
            i = (at + offset) % len(lines)
            key, colon, _ = lines[i].partition(": ")
            if colon:
                lines[i] = f"{key}: {mutation.payload}"
                break
        return "\n".join(lines)
    if mutation.kind == "line-endings":
        return text.replace("\r\n", "\n").replace("\n", mutation.payload)
    if mutation.kind == "drop-closing":
        head, fence, rest = text.partition("\n---\n")
        return head + "\n" + rest if fence else text
    raise ValueError(f"unknown mutation {mutation.kind}")


def apply_all(text: str, mutations: Sequence[Mutation]) -> str:
    """Several mutations, in order."""
    for mutation in mutations:
        text = apply(text, mutation)
    return text


def mutate_bytes(data: bytes, edits: Sequence[tuple[int, bytes]], cut: int | None) -> bytes:
    """Bytes inserted at positions (taken modulo the length), then a cut at a byte offset.

    The cut can fall inside a multi-byte UTF-8 character, as a truncated download would.
    """
    for at, inserted in edits:
        at %= len(data) + 1
        data = data[:at] + inserted + data[at:]
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    return data


# ---------------------------------------------------------------- hostile YAML


def alias_bomb(levels: int = 9, width: int = 9, key: str = "license") -> str:
    """The "billion laughs": each level an anchor holding `width` aliases of the one below.

    Expanded, the last level holds width**levels strings; as YAML it is a few hundred bytes.
    """
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    lines.append(f"{key}: *l{levels - 1}")
    return "\n".join(lines)


def deep_flow(depth: int, key: str = "license", kind: str = "list") -> str:
    """A value nested `depth` levels deep as flow lists or flow maps."""
    if kind == "list":
        return f"{key}: " + "[" * depth + "mit" + "]" * depth
    return f"{key}: " + "{a: " * depth + "mit" + "}" * depth


def deep_block(depth: int, key: str = "license", kind: str = "list") -> str:
    """A value nested `depth` levels deep in block style (indentation)."""
    if kind == "list":
        return f"{key}:\n" + "".join(" " * i + "-\n" for i in range(depth)) + " " * depth + "mit"
    return f"{key}:\n" + "".join(" " * (i + 1) + f"k{i}:\n" for i in range(depth))


def deep_compact(depth: int, key: str = "license") -> str:
    """A block sequence of sequences on one line: `- - - - mit`."""
    return f"{key}:\n" + "- " * depth + "mit"


def huge_scalar(size: int, key: str = "license", style: str = "plain") -> str:
    """A value of `size` characters, plain, quoted or as a literal block."""
    if style == "plain":
        return f"{key}: " + "a" * size
    if style == "quoted":
        return f'{key}: "' + "a" * size + '"'
    return f"{key}: |\n" + ("  " + "a" * 79 + "\n") * (size // 80 + 1)


def many_keys(count: int, flow: bool = False) -> str:
    """A front matter of `count` top-level keys (kept short to stay under the size limit)."""
    if flow:
        return "{license: mit, " + ", ".join(f"{i:x}: 1" for i in range(count)) + "}"
    return "license: mit\n" + "\n".join(f"{i:x}: 1" for i in range(count))


def code_execution_payloads(marker: Path) -> list[str]:
    """YAML values that would create `marker` if a loader ran Python from tags."""
    target = str(marker)
    command = f"touch {target}"
    return [
        f"!!python/object/apply:os.system [{command!r}]",
        f"!!python/object/apply:subprocess.call [[touch, {target!r}]]",
        f"!!python/object/apply:subprocess.check_output [[touch, {target!r}]]",
        f"!!python/object/new:os.system [{command!r}]",
        f"!!python/object/apply:builtins.exec [\"open({target!r}, 'w').close()\"]",
        f"!!python/object/apply:builtins.eval [\"open({target!r}, 'w').close()\"]",
        f"!<tag:yaml.org,2002:python/object/apply:os.system> [{command!r}]",
        f"!!python/object:os.system {{args: [{command!r}]}}",
        "!!python/name:os.system ''",
        "!!python/module:os ''",
        f"{{x: !!python/object/apply:os.system [{command!r}]}}",
        f"[!!python/object/apply:os.system [{command!r}]]",
    ]


def tag_directive_payload(marker: Path) -> str:
    """A front matter that declares its own %TAG for Python's tags, then uses it."""
    return (
        "%TAG !x! tag:yaml.org,2002:python/object/apply:\n"
        f"--- {{license: !x!os.system [{f'touch {marker}'!r}]}}"
    )


VALID_RULES = """\
version: 1
organization:
  name: Acme
  monthly_active_users: 2500000
  annual_revenue_usd: 40000000
  domicile: [US, DE]
deployment:
  commercial: true
  modes: [internal, hosted-service]
  uses: [customer-support]
licenses:
  allow: [apache-2.0, MIT, llama3.1, "category:permissive"]
  deny: [agpl-3.0]
  unknown: fail
obligations:
  accept: [include-license, attribution-display]
lineage:
  max_depth: 8
  datasets: warn
severity:
  gated: off
  license-family: error
exceptions:
  - model: acme/foo
    revision: 0123abcd
    codes: [license-not-allowed]
    reason: approved by legal
    owner: legal@acme.example
    expires: 2030-06-30
"""
