"""A fake Hugging Face Hub HTTP server on 127.0.0.1 for tests (stdlib plus PyYAML)."""

from __future__ import annotations

import contextlib
import copy
import csv
import datetime as dt
import hashlib
import json
import math
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, parse_qsl, unquote, urlencode, urlsplit

import yaml

__all__ = [
    "FIXTURES_DIR",
    "FakeHub",
    "Fault",
    "RecordedRequest",
    "load_fixtures",
    "parse_front_matter",
]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "hub"

# The Hub's own front matter regex (huggingface.js); only the first block counts.
FRONT_MATTER_RE = re.compile(
    r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))"
)
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
GATE_ALLOWLIST = frozenset({"README.md", "LICENSE", "LICENSE.md", "LICENSE.txt"})
KINDS = ("model", "dataset")
DEFAULT_DATE = "2025-01-01T00:00:00.000Z"
JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
BINARY_TYPE = "application/octet-stream"

Info = dict[str, Any]
Files = Mapping[str, bytes | str]


@dataclass
class RecordedRequest:
    """One request as the fake Hub received it (path and query still URL-encoded)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw_query: str = ""

    @property
    def target(self) -> str:
        """Return the path with its query string, as sent."""
        return f"{self.path}?{self.raw_query}" if self.raw_query else self.path

    def header(self, name: str) -> str | None:
        """Return a header value by case-insensitive name, or None."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


@dataclass
class Fault:
    """An injected misbehaviour for requests whose path and query match `pattern`."""

    pattern: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    times: int | None = None
    delay: float = 0.0
    truncate: int | None = None
    content_type: str | None = None
    reset: bool = False
    hits: int = 0

    def __post_init__(self) -> None:
        """Compile the pattern once."""
        self._regex = re.compile(self.pattern)

    @property
    def exhausted(self) -> bool:
        """Return True once the fault has been used `times` times."""
        return self.times is not None and self.hits >= self.times

    def matches(self, target: str) -> bool:
        """Return True if this still-active fault applies to the request target."""
        return not self.exhausted and self._regex.search(target) is not None


@dataclass
class _Answer:
    """A response before it is written to the socket."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Plan:
    """What the matching faults do to one request."""

    delay: float = 0.0
    reset: bool = False
    replacement: Fault | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    truncate: int | None = None
    content_type: str | None = None

    def conflicts(self, fault: Fault) -> bool:
        """Return True if an earlier fault already decided what this one would change."""
        replaces = fault.reset or fault.status is not None
        if replaces and (self.reset or self.replacement is not None):
            return True
        if fault.truncate is not None and self.truncate is not None:
            return True
        return fault.content_type is not None and self.content_type is not None

    def absorb(self, fault: Fault) -> None:
        """Add one firing fault's effects."""
        self.delay += fault.delay
        self.reset = self.reset or fault.reset
        if fault.status is not None:
            self.replacement = fault
        elif fault.headers or fault.body:
            self.headers.update(fault.headers)
            if fault.body:
                self.body = fault.body
        if fault.truncate is not None:
            self.truncate = fault.truncate
        if fault.content_type is not None:
            self.content_type = fault.content_type


class _Commit:
    """One revision of a repo: its info answer (possibly built lazily) and its files."""

    def __init__(self, sha: str, info: Info | None, builder: Callable[[], Info] | None) -> None:
        """Store either a ready info or a builder that makes it on first use."""
        self.sha = sha
        self.files: dict[str, bytes] = {}
        self._info = info
        self._builder = builder
        self._lock = threading.Lock()

    def info(self) -> Info:
        """Return the info answer, building it once; big corpus cards take seconds to parse."""
        with self._lock:
            if self._info is None:
                assert self._builder is not None
                self._info = self._builder()
                self._builder = None
            return self._info


@dataclass
class _Repo:
    """A repo with its commits, branches and gate."""

    kind: str
    repo_id: str
    commits: dict[str, _Commit] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    gate_mode: str | None = None
    authorized_tokens: frozenset[str] = frozenset()


def _as_bytes(content: bytes | str) -> bytes:
    """Encode text as UTF-8 and pass bytes through."""
    return content.encode("utf-8") if isinstance(content, str) else bytes(content)


