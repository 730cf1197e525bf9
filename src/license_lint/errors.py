"""The one exception hierarchy; the CLI turns each into a one-line message and exit code 2."""

from __future__ import annotations


class LicenseLintError(Exception):
    """A failure the user can act on: what went wrong, where, and how to fix it."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class UsageError(LicenseLintError):
    """The command line asks for something that cannot be done."""


class ConfigError(LicenseLintError):
    """A rules file or a shipped policy file is invalid."""


class PolicyError(ConfigError):
    """A shipped license policy or the taxonomy is invalid."""


class InputError(LicenseLintError):
    """A model reference, path or input file cannot be read or is not valid."""


class InvalidReferenceError(InputError):
    """A repo id or revision is not a valid Hub name; refused before any request."""


class FetchError(LicenseLintError):
    """The Hub (or the cache standing in for it) could not answer."""

    def __init__(
        self,
        message: str,
        *,
        repo_id: str | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, where=where or repo_id, hint=hint)
        self.repo_id = repo_id


class RepoNotFoundError(FetchError):
    """The repository does not exist, is private, or the token cannot see it."""


class RevisionNotFoundError(FetchError):
    """The repository exists but the revision does not."""


class EntryNotFoundError(FetchError):
    """The file does not exist at that revision."""


class GatedRepoError(FetchError):
    """The repository is gated and the terms have not been accepted for this token."""


class AuthError(FetchError):
    """The token was refused, or the repository is disabled."""


class RateLimitedError(FetchError):
    """The Hub kept answering 429 beyond the retry budget."""


class RedirectRefusedError(FetchError):
    """The Hub sent us to another host (or too far); license-lint only talks to HF_ENDPOINT."""


class HubUnavailableError(FetchError):
    """The Hub could not be reached or kept failing (5xx, timeouts, cut-off answers)."""


class NotCachedError(FetchError):
    """Offline mode was asked for and the cache does not hold the answer."""
