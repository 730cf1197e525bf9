"""The base-model graph of a subject: parents fetched concurrently, once per run, with limits."""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from .catalog import Catalog
from .errors import LicenseLintError
from .fetch import Fetcher
from .hub import validate_repo_id
from .model import BaseModel, Card, Lineage, LineageEdge, LineageNode, ModelRef
from .normalize import normalize

ADAPTER_CONFIG = "adapter_config.json"


class LineageWalker:
    """Walks lineage graphs; every distinct model or dataset is fetched once per walker."""

    def __init__(
        self,
        fetcher: Fetcher,
        catalog: Catalog,
        *,
        max_depth: int = 8,
        workers: int = 8,
        datasets: bool = True,
    ) -> None:
        self.fetcher = fetcher
        self.catalog = catalog
        self.max_depth = max_depth
        self.datasets = datasets
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers))
        self._lock = threading.Lock()
        self._nodes: dict[tuple[str, str], Future[tuple[Card | None, str | None]]] = {}

    def close(self) -> None:
        """Stop the worker threads."""
        self._pool.shutdown(wait=True)

    def __enter__(self) -> LineageWalker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _fetch(self, kind: str, repo_id: str) -> Future[tuple[Card | None, str | None]]:
        """The (card, problem) of a model or dataset, started once and shared by every caller."""
        key = (kind, repo_id.casefold())
        with self._lock:
            future = self._nodes.get(key)
            if future is None:
                future = self._pool.submit(self._load, kind, repo_id)
                self._nodes[key] = future
            return future

    def _load(self, kind: str, repo_id: str) -> tuple[Card | None, str | None]:
        try:
            validate_repo_id(repo_id)
            return self.fetcher.card(ModelRef(repo_id=repo_id, kind=kind)), None
        except LicenseLintError as exc:
            # The node already names the repo; keep what went wrong and how to fix it.
            return None, exc.message + (f" ({exc.hint})" if exc.hint else "")

    def parents_of(self, card: Card) -> list[BaseModel]:
        """Declared parents; an adapter with none names its base in adapter_config.json."""
        if card.base_models or ADAPTER_CONFIG not in card.files:
            return list(card.base_models)
        try:
            body = self.fetcher.file(card, ADAPTER_CONFIG)
        except LicenseLintError:
            return []
        base = _adapter_base(body)
        return [BaseModel(base, "adapter", "adapter_config")] if base else []

    def walk(self, card: Card) -> Lineage:
        """The graph above one subject, breadth first, each level fetched concurrently."""
        root = card.repo_id or str(card.ref)
        nodes: dict[str, LineageNode] = {
            root: LineageNode(root, 0, card, normalize(card.declaration, self.catalog))
        }
        edges: list[LineageEdge] = []
        truncated: list[str] = []
        level: list[tuple[str, Card]] = [(root, card)]
        depth = 0
        while level:
            if depth >= self.max_depth:
                truncated += [name for name, c in level if self.parents_of(c)]
                break
            depth += 1
            wanted: list[tuple[str, BaseModel]] = []
            for name, child in level:
                for base in self.parents_of(child):
                    edges.append(LineageEdge(name, base.repo_id, base.relation, base.source))
                    seen = base.repo_id in nodes or any(
                        b.repo_id == base.repo_id for _, b in wanted
                    )
                    if not seen:
                        wanted.append((name, base))
            futures = [(base, self._fetch("model", base.repo_id)) for _, base in wanted]
            level = []
            for base, future in futures:
                parent, problem = future.result()
                license = normalize(parent.declaration, self.catalog) if parent else None
                nodes[base.repo_id] = LineageNode(base.repo_id, depth, parent, license, problem)
                if parent is not None:
                    level.append((base.repo_id, parent))
        datasets = self._datasets(card) if self.datasets else ()
        return Lineage(
            root=root,
            nodes=nodes,
            edges=tuple(edges),
            datasets=datasets,
            cycles=tuple(find_cycles(root, edges)),
            truncated=tuple(truncated),
        )

    def _datasets(self, card: Card) -> tuple[LineageNode, ...]:
        futures = [(name, self._fetch("dataset", name)) for name in card.datasets]
        out = []
        for name, future in futures:
            dataset, problem = future.result()
            license = normalize(dataset.declaration, self.catalog) if dataset else None
            out.append(LineageNode(name, 1, dataset, license, problem))
        return tuple(out)


def _adapter_base(body: bytes | None) -> str | None:
    """`base_model_name_or_path` of a PEFT adapter config, when it is a Hub id (not a path)."""
    if not body:
        return None
    try:
        config = json.loads(body)
    except ValueError:
        return None
    base = config.get("base_model_name_or_path") if isinstance(config, dict) else None
    if not isinstance(base, str):
        return None
    try:
        return validate_repo_id(base.strip())
    except LicenseLintError:
        return None  # a local path on the author's machine says nothing we can follow


def find_cycles(root: str, edges: list[LineageEdge]) -> list[tuple[str, ...]]:
    """Cycles reachable from the root, each as the path that closes it."""
    children: dict[str, list[str]] = {}
    for edge in edges:
        children.setdefault(edge.child, []).append(edge.parent)
    cycles: list[tuple[str, ...]] = []
    path: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> None:
        if node in path:
            cycles.append((*path[path.index(node) :], node))
            return
        if node in done:
            return
        path.append(node)
        for parent in children.get(node, []):
            visit(parent)
        path.pop()
        done.add(node)

    visit(root)
    return cycles