def _jsonable(value: Any) -> Any:
    """Turn YAML-loaded values (dates, non-string keys, NaN) into what JSON can carry."""
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str) else json.dumps(_jsonable(k))): _jsonable(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value


def parse_front_matter(readme: bytes | str) -> tuple[dict[str, Any] | None, str | None]:
    """Parse a README's first front matter block as the Hub does: (cardData or None, error)."""
    text = readme.decode("utf-8", errors="replace") if isinstance(readme, bytes) else readme
    # The Hub reports cardData for BOM-prefixed READMEs; the regex alone would miss them.
    text = text.removeprefix("\ufeff")
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        return None, None
    try:
        data = yaml.safe_load(match.group(2))
    except yaml.YAMLError as exc:
        return None, f"Invalid YAML in README.md front matter: {exc}"
    if data is None:
        return None, None
    if not isinstance(data, dict):
        return None, f"README.md front matter must be a mapping, not {type(data).__name__}"
    return _jsonable(data), None


def _strings(value: Any) -> list[str]:
    """Return the string items of a scalar-or-list card value."""
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item]


def _card_info(
    kind: str,
    repo_id: str,
    sha: str,
    readme: bytes,
    gated: str | bool,
    filenames: list[str],
    extra_info: Info,
) -> Info:
    """Build a realistic info answer from a README, as the Hub derives it."""
    meta, error = parse_front_matter(readme)
    card = meta or {}
    tags: list[str] = _strings(card.get("tags"))
    for key in ("library_name", "pipeline_tag"):
        tags += _strings(card.get(key))
    tags += [f"license:{lic}" for lic in _strings(card.get("license"))]
    bases = _strings(card.get("base_model"))
    relation = card.get("base_model_relation")
    relation = relation if isinstance(relation, str) and relation else "finetune"
    for base in bases:
        tags += [f"base_model:{base}", f"base_model:{relation}:{base}"]
    tags += [f"dataset:{ds}" for ds in _strings(card.get("datasets"))]
    tags.append("region:us")
    owner, _, _ = repo_id.rpartition("/")
    info: Info = {
        "_id": hashlib.sha1(f"{kind}:{repo_id}".encode()).hexdigest()[:24],
        "id": repo_id,
    }
    if owner:
        info["author"] = owner
    info.update(
        {
            "sha": sha,
            "lastModified": DEFAULT_DATE,
            "createdAt": DEFAULT_DATE,
            "private": False,
            "disabled": False,
            "gated": gated,
            "downloads": 0,
            "likes": 0,
            "tags": list(dict.fromkeys(tags)),
        }
    )
    if kind == "model":
        info["modelId"] = repo_id
        for key in ("pipeline_tag", "library_name"):
            if isinstance(card.get(key), str):
                info[key] = card[key]
    if meta is not None:
        info["cardData"] = meta
    if error is not None:
        info["cardError"] = {"message": error}
    if bases:
        info["baseModels"] = {"relation": relation, "models": [{"id": base} for base in bases]}
    info["siblings"] = [{"rfilename": name} for name in sorted(filenames)]
    info.update(copy.deepcopy(extra_info))
    return info


def _gate_value(gated: str | bool) -> str | None:
    """Map an info `gated` value or add_card argument to a gate mode (None when open)."""
    if gated is True:
        return "manual"
    if isinstance(gated, str) and gated:
        return gated
    return None


class _Server(ThreadingHTTPServer):
    """The HTTP server, carrying a back reference to its FakeHub."""

    daemon_threads = True
    # The default backlog of 5 drops bursts of parallel connects into 1 s SYN retries.
    request_queue_size = 128
    hub: FakeHub

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup, which can take seconds."""
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet: clients hanging up mid-answer is routine in fault tests."""


