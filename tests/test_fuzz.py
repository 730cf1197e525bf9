"""Fuzzing: hostile and broken cards, rules and report content never crash license-lint.

Property-based (hypothesis) and built from mutations of the real cards in ../shared/corpus/cards
(those parts skip when the corpus is absent). The properties: card parsing, normalization and
evaluation never raise; a card over the limits is a `card-invalid` finding; rules loading raises
nothing but ConfigError; every reporter renders hostile content, escaped for its format.

Sizes: by default (CI) 100 examples per property, derandomized, so a run is repeatable. On demand:

    LICENSE_LINT_FUZZ=full python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

runs 15,000 examples per property, seeded at random (11 properties: 165,000 generated cases);
LICENSE_LINT_FUZZ=<number> runs that many examples per property.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis", reason="the fuzz tests need hypothesis")

from hypothesis import (  # noqa: E402
    HealthCheck,
    given,
    settings,
)
from hypothesis import strategies as st  # noqa: E402

from license_lint import __version__  # noqa: E402
from license_lint import card as card_module  # noqa: E402
from license_lint.card import (  # noqa: E402
    CARD_KEYS,
    MAX_FRONT_MATTER_CHARS,
    RELATIONS,
    DuplicateCardKeyError,
    FrontMatter,
    card_from_api,
    card_from_readme,
    read_front_matter,
)
from license_lint.catalog import load_catalog  # noqa: E402
from license_lint.codes import DEFAULT_SEVERITY  # noqa: E402
from license_lint.errors import ConfigError, InvalidReferenceError  # noqa: E402
from license_lint.evaluate import evaluate, verdict  # noqa: E402
from license_lint.hub import validate_repo_id  # noqa: E402
from license_lint.inherit import effective_license, lineage_findings  # noqa: E402
from license_lint.lineage import find_cycles  # noqa: E402
from license_lint.local import MAX_README_BYTES, read_local  # noqa: E402
from license_lint.model import (  # noqa: E402
    Card,
    Finding,
    Lineage,
    LineageEdge,
    LineageNode,
    Location,
    ModelRef,
    ModelResult,
    Report,
    Severity,
)
from license_lint.normalize import normalize  # noqa: E402
from license_lint.report import FORMATS, render  # noqa: E402
from license_lint.rules import MODES, Rules, load_preset, parse_rules, preset_names  # noqa: E402
from license_lint.textstyle import Styler  # noqa: E402
from license_lint.yamlsource import parse_yaml  # noqa: E402
from mutations import (  # noqa: E402
    FUZZED_KEYS,
    INVALID_TAGGED_YAML,
    LICENSE_KEYS,
    VALID_RULES,
    WRONG_TYPE_YAML,
    Mutation,
    alias_bomb,
    apply_all,
    code_execution_payloads,
    deep_block,
    deep_compact,
    deep_flow,
    huge_scalar,
    many_keys,
    mutate_bytes,
    set_key,
    tag_directive_payload,
)

from conftest import CORPUS, needs_corpus  # noqa: E402

# ---------------------------------------------------------------- profiles

_COMMON: dict[str, Any] = {
    "database": None,
    "print_blob": True,
    "suppress_health_check": [
        # The conftest's autouse fixture only sets environment variables: sharing it between
        # examples is harmless.
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
}
settings.register_profile(
    "license-lint-ci", max_examples=100, derandomize=True, deadline=timedelta(seconds=2), **_COMMON
)
settings.register_profile(
    "license-lint-full", max_examples=15_000, deadline=timedelta(seconds=2), **_COMMON
)


def _profile() -> settings:
    wanted = os.environ.get("LICENSE_LINT_FUZZ", "").strip()
    if wanted == "full":
        return settings.get_profile("license-lint-full")
    if wanted.isdigit():
        return settings(settings.get_profile("license-lint-full"), max_examples=int(wanted))
    return settings.get_profile("license-lint-ci")


FUZZ = _profile()
# Parsing gets 2 s per example (the profile's deadline); rendering nine formats gets more.
FUZZ_REPORTS = settings(FUZZ, deadline=timedelta(seconds=10))

# ---------------------------------------------------------------- shared data


@functools.cache
def catalog() -> Any:
    return load_catalog()


@functools.cache
def all_rules() -> tuple[Rules, ...]:
    """Every preset, and a rules file that turns on every deployment mode and figure."""
    everything = parse_rules(VALID_RULES, ".license-lint.yaml", catalog())
    everything = replace(
        everything,
        deployment=replace(everything.deployment, modes=MODES, train_on_outputs=True),
    )
    presets = tuple(load_preset(name, catalog()) for name in preset_names())
    return (*presets, everything)


CARD_PATHS = sorted((CORPUS / "cards").glob("*.yaml")) if (CORPUS / "cards").is_dir() else []


@functools.cache
def corpus_text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


@functools.cache
def corpus_bytes(path: Path) -> bytes:
    return path.read_bytes()


# The Hub's own regex for the front matter (huggingface_hub), the oracle for the block we read.
HUB_REGEX = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
SHAPES = {
    "missing",
    "null",
    "boolean",
    "number",
    "string",
    "empty",
    "list",
    "empty-list",
    "mapping",
    "other",
}

# ---------------------------------------------------------------- strategies

# Pieces of text written to break out of some output format or terminal.
HOSTILE_FRAGMENTS = (
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</td></tr></table>",
    "<!--",
    "-->",
    "]]>",
    "&lt;script&gt;",
    "&#60;script&#62;",
    "#60;script#62;",
    "javascript:alert(1)",
    "[x](javascript:alert(1))",
    "![x](https://x.example/p.png)",
    "<br/>",
    "\x1b[31m",
    "\x1b]8;;https://x.example\x07link\x1b]8;;\x07",
    "\x1b[2J\x1b[H",
    "\x9b31m",
    "\x00",
    "\x07",
    "\x08",
    "\x7f",
    "\x85",
    "\r",
    "\n",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\u2028",
    "\u2029",
    "\u202e",
    "\ufeff",
    "\t",
    "\n::error::pwned",
    "::warning file=a,line=1::pwned",
    "%0A::error::pwned",
    "%0D%0A::notice::x",
    "%25",
    "\n##[error]pwned",
    "##[set-output name=x;]y",
    "::stop-commands::token",
    "${{ secrets.GITHUB_TOKEN }}",
    "|",
    "\\|",
    "`",
    "```",
    "~~~",
    "*",
    "_",
    "~",
    "@here",
    "#1",
    "$x$",
    "\\",
    '"',
    "'",
    ":",
    ",",
    "%",
    "{",
    "}",
    "[",
    "]",
    '"]; click n0 call alert()',
    "%%{init: {}}%%",
    "-->|x|",
    "mit",
    "apache-2.0",
    "llama3.1",
    "other",
    "meta-llama/Llama-3.1-8B",
)

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_FRAGMENTS),
    st.text(max_size=12),
    st.lists(
        st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), st.text(max_size=8)), min_size=2, max_size=4
    ).map("".join),
)
# Text that comes through JSON can hold lone surrogates ("\ud800" is valid JSON).
json_text = st.one_of(hostile_text, st.sampled_from(["\ud800", "a\udc80b", "\udfff\ud800"]))

# Characters that give YAML its structure, for text that is "almost" YAML.
YAML_ALPHABET = st.sampled_from(
    [*"-:?[]{},&*!|>'\"#%@`~ \t\n\rabcx01.\\", "---", "\n- ", "\x85", "\u2028", "\ufeff"]
)
yaml_ish = st.lists(YAML_ALPHABET, max_size=120).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(),
    hostile_text,
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), json_text)


def nested(
    leaves: st.SearchStrategy[Any], keys: st.SearchStrategy[Any], size: int = 12
) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=size,
    )


# Any value of any type, for the keys that expect a string or a list of strings.
yaml_values = nested(
    st.one_of(scalars, st.dates(), st.datetimes(), st.binary(max_size=8)),
    st.one_of(hostile_text, st.integers(), st.booleans(), st.none()),
)
json_values = nested(json_scalars, json_text)
# One level of nesting: enough for the API's fields around the card data, and cheap to draw.
flat_json_values = st.one_of(
    json_scalars,
    st.lists(json_scalars, max_size=3),
    st.dictionaries(json_text, json_scalars, max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["id", "rfilename", "relation"]), json_scalars)),
)

positions = st.integers(min_value=0, max_value=2**20)
wrong_type_assignment = st.tuples(
    st.sampled_from(FUZZED_KEYS), st.sampled_from(WRONG_TYPE_YAML) | yaml_ish
).map("=".join)
mutations = st.lists(
    st.one_of(
        st.builds(Mutation, st.just("truncate"), positions),
        st.builds(
            Mutation,
            st.just("insert"),
            positions,
            st.just(0),
            st.one_of(hostile_text, yaml_ish, st.sampled_from(WRONG_TYPE_YAML)),
        ),
        st.builds(Mutation, st.just("delete"), positions, st.integers(1, 200)),
        st.builds(Mutation, st.just("duplicate"), positions, st.integers(1, 200)),
        st.builds(Mutation, st.just("swap-lines"), positions, st.integers(0, 2**16)),
        st.builds(Mutation, st.just("indent"), positions, st.integers(0, 8)),
        st.builds(Mutation, st.just("set-key"), payload=wrong_type_assignment),
        st.builds(
            Mutation,
            st.just("replace-value"),
            positions,
            payload=st.sampled_from(WRONG_TYPE_YAML) | yaml_ish,
        ),
        st.builds(Mutation, st.just("line-endings"), payload=st.sampled_from(["\r\n", "\r"])),
        st.just(Mutation("drop-closing")),
    ),
    min_size=1,
    max_size=4,
)
raw_bytes = st.one_of(
    st.binary(min_size=1, max_size=8),
    st.sampled_from(
        [
            b"\xff",
            b"\xfe\xff",
            b"\xc3",
            b"\xe2\x80",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xc0\xaf",
            b"\x00",
            b"\xef\xbb\xbf",
            b"\x1b[2J",
            b"\r",
        ]
    ),
)
byte_edits = st.lists(st.tuples(positions, raw_bytes), min_size=1, max_size=4)
cuts = st.none() | positions

corpus_cards = st.sampled_from(CARD_PATHS or [Path("absent")])

hex40 = st.text(alphabet="0123456789abcdef", min_size=40, max_size=40)
hub_ids = st.sampled_from(
    ["acme/model", "meta-llama/Llama-3.1-8B", "google/gemma-2-9b", "bert-base", "a/b.c_d-1"]
)
repo_ids = hub_ids | hostile_text


@functools.cache
def license_ids() -> list[str]:
    return sorted(catalog().policies)


catalog_ids = st.deferred(lambda: st.sampled_from(license_ids()))
licenses = st.one_of(
    st.sampled_from(["mit", "apache-2.0", "llama3.1", "gemma", "cc-by-nc-4.0", "other", "gpl"]),
    catalog_ids,
    hostile_text,
)
pipelines = st.sampled_from(["text-generation", "image-text-to-text", "any-to-any"]) | hostile_text

# ---------------------------------------------------------------- checks


def check_front_matter(text: str) -> FrontMatter:
    """read_front_matter never raises and returns one consistent shape."""
    front = read_front_matter(text)
    assert front.error is None or front.data is None
    assert front.error is None or front.found
    if front.data is not None:
        assert isinstance(front.data, dict)
        assert set(front.data) <= CARD_KEYS
    assert all(isinstance(line, int) and line >= 1 for line in front.key_lines.values())
    if front.error is not None:
        assert front.error_line is not None and front.error_line >= 1
    return front


def check_card(
    card: Card,
    *,
    rules: Rules | None = None,
    license_file: tuple[str, str, str] | None = None,
) -> None:
    """A card of the right types; normalizing and evaluating it raises nothing."""
    declaration = card.declaration
    assert all(isinstance(v, str) and v and v == v.strip() for v in declaration.values)
    assert declaration.shape in SHAPES
    for value in (
        declaration.license_name,
        declaration.license_link,
        declaration.link_file,
        declaration.gated_prompt,
        card.pipeline_tag,
        card.sha,
        card.gated,
        card.repo_id,
        card.last_modified,
    ):
        assert value is None or isinstance(value, str)
    for values in (card.tags, card.datasets, card.files, card.license_files):
        assert all(isinstance(v, str) for v in values)
    for base in card.base_models:
        assert isinstance(base.repo_id, str) and base.repo_id
        assert base.relation is None or base.relation in RELATIONS
    assert {f.code for f in card.findings} <= {"card-invalid"}
    assert all(f.severity is Severity.ERROR for f in card.findings)
    license = normalize(
        declaration, catalog(), readme_path=card.readme_path, license_file=license_file
    )
    assert isinstance(license.expression, str)
    assert license.status in ("missing", "unknown", "resolved")
    for term in license.terms:
        assert all(catalog().get(i) is not None for i in term.any_of)
    findings = evaluate(card, license, catalog(), rules or all_rules()[-1])
    assert all(f.code in DEFAULT_SEVERITY for f in findings)
    assert verdict(findings, Severity.ERROR) in ("pass", "fail")


def readme_card(text: str, path: str = "model") -> Card:
    return card_from_readme(
        ModelRef(path=path), text, source="local", readme_path=f"{path}/README.md"
    )


def check_readme(text: str, rules: Rules | None = None) -> Card:
    """The whole local path for README text: front matter, card, normalization, evaluation."""
    front = check_front_matter(text)
    card = readme_card(text)
    assert bool(card.findings) == (front.error is not None)
    check_card(card, rules=rules)
    return card


def front_matter_body(text: str) -> str | None:
    found = HUB_REGEX.match(text.removeprefix("\ufeff"))
    return found.group(2) if found else None


rules_choice = st.deferred(lambda: st.sampled_from(all_rules()))

# ---------------------------------------------------------------- cards: corpus mutations


@needs_corpus
@FUZZ
@given(path=corpus_cards, edits=mutations, rules=rules_choice)
def test_mutated_corpus_cards_parse_normalize_and_evaluate(
    path: Path, edits: list[Mutation], rules: Rules
) -> None:
    check_readme(apply_all(corpus_text(path), edits), rules)


@needs_corpus
@FUZZ
@given(path=corpus_cards, edits=byte_edits, cut=cuts, with_card_data=st.booleans())
def test_corrupted_corpus_bytes_as_the_hub_reader_decodes_them(
    path: Path, edits: list[tuple[int, bytes]], cut: int | None, with_card_data: bool
) -> None:
    data = mutate_bytes(corpus_bytes(path), edits, cut)
    readme = data.decode("utf-8", "replace")
    front = check_front_matter(readme)
    info: dict[str, Any] = {"id": "acme/model", "sha": "0" * 40, "siblings": []}
    if with_card_data:
        # The Hub's own parse is authoritative; the README only adds line numbers.
        info["cardData"] = {"license": "mit", "base_model": "acme/base"}
    card = card_from_api(ModelRef(repo_id="acme/model"), info, readme)
    assert bool(card.findings) == (front.error is not None and not with_card_data)
    check_card(card)


@needs_corpus
@FUZZ
@given(path=corpus_cards, edits=byte_edits, cut=cuts)
def test_corrupted_corpus_bytes_through_read_local(
    tmp_path: Path, path: Path, edits: list[tuple[int, bytes]], cut: int | None
) -> None:
    data = mutate_bytes(corpus_bytes(path), edits, cut)
    folder = tmp_path / "model"
    folder.mkdir(exist_ok=True)
    (folder / "README.md").write_bytes(data)
    ref = ModelRef(path=str(folder))
    card = read_local(ref)
    check_card(card)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        assert [f.code for f in card.findings] == ["card-invalid"]
        assert "not UTF-8" in card.findings[0].message
        assert card.declaration.values == ()
    else:
        same = card_from_readme(ref, text, source="local", readme_path=card.readme_path)
        assert card.declaration == same.declaration
        assert card.base_models == same.base_models
        assert card.findings == same.findings


# Front matter from a small grammar: card keys and other sections, values that open a quoted
# scalar or a flow collection, and lines that close one, at column 0 as a careless edit leaves them.
GRAMMAR_KEYS = (
    '"licen\\x73e"',
    "<<",
    "license",
    "license_name",
    "base_model",
    "tags",
    "widget",
    "model-index",
    "language",
)
GRAMMAR_VALUES = (
    "mit",
    "apache-2.0",
    '"x',
    "'x",
    "[a,",
    "{a: 1,",
    "|",
    ">-",
    "&a mit",
    "*a",
    '"q"',
)
GRAMMAR_LINES = ('y: z"', "z'", "b]", "c: 2}", "  - item", "- item", "# c", "", "  k: x", "...")
GRAMMAR_LINES += ("--- {license: mit}", "%YAML 1.1", "? k", ": v", "\ufeffx: 1", "\tx: 1", " x")
GRAMMAR_LINES += ("<<: {license: mit}", '"base\\u005fmodel": a/b', "license: cc-by-nc-4.0")
GRAMMAR_LINES += ("widget: !t x", "widget: !!int 3", "widget: *a", "x: |", "license: 'a", "'")
grammar_cards = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(GRAMMAR_KEYS), st.sampled_from(GRAMMAR_VALUES)).map(": ".join),
        st.sampled_from(GRAMMAR_LINES),
        # A key followed by almost-YAML, which may hold other line breaks and markers.
        st.tuples(
            st.sampled_from(GRAMMAR_KEYS), st.lists(YAML_ALPHABET, max_size=12).map("".join)
        ).map(":".join),
    ),
    min_size=1,
    max_size=8,
).map(lambda lines: "---\n" + "\n".join(lines) + "\n---\n")
mutated_corpus_cards = st.builds(
    lambda path, edits: apply_all(corpus_text(path), edits), corpus_cards, mutations
)
CONTINUATION_BUG = '---\nlicense: cc-by-nc-4.0\nwidget: "x\nlicense: mit\ny: z"\n---\n'


@FUZZ
@given(text=grammar_cards | mutated_corpus_cards if CARD_PATHS else grammar_cards)
def test_front_matter_reads_as_a_full_parse_of_the_hub_block(text: str) -> None:
    """Differential: the card keys we read equal those of a full libyaml parse of the block."""
    _assert_same_as_full_parse(text)


def _assert_same_as_full_parse(text: str) -> None:
    front = read_front_matter(text)
    body = front_matter_body(text)
    if body is None:
        assert not front.found and front.data is None and front.error is None
        return
    if len(body) > MAX_FRONT_MATTER_CHARS:
        assert front.error is not None and "limit" in front.error
        return
    try:
        # What huggingface_hub does with the block (CSafeLoader when there is libyaml), except
        # that a card key written twice is refused rather than read as its last value.
        node = yaml.compose(body, Loader=card_module._Loader)
        if isinstance(node, yaml.MappingNode):
            names = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
            card_names = [name for name in names if name in CARD_KEYS]
            if len(card_names) != len(set(card_names)):
                raise DuplicateCardKeyError(None, None, "twice", None)
    except Exception:
        # Bad syntax, two documents, an alias with no anchor, nesting too deep.
        assert front.error is not None and front.data is None
        return
    try:
        expected = yaml.load(body, Loader=card_module._Loader)
    except Exception:
        # Something could not be built. In the card keys, the card is invalid. Elsewhere it is
        # either a tag that fits no value (invalid for every parser) or a value only PyYAML
        # refuses (a list as a mapping key, an impossible date), which the Hub's parser reads:
        # both readings are allowed there, as long as the card keys come out right.
        only = _card_keys_only(body)
        if only is None:
            assert front.error is not None and front.data is None
        else:
            assert front.error is not None or repr(front.data) == repr(only)
        return
    if expected is None:
        assert front.error is None and front.data in (None, {})
    elif not isinstance(expected, dict):
        assert front.error is not None
    else:
        assert front.error is None
        kept = {str(k): v for k, v in expected.items() if str(k) in CARD_KEYS}
        # repr: NaN is not equal to itself.
        assert repr(front.data) == repr(kept)


def _card_keys_only(body: str) -> dict[str, Any] | None:
    """The card keys built alone from a full compose; None when building them fails."""
    loader = card_module._Loader(body)
    try:
        node = loader.get_single_node()
        if not isinstance(node, yaml.MappingNode):
            return None
        loader.flatten_mapping(node)
        kept = [
            (k, v)
            for k, v in node.value
            if isinstance(k, yaml.ScalarNode)
            and k.tag == "tag:yaml.org,2002:str"
            and k.value in CARD_KEYS
        ]
        part = yaml.MappingNode(node.tag, kept, node.start_mark, node.end_mark)
        data = loader.construct_document(part)
    except Exception:
        return None
    finally:
        loader.dispose()
    return {str(k): v for k, v in data.items()}


def test_values_only_pyyaml_refuses_do_not_hide_the_license() -> None:
    """A list as a mapping key or an impossible date outside the card keys: the Hub reads it."""
    for extra in ("widget:\n  ? [a, b]\n  : c", "widget: 2024-02-30", "<<: {x: 2024-02-30}"):
        for first in ("", "x: 1\n", "# c\n"):
            text = f"---\n{first}license: cc-by-nc-4.0\n{extra}\n---\n"
            assert read_front_matter(text).data == {"license": "cc-by-nc-4.0"}, text
    # A tag that fits no value is refused by every parser, wherever it is.
    for extra in ("widget: !!int abc", "widget: !t x", "widget:\n  a: !!float abc"):
        front = read_front_matter(f"---\nlicense: mit\n{extra}\n---\n")
        assert front.error is not None and front.data is None, extra
    # In a card key, a value that cannot be built makes the card invalid.
    front = read_front_matter("---\nlicense: 2024-02-30\n---\n")
    assert front.error is not None and front.data is None


def test_continuation_line_is_not_read_as_a_license_key() -> None:
    # A full parse: license cc-by-nc-4.0, widget 'x license: mit y: z'. The card reads mit, and
    # `check` passes a non-commercial model for commercial use.
    assert read_front_matter(CONTINUATION_BUG).data == {"license": "cc-by-nc-4.0"}


def test_a_license_link_with_a_bracket_in_its_host() -> None:
    text = '---\nlicense: other\nlicense_link: "https://[huggingface.co/LICENSE"\n---\n'
    check_card(readme_card(text))


def test_a_hub_answer_whose_siblings_are_a_number() -> None:
    card = card_from_api(ModelRef(repo_id="acme/model"), {"id": "acme/model", "siblings": 1})
    check_card(card)


def test_a_second_document_in_the_block_is_invalid() -> None:
    # A `--- ...` line inside another section starts a second document: the Hub refuses it.
    front = read_front_matter("---\nlicense: apache-2.0\nwidget: 1\n--- {license: mit}\n---\n")
    assert front.error is not None


def test_a_crlf_card_keeps_a_key_whose_value_starts_on_the_next_line() -> None:
    lines = ["---", "license: apache-2.0", "quantized_by: someone", "base_model:", "- meta-llama/x"]
    card = readme_card("\r\n".join([*lines, "---", ""]))
    # A Llama derivative relabelled apache-2.0 would not have its lineage checked.
    assert [b.repo_id for b in card.base_models] == ["meta-llama/x"]


def test_a_complex_key_is_read() -> None:
    assert read_front_matter("---\nwidget: 1\n? license\n: mit\n---\n").data == {"license": "mit"}


def test_invalid_tagged_values_in_a_card() -> None:
    for key in FUZZED_KEYS:
        for value in INVALID_TAGGED_YAML:
            card = check_readme(set_key("---\nlicense: mit\n---\n", key, value))
            assert [f.code for f in card.findings] == ["card-invalid"], (key, value)


def test_a_tag_or_alias_the_hub_cannot_build_makes_any_block_invalid() -> None:
    """The same card is refused whether or not its sections can be read one by one."""
    for bad in ("widget: !t x", "widget: !!int abc", "widget: *nowhere", "widget: [*a]"):
        for before in ("", "# a comment\n", "language: en\n", "- x\n"):
            text = f"---\n{before}license: mit\n{bad}\n---\n"
            front = read_front_matter(text)
            assert front.error is not None and front.data is None, text
    # Prose that only looks like a tag or an alias is read, whatever path it takes.
    text = '---\nlicense: mit\nwidget:\n- text: "Hi !x * y"\n---\n'
    assert read_front_matter(text).data == {"license": "mit"}


def test_every_line_break_yaml_knows_starts_a_line() -> None:
    """A lone CR, NEL, LS or PS ends a line for the Hub's parser, so it does for the card."""
    for brk in ("\r", "\x85", "\u2028", "\u2029"):
        text = f"---\nwidget: x{brk}license: cc-by-nc-4.0\nlanguage: en\n---\n"
        assert read_front_matter(text).data == {"license": "cc-by-nc-4.0", "language": "en"}, brk
        # A document marker after such a break is a second document, which the Hub refuses.
        front = read_front_matter(f"---\nlicense: mit\nwidget: x{brk}--- y\n---\n")
        assert front.error is not None and front.data is None, brk


