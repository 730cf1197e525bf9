"""On-disk SQLite cache of Hub answers: immutable by commit sha, branch lookups with a short TTL."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("license_lint.cache")

SCHEMA_VERSION = 1
DEFAULT_REF_TTL = 600.0
FILE_NAME = "hub-cache.sqlite3"

_TABLES = (
    "CREATE TABLE IF NOT EXISTS refs (kind TEXT, repo TEXT, revision TEXT, sha TEXT, "
    "fetched REAL, PRIMARY KEY (kind, repo, revision))",
    "CREATE TABLE IF NOT EXISTS infos (kind TEXT, repo TEXT, sha TEXT, body TEXT, "
    "fetched REAL, PRIMARY KEY (kind, repo, sha))",
    "CREATE TABLE IF NOT EXISTS files (kind TEXT, repo TEXT, sha TEXT, path TEXT, "
    "present INTEGER, body BLOB, fetched REAL, PRIMARY KEY (kind, repo, sha, path))",
)


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """LICENSE_LINT_CACHE, else $XDG_CACHE_HOME/license-lint, else ~/.cache/license-lint."""
    env = os.environ if env is None else env
    if env.get("LICENSE_LINT_CACHE"):
        return Path(env["LICENSE_LINT_CACHE"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path("~/.cache").expanduser())
    return Path(base) / "license-lint"


@dataclass(frozen=True)
class CachedFile:
    """A file answer from the cache; body None records that the file does not exist."""

    body: bytes | None


class Cache:
    """Hub answers on disk, safe for several threads and processes at once (SQLite WAL)."""

    def __init__(
        self,
        directory: Path,
        *,
        ref_ttl: float = DEFAULT_REF_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = directory / FILE_NAME
        self.ref_ttl = ref_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken:
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                # A cache written by another version is only a cache: start it again.
                for table in ("refs", "infos", "files"):
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _TABLES:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)
            return None
        self._conn = conn
        return conn

    def _disable(self, exc: Exception) -> None:
        # A broken cache must never stop a check: warn once and go on without it.
        if not self._broken:
            log.warning("cache %s is unusable (%s); continuing without it", self.path, exc)
        self._broken = True
        self._conn = None

    def _query(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            conn = self._connect()
            if conn is None:
                return None
            try:
                row: tuple[Any, ...] | None = conn.execute(sql, args).fetchone()
            except sqlite3.Error as exc:
                self._disable(exc)
                return None
            return row

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._lock:
            conn = self._connect()
            if conn is None:
                return
            try:
                conn.execute(sql, args)
            except sqlite3.Error as exc:
                self._disable(exc)

    def get_sha(self, kind: str, repo: str, revision: str, *, any_age: bool = False) -> str | None:
        """The commit a branch or tag pointed at, if looked up within the TTL (or ever)."""
        row = self._query(
            "SELECT sha, fetched FROM refs WHERE kind=? AND repo=? AND revision=?",
            (kind, repo, revision),
        )
        if row is None:
            return None
        sha, fetched = row
        if not any_age and self._clock() - float(fetched) > self.ref_ttl:
            return None
        return str(sha)

    def put_sha(self, kind: str, repo: str, revision: str, sha: str) -> None:
        """Remember where a branch or tag pointed."""
        self._write(
            "INSERT OR REPLACE INTO refs VALUES (?, ?, ?, ?, ?)",
            (kind, repo, revision, sha, self._clock()),
        )

    def get_info(self, kind: str, repo: str, sha: str) -> dict[str, Any] | None:
        """The API answer for a repo at a commit."""
        row = self._query(
            "SELECT body FROM infos WHERE kind=? AND repo=? AND sha=?", (kind, repo, sha)
        )
        if row is None:
            return None
        try:
            info = json.loads(row[0])
        except ValueError:
            return None
        return info if isinstance(info, dict) else None

    def put_info(self, kind: str, repo: str, sha: str, info: Mapping[str, Any]) -> None:
        """Store the API answer for a repo at a commit."""
        self._write(
            "INSERT OR REPLACE INTO infos VALUES (?, ?, ?, ?, ?)",
            (kind, repo, sha, json.dumps(info, sort_keys=True), self._clock()),
        )

    def get_file(self, kind: str, repo: str, sha: str, path: str) -> CachedFile | None:
        """A file at a commit (or the record that it does not exist); None if never fetched."""
        row = self._query(
            "SELECT present, body FROM files WHERE kind=? AND repo=? AND sha=? AND path=?",
            (kind, repo, sha, path),
        )
        if row is None:
            return None
        present, body = row
        return CachedFile(bytes(body) if present else None)

    def put_file(self, kind: str, repo: str, sha: str, path: str, body: bytes | None) -> None:
        """Store a file at a commit; None records that it does not exist."""
        self._write(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kind, repo, sha, path, int(body is not None), body, self._clock()),
        )

    def clear(self) -> None:
        """Forget everything."""
        for table in ("refs", "infos", "files"):
            self._write(f"DELETE FROM {table}", ())

    def stats(self) -> dict[str, int]:
        """How many entries of each kind the cache holds."""
        counts: dict[str, int] = {}
        for table in ("refs", "infos", "files"):
            row = self._query(f"SELECT COUNT(*) FROM {table}", ())
            counts[table] = int(row[0]) if row else 0
        return counts

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