class _Handler(BaseHTTPRequestHandler):
    """Routes one connection's requests to the FakeHub."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"
    timeout = 30
    server: _Server

    def setup(self) -> None:
        """Track the connection so stop() can close it."""
        super().setup()
        # Headers and body go out in separate writes; Nagle would add ~40 ms on keep-alive.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.hub._track(self.connection, add=True)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.hub._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request logging."""

    def do_GET(self) -> None:
        """Serve GET."""
        self._serve()

    def do_HEAD(self) -> None:
        """Serve HEAD."""
        self._serve()

    def do_POST(self) -> None:
        """Answer POST with 404 (after reading the body)."""
        self._serve()

    do_PUT = do_POST
    do_DELETE = do_POST
    do_PATCH = do_POST

    def _serve(self) -> None:
        """Record, apply faults, route and write one answer."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        hub = self.server.hub
        parts = urlsplit(self.path)
        record = RecordedRequest(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=dict(self.headers.items()),
            raw_query=parts.query,
        )
        plan = hub._record_and_plan(record)
        if plan.delay > 0:
            time.sleep(plan.delay)
        if plan.reset:
            self._reset()
            return
        if plan.replacement is not None:
            fault = plan.replacement
            answer = _Answer(int(fault.status or 500), fault.body, TEXT_TYPE, dict(fault.headers))
        else:
            try:
                answer = hub._route(record)
            except Exception as exc:
                hub.errors.append(exc)
                answer = _Answer(500, f"fake hub error: {exc!r}".encode(), TEXT_TYPE)
            answer.headers.update(plan.headers)
            if plan.body is not None:
                answer.body = plan.body
        self._write(answer, plan)

    def _write(self, answer: _Answer, plan: _Plan) -> None:
        """Send status, headers and (maybe truncated) body."""
        headers = dict(answer.headers)
        content_type = answer.content_type
        for key in list(headers):
            if key.lower() in ("content-type", "content-length"):
                if key.lower() == "content-type":
                    content_type = headers[key]
                del headers[key]
        if plan.content_type is not None:
            content_type = plan.content_type
        self.send_response(answer.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        if plan.truncate is not None:
            self.wfile.write(answer.body[: max(plan.truncate, 0)])
            self.wfile.flush()
            # Closing after a short body is what makes the client see a cut-off transfer.
            self.close_connection = True
            return
        self.wfile.write(answer.body)

    def _reset(self) -> None:
        """Drop the connection with a TCP reset and no answer at all."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()


