"""Normalization: what a card declares, to licenses of the catalog, with evidence."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from license_lint.card import card_from_api, declaration_from, read_front_matter
from license_lint.catalog import load_catalog
from license_lint.model import LicenseDeclaration, ModelRef
from license_lint.normalize import normalize

from conftest import CORPUS, needs_corpus, run_cli


def declared(yaml_text: str) -> LicenseDeclaration:
    front = read_front_matter(f"---\n{yaml_text}\n---\n")
    assert front.data is not None
    return declaration_from(front.data, front.key_lines, "o/n")


@pytest.mark.parametrize(
    ("yaml_text", "expression"),
    [
        ("license: mit", "mit"),
        ("license: MIT", "mit"),
        ("license: Apache-2.0", "apache-2.0"),
        ("license: [llama2, other]", "llama2 AND other"),
        ("license: [cc-by-nc-sa-4.0, apache-2.0]", "cc-by-nc-sa-4.0 AND apache-2.0"),
        ("license: other\nlicense_name: llama3", "llama3"),
        ("license: other\nlicense_name: mrl", "mistral-mrl"),
        ("license: other\nlicense_name: tongyi-qianwen-license-agreement", "tongyi-qianwen"),
        (
            "license: other\nlicense_name: flux-1-dev-non-commercial-license",
            "flux-1-dev-non-commercial",
        ),
        ("license: other\nlicense_name: deepseek-license", "deepseek"),
        ("license_name: llama3", "llama3"),
        ("license: open-mdw", "openmdw-1.0"),
        ("license: MIT OR Apache-2.0", "(apache-2.0 OR mit)"),
        ("license: gpl", "gpl"),
        ("license: LicenseRef-acme", "unknown(LicenseRef-acme)"),
        ("license: other", "other"),
        ("license: unknown", "unknown"),
        ("license: 2.0", "unknown(2.0)"),
        ("language: en", "none"),
    ],
)
def test_expressions(yaml_text: str, expression: str) -> None:
    assert normalize(declared(yaml_text), load_catalog()).expression == expression


def test_gpl_family_is_not_rewritten_to_a_version() -> None:
    result = normalize(declared("license: gpl"), load_catalog())
    assert result.ids == ("gpl",)
    assert load_catalog().get("gpl").kind == "family"  # type: ignore[union-attr]


def test_evidence_names_field_and_line() -> None:
    result = normalize(declared("language: en\nlicense: other\nlicense_name: mnpl"), load_catalog())
    (term,) = result.terms
    assert term.any_of == ("mistral-mnpl",)
    assert (term.evidence.source, term.evidence.raw, term.evidence.line) == (
        "license_name",
        "mnpl",
        4,
    )


def test_contradictory_keys_are_reported_and_both_apply() -> None:
    result = normalize(
        declared("license: apache-2.0\nlicense_name: tongyi-qianwen"), load_catalog()
    )
    assert result.ids == ("apache-2.0", "tongyi-qianwen")
    assert result.conflicts and "both apply" in result.conflicts[0].message
    assert result.conflicts[0].kind == "keys"


NC_DEED = "https://creativecommons.org/licenses/by-nc/4.0/"


def test_license_link_contradicting_license_name_is_reported_and_both_apply() -> None:
    text = f"license: other\nlicense_name: mit\nlicense_link: {NC_DEED}"
    result = normalize(declared(text), load_catalog())
    assert result.ids == ("mit", "cc-by-nc-4.0")
    (conflict,) = result.conflicts
    assert conflict.kind == "keys"
    assert conflict.message.startswith(f"license_name: mit and license_link: {NC_DEED} name")
    assert "both apply" in conflict.message


def test_license_link_agreeing_with_license_name_is_no_conflict() -> None:
    text = "license: other\nlicense_name: MIT License\nlicense_link: https://opensource.org/licenses/MIT"
    result = normalize(declared(text), load_catalog())
    assert (result.ids, result.conflicts) == (("mit",), ())


def test_license_link_contradicting_license_name_fails_a_commercial_check(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text(
        f"---\nlicense: other\nlicense_name: mit\nlicense_link: {NC_DEED}\n---\n"
    )
    result = run_cli("check", "--offline", "--no-color", str(folder))
    assert result.code == 1, result.out + result.err
    assert "warning license-conflict: license_name: mit and license_link:" in result.out
    assert "error commercial-use-forbidden: cc-by-nc-4.0" in result.out


def test_gating_prompt_names_the_license() -> None:
    text = (
        "license: unknown\nextra_gated_prompt: 'You agree to the [Falcon-180B TII license]"
        "(https://example.invalid/license) and acceptable use policy.'"
    )
    result = normalize(declared(text), load_catalog())
    assert result.ids == ("falcon-180b",)
    assert result.terms[0].evidence.source == "extra_gated_prompt"


@pytest.mark.parametrize(
    ("prompt", "expected", "note"),
    [
        # Named in passing, next to words that restrict use.
        (
            "For non-commercial research only. Unlike the MIT License, these terms forbid "
            "commercial use.",
            (),
            "names mit but also restricts use",
        ),
        # Weights under one license, code under another: which covers the model is open.
        (
            "The weights are licensed under CC-BY-NC-4.0. The code is under the MIT License.",
            (),
            "names several licenses: cc-by-nc-4.0, mit",
        ),
        # 'submit license requests' holds 'mit license' only across a word boundary.
        ("Please submit license requests to legal@acme.test.", ("unknown",), None),
        # The longer name at the same place is the one meant.
        (
            "You agree to the Apache License 2.0 with the OpenAI gpt-oss usage policy.",
            ("gpt-oss-usage-policy",),
            "named in the gating prompt",
        ),
        # An id that starts a longer version is not that id ('llama3' in 'llama3-2').
        ("See https://www.llama.com/llama3-2/use-policy for the policy.", ("unknown",), None),
    ],
)
def test_gating_prompt_reads_only_what_it_names_for_the_model(
    prompt: str, expected: tuple[str, ...], note: str | None
) -> None:
    """The prompt is prose: a license it mentions is not always the model's license."""
    result = normalize(
        declared(f"license: unknown\nextra_gated_prompt: {prompt!r}"), load_catalog()
    )
    assert result.ids == expected
    if note is not None:
        assert result.terms[0].note is not None and note in result.terms[0].note


