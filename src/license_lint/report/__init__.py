"""Reporters: one module per format, each exposing `render(report, style) -> str`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Report
    from ..textstyle import Styler

# --format name -> module in this package; modules load only when asked for.
FORMATS = {
    "text": "text",
    "json": "json",
    "markdown": "markdown",
    "html": "html",
    "sarif": "sarif",
    "spdx": "spdx",
    "spdx3": "spdx3",
    "cyclonedx": "cyclonedx",
    "github": "github",
}


def render(report: Report, fmt: str, style: Styler) -> str:
    """Render a report in one of FORMATS."""
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    text: str = module.render(report, style)
    return text