def test_a_byte_order_mark_inside_the_block_reads_as_libyaml_reads_it() -> None:
    # libyaml counts the mark as a column, so `x: 1` becomes the value of `license`.
    text = '---\nlicense_name: "q"\n"license": \n\ufeffx: 1\n---\n'
    assert read_front_matter(text).data == {"license_name": "q", "license": {"x": 1}}


def test_a_block_is_split_only_where_every_part_is_valid() -> None:
    """A key-like line inside a quote or a flow list never splits the block."""
    # Read section by section, the second `license:` line would look like a key of its own.
    text = "---\nlicense: 'x\ny: z\"\nlicense: mit\nz'\n---\n"
    assert read_front_matter(text).data == {"license": 'x y: z" license: mit z'}
    for text in (
        # A full parse: "did not find expected ',' or ']'" on line 3.
        '---\nlicense: [a,\ny: z"\nlicense: mit\nb]\n---\n',
        # A full parse: "did not find expected key" on line 2 (a BOM is allowed only first).
        "---\nlicense: mit\n\ufeffx: 1\n---\n",
    ):
        front = read_front_matter(text)
        assert front.error is not None and front.data is None, text


# ---------------------------------------------------------------- cards: generated input


@FUZZ
@given(text=yaml_ish, prefix=st.sampled_from(["---\n", "---\r\n", "\ufeff---\n", "\n  ---\n"]))
def test_random_yaml_like_front_matter(text: str, prefix: str) -> None:
    check_readme(f"{prefix}{text}\n---\n# body\n")
    check_readme(f"{prefix}{text}")