class FakeHub:
    """A fake Hugging Face Hub serving registered repos, with request log and fault injection."""

    def __init__(self) -> None:
        """Create an empty, stopped hub."""
        self._lock = threading.RLock()
        self._repos: dict[tuple[str, str], _Repo] = {}
        self._faults: list[Fault] = []
        self._requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.latency = 0.0
        self.page_size = 100
        self.errors: list[BaseException] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeHub:
        """Start serving on a random port in a daemon thread; return self."""
        if self._server is not None:
            return self
        server = _Server(("127.0.0.1", 0), _Handler)
        server.hub = self
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"fakehub-{server.server_port}",
            daemon=True,
        )
        self._server, self._thread = server, thread
        thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket and open connections."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=2)

    def __enter__(self) -> FakeHub:
        """Start the hub."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the hub."""
        self.stop()

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:PORT."""
        if self._server is None:
            raise RuntimeError("FakeHub is not running; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        """Remember or forget an open client connection."""
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # -- data --------------------------------------------------------------------------------

    def add_model(
        self, info: Info, files: Files | None = None, branch: str | None = "main"
    ) -> None:
        """Register a model info answer (with `id` and 40-hex `sha`) and its files at that sha."""
        self._add("model", info, files, branch)

    def add_dataset(
        self, info: Info, files: Files | None = None, branch: str | None = "main"
    ) -> None:
        """Register a dataset info answer and its files at that sha."""
        self._add("dataset", info, files, branch)

    def _add(self, kind: str, info: Info, files: Files | None, branch: str | None) -> None:
        """Validate and store one revision given as a ready info answer."""
        repo_id, sha = info.get("id"), info.get("sha")
        if not isinstance(repo_id, str) or not repo_id:
            raise ValueError("info needs a string 'id'")
        if not isinstance(sha, str) or not SHA_RE.match(sha):
            raise ValueError(f"info for {repo_id} needs a 40-hex 'sha', got {sha!r}")
        self._store(kind, repo_id, sha, copy.deepcopy(info), None, files, branch)
        gate = _gate_value(info.get("gated", False))
        if gate is not None:
            with self._lock:
                repo = self._repos[(kind, repo_id)]
                repo.gate_mode = repo.gate_mode or gate

    def _store(
        self,
        kind: str,
        repo_id: str,
        sha: str,
        info: Info | None,
        builder: Callable[[], Info] | None,
        files: Files | None,
        branch: str | None,
    ) -> None:
        """Put a commit into the repo table, merging files when the sha is already known."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        with self._lock:
            repo = self._repos.setdefault((kind, repo_id), _Repo(kind, repo_id))
            commit = repo.commits.get(sha)
            if commit is None or info is not None or builder is not None:
                new = _Commit(sha, info, builder)
                if commit is not None:
                    new.files.update(commit.files)
                repo.commits[sha] = commit = new
            for path, content in (files or {}).items():
                commit.files[path] = _as_bytes(content)
            if branch is not None:
                repo.branches[branch] = sha

    def add_card(
        self,
        repo_id: str,
        readme: str | bytes,
        *,
        gated: str | bool = False,
        extra_info: Info | None = None,
        files: Files | None = None,
        kind: str = "model",
        branch: str | None = "main",
    ) -> str:
        """Register a repo built from README text (server-side cardData, tags, ...); return sha."""
        raw = _as_bytes(readme)
        extra = dict(extra_info or {})
        sha = extra.get("sha") or hashlib.sha1(repo_id.encode("utf-8") + raw).hexdigest()
        all_files: dict[str, bytes | str] = dict(files or {})
        all_files["README.md"] = raw
        names = sorted(all_files)
        gate = _gate_value(gated)
        info_gated: str | bool = gate if gate is not None else False

        def build() -> Info:
            """Build the info on first use."""
            return _card_info(kind, repo_id, sha, raw, info_gated, names, extra)

        self._store(kind, repo_id, sha, None, build, all_files, branch)
        if gate is not None:
            with self._lock:
                self._repos[(kind, repo_id)].gate_mode = gate
        return str(sha)

    def gate(
        self,
        repo_id: str,
        mode: str = "manual",
        authorized_tokens: set[str] | frozenset[str] = frozenset(),
        *,
        kind: str = "model",
    ) -> None:
        """Gate a registered repo; only `authorized_tokens` may read files beyond the allowlist."""
        with self._lock:
            repo = self._repos.get((kind, repo_id))
            if repo is None:
                raise KeyError(f"unknown {kind} {repo_id}")
            repo.gate_mode = mode
            repo.authorized_tokens = frozenset(authorized_tokens)

    def repo_ids(self, kind: str = "model") -> list[str]:
        """Return the registered repo ids of one kind, sorted."""
        with self._lock:
            return sorted(rid for k, rid in self._repos if k == kind)

    def has_repo(self, repo_id: str, kind: str = "model") -> bool:
        """Return True if the repo is registered."""
        with self._lock:
            return (kind, repo_id) in self._repos

    def load_corpus(self, corpus_dir: Path) -> int:
        """Load recorded answers, cards and gated bases laid out like shared/corpus; count repos."""
        corpus_dir = Path(corpus_dir)
        loaded = self._load_recorded(corpus_dir / "api")
        loaded |= self._load_cards(corpus_dir / "cards", corpus_dir / "provenance.tsv")
        loaded |= self._load_gated_bases(corpus_dir / "gated-bases.tsv")
        return len(loaded)

    def _load_recorded(self, api_dir: Path) -> set[str]:
        """Register every api/*.json answer; the newest lastModified of a repo becomes main."""
        recorded: dict[str, list[Info]] = {}
        for path in sorted(api_dir.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("id"), str) and "sha" in data:
                recorded.setdefault(data["id"], []).append(data)
        for answers in recorded.values():
            answers.sort(key=lambda a: str(a.get("lastModified") or ""))
            for answer in answers[:-1]:
                self.add_model(answer, branch=None)
            self.add_model(answers[-1], branch="main")
        return set(recorded)

    def _load_cards(self, cards_dir: Path, provenance: Path) -> set[str]:
        """Serve cards/*.yaml under the repo id provenance.tsv gives for each file."""
        repo_of = {
            row["file"]: row["repo_id"]
            for row in _read_tsv(provenance)
            if row.get("file") and row.get("repo_id")
        }
        loaded: set[str] = set()
        for path in sorted(cards_dir.glob("*.yaml")):
            repo_id = repo_of.get(f"cards/{path.name}")
            if repo_id is None:
                continue
            text = path.read_bytes()
            with self._lock:
                repo = self._repos.get(("model", repo_id))
                main = repo.branches.get("main") if repo is not None else None
            if main is not None:
                # A recorded answer is the better info; the card only supplies its README.md.
                self._store("model", repo_id, main, None, None, {"README.md": text}, None)
            else:
                self.add_card(repo_id, text)
            loaded.add(repo_id)
        return loaded

    def _load_gated_bases(self, table: Path) -> set[str]:
        """Add a minimal manually gated repo per gated-bases.tsv row not already present."""
        loaded: set[str] = set()
        for row in _read_tsv(table):
            repo_id = (row.get("repo_id") or "").strip()
            if not repo_id or self.has_repo(repo_id):
                continue
            meta = {"license": (row.get("license") or "").strip() or "unknown"}
            license_name = (row.get("license_name") or "").strip()
            if license_name:
                meta["license_name"] = license_name
            readme = (
                f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n\n# {repo_id}\n\n"
                "Stand-in card served by the fake Hub from gated-bases.tsv.\n"
            )
            self.add_card(repo_id, readme, gated="manual")
            loaded.add(repo_id)
        return loaded

    # -- requests and faults -----------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Return a snapshot of the requests received so far."""
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._lock:
            self._requests.clear()

    def count(self, path_substring: str) -> int:
        """Count recorded requests whose path (with query) contains the substring."""
        with self._lock:
            return sum(path_substring in r.target for r in self._requests)

    def add_fault(
        self,
        pattern: str,
        *,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | str = b"",
        times: int | None = None,
        delay: float = 0.0,
        truncate: int | None = None,
        content_type: str | None = None,
        reset: bool = False,
    ) -> Fault:
        """Inject a fault for requests whose path+query matches the regex `pattern`."""
        fault = Fault(
            pattern=pattern,
            status=status,
            headers=dict(headers or {}),
            body=_as_bytes(body),
            times=times,
            delay=delay,
            truncate=truncate,
            content_type=content_type,
            reset=reset,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        """Remove all faults."""
        with self._lock:
            self._faults.clear()

    def _record_and_plan(self, record: RecordedRequest) -> _Plan:
        """Log the request and decide which faults fire for it."""
        with self._lock:
            self._requests.append(record)
            plan = _Plan(delay=self.latency)
            for fault in self._faults:
                if fault.matches(record.target) and not plan.conflicts(fault):
                    fault.hits += 1
                    plan.absorb(fault)
            return plan

    # -- routing -----------------------------------------------------------------------------

    def _route(self, req: RecordedRequest) -> _Answer:
        """Dispatch a request to the matching endpoint."""
        segments = [s for s in req.path.split("/") if s]
        if req.method in ("GET", "HEAD"):
            if (
                len(segments) >= 2
                and segments[0] == "api"
                and segments[1] in ("models", "datasets")
            ):
                kind = segments[1][:-1]
                if len(segments) == 2:
                    return self._listing(kind, req)
                found = _split_info_path(segments[2:])
                if found is not None:
                    return self._info(kind, found[0], found[1], req)
            elif segments and segments[0] == "datasets":
                found_file = _split_resolve_path(segments[1:])
                if found_file is not None:
                    return self._resolve("dataset", *found_file, req)
            else:
                found_file = _split_resolve_path(segments)
                if found_file is not None:
                    return self._resolve("model", *found_file, req)
        return _Answer(404, b"Not Found", TEXT_TYPE)

    def _lookup(
        self, kind: str, repo_id: str, req: RecordedRequest
    ) -> tuple[_Repo | None, _Answer | None]:
        """Find a repo, or the Hub's not-found answer (401 anonymous, 404 with a token)."""
        with self._lock:
            repo = self._repos.get((kind, repo_id))
        if repo is not None:
            return repo, None
        status = 404 if req.header("Authorization") else 401
        return None, _error(status, "RepoNotFound", "Repository not found")

    def _commit(self, repo: _Repo, revision: str) -> _Commit | None:
        """Resolve a branch name or full sha to a commit."""
        with self._lock:
            sha = repo.branches.get(revision, revision)
            return repo.commits.get(sha)

    def _served_info(self, repo: _Repo, commit: _Commit) -> Info:
        """Return the info answer with the repo's current gate applied."""
        info = dict(commit.info())
        if repo.gate_mode is not None:
            info["gated"] = repo.gate_mode
        return info

    def _info(self, kind: str, repo_id: str, revision: str, req: RecordedRequest) -> _Answer:
        """Answer /api/{kind}s/{repo_id}[/revision/{revision}]."""
        repo, missing = self._lookup(kind, repo_id, req)
        if repo is None:
            assert missing is not None
            return missing
        commit = self._commit(repo, revision)
        if commit is None:
            return _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        info = _expand(self._served_info(repo, commit), _expand_keys(req.query))
        return _Answer(200, _json(info))

    def _resolve(
        self, kind: str, repo_id: str, revision: str, path: str, req: RecordedRequest
    ) -> _Answer:
        """Answer /[datasets/]{repo_id}/resolve/{revision}/{path}."""
        repo, missing = self._lookup(kind, repo_id, req)
        if repo is None:
            assert missing is not None
            return missing
        # The real Hub checks the gate before the revision and the file exist.
        if repo.gate_mode is not None and path not in GATE_ALLOWLIST:
            denied = _gate_denial(kind, repo, req.header("Authorization"))
            if denied is not None:
                return denied
        commit = self._commit(repo, revision)
        if commit is None:
            return _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
        body = commit.files.get(path)
        if body is None:
            return _error(404, "EntryNotFound", f"Entry not found: {path}")
        headers = {
            "X-Repo-Commit": commit.sha,
            "ETag": f'"{hashlib.sha1(body).hexdigest()}"',
            "Accept-Ranges": "bytes",
        }
        return _Answer(200, body, TEXT_TYPE if _is_text(body) else BINARY_TYPE, headers)

    def _listing(self, kind: str, req: RecordedRequest) -> _Answer:
        """Answer /api/{kind}s with filtering, expand, limit and Link-header pagination."""
        query = req.query
        author = _first(query, "author")
        search = (_first(query, "search") or "").lower()
        limit = _int_or_none(_first(query, "limit"))
        cursor = max(_int_or_none(_first(query, "cursor")) or 0, 0)
        with self._lock:
            repos = sorted(
                (r for (k, _), r in self._repos.items() if k == kind and "main" in r.branches),
                key=lambda r: r.repo_id,
            )
        if author is not None:
            repos = [r for r in repos if r.repo_id.rpartition("/")[0] == author]
        if search:
            repos = [r for r in repos if search in r.repo_id.lower()]
        end_all = len(repos) if limit is None else min(len(repos), max(limit, 0))
        end = min(cursor + max(self.page_size, 1), end_all)
        keys = _expand_keys(query)
        items = []
        for repo in repos[cursor:end]:
            commit = self._commit(repo, "main")
            if commit is not None:
                items.append(_expand(self._served_info(repo, commit), keys))
        headers = {}
        if end < end_all:
            pairs = parse_qsl(req.raw_query, keep_blank_values=True)
            pairs = [(k, v) for k, v in pairs if k != "cursor"] + [("cursor", str(end))]
            headers["Link"] = f'<{self.url}/api/{kind}s?{urlencode(pairs)}>; rel="next"'
        return _Answer(200, _json(items), JSON_TYPE, headers)


def _split_info_path(segments: list[str]) -> tuple[str, str] | None:
    """Split `owner/name[/revision/rev]` or legacy `name[/revision/rev]` into (id, revision)."""
    parts = [unquote(s) for s in segments]
    if len(parts) == 1:
        return parts[0], "main"
    if len(parts) == 2 and parts[1] != "revision":
        return f"{parts[0]}/{parts[1]}", "main"
    if len(parts) >= 4 and parts[2] == "revision":
        return f"{parts[0]}/{parts[1]}", "/".join(parts[3:])
    if len(parts) >= 3 and parts[1] == "revision":
        return parts[0], "/".join(parts[2:])
    return None


def _split_resolve_path(segments: list[str]) -> tuple[str, str, str] | None:
    """Split `[owner/]name/resolve/rev/path...` into (repo id, revision, file path)."""
    for at in (2, 1):
        if len(segments) >= at + 3 and segments[at] == "resolve":
            repo_id = "/".join(unquote(s) for s in segments[:at])
            revision = unquote(segments[at + 1])
            path = "/".join(unquote(s) for s in segments[at + 2 :])
            return repo_id, revision, path
    return None


def _gate_denial(kind: str, repo: _Repo, authorization: str | None) -> _Answer | None:
    """Return the Hub's GatedRepo answer for this caller, or None when they may read."""
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    if token is not None and token in repo.authorized_tokens:
        return None
    name = f"{kind} {repo.repo_id}"
    if authorization is None:
        return _error(
            401,
            "GatedRepo",
            f"Access to {name} is restricted. You must have access to it and be "
            "authenticated to access it. Please log in.",
        )
    return _error(
        403,
        "GatedRepo",
        f"Access to {name} is restricted and you are not in the authorized list. "
        f"Visit https://huggingface.co/{repo.repo_id} to ask for access.",
    )


def _error(status: int, code: str, message: str) -> _Answer:
    """Build a Hub-style error answer with X-Error-Code / X-Error-Message."""
    headers = {"X-Error-Code": code, "X-Error-Message": message}
    return _Answer(status, _json({"error": message}), JSON_TYPE, headers)


def _expand_keys(query: dict[str, list[str]]) -> list[str] | None:
    """Return the requested expand keys (both `expand` and `expand[]` forms), or None."""
    if "expand" not in query and "expand[]" not in query:
        return None
    return [v for k in ("expand", "expand[]") for v in query.get(k, []) if v]


def _expand(info: Info, keys: list[str] | None) -> Info:
    """Trim an info to `_id`, `id` and the requested keys when expand was given."""
    if keys is None:
        return info
    wanted = {"_id", "id", *keys}
    return {k: v for k, v in info.items() if k in wanted}


def _json(value: Any) -> bytes:
    """Encode JSON the way the Hub does (UTF-8, no ASCII escaping)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _is_text(body: bytes) -> bool:
    """Return True for UTF-8 text without NUL bytes."""
    if b"\x00" in body:
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _first(query: dict[str, list[str]], key: str) -> str | None:
    """Return the first value of a query parameter."""
    values = query.get(key)
    return values[0] if values else None


def _int_or_none(value: str | None) -> int | None:
    """Parse an integer query value, ignoring junk."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _read_tsv(path: Path) -> list[dict[str, str]]:
    """Read a tab-separated table with a header row; a missing file is an empty table."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_fixtures(hub: FakeHub, fixtures_dir: Path = FIXTURES_DIR) -> list[str]:
    """Register the synthetic repos listed in fixtures/hub/repos.yaml; return their ids."""
    entries = yaml.safe_load((fixtures_dir / "repos.yaml").read_text(encoding="utf-8"))
    ids: list[str] = []
    for entry in entries:
        folder = fixtures_dir / entry["dir"]
        files = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
        readme = files.pop("README.md")
        kind = entry.get("kind", "model")
        hub.add_card(
            entry["id"],
            readme,
            gated=entry.get("gated", False),
            extra_info=entry.get("extra_info"),
            files=files,
            kind=kind,
            branch=entry.get("branch", "main"),
        )
        if entry.get("authorized_tokens"):
            hub.gate(
                entry["id"],
                entry.get("gated") or "manual",
                set(entry["authorized_tokens"]),
                kind=kind,
            )
        ids.append(entry["id"])
    return list(dict.fromkeys(ids))