def test_license_link_url_pattern() -> None:
    text = "license: other\nlicense_link: https://mistral.ai/licenses/MNPL-0.1.md"
    assert normalize(declared(text), load_catalog()).ids == ("mistral-mnpl",)


def test_license_file_disagreeing_with_the_card() -> None:
    result = normalize(
        declared("license: mit"), load_catalog(), license_file=("LICENSE", "llama3.1", "high")
    )
    assert result.ids == ("mit", "llama3.1")
    assert "LICENSE is the llama3.1 license text" in result.conflicts[0].message
    assert result.conflicts[0].kind == "file"


def test_gpt_oss_apache_has_no_use_restrictions() -> None:
    result = normalize(declared("license: apache-2.0"), load_catalog())
    assert result.ids == ("apache-2.0",)
    assert load_catalog().get("apache-2.0").restrictions == ()  # type: ignore[union-attr]


@needs_corpus
def test_corpus_cards_normalize() -> None:
    catalog = load_catalog()
    values: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    placeholders: Counter[str] = Counter()
    for path in sorted((CORPUS / "cards").glob("*.yaml")):
        front = read_front_matter(path.read_text(encoding="utf-8"))
        declaration = declaration_from(front.data or {}, front.key_lines, None)
        result = normalize(declaration, catalog)
        statuses[result.status] += 1
        for term in result.terms:
            if term.any_of in (("other",), ("unknown",)):
                placeholders[term.any_of[0]] += 1
            raw = term.evidence.raw if term.evidence.source != "extra_gated_prompt" else "(prompt)"
            values[raw.lower()] += 1
            if not term.known:
                unknown[raw.lower()] += 1
    frequent_unknown = {v: n for v, n in unknown.items() if values[v] >= 3}
    assert frequent_unknown == {}
    print("statuses", dict(statuses), "placeholders", dict(placeholders))
    print("top unknown", unknown.most_common(20))


@pytest.mark.parametrize(
    ("value", "expression"),
    [
        # A license in the place of the exception: the card says nothing checkable.
        ("mit WITH cc-by-nc-4.0", "mit AND unknown(mit WITH cc-by-nc-4.0)"),
        ("mit with cc-by-nc-4.0", "mit AND unknown(mit with cc-by-nc-4.0)"),
        (
            "(mit WITH acme-extra) AND apache-2.0",
            "apache-2.0 AND mit AND unknown((mit WITH acme-extra) AND apache-2.0)",
        ),
        (
            "acme-license WITH Classpath-exception-2.0",
            "unknown(acme-license WITH Classpath-exception-2.0)",
        ),
        ("Apache-2.0 WITH LLVM-exception", "apache-2.0"),
        ("gpl-2.0 with classpath-exception-2.0 or mit", "(gpl-2.0 OR mit)"),
    ],
)
def test_with_expressions(value: str, expression: str) -> None:
    result = normalize(declared(f"license: {value}"), load_catalog())
    assert result.expression == expression
    assert result.status == ("resolved" if "unknown" not in expression else "unknown")


def test_a_known_exception_is_kept_as_information() -> None:
    result = normalize(declared("license: Apache-2.0 WITH LLVM-exception"), load_catalog())
    (term,) = result.terms
    assert term.any_of == ("apache-2.0",)
    assert term.note is not None and "LLVM-exception" in term.note