@FUZZ
@given(
    metadata=st.dictionaries(st.sampled_from(FUZZED_KEYS), yaml_values, min_size=1),
    snippet=st.tuples(st.sampled_from(FUZZED_KEYS), st.sampled_from(WRONG_TYPE_YAML)),
    # identify() names catalog licenses only; the path is the repo's own file name.
    license_file=st.none() | st.tuples(hostile_text, catalog_ids, st.sampled_from(["high", "low"])),
)
def test_wrong_types_for_every_license_and_lineage_key(
    metadata: dict[str, Any],
    snippet: tuple[str, str],
    license_file: tuple[str, str, str] | None,
) -> None:
    # As YAML written in a README.
    dumped = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True)
    card = check_readme(f"---\n{dumped}---\n")
    check_card(card, license_file=license_file)
    # As one literal wrong-typed value, written by hand.
    check_readme(set_key("---\nlicense: mit\n---\n", *snippet))


@FUZZ
@given(
    card_data=st.one_of(
        st.dictionaries(st.sampled_from(FUZZED_KEYS), json_values, max_size=4),
        flat_json_values,
    ),
    info=st.fixed_dictionaries(
        {},
        optional={
            "id": flat_json_values,
            "sha": flat_json_values,
            "gated": flat_json_values,
            "tags": flat_json_values,
            "siblings": flat_json_values,
            "baseModels": flat_json_values,
            "pipeline_tag": flat_json_values,
            "lastModified": flat_json_values,
        },
    ),
    readme=st.none() | yaml_ish,
)
def test_any_hub_api_answer_is_read_without_raising(
    card_data: Any, info: dict[str, Any], readme: str | None
) -> None:
    answer = dict(info, cardData=card_data)
    metadata = card_data if isinstance(card_data, dict) else None
    if metadata is None and readme is not None:
        metadata = read_front_matter(readme).data
    check_card(card_from_api(ModelRef(repo_id="acme/model"), answer, readme))


