"""Hub HTTP client: model and dataset info, files, listings, tokens, retries and rate limits."""

from __future__ import annotations

import email.utils
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from . import __version__
from .errors import (
    AuthError,
    ConfigError,
    EntryNotFoundError,
    FetchError,
    GatedRepoError,
    HubUnavailableError,
    InvalidReferenceError,
    NotCachedError,
    RateLimitedError,
    RedirectRefusedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)

if TYPE_CHECKING:
    import requests

log = logging.getLogger("license_lint.hub")

DEFAULT_ENDPOINT = "https://huggingface.co"
# `expand` answers hold only the keys asked for. pipeline_tag is the Hub's task (also inferred
# when the card gives none): it decides whether a model is multimodal (Llama 3.2's EU clause).
MODEL_EXPAND = (
    "cardData",
    "sha",
    "gated",
    "tags",
    "siblings",
    "baseModels",
    "lastModified",
    "pipeline_tag",
)
DATASET_EXPAND = ("cardData", "sha", "gated", "tags", "siblings", "lastModified")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
TRUE_VALUES = frozenset({"1", "on", "yes", "true"})

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_REPO_ID = re.compile(rf"^(?:{_NAME}/)?{_NAME}$")
_REVISION = re.compile(r"^[A-Za-z0-9._+-]+(?:/[A-Za-z0-9._+-]+)*$")
_SHA = re.compile(r"^[0-9a-f]{40}$")
_RATELIMIT_RESET = re.compile(r"(?:^|;)\s*t=(\d+)")
_RATELIMIT_LEFT = re.compile(r"(?:^|;)\s*r=(\d+)")


def is_sha(revision: str) -> bool:
    """True for a full 40-hex commit sha, which names an immutable state of a repo."""
    return bool(_SHA.match(revision))


def validate_repo_id(repo_id: str) -> str:
    """Return the id if it is a valid Hub repo id; refuse anything else before any I/O."""
    name = repo_id.rsplit("/", 1)[-1]
    if (
        not _REPO_ID.match(repo_id)
        or len(name) > 96
        or len(repo_id) > 200
        or "--" in repo_id
        or ".." in repo_id
    ):
        raise InvalidReferenceError(
            f"'{_printable(repo_id)}' is not a valid Hub repo id",
            hint="write owner/name (letters, digits, '-', '_', '.'), e.g. google/gemma-2-9b",
        )
    return repo_id


def validate_revision(revision: str) -> str:
    """Return the revision if it is a plausible branch, tag, sha or refs/pr/N; refuse others."""
    if (
        not _REVISION.match(revision)
        or len(revision) > 255
        or ".." in revision
        or revision.endswith(".lock")
    ):
        raise InvalidReferenceError(
            f"'{_printable(revision)}' is not a valid revision",
            hint="give a branch, a tag, a 40-character commit sha or refs/pr/N",
        )
    return revision


def validate_repo_path(path: str) -> str:
    """Return a repo file path if it stays inside the repo; refuse traversal and odd characters."""
    parts = path.split("/")
    if (
        not path
        or len(path) > 1000
        or any(p in ("", ".", "..") for p in parts)
        or any(ord(c) < 32 or c in "\\?#" for c in path)
    ):
        raise InvalidReferenceError(f"'{_printable(path)}' is not a valid file path in a repo")
    return path


def _printable(text: str) -> str:
    """Text safe to echo in a one-line message: control characters escaped, length capped."""
    shown = text.encode("unicode_escape").decode("ascii")
    return shown if len(shown) <= 120 else shown[:117] + "..."


def redact(text: str, token: str | None) -> str:
    """Remove a token from text that may reach the user, in any letter case."""
    if not token:
        return text
    return re.sub(re.escape(token), "***", text, flags=re.IGNORECASE)


@dataclass(frozen=True)
class HubSettings:
    """Where the Hub is, who we are, and how hard to try."""

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = field(default=None, repr=False)
    offline: bool = False
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 5
    backoff: float = 1.0
    max_wait: float = 120.0


def find_token(env: Mapping[str, str]) -> str | None:
    """The Hub token: HF_TOKEN, then the legacy variable, then the token file under HF_HOME."""
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
        value = env.get(name, "").strip()
        if value:
            return value
    path = env.get("HF_TOKEN_PATH") or str(Path(hf_home(env)) / "token")
    try:
        value = Path(path).expanduser().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return value or None


def hf_home(env: Mapping[str, str]) -> str:
    """HF_HOME, defaulting to $XDG_CACHE_HOME/huggingface or ~/.cache/huggingface."""
    if env.get("HF_HOME"):
        return env["HF_HOME"]
    cache = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return str(Path(cache) / "huggingface")


