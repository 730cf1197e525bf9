"""Card parsing: front matter as the Hub reads it, and every shape of the license keys."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from license_lint.card import (
    CARD_KEYS,
    base_models_from,
    card_from_api,
    card_from_readme,
    declaration_from,
    license_files,
    link_file,
    read_front_matter,
)
from license_lint.model import ModelRef, Severity


def parse(text: str) -> dict[str, Any]:
    front = read_front_matter(text)
    assert front.error is None, front.error
    assert front.data is not None
    return front.data


HUB_REGEX = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")


@pytest.mark.parametrize(
    "text",
    [
        "---\n---\n",
        "---\n\n---\nx",
        "\n\n---\r\nlicense: mit\r\n---\r\n",
        "---\nlicense: mit\n---",
        "---\nx: 1\n--- \t\n",
        "  ---\na: 1\n---x\n---\n",
        "---\r---\r",
        "# t\n---\na: 1\n---\n",
        "---\na: 1\n----\nb: 2\n---\n",
        "---\na: '---'\n---\n",
    ],
)
def test_same_block_as_the_hub_regex(text: str) -> None:
    hub = HUB_REGEX.match(text)
    front = read_front_matter(text)
    if hub is None or not hub.group(2).strip():
        assert front.data is None
        return
    try:
        expected = yaml.safe_load(hub.group(2))
    except yaml.YAMLError:
        assert front.error is not None
    else:
        assert front.data == {k: v for k, v in expected.items() if k in CARD_KEYS}


def test_first_block_only_and_key_lines() -> None:
    text = "---\nlanguage: en\nlicense: mit\n---\n# Title\n---\nlicense: gpl-3.0\n---\n"
    front = read_front_matter(text)
    assert front.data == {"language": "en", "license": "mit"}
    assert front.key_lines == {"language": 2, "license": 3}


def test_bom_crlf_and_leading_blank_lines() -> None:
    text = "\ufeff\r\n\r\n---\r\nlicense: apache-2.0\r\nbase_model: a/b\r\n---\r\nbody"
    front = read_front_matter(text)
    assert front.data == {"license": "apache-2.0", "base_model": "a/b"}
    assert front.key_lines["license"] == 4
    assert front.key_lines["base_model"] == 5


@pytest.mark.parametrize(
    "text",
    [
        "no front matter at all\n",
        "---\n---\n",
        "---\n\n---\nbody",
        "# title\n---\nlicense: mit\n---",
    ],
)
def test_no_metadata(text: str) -> None:
    front = read_front_matter(text)
    assert front.data is None
    assert front.error is None


def test_invalid_yaml_is_reported_with_its_line() -> None:
    text = "---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n"
    front = read_front_matter(text)
    assert front.data is None
    assert front.error is not None and front.error.startswith("invalid YAML")
    assert front.error_line is not None and front.error_line >= 3


def test_not_a_mapping() -> None:
    front = read_front_matter("---\n- a\n- b\n---\n")
    assert front.error is not None and "not a mapping" in front.error
    assert front.error_line == 2


def test_unsafe_tags_are_refused_not_executed() -> None:
    front = read_front_matter("---\nlicense: !!python/object/apply:os.system ['true']\n---\n")
    assert front.data is None
    assert front.error is not None


def test_oversized_front_matter_is_refused() -> None:
    front = read_front_matter("---\nx: '" + "a" * 1_000_001 + "'\n---\n")
    assert front.error is not None and "limit" in front.error


@pytest.mark.parametrize(
    ("yaml_text", "values", "shape"),
    [
        ("license: mit", ("mit",), "string"),
        ("license: MIT", ("MIT",), "string"),
        ("license: [llama2, other]", ("llama2", "other"), "list"),
        ("license: ['mit']", ("mit",), "list"),
        ("license: []", (), "empty-list"),
        ("license:", (), "null"),
        ("license: null", (), "null"),
        ("license: 2.0", ("2.0",), "number"),
        ("license: true", ("true",), "boolean"),
        ("license: ''", (), "empty"),
        ("license: {name: x}", (), "mapping"),
        ("licenses: apache-2.0", ("apache-2.0",), "string"),
        ("language: en", (), "missing"),
    ],
)
def test_license_shapes(yaml_text: str, values: tuple[str, ...], shape: str) -> None:
    data = parse(f"---\n{yaml_text}\n---\n")
    declaration = declaration_from(data, {}, "o/n")
    assert declaration.values == values
    assert declaration.shape == shape


def test_licenses_key_is_recorded() -> None:
    declaration = declaration_from(parse("---\nlicenses: mit\n---\n"), {}, None)
    assert declaration.key == "licenses"


def test_license_name_without_license_and_trimmed_link() -> None:
    data = parse('---\nlicense_name: llama3\nlicense_link: "\\nhttps://x.example/l.pdf"\n---\n')
    declaration = declaration_from(data, {}, "nvidia/m")
    assert declaration.values == ()
    assert declaration.license_name == "llama3"
    assert declaration.license_link == "https://x.example/l.pdf"
    assert declaration.link_file is None


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("LICENSE", "LICENSE"),
        ("./LICENSE.md", "LICENSE.md"),
        ("/LICENSE", "LICENSE"),
        ("../../etc/passwd", None),
        ("https://huggingface.co/o/n/blob/main/LICENSE", "LICENSE"),
        ("https://huggingface.co/o/n/resolve/main/docs/LICENSE.txt", "docs/LICENSE.txt"),
        ("https://huggingface.co/other/repo/blob/main/LICENSE", None),
        ("https://huggingface.co/o/n/blob/main/LIC", "LIC"),
        ("https://example.com/o/n/blob/main/LICENSE", None),
        ("file:///etc/passwd", None),
    ],
)
def test_link_file(link: str, expected: str | None) -> None:
    assert link_file(link, "o/n") == expected


def test_base_models_from_every_source() -> None:
    data = {"base_model": ["a/x", "b/y"], "base_model_relation": "merge"}
    api = {"relation": "merge", "models": [{"id": "a/x"}, {"_id": "1", "id": "c/z"}]}
    tags = ["base_model:d/w", "base_model:quantized:e/v", "license:mit"]
    bases = base_models_from(data, api, tags)
    assert [(b.repo_id, b.relation, b.source) for b in bases] == [
        ("a/x", "merge", "card"),
        ("b/y", "merge", "card"),
        ("c/z", "merge", "api"),
        ("d/w", None, "tag"),
        ("e/v", "quantized", "tag"),
    ]


@pytest.mark.parametrize("value", ["", [], None, [None, ""], 5])
def test_empty_or_odd_base_model(value: Any) -> None:
    bases = base_models_from({"base_model": value})
    assert all(b.repo_id for b in bases)
    assert len(bases) == (1 if value == 5 else 0)


def test_relation_is_filled_from_a_later_source() -> None:
    bases = base_models_from(
        {"base_model": "a/x"}, {"relation": "quantized", "models": [{"id": "a/x"}]}
    )
    assert [(b.repo_id, b.relation, b.source) for b in bases] == [("a/x", "quantized", "card")]


def test_license_files() -> None:
    paths = [
        "README.md",
        "original/LICENSE",
        "LICENSE-MODEL",
        "USE_POLICY.md",
        "config.json",
        "Community License for Baichuan 2 Model.pdf",
        "NOTICE",
        "USAGE_POLICY",
        "licence.txt",
    ]
    assert license_files(paths) == (
        "Community License for Baichuan 2 Model.pdf",
        "licence.txt",
        "LICENSE-MODEL",
        "NOTICE",
        "USAGE_POLICY",
        "USE_POLICY.md",
        "original/LICENSE",
    )


def test_card_from_api_prefers_card_data() -> None:
    info = {
        "id": "o/n",
        "sha": "a" * 40,
        "gated": "manual",
        "cardData": {"license": "llama3.1", "datasets": "o/d"},
        "tags": ["base_model:finetune:o/base"],
        "siblings": [{"rfilename": "LICENSE"}, {"rfilename": "README.md"}],
    }
    readme = "---\nlicense: mit\n---\n"
    card = card_from_api(ModelRef(repo_id="o/n"), info, readme)
    assert card.declaration.values == ("llama3.1",)
    assert card.gated == "manual"
    assert card.datasets == ("o/d",)
    assert [b.repo_id for b in card.base_models] == ["o/base"]
    assert card.license_files == ("LICENSE",)


def test_card_from_api_falls_back_to_readme_and_reports_invalid_yaml() -> None:
    info = {"id": "o/n", "sha": "b" * 40, "gated": False, "siblings": [{"rfilename": "README.md"}]}
    card = card_from_api(ModelRef(repo_id="o/n"), info, "---\nlicense: [mit\n---\n")
    assert card.gated is None
    assert [f.code for f in card.findings] == ["card-invalid"]
    assert card.findings[0].severity is Severity.ERROR
    assert card.findings[0].location is not None and card.findings[0].location.line == 2

    good = card_from_api(ModelRef(repo_id="o/n"), info, "---\nlicense: mit\n---\n")
    assert good.source == "hub-readme"
    assert good.declaration.values == ("mit",)
    assert good.declaration.lines == {"license": 2}


def test_card_from_readme_local() -> None:
    ref = ModelRef(path="m")
    card = card_from_readme(ref, "---\nlicense: other\nlicense_name: mrl\n---\n", source="local")
    assert card.declaration.values == ("other",)
    assert card.declaration.license_name == "mrl"
    assert card.has_metadata


@pytest.mark.parametrize(
    "value",
    ["!!int ''", "!!float ''", "!!bool ''", "!!int _", "!!timestamp x", "!!float .", "!!int 0x"],
)
def test_tags_that_do_not_fit_their_value_are_card_invalid(value: str) -> None:
    front = read_front_matter(f"---\nlicense: {value}\n---\n")
    assert front.data is None
    assert front.error is not None and front.error_line == 2


def test_a_card_key_written_twice_is_card_invalid_at_the_second() -> None:
    """PyYAML would keep `mit` silently; two licenses in one card must not become one."""
    front = read_front_matter("---\nlicense: cc-by-nc-4.0\nwidget: x\nlicense: mit\n---\n")
    assert front.data is None and front.error_line == 4
    assert front.error is not None and "'license' is written twice" in front.error
    # A key given beside a `<<` merge overrides it (YAML's rule): not a duplicate.
    assert parse("---\n<<: {license: mit}\nlicense: apache-2.0\n---\n") == {"license": "apache-2.0"}
    # Other keys written twice are not the card's concern.
    assert parse("---\nwidget: 1\nlicense: mit\nwidget: 2\n---\n") == {"license": "mit"}


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ('"licen\\x73e": cc-by-nc-4.0\nlicenses: mit', {"license": "cc-by-nc-4.0"}),
        ('license: mit\n"base\\u005fmodel": o/nc', {"base_model": "o/nc"}),
        ("license: mit\n<<: {base_model: o/nc}", {"base_model": "o/nc"}),
        ("<<: [{license: cc-by-nc-4.0}]\nlicenses: mit", {"license": "cc-by-nc-4.0"}),
    ],
)
def test_keys_that_need_decoding_are_read(yaml_text: str, expected: dict[str, str]) -> None:
    """An escaped or merged card key is read as the Hub's parser reads it, beside other keys."""
    data = parse(f"---\n{yaml_text}\nwidget: [x]\nmodel-index: y\n---\n")
    assert expected.items() <= data.items()


def test_nested_items_are_kept_as_text_not_dropped() -> None:
    """`[mit, [cc-by-nc-4.0]]` is mit plus something unknown; a parent that is a mapping stays."""
    data = parse("---\nlicense: [mit, [cc-by-nc-4.0]]\nbase_model: [{id: o/nc}]\n---\n")
    assert declaration_from(data, {}, "o/n").values == ("mit", "['cc-by-nc-4.0']")
    assert [b.repo_id for b in base_models_from(data)] == ["{'id': 'o/nc'}"]
