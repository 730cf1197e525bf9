"""YAML files read with the line of every key, so errors can name file, line and key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from .errors import ConfigError

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that keeps dates as the text the user wrote (2027-02-30 is then an error
    we can place on its line, not a crash inside YAML's date constructor)."""


# YAML 1.1 also reads yes/no/on/off as booleans: `gated: off` in a severity table must stay
# the word the user wrote.
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, _BOOL if tag == "tag:yaml.org,2002:bool" else regex)
        for tag, regex in resolvers
        if tag != "tag:yaml.org,2002:timestamp"
    ]
    for first, resolvers in _Base.yaml_implicit_resolvers.items()
}

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML plus the 1-based line of each key path (mapping keys and list items)."""

    name: str
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of the deepest part of `path` that exists in the file."""
        parts = tuple(path)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), None)

    def where(self, path: Sequence[str | int]) -> str:
        """`file:line` for a key path, for error messages."""
        line = self.line_of(path)
        return f"{self.name}:{line}" if line else self.name


def parse_yaml(text: str, name: str) -> YamlDocument:
    """Parse one YAML document safely; a syntax error is a ConfigError naming file and line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise ConfigError(f"invalid YAML: {exc.problem or exc}", where=where) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", where=name) from None
    except RecursionError:
        raise ConfigError("the YAML is nested too deeply", where=name) from None
    except (LookupError, ValueError, TypeError, AttributeError, ArithmeticError) as exc:
        # A tag that does not fit its value (`!!bool` on a mapping, `!!int abc`).
        raise ConfigError(f"invalid YAML value: {exc}", where=name) from None
    finally:
        loader.dispose()
    lines: dict[Path, int] = {}
    if node is not None:
        if _expanded_size(node) > MAX_VALUES:
            raise ConfigError(
                f"the YAML expands to more than {MAX_VALUES:,} values (through aliases)",
                where=name,
                hint="write the values out, or use fewer anchors and aliases",
            )
        _collect(node, lines, name)
    return YamlDocument(name=name, data=data, lines=lines)


_FLOAT_TAG = "tag:yaml.org,2002:float"

# A rules or policy file is small and shallow; an alias bomb of a few hundred bytes is not.
MAX_VALUES = 100_000
MAX_DEPTH = 64


def _expanded_size(root: yaml.Node) -> int:
    """How many values the document has once aliases are expanded, counted without expanding."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if children_done or not children:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            sizes[id(node)] = min(total, MAX_VALUES + 1)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _collect(root: yaml.Node, lines: dict[Path, int], name: str) -> None:
    """The line of every key path; each node is visited once, so aliases are not expanded."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Path]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > MAX_DEPTH:
            raise ConfigError(
                f"the YAML is nested more than {MAX_DEPTH} levels deep",
                where=f"{name}:{node.start_mark.line + 1}",
            )
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key, value in node.value:
                text = str(key.value)
                child = (*path, text)
                if text in keys:
                    # YAML keeps the last of two equal keys without a word; that hides mistakes.
                    raise ConfigError(
                        f"{dotted(child)} appears twice (first on line {lines[child]})",
                        where=f"{name}:{key.start_mark.line + 1}",
                        hint="keep one of them",
                    )
                keys.add(text)
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, index)
                lines[child] = item.start_mark.line + 1
                stack.append((item, child))
        elif node.tag == _FLOAT_TAG and _not_finite(node.value):
            # NaN compares false with every limit, so `.nan` revenue would pass any cap.
            raise ConfigError(
                f"{dotted(path)}: {node.value} is not a number that can be compared",
                where=f"{name}:{node.start_mark.line + 1}",
                hint="write the figure, or leave the key out when it is not known",
            )


def _not_finite(text: str) -> bool:
    """True for the float spellings PyYAML reads as NaN or infinity (`.nan`, `!!float inf`)."""
    return text.replace("_", "").lstrip("+-").lstrip(".").lower() in ("nan", "inf", "infinity")


def dotted(path: Sequence[str | int]) -> str:
    """A key path as users write it: `permissions.commercial_use.status`, `items[3].id`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
