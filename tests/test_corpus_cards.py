"""Every real card in ../shared/corpus/cards parses without an exception, in known shapes."""

from __future__ import annotations

from collections import Counter

from license_lint.card import declaration_from, read_front_matter

from conftest import CORPUS, needs_corpus


@needs_corpus
def test_every_corpus_card_parses_and_shapes_are_counted() -> None:
    shapes: Counter[str] = Counter()
    traits: Counter[str] = Counter()
    files = sorted((CORPUS / "cards").glob("*.yaml"))
    for path in files:
        raw = path.read_bytes()
        front = read_front_matter(raw.decode("utf-8"))
        if front.error:
            shapes["invalid"] += 1
            continue
        if front.data is None:
            shapes["no-metadata"] += 1
            continue
        declaration = declaration_from(front.data, front.key_lines, None)
        shapes[declaration.shape] += 1
        if declaration.key == "licenses":
            traits["licenses-key"] += 1
        if declaration.license_name and not declaration.values:
            traits["license_name-without-license"] += 1
        if "other" in declaration.values and not declaration.license_name:
            traits["other-without-license_name"] += 1
        if any(v != v.lower() for v in declaration.values):
            traits["upper-case"] += 1
        if declaration.link_file:
            traits["link-to-a-repo-file"] += 1
        if b"\r\n" in raw:
            traits["crlf"] += 1
        if raw[:1] in (b"\r", b"\n", b" "):
            traits["leading-blank-lines"] += 1
        base = front.data.get("base_model")
        if isinstance(base, list):
            traits["base_model-list"] += 1
        elif isinstance(base, str):
            traits["base_model-string"] += 1
        if "license" in declaration.lines or "licenses" in declaration.lines:
            traits["license-line-known"] += 1

    assert len(files) == 1179
    assert shapes == {"string": 1021, "missing": 148, "list": 10}
    assert traits == {
        "licenses-key": 1,
        "license_name-without-license": 1,
        "other-without-license_name": 74,
        "upper-case": 1,
        "link-to-a-repo-file": 19,
        "crlf": 16,
        "leading-blank-lines": 3,
        "base_model-list": 16,
        "base_model-string": 166,
        "license-line-known": 1031,
    }
