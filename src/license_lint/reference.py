"""Model references from the command line: Hub ids with an optional revision, or local paths."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from .card import HUB_HOSTS
from .errors import InvalidReferenceError
from .hub import validate_repo_id, validate_revision
from .model import ModelRef


def parse_reference(text: str) -> ModelRef:
    """`owner/name[@revision]`, `datasets/owner/name[@rev]`, a Hub URL, or an existing path."""
    text = text.strip()
    if not text:
        raise InvalidReferenceError("an empty model reference was given")
    if _is_path(text):
        return ModelRef(path=text)
    try:
        parts = urlsplit(text)
    except ValueError:
        raise InvalidReferenceError(f"'{text}' is neither a Hub id nor a Hub URL") from None
    if parts.scheme in ("http", "https"):
        if parts.netloc.lower() not in HUB_HOSTS:
            raise InvalidReferenceError(
                f"{text} is not a Hub URL", hint="give owner/name or a huggingface.co URL"
            )
        text = parts.path.strip("/")
        # https://huggingface.co/owner/name/tree/<rev> names a revision too.
        segments = text.split("/")
        if len(segments) >= 4 and segments[-2] == "tree":
            text = "/".join(segments[:-2]) + "@" + segments[-1]
    name, at, revision = text.partition("@")
    kind = "model"
    if name.startswith("datasets/"):
        kind, name = "dataset", name.removeprefix("datasets/")
    elif name.startswith("models/"):
        name = name.removeprefix("models/")
    if at and not revision:
        raise InvalidReferenceError(f"{text} has an empty revision after '@'")
    return ModelRef(
        repo_id=validate_repo_id(name),
        revision=validate_revision(revision) if revision else None,
        kind=kind,
    )


def _is_path(text: str) -> bool:
    """A reference is local when it exists, looks like a path, or names a Markdown file."""
    if os.path.lexists(text):
        return True
    return text.startswith(("./", "../", "/", "~", ".\\")) or text.lower().endswith(".md")