def test_every_wrong_type_for_every_key() -> None:
    """Each key of FUZZED_KEYS with each value of WRONG_TYPE_YAML, by hand and through the API."""
    for key in FUZZED_KEYS:
        for value in WRONG_TYPE_YAML:
            check_readme(set_key("---\nlicense: mit\n---\n", key, value))
            if key in LICENSE_KEYS:
                # With `license: other`, license_name, license_link and the prompt are read too.
                check_readme(set_key("---\nlicense: other\nwidget: 1\n---\n", key, value))
            loader = yaml.SafeLoader(f"v: {value}")
            try:
                parsed = loader.get_single_data()["v"]
            except (yaml.YAMLError, TypeError):
                continue
            finally:
                loader.dispose()
            info = {"id": "acme/model", "cardData": {key: parsed}, key: parsed}
            check_card(card_from_api(ModelRef(repo_id="acme/model"), info))


HOSTILE_STRUCTURES = st.one_of(
    st.builds(alias_bomb, st.integers(1, 12), st.integers(1, 12), st.sampled_from(FUZZED_KEYS)),
    st.builds(
        deep_flow,
        st.integers(1, 5000),
        st.sampled_from(FUZZED_KEYS),
        st.sampled_from(["list", "map"]),
    ),
    st.builds(
        deep_block,
        st.integers(1, 2500),
        st.sampled_from(FUZZED_KEYS),
        st.sampled_from(["list", "map"]),
    ),
    st.builds(deep_compact, st.integers(1, 3000), st.sampled_from(FUZZED_KEYS)),
    st.builds(
        huge_scalar,
        st.integers(0, 1_200_000),
        st.sampled_from(FUZZED_KEYS),
        st.sampled_from(["plain", "quoted", "literal"]),
    ),
    st.builds(many_keys, st.integers(0, 20_000), st.booleans()),
)


