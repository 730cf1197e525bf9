"""Local model references: a model folder or a README.md path, read without leaving the folder."""

from __future__ import annotations

import os
from pathlib import Path

from .card import card_from_readme
from .errors import InputError
from .model import Card, Finding, Location, ModelRef, Severity

MAX_README_BYTES = 50 * 1024 * 1024
MAX_LISTED_FILES = 10_000
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv"})


def read_local(ref: ModelRef) -> Card:
    """Read a local model folder (its README.md and file list) or a README.md file."""
    assert ref.path is not None
    given = Path(ref.path)
    if given.is_dir():
        folder, readme = given, given / "README.md"
    elif given.is_file():
        folder, readme = given.parent, given
    else:
        raise InputError(
            f"{ref.path} does not exist",
            hint="give a model folder, a README.md, or a Hub id such as owner/name",
        )
    files = list_files(folder)
    shown = str(readme)
    if not readme.exists():
        return card_from_readme(ref, "", source="local", files=files, readme_path=shown)
    text, problem = _read_text(folder, readme)
    if problem is not None:
        finding = Finding(
            code="card-invalid",
            severity=Severity.ERROR,
            message=problem,
            subject=str(ref),
            location=Location(shown),
            hint="the model card must be a UTF-8 README.md inside the model folder",
        )
        card = card_from_readme(ref, "", source="local", files=files, readme_path=shown)
        return _with_finding(card, finding)
    return card_from_readme(ref, text, source="local", files=files, readme_path=shown)


def _with_finding(card: Card, finding: Finding) -> Card:
    from dataclasses import replace

    return replace(card, findings=(*card.findings, finding))


def _read_text(folder: Path, readme: Path) -> tuple[str, str | None]:
    """README text, or a problem: outside the folder (via a link), too large, or not UTF-8."""
    real_folder = folder.resolve()
    real = readme.resolve()
    if readme.is_symlink() and not real.is_relative_to(real_folder):
        return "", f"{readme} is a link to a file outside {folder}; not read"
    try:
        size = real.stat().st_size
        if size > MAX_README_BYTES:
            return "", f"{readme} is {size:,} bytes, over the {MAX_README_BYTES:,} byte limit"
        data = real.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {readme}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return "", f"{readme} is not UTF-8 text (byte {exc.start})"


def list_files(folder: Path) -> tuple[str, ...]:
    """Repo-relative paths of the files in a folder, without following links or VCS folders."""
    found: list[str] = []
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        rel_root = Path(root).relative_to(folder)
        for name in sorted(names):
            found.append((rel_root / name).as_posix())
            if len(found) >= MAX_LISTED_FILES:
                return tuple(found)
    return tuple(found)


def read_file(ref: ModelRef, path: str) -> bytes | None:
    """A file of a local model folder; None when absent or when it would leave the folder."""
    assert ref.path is not None
    given = Path(ref.path)
    folder = given if given.is_dir() else given.parent
    target = folder / path
    try:
        real = target.resolve()
        if not real.is_relative_to(folder.resolve()) or not real.is_file():
            return None
        if real.stat().st_size > MAX_README_BYTES:
            return None
        return real.read_bytes()
    except OSError:
        return None