def _env_number(env: Mapping[str, str], name: str, default: float, low: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = low - 1
    if value < low:
        raise ConfigError(
            f"{name}={_printable(raw)} is not a number >= {low:g}",
            where="environment",
            hint=f"unset it to use the default, {default:g}",
        )
    return value


def settings_from_env(
    env: Mapping[str, str] | None = None, *, offline: bool = False
) -> HubSettings:
    """Settings from the Hub's own environment variables plus license-lint's tuning variables."""
    env = os.environ if env is None else env
    endpoint = (env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"HF_ENDPOINT={_printable(endpoint)} is not an http(s) URL",
            where="environment",
            hint="set it to the Hub or mirror base URL, e.g. https://huggingface.co",
        )
    return HubSettings(
        endpoint=endpoint,
        token=find_token(env),
        offline=offline or env.get("HF_HUB_OFFLINE", "").strip().lower() in TRUE_VALUES,
        connect_timeout=_env_number(env, "LICENSE_LINT_HUB_TIMEOUT", 10.0, 0.1),
        read_timeout=_env_number(env, "LICENSE_LINT_HUB_TIMEOUT", 60.0, 0.1),
        max_attempts=int(_env_number(env, "LICENSE_LINT_HUB_ATTEMPTS", 5, 1)),
        backoff=_env_number(env, "LICENSE_LINT_HUB_BACKOFF", 1.0, 0.0),
        max_wait=_env_number(env, "LICENSE_LINT_HUB_MAX_WAIT", 120.0, 0.0),
    )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asks us to wait: Retry-After (seconds or date), else RateLimit's t=."""
    raw = headers.get("Retry-After")
    if raw:
        raw = raw.strip()
        try:
            return max(0.0, float(raw))
        except ValueError:
            when = email.utils.parsedate_to_datetime(raw) if raw else None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    limit = headers.get("RateLimit")
    if limit:
        reset = _RATELIMIT_RESET.search(limit)
        left = _RATELIMIT_LEFT.search(limit)
        if reset and (left is None or int(left.group(1)) == 0):
            return float(reset.group(1))
    return None


@dataclass(frozen=True)
class _Target:
    """What a request is for, so errors can say so."""

    kind: str
    repo_id: str | None
    revision: str | None = None
    path: str | None = None

    @property
    def label(self) -> str:
        name = f"{self.kind} {self.repo_id}" if self.repo_id else "the model listing"
        if self.path:
            return f"{self.path} of {name}"
        return name


class HubClient:
    """A small client for the parts of the Hub API a license check needs."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._local = threading.local()
        self._origin = _origin(settings.endpoint)
        self.requests_made = 0
        self._count_lock = threading.Lock()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            session.headers["User-Agent"] = f"license-lint/{__version__}"
            self._local.session = session
        return session

    def close(self) -> None:
        """Close this thread's connection pool."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    def model_info(self, repo_id: str, revision: str = "main") -> dict[str, Any]:
        """GET /api/models/{id}/revision/{rev} with the fields a license check needs."""
        return self._info("model", repo_id, revision, MODEL_EXPAND)

    def dataset_info(self, repo_id: str, revision: str = "main") -> dict[str, Any]:
        """GET /api/datasets/{id}/revision/{rev} with the fields a license check needs."""
        return self._info("dataset", repo_id, revision, DATASET_EXPAND)

    def _info(
        self, kind: str, repo_id: str, revision: str, expand: Sequence[str]
    ) -> dict[str, Any]:
        validate_repo_id(repo_id)
        validate_revision(revision)
        url = f"{self.settings.endpoint}/api/{kind}s/{repo_id}/revision/{quote(revision, safe='')}"
        target = _Target(kind, repo_id, revision)
        _, info = self._get(url, {"expand": list(expand)}, target)
        if not isinstance(info, dict) or not isinstance(info.get("id"), str):
            raise HubUnavailableError(
                f"the Hub's answer for {target.label} is not a {kind} description",
                repo_id=repo_id,
                hint="check HF_ENDPOINT points at a Hub or a faithful mirror",
            )
        sha = info.get("sha")
        if sha is not None and not (isinstance(sha, str) and is_sha(sha)):
            raise HubUnavailableError(
                f"the Hub's answer for {target.label} has an invalid commit sha",
                repo_id=repo_id,
            )
        return info

    def file(self, repo_id: str, revision: str, path: str, *, kind: str = "model") -> bytes:
        """GET {endpoint}/[datasets/]{id}/resolve/{rev}/{path}: a file's bytes."""
        validate_repo_id(repo_id)
        validate_revision(revision)
        validate_repo_path(path)
        prefix = "datasets/" if kind == "dataset" else ""
        url = (
            f"{self.settings.endpoint}/{prefix}{repo_id}/resolve/"
            f"{quote(revision, safe='')}/{quote(path)}"
        )
        response, _ = self._get(url, None, _Target(kind, repo_id, revision, path))
        return response.content

    def list_models(
        self,
        *,
        author: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        expand: Sequence[str] = MODEL_EXPAND,
    ) -> Iterator[dict[str, Any]]:
        """GET /api/models, following Link rel="next" pages; one request per page."""
        query: dict[str, Any] = {"expand": list(expand)}
        if author:
            query["author"] = validate_repo_id(author)
        if search:
            query["search"] = search
        if limit is not None:
            query["limit"] = min(limit, 1000)
        # The next-page URL carries the whole query, so only the first request sends it.
        params: Mapping[str, Any] | None = query
        url: str | None = f"{self.settings.endpoint}/api/models"
        target = _Target("model", None)
        seen = 0
        number = 0
        while url is not None:
            response, page = self._get(url, params, target)
            number += 1
            if not isinstance(page, list):
                raise HubUnavailableError("the Hub's model listing is not a list")
            for index, item in enumerate(page, start=1):
                # Skipping an unreadable entry would leave a model out of an audit that still
                # looks complete: the listing is refused instead.
                yield _listed(item, f"entry {index} on page {number} of the Hub's model listing")
                seen += 1
                if limit is not None and seen >= limit:
                    return
            next_url = response.links.get("next", {}).get("url")
            if next_url and _origin(next_url) != self._origin:
                raise RedirectRefusedError(
                    "the Hub's listing points its next page at another host; refused"
                )
            url, params = next_url, None

    def _headers(self) -> dict[str, str]:
        token = self.settings.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _get(
        self, url: str, params: Mapping[str, Any] | None, target: _Target
    ) -> tuple[requests.Response, Any]:
        """GET with bounded retries on 429/5xx/timeouts/cut-off answers; maps errors to types.

        API answers (no file path) come back parsed; a file comes back with None.
        """
        import requests

        if self.settings.offline:
            raise NotCachedError(
                f"{target.label} is not in the cache and offline mode is on",
                repo_id=target.repo_id,
                hint="run once without --offline (and without HF_HUB_OFFLINE) to fill the cache",
            )
        waited = 0.0
        problem = ""
        rate_limited = False
        for attempt in range(1, self.settings.max_attempts + 1):
            retry_after: float | None = None
            try:
                response = self._follow(url, params)
                status = response.status_code
                if status in RETRY_STATUSES:
                    rate_limited = status == 429
                    problem = f"HTTP {status}"
                    retry_after = _retry_after(response.headers)
                elif status >= 400:
                    raise self._error(response, target)
                elif target.path is not None:
                    return response, None
                else:
                    try:
                        return response, json.loads(response.content)
                    except ValueError:
                        kind = response.headers.get("Content-Type", "no content type")
                        problem = f"an answer that is not JSON or was cut off ({kind})"
            except (requests.Timeout, requests.ConnectionError) as exc:
                problem = _describe(exc)
            except requests.exceptions.ChunkedEncodingError:
                problem = "an answer cut off before its end"
            except requests.RequestException as exc:
                raise HubUnavailableError(
                    f"cannot fetch {target.label}: {redact(_describe(exc), self.settings.token)}",
                    repo_id=target.repo_id,
                ) from None
            if attempt == self.settings.max_attempts:
                break
            backoff = self.settings.backoff * 2 ** (attempt - 1)
            wait = retry_after if retry_after is not None else backoff
            if waited + wait > self.settings.max_wait:
                problem += f"; the next wait of {wait:.0f}s would exceed the retry budget"
                break
            log.warning(
                "%s: the Hub gave %s; retrying in %.1fs (attempt %d of %d)",
                target.label,
                problem,
                wait,
                attempt + 1,
                self.settings.max_attempts,
            )
            self._sleep(wait)
            waited += wait
        error = RateLimitedError if rate_limited else HubUnavailableError
        hint = (
            "the Hub is rate limiting this address; set HF_TOKEN (higher limits) or try later"
            if rate_limited
            else "the Hub or the network is failing; try again later"
        )
        raise error(
            f"gave up on {target.label} after {attempt} attempts: {problem}",
            repo_id=target.repo_id,
            hint=hint,
        )

    def _follow(self, url: str, params: Mapping[str, Any] | None) -> requests.Response:
        """GET, following redirects only within the configured endpoint."""
        session = self._session()
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        for _ in range(MAX_REDIRECTS + 1):
            log.debug("GET %s", url)
            with self._count_lock:
                self.requests_made += 1
            response = session.get(
                url, params=params, headers=self._headers(), timeout=timeout, allow_redirects=False
            )
            if not response.is_redirect:
                return response
            location = response.headers.get("Location", "")
            next_url = urljoin(url, location)
            if _origin(next_url) != self._origin:
                raise RedirectRefusedError(
                    redact(
                        f"the Hub redirected to another host ({_origin(next_url)}); refused",
                        self.settings.token,
                    ),
                    hint="license-lint only talks to HF_ENDPOINT",
                )
            url = next_url
            params = None
        raise RedirectRefusedError(f"more than {MAX_REDIRECTS} redirects; refused")

    def _error(self, response: requests.Response, target: _Target) -> FetchError:
        """Map an error answer to a typed error whose message says what to do."""
        token = self.settings.token
        code = response.headers.get("X-Error-Code", "")
        message = response.headers.get("X-Error-Message") or _short_text(response.content)
        message = redact(message, token)
        status = response.status_code
        repo_page = f"{self.settings.endpoint}/{target.repo_id}"
        if target.kind == "dataset":
            repo_page = f"{self.settings.endpoint}/datasets/{target.repo_id}"
        common: dict[str, Any] = {"repo_id": target.repo_id}
        if code == "GatedRepo":
            hint = (
                f"the account of this token has no access yet: accept the terms at {repo_page} "
                "or wait for the authors' approval"
                if token
                else f"accept the license terms at {repo_page}, then set HF_TOKEN to a token "
                "of that account"
            )
            return GatedRepoError(
                f"{target.label} is gated and needs accepted terms", hint=hint, **common
            )
        if code == "RevisionNotFound":
            return RevisionNotFoundError(
                f"revision '{target.revision}' of {target.kind} {target.repo_id} does not exist",
                hint="give a branch, tag or full commit sha that exists on the Hub",
                **common,
            )
        if code == "EntryNotFound" or (status == 404 and target.path):
            return EntryNotFoundError(f"{target.label} does not exist", **common)
        bad_token = "invalid credentials" in message.lower() or "invalid token" in message.lower()
        if status == 401 and token and bad_token:
            return AuthError(
                "the Hub refused the token",
                hint="check HF_TOKEN or the token file under HF_HOME; create a new read token "
                "if it was revoked",
                **common,
            )
        if code == "RepoNotFound" or status in (401, 404):
            hint = (
                "check the id; the token in use cannot see it either"
                if token
                else "check the id; if the repository is private, set HF_TOKEN to a token "
                "that can read it"
            )
            return RepoNotFoundError(
                f"{target.kind} {target.repo_id} was not found on the Hub", hint=hint, **common
            )
        if status == 403:
            if "disabled" in message.lower():
                return AuthError(f"{target.kind} {target.repo_id} is disabled on the Hub", **common)
            return AuthError(
                f"the Hub refused access to {target.label} (HTTP 403): {message}",
                hint="check that HF_TOKEN belongs to an account with access",
                **common,
            )
        return FetchError(f"the Hub answered HTTP {status} for {target.label}: {message}", **common)


def _listed(item: Any, label: str) -> dict[str, Any]:
    """A listing entry, checked like a model description: an object with an id and a valid sha."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
        raise HubUnavailableError(
            f"{label} is not a model description (an object with an id)",
            hint="check HF_ENDPOINT points at a Hub or a faithful mirror, then run again",
        )
    sha = item.get("sha")
    if sha is not None and not (isinstance(sha, str) and is_sha(sha)):
        # The id is not quoted: it comes from the answer, which may hold terminal escapes.
        raise HubUnavailableError(f"{label} has an invalid commit sha")
    return item


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL, without any user:password part."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")


def _short_text(body: bytes) -> str:
    text = body[:300].decode("utf-8", "replace")
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        text = data["error"]
    return " ".join(text.split())[:200] or "no details"


def _describe(exc: Exception) -> str:
    name = type(exc).__name__
    text = str(exc)
    if "timed out" in text.lower() or "Timeout" in name:
        return "a timeout"
    if "refused" in text.lower():
        return "connection refused"
    if "reset" in text.lower() or "aborted" in text.lower() or "RemoteDisconnected" in text:
        return "connection reset"
    return f"a connection error ({name})"
