"""Terminal styling that can be switched off, and cleaning of untrusted text for the terminal."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from .model import Severity

# C0 and C1 controls (ESC included), DEL and line breaks: a card must not be able to move the
# cursor, recolour the terminal, hide text, or start a new line that a CI log would read as a
# workflow command.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def clean(text: str) -> str:
    """Untrusted text made safe for one line of a terminal: control characters as escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def color_wanted(stream: IO[str], no_color: bool, env: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never with --no-color or a non-empty NO_COLOR."""
    env = os.environ if env is None else env
    if no_color or env.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@dataclass(frozen=True)
class Styler:
    """ANSI styles, or plain text when colour is off."""

    color: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def bold(self, text: str) -> str:
        """Bold text."""
        return self._wrap("1", text)

    def red(self, text: str) -> str:
        """Red text."""
        return self._wrap("31", text)

    def yellow(self, text: str) -> str:
        """Yellow text."""
        return self._wrap("33", text)

    def dim(self, text: str) -> str:
        """Dim text."""
        return self._wrap("2", text)

    def severity(self, severity: Severity) -> str:
        """A severity word in its colour."""
        if severity is Severity.ERROR:
            return self.red(severity.value)
        if severity is Severity.WARNING:
            return self.yellow(severity.value)
        return self.dim(severity.value)