@FUZZ
@given(body=HOSTILE_STRUCTURES, extra=st.sampled_from(["", "license: mit\n", "tags: [a]\n"]))
def test_hostile_structures_are_read_or_refused(body: str, extra: str) -> None:
    text = f"---\n{extra}{body}\n---\n"
    card = check_readme(text)
    if len(extra) + len(body) + 1 > MAX_FRONT_MATTER_CHARS:
        assert [f.code for f in card.findings] == ["card-invalid"]
        assert "limit" in card.findings[0].message


# ---------------------------------------------------------------- cards: fixed hostile cases


@pytest.fixture(params=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Card parsing with libyaml (as shipped), and with the pure-Python fallback."""
    if request.param == "pure-python":
        monkeypatch.setattr(card_module, "_Loader", yaml.SafeLoader)
        monkeypatch.setattr(card_module, "_CParser", None)
    elif card_module._CParser is None:
        pytest.skip("PyYAML is built without libyaml here")
    return str(request.param)


def test_python_tags_never_run(tmp_path: Path, loader: str) -> None:
    marker = tmp_path / "pwned"
    payloads = code_execution_payloads(marker)
    for payload in payloads:
        for key in ("license", "base_model", "tags", "widget"):
            card = readme_card(f"---\n{key}: {payload}\nlicense_name: x\n---\n")
            check_card(card, rules=all_rules()[0])
            # Wherever it is, a tag the safe loader cannot build makes the block invalid.
            assert [f.code for f in card.findings] == ["card-invalid"], (key, payload)
        with pytest.raises(ConfigError):
            parse_rules(f"version: 1\norganization:\n  name: {payload}\n", "r.yaml", catalog())
    card = readme_card(f"---\n{tag_directive_payload(marker)}\n---\n")
    check_card(card, rules=all_rules()[0])
    with pytest.raises(ConfigError):
        parse_rules(tag_directive_payload(marker), "r.yaml", catalog())
    assert not marker.exists()


def test_billion_laughs_in_a_card(loader: str) -> None:
    for key in FUZZED_KEYS:
        card = readme_card(f"---\n{alias_bomb(9, 9, key)}\n---\n")
        check_card(card, rules=all_rules()[0])
        # Nested items are kept as short renderings (unknown, unreadable), never expanded.
        kept = (*card.declaration.values, *card.tags, *card.datasets)
        kept += tuple(base.repo_id for base in card.base_models)
        assert all(len(text) <= 80 for text in kept)


@pytest.mark.parametrize(
    ("builder", "depth"),
    [
        (deep_flow, 999),
        (deep_flow, 1000),
        (deep_flow, 100_000),
        (deep_block, 999),
        (deep_block, 1500),
        (deep_compact, 999),
        (deep_compact, 5000),
    ],
)
def test_deep_nesting_in_a_card(builder: Callable[..., str], depth: int) -> None:
    for kind in ("list", "map"):
        body = builder(depth) if builder is deep_compact else builder(depth, "license", kind)
        card = check_readme(f"---\n{body}\n---\n", all_rules()[0])
        if card.findings:
            assert card.findings[0].code == "card-invalid"


def test_deep_nesting_with_the_pure_python_loader(loader: str) -> None:
    for body in (deep_flow(600), deep_flow(600, kind="map"), deep_compact(600)):
        card = check_readme(f"---\n{body}\n---\n", all_rules()[0])
        assert {f.code for f in card.findings} <= {"card-invalid"}


def test_front_matter_of_100000_keys() -> None:
    body = many_keys(100_000)
    assert len(body) < MAX_FRONT_MATTER_CHARS
    card = check_readme(f"---\n{body}\n---\n", all_rules()[0])
    assert card.findings == () and card.declaration.values == ("mit",)
    # A flow mapping is parsed whole (about 3 s for 100,000 keys): that size on demand only.
    body = many_keys(100_000 if os.environ.get("LICENSE_LINT_FUZZ") else 20_000, flow=True)
    card = readme_card(f"---\n{body}\n---\n")
    assert card.findings == () and card.declaration.values == ("mit",)
    # Keys long enough to pass the limit: refused, not parsed.
    body = "license: mit\n" + "\n".join(f"key_{i:06d}: value" for i in range(100_000))
    card = readme_card(f"---\n{body}\n---\n")
    assert [f.code for f in card.findings] == ["card-invalid"]
    assert "limit" in card.findings[0].message


def test_huge_values_at_the_limit() -> None:
    room = MAX_FRONT_MATTER_CHARS - len("license: ")
    card = check_readme(f"---\n{huge_scalar(room)}\n---\n", all_rules()[0])
    assert card.findings == () and len(card.declaration.values[0]) == room
    card = readme_card(f"---\n{huge_scalar(room + 1)}\n---\n")
    assert [f.code for f in card.findings] == ["card-invalid"]
    # A license list of many entries, and an SPDX-like expression of many terms, stay readable.
    check_readme("---\nlicense: [" + ", ".join(["mit"] * 20_000) + "]\n---\n", all_rules()[0])
    check_readme("---\nlicense: '" + "MIT AND " * 5_000 + "MIT'\n---\n", all_rules()[0])
    check_readme("---\nlicense: '" + "(" * 3000 + "MIT" + ")" * 3000 + "'\n---\n")


@pytest.fixture(scope="module")
def big_readme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB README.md, written once for the module."""
    folder = tmp_path_factory.mktemp("big") / "model"
    folder.mkdir()
    line = ("All work and no play makes a model card a dull card. " * 4)[:199] + "\n"
    with (folder / "README.md").open("w", encoding="utf-8") as out:
        out.write("---\nlicense: apache-2.0\nbase_model: acme/base\n---\n")
        out.write(line * (50_000_000 // len(line)))
    return folder


def test_a_50_mb_readme_through_read_local(big_readme: Path) -> None:
    readme = big_readme / "README.md"
    assert 50_000_000 <= readme.stat().st_size <= MAX_README_BYTES
    card = read_local(ModelRef(path=str(big_readme)))
    assert card.findings == ()
    assert card.declaration.values == ("apache-2.0",)
    check_card(card)
    # The same file, its front matter never closed: the whole file is one block, over the limit.
    with readme.open("r+b") as out:
        out.write(b"---\nlicense: apache-2.0\nbase_model: acme/base\n-X-\n")
    card = read_local(ModelRef(path=str(big_readme)))
    assert card.findings == ()  # no closing fence: no front matter, as on the Hub
    with readme.open("ab") as out:
        out.write(b"\n---\n")
    card = read_local(ModelRef(path=str(big_readme)))
    assert [f.code for f in card.findings] == ["card-invalid"]
    assert "limit" in card.findings[0].message
    # One byte over the README limit: refused before it is read.
    with readme.open("r+b") as out:
        out.truncate(MAX_README_BYTES + 1)
    card = read_local(ModelRef(path=str(big_readme)))
    assert [f.code for f in card.findings] == ["card-invalid"]
    assert "limit" in card.findings[0].message
    check_card(card)


# ---------------------------------------------------------------- rules

RULES_KEYS = (
    "version",
    "organization",
    "deployment",
    "licenses",
    "obligations",
    "lineage",
    "severity",
    "exceptions",
)
rules_values = nested(
    st.one_of(scalars, st.sampled_from(["mit", "apache-2.0", "fail", "warn", "off", "internal"])),
    st.one_of(
        st.sampled_from(
            [
                "name",
                "monthly_active_users",
                "annual_revenue_usd",
                "domicile",
                "commercial",
                "modes",
                "uses",
                "allow",
                "deny",
                "unknown",
                "families",
                "accept",
                "max_depth",
                "datasets",
                "model",
                "codes",
                "reason",
                "owner",
                "expires",
                "revision",
                "gated",
            ]
        ),
        hostile_text,
        st.integers(),
        st.booleans(),
        st.none(),
    ),
)


def parse_rules_or_config_error(text: str) -> None:
    try:
        rules = parse_rules(text, ".license-lint.yaml", catalog())
    except ConfigError as exc:
        assert str(exc)
    else:
        assert isinstance(rules, Rules)


@FUZZ
@given(
    base=st.sampled_from([VALID_RULES, "version: 1\n"]).flatmap(
        lambda text: st.just(text) | st.just(text.replace("\n", "\r\n"))
    ),
    edits=mutations,
)
def test_mutated_rules_raise_only_config_errors(base: str, edits: list[Mutation]) -> None:
    parse_rules_or_config_error(apply_all(base, edits))


@FUZZ
@given(
    data=st.one_of(
        st.dictionaries(st.sampled_from(RULES_KEYS), rules_values),
        st.builds(
            lambda version, rest: {"version": version, **rest},
            st.sampled_from([1, "1", 2, None]),
            st.dictionaries(st.sampled_from(RULES_KEYS[1:]), rules_values),
        ),
        rules_values,
    ),
    text=yaml_ish,
)
def test_random_rules_raise_only_config_errors(data: Any, text: str) -> None:
    parse_rules_or_config_error(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    parse_rules_or_config_error(text)


def test_deeply_nested_rules_raise_a_config_error() -> None:
    parse_rules_or_config_error("version: 1\norganization: " + "[" * 999 + "]" * 999)


def test_billion_laughs_in_rules_stays_small() -> None:
    text = "version: 1\n" + alias_bomb(levels=4, width=9, key="severity")
    document = parse_yaml(text, "r.yaml")
    assert len(document.lines) < 1000


def test_invalid_tagged_values_in_rules() -> None:
    for value in INVALID_TAGGED_YAML:
        for text in (f"version: 1\norganization:\n  name: {value}\n", f"{value}: 1\n"):
            with pytest.raises(ConfigError):
                parse_rules(text, "r.yaml", catalog())


def test_python_tags_in_rules_with_every_key(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = code_execution_payloads(marker)[0]
    for key in RULES_KEYS:
        with pytest.raises(ConfigError):
            parse_rules(f"version: 1\n{key}: {payload}\n", "r.yaml", catalog())
    assert not marker.exists()


# ---------------------------------------------------------------- reporters

CLAUSES = (None, "1.b.i", "AUP 1.a.i", "2", "CC §3(a)(1)(A)")
severities = st.sampled_from(list(Severity))


hostile_findings = st.builds(
    Finding,
    code=st.sampled_from(sorted(DEFAULT_SEVERITY)),
    severity=severities,
    message=hostile_text,
    subject=hostile_text,
    location=st.none() | st.builds(Location, hostile_text, st.none() | st.integers(1, 10**6)),
    clause=st.sampled_from(CLAUSES),
    hint=st.none() | hostile_text,
    license_id=st.none() | catalog_ids,
    waiver=st.none() | hostile_text,
)


def card_data(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Card metadata with `text` in every free-text value."""
    ids = st.one_of(repo_ids, text)
    return st.fixed_dictionaries(
        {},
        optional={
            "license": st.one_of(licenses | text, st.lists(licenses | text, max_size=3)),
            "license_name": text | licenses,
            "license_link": text | st.sampled_from(["LICENSE", "https://x.example/l"]),
            "base_model": st.one_of(ids, st.lists(ids, max_size=3)),
            "base_model_relation": st.sampled_from(sorted(RELATIONS)) | text,
            "datasets": st.lists(ids, max_size=2),
            "tags": st.lists(text, max_size=3),
            "extra_gated_prompt": text | st.just("Llama 3.1 Community License Agreement"),
            "pipeline_tag": pipelines | text,
        },
    )


# A README is decoded text; an API answer is JSON, whose strings can hold lone surrogates.
hostile_card_data = card_data(hostile_text)
hostile_api_card_data = card_data(json_text)
# File names: a local folder's come from os.walk, where an undecodable name keeps its bytes as
# surrogates (U+DC80..U+DCFF); an API answer's are JSON strings.
local_files = st.lists(
    st.sampled_from(["LICENSE", "NOTICE", "README.md", "LICENSE\udcff", "\udce9t\udce9"])
    | hostile_text,
    max_size=3,
)
api_files = st.lists(st.sampled_from(["LICENSE", "NOTICE", "README.md"]) | json_text, max_size=3)
gated_values = st.sampled_from([False, True, "auto", "manual"]) | json_text


def is_hub_id(name: str) -> bool:
    try:
        validate_repo_id(name)
    except InvalidReferenceError:
        return False
    return True


@st.composite
def hostile_cards(draw: st.DrawFn, ref: ModelRef) -> Card:
    local = ref.path is not None
    data = draw(hostile_card_data if local else hostile_api_card_data)
    files = draw(local_files if local else api_files)
    if ref.path is not None:
        text = "---\n" + yaml.safe_dump(data, sort_keys=False, allow_unicode=True) + "---\n"
        return card_from_readme(
            ref, text, source="local", files=files, readme_path=f"{ref.path}/README.md"
        )
    info = {
        "id": draw(st.just(ref.repo_id) | hostile_text),
        "sha": draw(st.none() | hex40),
        "gated": draw(gated_values),
        "siblings": [{"rfilename": f} for f in files],
        "tags": draw(st.lists(hostile_text, max_size=3)),
        "lastModified": draw(st.none() | hostile_text),
        "cardData": data,
    }
    return card_from_api(ref, info)


@st.composite
def hostile_lineage(draw: st.DrawFn, card: Card) -> Lineage:
    root = card.repo_id or str(card.ref)
    nodes = {root: LineageNode(root, 0, card, normalize(card.declaration, catalog()))}
    edges: list[LineageEdge] = []
    level = [(root, card)]
    for depth in (1, 2):
        following = []
        for name, child in level:
            for base in child.base_models:
                edges.append(LineageEdge(name, base.repo_id, base.relation, base.source))
                if base.repo_id in nodes:
                    continue
                # The walker validates an id before fetching it: a bad one is a problem node.
                if is_hub_id(base.repo_id) and draw(st.booleans()):
                    parent = draw(hostile_cards(ModelRef(repo_id=base.repo_id)))
                    license = normalize(parent.declaration, catalog())
                    nodes[base.repo_id] = LineageNode(base.repo_id, depth, parent, license)
                    following.append((base.repo_id, parent))
                else:
                    problem = draw(hostile_text)
                    nodes[base.repo_id] = LineageNode(base.repo_id, depth, problem=problem)
        level = following
    datasets = []
    for name in card.datasets:
        if is_hub_id(name) and draw(st.booleans()):
            dataset = draw(hostile_cards(ModelRef(repo_id=name, kind="dataset")))
            datasets.append(
                LineageNode(name, 1, dataset, normalize(dataset.declaration, catalog()))
            )
        else:
            datasets.append(LineageNode(name, 1, problem=draw(hostile_text)))
    return Lineage(
        root=root,
        nodes=nodes,
        edges=tuple(edges),
        datasets=tuple(datasets),
        cycles=tuple(find_cycles(root, edges)),
        truncated=tuple(draw(st.lists(st.sampled_from(sorted(nodes)), max_size=2))),
    )


@st.composite
def hostile_results(draw: st.DrawFn, rules: Rules) -> ModelResult:
    failed = draw(st.integers(0, 5)) == 0
    if draw(st.booleans()):
        ref = ModelRef(path=draw(hostile_text) or ".")
    else:
        # A Hub id is validated before any request: only a model that failed can have a bad one.
        ids = repo_ids if failed else hub_ids
        ref = ModelRef(repo_id=draw(ids), revision=draw(st.none() | st.just("main")))
    if failed:
        return ModelResult(ref=ref, verdict="error", error=draw(hostile_text))
    card = draw(hostile_cards(ref))
    identity = None
    if draw(st.booleans()):
        # pipeline.license_file_identity reads the file license_link names, or a root LICENSE.
        paths = [p for p in (card.declaration.link_file, "LICENSE", "LICENSE.md") if p]
        identity = (draw(st.sampled_from(paths)), draw(catalog_ids), "high")
    license = normalize(
        card.declaration, catalog(), readme_path=card.readme_path, license_file=identity
    )
    lineage = draw(hostile_lineage(card)) if draw(st.booleans()) else None
    effective = license
    extra: list[Finding] = []
    if lineage is not None:
        nodes = dict(lineage.nodes)
        nodes[lineage.root] = replace(nodes[lineage.root], license=license)
        lineage = replace(lineage, nodes=nodes)
        effective = effective_license(lineage, catalog())
        extra = lineage_findings(lineage, catalog(), rules)
    findings = evaluate(card, effective, catalog(), rules) + extra
    findings += draw(st.lists(hostile_findings, max_size=3))
    waived, reason = draw(st.sets(st.integers(0, 15), max_size=3)), draw(hostile_text)
    findings = [replace(f, waiver=reason) if i in waived else f for i, f in enumerate(findings)]
    return ModelResult(
        ref=ref,
        verdict=verdict(findings, Severity.ERROR),
        card=card,
        license=license,
        findings=tuple(findings),
        lineage=lineage,
        effective=effective if lineage is not None else None,
    )


@st.composite
def hostile_reports(draw: st.DrawFn) -> Report:
    rules = draw(rules_choice)
    results = draw(st.lists(hostile_results(rules), min_size=1, max_size=2))
    return Report(
        results=tuple(results),
        rules_source=draw(st.sampled_from([rules.source, ".license-lint.yaml"])),
        fail_on=draw(severities),
        tool_version=__version__,
        generated="2025-01-02T03:04:05Z",
        findings=tuple(draw(st.lists(hostile_findings, max_size=2))),
    )


# C0 and C1 controls but tab and newline: what `textstyle.clean` removes.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SGR = re.compile(r"\x1b\[[0-9;]*m")
ANNOTATION = re.compile(r"::(error|warning|notice)(?: [^:\r\n]*)?::[^\r\n]*")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def check_text(output: str, color: bool) -> None:
    assert not CONTROL.search(SGR.sub("", output) if color else output)
    if not color:
        assert "\x1b" not in output


def check_html(output: str) -> None:
    # The page's own script is the only one.
    assert output.lower().count("<script") == 1
    parser = _Tags()
    parser.feed(output)
    assert [tag for tag, _ in parser.tags].count("script") == 1
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)


def check_markdown(output: str) -> None:
    assert "<script" not in output.lower()
    # The only markup is the line break inside Mermaid labels.
    assert not re.search(r"<[A-Za-z/!?]", output.replace("<br/>", ""))
    lines = output.split("\n")
    fences = [line for line in lines if line.lstrip().startswith(("```", "~~~"))]
    assert fences == ["```mermaid", "```"] * (len(fences) // 2)
    table = [line for line in lines if line.startswith("|")]
    header = len(re.findall(r"(?<!\\)\|", table[0]))
    assert all(len(re.findall(r"(?<!\\)\|", row)) == header for row in table)
    assert len(output.splitlines()) == output.count("\n")


def check_github(output: str, report: Report) -> None:
    expected = sum(1 for r in report.results for f in r.findings if f.waiver is None)
    expected += sum(1 for f in report.findings if f.waiver is None)
    expected += sum(1 for r in report.results if r.verdict == "error")
    # Python's splitlines knows every separator a log viewer might break on.
    assert len(output.splitlines()) == output.count("\n") == expected + 1
    lines = output.split("\n")[:-1]
    commands = [line for line in lines if line.lstrip().startswith(("::", "##["))]
    assert len(commands) == expected
    assert all(ANNOTATION.fullmatch(line) for line in commands)
    assert not lines[-1].lstrip().startswith(("::", "##["))


def _percent_base_model_report() -> Report:
    """A local card whose base_model is `acme/100%`: a valid card value, not a URI."""
    card = readme_card("---\nlicense: mit\nbase_model: acme/100%\n---\n", path="m")
    root = str(card.ref)
    lineage = Lineage(
        root=root,
        nodes={
            root: LineageNode(root, 0, card, normalize(card.declaration, catalog())),
            "acme/100%": LineageNode("acme/100%", 1, problem="not a valid Hub repo id"),
        },
        edges=(LineageEdge(root, "acme/100%", None, "card"),),
    )
    result = ModelResult(
        ref=card.ref,
        verdict="pass",
        card=card,
        license=lineage.nodes[root].license,
        lineage=lineage,
        effective=lineage.nodes[root].license,
    )
    return Report(
        results=(result,),
        rules_source="preset:commercial-saas",
        fail_on=Severity.ERROR,
        tool_version=__version__,
        generated="2025-01-02T03:04:05Z",
    )


def test_cyclonedx_renders_a_base_model_with_a_percent_sign() -> None:
    json.loads(render(_percent_base_model_report(), "cyclonedx", Styler()))


def test_a_lone_surrogate_from_the_hub_reaches_no_report() -> None:
    ref = ModelRef(repo_id="acme/model")
    data = {"license": "other", "license_name": "x\ud800y", "base_model": "a/b\udc80"}
    card = card_from_api(ref, {"id": "acme/model", "cardData": data})
    license = normalize(card.declaration, catalog())
    result = ModelResult(ref=ref, verdict="fail", card=card, license=license)
    report = Report(
        results=(result,),
        rules_source="preset:commercial-saas",
        fail_on=Severity.ERROR,
        tool_version=__version__,
        generated="2025-01-02T03:04:05Z",
    )
    for fmt in FORMATS:
        render(report, fmt, Styler()).encode("utf-8")


@FUZZ_REPORTS
@given(report=hostile_reports())
def test_every_reporter_renders_hostile_content_escaped(report: Report) -> None:
    for fmt in FORMATS:
        output = render(report, fmt, Styler(color=False))
        assert isinstance(output, str) and output
        if fmt == "text":
            check_text(output, color=False)
            if report.fail_on is Severity.INFO:
                # In colour too, for a third of the examples (rich tables are the slow part).
                check_text(render(report, fmt, Styler(color=True)), color=True)
        elif fmt == "html":
            check_html(output)
        elif fmt == "markdown":
            check_markdown(output)
        elif fmt == "github":
            check_github(output, report)
        else:
            json.loads(output)
