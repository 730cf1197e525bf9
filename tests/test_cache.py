"""The SQLite cache: immutable answers by sha, branch lookups with a TTL, safe when shared."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

from license_lint.cache import FILE_NAME, Cache, CachedFile, default_cache_dir


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_round_trip_and_ttl(tmp_path: Path) -> None:
    clock = Clock()
    cache = Cache(tmp_path, ref_ttl=60, clock=clock)
    cache.put_sha("model", "o/n", "main", "a" * 40)
    cache.put_info("model", "o/n", "a" * 40, {"id": "o/n", "sha": "a" * 40})
    cache.put_file("model", "o/n", "a" * 40, "LICENSE", b"text")
    cache.put_file("model", "o/n", "a" * 40, "NOTICE", None)
    assert cache.get_sha("model", "o/n", "main") == "a" * 40
    assert cache.get_info("model", "o/n", "a" * 40) == {"id": "o/n", "sha": "a" * 40}
    assert cache.get_file("model", "o/n", "a" * 40, "LICENSE") == CachedFile(b"text")
    assert cache.get_file("model", "o/n", "a" * 40, "NOTICE") == CachedFile(None)
    assert cache.get_file("model", "o/n", "a" * 40, "other") is None
    assert cache.get_info("dataset", "o/n", "a" * 40) is None
    clock.now += 61
    assert cache.get_sha("model", "o/n", "main") is None
    assert cache.get_sha("model", "o/n", "main", any_age=True) == "a" * 40
    assert cache.stats() == {"refs": 1, "infos": 1, "files": 2}


def test_default_dir_follows_env(tmp_path: Path) -> None:
    assert default_cache_dir({"LICENSE_LINT_CACHE": str(tmp_path)}) == tmp_path
    assert default_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/license-lint")


def test_a_corrupt_cache_is_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    cache = Cache(tmp_path)
    cache.put_info("model", "o/n", "a" * 40, {"id": "o/n"})
    assert cache.get_info("model", "o/n", "a" * 40) is None


def _writer(directory: str, worker: int) -> None:
    cache = Cache(Path(directory))
    for i in range(200):
        sha = f"{worker:02d}{i:038d}"
        cache.put_info("model", f"o/m{i % 20}", sha, {"id": f"o/m{i}", "n": i, "w": worker})
        cache.put_sha("model", f"o/m{i % 20}", "main", sha)
        assert cache.get_info("model", f"o/m{i % 20}", sha) is not None
    cache.close()


def test_concurrent_processes_do_not_corrupt_it(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), w)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    conn = sqlite3.connect(tmp_path / FILE_NAME)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM infos").fetchone() == (800,)
    assert conn.execute("SELECT COUNT(*) FROM refs").fetchone() == (20,)