def test_with_a_license_for_an_exception_fails_the_check_without_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: mit WITH cc-by-nc-4.0\n---\n")
    result = run_cli("check", "--offline", "--no-color", str(folder))
    assert result.code == 1, result.out + result.err
    assert "error license-unknown: license 'mit WITH cc-by-nc-4.0'" in result.out
    assert "'cc-by-nc-4.0' after WITH is not an SPDX license exception" in result.out


@pytest.mark.parametrize(
    ("text", "ids", "conflict"),
    [
        # The card names its license and links to another one: both apply.
        (f"license: mit\nlicense_link: {NC_DEED}", ("mit", "cc-by-nc-4.0"), True),
        # A family and a link to one of its members: the link says which member.
        (f"license: cc\nlicense_link: {NC_DEED}", ("cc", "cc-by-nc-4.0"), False),
        # The same license by its id and by its link.
        (f"license: cc-by-nc-4.0\nlicense_link: {NC_DEED}", ("cc-by-nc-4.0",), False),
        # A link nobody can resolve adds nothing.
        ("license: mit\nlicense_link: https://example.com/terms", ("mit",), False),
    ],
)
def test_license_link_against_the_license_key(
    text: str, ids: tuple[str, ...], conflict: bool
) -> None:
    result = normalize(declared(text), load_catalog())
    assert result.ids == ids
    assert bool(result.conflicts) == conflict
    if conflict:
        assert result.conflicts[0].message.startswith(f"license: mit and license_link: {NC_DEED}")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # The card's own tags (a local folder, or cardData on the Hub).
        ("license: apache-2.0\ntags: [license:cc-by-nc-4.0]", "license: apache-2.0"),
        # A tag against license_name, the license key being only `other`.
        ("license: other\nlicense_name: mit\ntags: [license:cc-by-nc-4.0]", "license_name: mit"),
    ],
)
def test_a_license_tag_contradicting_the_card_is_reported_and_both_apply(
    text: str, said: str
) -> None:
    result = normalize(declared(text), load_catalog())
    assert result.ids[-1] == "cc-by-nc-4.0"
    assert len(result.ids) == 2
    (conflict,) = result.conflicts
    assert conflict.kind == "keys"
    assert conflict.message.startswith(f"{said} and the tag license:cc-by-nc-4.0 name different")
    assert "both apply" in conflict.message
    assert result.terms[-1].evidence.source == "tags"


def test_a_license_tag_of_the_hub_answer_is_compared_with_the_card_data() -> None:
    info = {
        "id": "o/n",
        "cardData": {"license": "apache-2.0"},
        "tags": ["transformers", "license:apache-2.0", "license:cc-by-nc-4.0", "region:us"],
    }
    card = card_from_api(ModelRef(repo_id="o/n"), info)
    assert card.declaration.license_tags == ("license:apache-2.0", "license:cc-by-nc-4.0")
    result = normalize(card.declaration, load_catalog())
    assert result.ids == ("apache-2.0", "cc-by-nc-4.0")
    assert [c.kind for c in result.conflicts] == ["keys"]


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        # What the Hub derives from the license key repeats it.
        ("license: apache-2.0\ntags: [license:apache-2.0]", ("apache-2.0",)),
        ("license: MIT\ntags: [license:mit]", ("mit",)),
        ("license: [llama2, other]\ntags: [license:llama2, license:other]", ("llama2", "other")),
        ("license: other\nlicense_name: llama3\ntags: [license:other]", ("llama3",)),
        # Placeholders and ids the catalog does not know say nothing.
        ("license: mit\ntags: [license:unknown, license:acme-terms]", ("mit",)),
        # A tag naming the member of the card's family says which member: checked as well.
        ("license: cc\ntags: [license:cc-by-nc-4.0]", ("cc", "cc-by-nc-4.0")),
        # A tag naming the family of the card's license adds nothing.
        ("license: cc-by-nc-4.0\ntags: [license:cc]", ("cc-by-nc-4.0",)),
    ],
)
def test_license_tags_that_agree_with_the_card_are_no_conflict(
    text: str, ids: tuple[str, ...]
) -> None:
    result = normalize(declared(text), load_catalog())
    assert (result.ids, result.conflicts) == (ids, ())


def test_a_license_tag_stands_in_for_a_missing_license_key() -> None:
    result = normalize(declared("tags: [fine-tuned, license:apache-2.0]"), load_catalog())
    (term,) = result.terms
    assert term.any_of == ("apache-2.0",)
    assert (term.evidence.source, term.evidence.raw, term.evidence.line) == (
        "tags",
        "license:apache-2.0",
        2,
    )
    assert term.confidence == "low"
    assert term.note is not None and "no license key" in term.note
    assert result.conflicts == ()
