"""The fetcher interface lineage uses, and its Hub implementation (client behind the cache)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from .cache import Cache
from .card import card_from_api
from .errors import EntryNotFoundError, NotCachedError
from .hub import HubClient, is_sha
from .local import read_file, read_local
from .model import Card, ModelRef


class Fetcher(Protocol):
    """Anything that can turn a model reference into a card."""

    def card(self, ref: ModelRef) -> Card:
        """The card of a model or dataset at a revision."""
        ...

    def file(self, card: Card, path: str) -> bytes | None:
        """A file of the card's repo at the card's revision; None when it does not exist."""
        ...


class HubFetcher:
    """Cards from the Hub, answered from the cache when it can; local references read locally."""

    def __init__(self, client: HubClient, cache: Cache | None) -> None:
        self.client = client
        self.cache = cache
        self.offline = client.settings.offline
        self._listed: dict[tuple[str, str], dict[str, Any]] = {}

    def remember(self, infos: Iterable[dict[str, Any]], kind: str = "model") -> None:
        """Keep answers from a listing, so their cards need no request of their own."""
        for info in infos:
            repo_id = info.get("id")
            if isinstance(repo_id, str) and isinstance(info.get("sha"), str):
                self._listed[(kind, repo_id.casefold())] = info

    def card(self, ref: ModelRef) -> Card:
        """Fetch (or read) one card."""
        if ref.path is not None:
            return read_local(ref)
        assert ref.repo_id is not None
        info = self._info(ref.kind, ref.repo_id, ref.revision or "main")
        readme = None
        siblings = info.get("siblings")
        listed = siblings if isinstance(siblings, list) else []
        files = {s.get("rfilename") for s in listed if isinstance(s, dict)}
        sha = info.get("sha")
        if not isinstance(info.get("cardData"), dict) and "README.md" in files and sha:
            # No server-side parse in the answer: read the README ourselves.
            body = self._file(ref.kind, ref.repo_id, sha, "README.md")
            readme = body.decode("utf-8", "replace") if body is not None else None
        return card_from_api(ref, info, readme)

    def file(self, card: Card, path: str) -> bytes | None:
        """A file of the card's repo at the card's commit."""
        if card.ref.path is not None:
            return read_file(card.ref, path)
        if card.repo_id is None or card.sha is None:
            return None
        return self._file(card.ref.kind, card.repo_id, card.sha, path)

    def _info(self, kind: str, repo_id: str, revision: str) -> dict[str, Any]:
        listed = self._listed.get((kind, repo_id.casefold())) if revision == "main" else None
        if listed is not None:
            return listed
        cache = self.cache
        sha = revision if is_sha(revision) else None
        if cache is not None:
            sha = sha or cache.get_sha(kind, repo_id, revision, any_age=self.offline)
            info = cache.get_info(kind, repo_id, sha) if sha else None
            if info is not None:
                return info
        if self.offline:
            raise NotCachedError(
                f"{kind} {repo_id}@{revision} is not in the cache and offline mode is on",
                repo_id=repo_id,
                hint="run the same command once without --offline (or HF_HUB_OFFLINE) "
                "to fill the cache",
            )
        if kind == "dataset":
            info = self.client.dataset_info(repo_id, revision)
        else:
            info = self.client.model_info(repo_id, revision)
        got = info.get("sha")
        if cache is not None and isinstance(got, str):
            cache.put_info(kind, repo_id, got, info)
            if not is_sha(revision):
                cache.put_sha(kind, repo_id, revision, got)
        return info

    def _file(self, kind: str, repo_id: str, sha: str, path: str) -> bytes | None:
        cache = self.cache
        if cache is not None:
            cached = cache.get_file(kind, repo_id, sha, path)
            if cached is not None:
                return cached.body
        if self.offline:
            raise NotCachedError(
                f"{path} of {kind} {repo_id}@{sha[:8]} is not in the cache and offline mode is on",
                repo_id=repo_id,
                hint="run the same command once without --offline to fill the cache",
            )
        try:
            body: bytes | None = self.client.file(repo_id, sha, path, kind=kind)
        except EntryNotFoundError:
            body = None
        if cache is not None:
            cache.put_file(kind, repo_id, sha, path, body)
        return body
