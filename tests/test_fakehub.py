"""Tests of the fake Hugging Face Hub server itself, with plain requests."""

from __future__ import annotations

import csv
import hashlib
import http.client
import json
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from fakehub import FakeHub, load_fixtures, parse_front_matter

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hub"
SHARED = Path(
    os.environ.get("LICENSE_LINT_SHARED") or Path(__file__).resolve().parents[2] / "shared"
)
CORPUS = SHARED / "corpus"
TOKEN = "hf_acme_test_authorized"
GATED = "acme-test/gated-model"


def _sha(n: int) -> str:
    """Return a made-up 40-hex sha."""
    return hashlib.sha1(f"commit-{n}".encode()).hexdigest()


def _info(repo_id: str, sha: str, **extra: Any) -> dict[str, Any]:
    """Return a minimal recorded-style info answer."""
    return {"_id": "0" * 24, "id": repo_id, "sha": sha, "gated": False, **extra}


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    """Yield a running hub with the synthetic fixtures loaded."""
    with FakeHub() as running:
        load_fixtures(running)
        yield running


def _get(hub: FakeHub, path: str, **kwargs: Any) -> requests.Response:
    """GET a path on the hub."""
    kwargs.setdefault("timeout", 5)
    return requests.get(hub.url + path, **kwargs)


# -- lifecycle -------------------------------------------------------------------------------


def test_start_is_fast_and_stop_closes_the_port() -> None:
    """The server starts in well under 0.1 s and refuses connections after stop."""
    hub = FakeHub()
    with pytest.raises(RuntimeError):
        _ = hub.url
    began = time.perf_counter()
    hub.start()
    assert time.perf_counter() - began < 0.1
    url = hub.url
    assert url.startswith("http://127.0.0.1:")
    assert requests.get(url + "/nothing", timeout=5).status_code == 404
    hub.stop()
    hub.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/nothing", timeout=2)


def test_stop_is_quick_while_a_request_is_still_delayed() -> None:
    """A handler sleeping on a delay fault does not hold up stop()."""
    hub = FakeHub().start()
    load_fixtures(hub)
    hub.add_fault("base-apache", delay=1.0)
    with pytest.raises(requests.Timeout):
        requests.get(hub.url + "/api/models/acme-test/base-apache", timeout=0.1)
    began = time.perf_counter()
    hub.stop()
    assert time.perf_counter() - began < 0.5


def test_unknown_route_is_a_plain_404(hub: FakeHub) -> None:
    """Routes the fake does not know give a plain-text 404."""
    for path in ("/", "/api/spaces/acme-test/x", "/acme-test/base-apache/raw/main/README.md"):
        response = _get(hub, path)
        assert response.status_code == 404
        assert response.headers["Content-Type"].startswith("text/plain")
        assert "X-Error-Code" not in response.headers


def test_concurrent_requests(hub: FakeHub) -> None:
    """Parallel clients are all served and all logged."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(
            pool.map(lambda _: _get(hub, "/api/models/acme-test/base-nc").status_code, range(24))
        )
    assert codes == [200] * 24
    assert hub.count("/api/models/acme-test/base-nc") == 24


# -- model info ------------------------------------------------------------------------------


def test_model_info_full_answer(hub: FakeHub) -> None:
    """The synthesized info looks like a real /api/models answer."""
    info = _get(hub, "/api/models/acme-test/merge-model").json()
    readme = (FIXTURES / "acme-test__merge-model" / "README.md").read_bytes()
    assert info["id"] == info["modelId"] == "acme-test/merge-model"
    assert info["sha"] == hashlib.sha1(b"acme-test/merge-model" + readme).hexdigest()
    assert info["author"] == "acme-test"
    assert info["private"] is False and info["disabled"] is False and info["gated"] is False
    assert info["cardData"]["base_model"] == ["acme-test/base-apache", "acme-test/base-nc"]
    assert info["baseModels"] == {
        "relation": "merge",
        "models": [{"id": "acme-test/base-apache"}, {"id": "acme-test/base-nc"}],
    }
    assert "license:apache-2.0" in info["tags"]
    assert "base_model:acme-test/base-nc" in info["tags"]
    assert "base_model:merge:acme-test/base-apache" in info["tags"]
    assert info["siblings"] == [{"rfilename": "README.md"}]
    assert info["lastModified"].endswith("Z")


@pytest.mark.parametrize("key", ["expand", "expand[]"])
def test_expand_trims_the_answer(hub: FakeHub, key: str) -> None:
    """Both expand spellings answer only _id, id and the requested existing keys."""
    response = _get(
        hub,
        "/api/models/acme-test/base-apache",
        params=[(key, "cardData"), (key, "gated"), (key, "baseModels")],
    )
    info = response.json()
    assert set(info) == {"_id", "id", "cardData", "gated"}
    assert info["cardData"]["license"] == "apache-2.0"
    assert hub.requests[-1].query[key] == ["cardData", "gated", "baseModels"]


def test_revisions_by_branch_sha_and_encoded_pr_ref() -> None:
    """Branches, full shas and URL-encoded refs/pr/1 all resolve to their commit."""
    old, new, pr = _sha(1), _sha(2), _sha(3)
    with FakeHub() as hub:
        hub.add_model(
            _info("acme-test/history", old, cardData={"license": "cc-by-nc-4.0"}),
            files={"README.md": "old"},
            branch=None,
        )
        hub.add_model(
            _info("acme-test/history", new, cardData={"license": "apache-2.0"}),
            files={"README.md": "new"},
        )
        hub.add_model(_info("acme-test/history", pr), branch="refs/pr/1")
        base = "/api/models/acme-test/history"
        assert _get(hub, base).json()["sha"] == new
        assert _get(hub, f"{base}/revision/main").json()["sha"] == new
        assert _get(hub, f"{base}/revision/{old}").json()["cardData"]["license"] == "cc-by-nc-4.0"
        assert _get(hub, f"{base}/revision/refs%2Fpr%2F1").json()["sha"] == pr
        assert hub.requests[-1].path.endswith("refs%2Fpr%2F1")
        assert _get(hub, f"/acme-test/history/resolve/{old}/README.md").text == "old"
        assert _get(hub, "/acme-test/history/resolve/main/README.md").text == "new"
        missing = _get(hub, f"{base}/revision/nope")
        assert missing.status_code == 404
        assert missing.headers["X-Error-Code"] == "RevisionNotFound"
        short = _get(hub, f"{base}/revision/{old[:7]}")
        assert short.headers["X-Error-Code"] == "RevisionNotFound"


def test_unknown_repo_401_anonymous_404_with_token(hub: FakeHub) -> None:
    """A missing repo is 401 without Authorization and 404 with it, both RepoNotFound."""
    for path in ("/api/models/acme-test/missing", "/acme-test/missing/resolve/main/README.md"):
        anonymous = _get(hub, path)
        assert anonymous.status_code == 401
        assert anonymous.headers["X-Error-Code"] == "RepoNotFound"
        assert anonymous.headers["X-Error-Message"] == "Repository not found"
        assert anonymous.json() == {"error": "Repository not found"}
        with_token = _get(hub, path, headers={"Authorization": "Bearer hf_anything"})
        assert with_token.status_code == 404
        assert with_token.headers["X-Error-Code"] == "RepoNotFound"


def test_legacy_unnamespaced_id(hub: FakeHub) -> None:
    """Un-namespaced ids work for info, revision and resolve."""
    info = _get(hub, "/api/models/acme-test-legacy").json()
    assert info["id"] == "acme-test-legacy" and "author" not in info
    assert _get(hub, "/api/models/acme-test-legacy/revision/main").json()["sha"] == info["sha"]
    readme = _get(hub, "/acme-test-legacy/resolve/main/README.md")
    assert readme.status_code == 200 and "license: mit" in readme.text


def test_dataset_endpoints(hub: FakeHub) -> None:
    """Datasets live under /api/datasets and /datasets/, separate from models."""
    info = _get(hub, "/api/datasets/acme-test/instruct-data").json()
    assert info["cardData"]["license"] == "cc-by-4.0" and "modelId" not in info
    again = _get(hub, f"/api/datasets/acme-test/instruct-data/revision/{info['sha']}")
    assert again.json()["sha"] == info["sha"]
    data = _get(hub, "/datasets/acme-test/instruct-data/resolve/main/data/train.jsonl")
    assert data.status_code == 200 and data.text.count("\n") == 2
    assert _get(hub, "/api/models/acme-test/instruct-data").status_code == 401
    assert _get(hub, "/acme-test/instruct-data/resolve/main/README.md").status_code == 401


# -- cards -----------------------------------------------------------------------------------


def test_bom_crlf_readme_is_served_raw_and_parsed(hub: FakeHub) -> None:
    """The README keeps its BOM and CRLF bytes; cardData is still parsed."""
    raw = (FIXTURES / "acme-test__bom-crlf" / "README.md").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf---\r\n")
    response = _get(hub, "/acme-test/bom-crlf/resolve/main/README.md")
    assert response.content == raw
    assert _get(hub, "/api/models/acme-test/bom-crlf").json()["cardData"] == {
        "license": "bsd-3-clause",
        "language": ["en"],
    }


def test_invalid_yaml_gives_card_error(hub: FakeHub) -> None:
    """Unparseable front matter yields cardError and no cardData."""
    info = _get(hub, "/api/models/acme-test/invalid-yaml").json()
    assert "cardData" not in info
    assert "YAML" in info["cardError"]["message"]
    assert not any(tag.startswith("license:") for tag in info["tags"])


def test_adapter_base_only_in_adapter_config(hub: FakeHub) -> None:
    """The adapter card has no base model; adapter_config.json names it."""
    info = _get(hub, "/api/models/acme-test/lora-adapter").json()
    assert "baseModels" not in info and "base_model" not in info["cardData"]
    names = [s["rfilename"] for s in info["siblings"]]
    assert names == ["README.md", "adapter_config.json", "adapter_model.safetensors"]
    config = _get(hub, "/acme-test/lora-adapter/resolve/main/adapter_config.json").json()
    assert config["base_model_name_or_path"] == "acme-test/base-apache"


def test_add_card_synthesis() -> None:
    """add_card derives sha, tags, baseModels and cardError from the README alone."""
    with FakeHub() as hub:
        readme = "---\nlicense: [mit, other]\nbase_model: acme-test/base-apache\n---\nbody\n"
        sha = hub.add_card("acme-test/card", readme, extra_info={"likes": 7})
        assert sha == hashlib.sha1(b"acme-test/card" + readme.encode()).hexdigest()
        info = _get(hub, "/api/models/acme-test/card").json()
        assert info["sha"] == sha and info["likes"] == 7
        assert {"license:mit", "license:other"} <= set(info["tags"])
        assert "base_model:finetune:acme-test/base-apache" in info["tags"]
        assert info["baseModels"]["relation"] == "finetune"

        hub.add_card("acme-test/list-yaml", "---\n- a\n- b\n---\n")
        listed = _get(hub, "/api/models/acme-test/list-yaml").json()
        assert "cardData" not in listed and "mapping" in listed["cardError"]["message"]

        hub.add_card("acme-test/no-meta", "# Just a title\n\n---\nlicense: mit\n---\n")
        plain = _get(hub, "/api/models/acme-test/no-meta").json()
        assert "cardData" not in plain and "cardError" not in plain


def test_parse_front_matter_first_block_only() -> None:
    """Only the first --- block counts; dates become JSON-friendly strings."""
    meta, error = parse_front_matter("---\nlicense: mit\ndate: 2024-05-01\n---\n---\nx: 1\n---\n")
    assert error is None and meta == {"license": "mit", "date": "2024-05-01"}
    assert parse_front_matter("---\n---\n") == (None, None)


def test_add_model_validates_sha() -> None:
    """Infos without a 40-hex sha or an id are refused."""
    hub = FakeHub()
    with pytest.raises(ValueError):
        hub.add_model({"id": "acme-test/x", "sha": "abc"})
    with pytest.raises(ValueError):
        hub.add_model({"sha": _sha(1)})


# -- resolve ---------------------------------------------------------------------------------


def test_resolve_get_and_head_headers(hub: FakeHub) -> None:
    """GET and HEAD give the body's length, sha1 ETag, commit and content type."""
    sha = _get(hub, "/api/models/acme-test/base-apache?expand=sha").json()["sha"]
    body = (FIXTURES / "acme-test__base-apache" / "LICENSE").read_bytes()
    for revision in ("main", sha):
        url = f"{hub.url}/acme-test/base-apache/resolve/{revision}/LICENSE"
        got = requests.get(url, timeout=5)
        head = requests.head(url, timeout=5)
        for response in (got, head):
            assert response.status_code == 200
            assert response.headers["X-Repo-Commit"] == sha
            assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
            assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert response.headers["Content-Length"] == str(len(body))
        assert got.content == body and head.content == b""
    binary = requests.head(
        f"{hub.url}/acme-test/lora-adapter/resolve/main/adapter_model.safetensors", timeout=5
    )
    assert binary.headers["Content-Type"] == "application/octet-stream"


def test_resolve_missing_file_and_revision(hub: FakeHub) -> None:
    """Missing files are EntryNotFound, missing revisions RevisionNotFound."""
    missing = _get(hub, "/acme-test/base-apache/resolve/main/LICENSE.md")
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    head = requests.head(hub.url + "/acme-test/base-apache/resolve/main/nope.txt", timeout=5)
    assert head.status_code == 404 and head.headers["X-Error-Code"] == "EntryNotFound"
    bad_rev = _get(hub, "/acme-test/base-apache/resolve/v9/README.md")
    assert bad_rev.status_code == 404 and bad_rev.headers["X-Error-Code"] == "RevisionNotFound"


# -- gating ----------------------------------------------------------------------------------


def test_gated_info_is_public(hub: FakeHub) -> None:
    """The info of a gated repo is readable anonymously and says how it is gated."""
    info = _get(hub, f"/api/models/{GATED}?expand[]=gated&expand[]=cardData").json()
    assert info["gated"] == "manual"
    assert info["cardData"]["license_name"] == "acme-research-license"


def test_gated_allowlist_anonymous(hub: FakeHub) -> None:
    """Anonymous callers read root README/LICENSE files only; the rest is 401 GatedRepo."""
    for path in ("README.md", "LICENSE"):
        assert _get(hub, f"/{GATED}/resolve/main/{path}").status_code == 200
    absent = _get(hub, f"/{GATED}/resolve/main/LICENSE.txt")
    assert absent.status_code == 404 and absent.headers["X-Error-Code"] == "EntryNotFound"
    for path in ("USE_POLICY.md", "config.json", "readme.md", "sub/README.md", "missing.bin"):
        response = _get(hub, f"/{GATED}/resolve/main/{path}")
        assert response.status_code == 401, path
        assert response.headers["X-Error-Code"] == "GatedRepo"
        assert response.headers["X-Error-Message"] == (
            f"Access to model {GATED} is restricted. You must have access to it and be "
            "authenticated to access it. Please log in."
        )
    bogus_revision = _get(hub, f"/{GATED}/resolve/no-such-branch/config.json")
    assert bogus_revision.status_code == 401


def test_gated_unauthorized_and_authorized_tokens(hub: FakeHub) -> None:
    """A token outside the list gets 403 GatedRepo; an authorized token reads everything."""
    denied = _get(
        hub,
        f"/{GATED}/resolve/main/USE_POLICY.md",
        headers={"Authorization": "Bearer hf_someone_else"},
    )
    assert denied.status_code == 403
    assert denied.headers["X-Error-Code"] == "GatedRepo"
    assert "not in the authorized list" in denied.headers["X-Error-Message"]
    allowed = _get(
        hub, f"/{GATED}/resolve/main/USE_POLICY.md", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert allowed.status_code == 200 and "Acceptable Use Policy" in allowed.text
    missing = _get(hub, f"/{GATED}/resolve/main/nope", headers={"Authorization": f"Bearer {TOKEN}"})
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"


def test_gate_method_and_recorded_gated_info() -> None:
    """gate() gates a repo later; a recorded info with gated=auto is enforced too."""
    with FakeHub() as hub:
        hub.add_card("acme-test/later", "---\nlicense: mit\n---\n", files={"w.bin": b"\x00"})
        assert _get(hub, "/acme-test/later/resolve/main/w.bin").status_code == 200
        hub.gate("acme-test/later", "auto", {"hf_ok"})
        assert _get(hub, "/api/models/acme-test/later").json()["gated"] == "auto"
        assert _get(hub, "/acme-test/later/resolve/main/w.bin").status_code == 401
        ok = _get(
            hub, "/acme-test/later/resolve/main/w.bin", headers={"Authorization": "Bearer hf_ok"}
        )
        assert ok.status_code == 200
        hub.add_model(_info("acme-test/recorded", _sha(5), gated="auto"), files={"a.txt": "a"})
        assert _get(hub, "/acme-test/recorded/resolve/main/a.txt").status_code == 401
        with pytest.raises(KeyError):
            hub.gate("acme-test/unknown")


# -- listing ---------------------------------------------------------------------------------


def _list_all(hub: FakeHub, params: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Follow Link headers from /api/models; return the items and the number of pages."""
    items: list[dict[str, Any]] = []
    url: str | None = hub.url + "/api/models"
    pages = 0
    while url:
        response = requests.get(url, params=params if pages == 0 else None, timeout=5)
        assert response.status_code == 200
        items += response.json()
        pages += 1
        url = response.links.get("next", {}).get("url")
    return items, pages


def test_listing_pagination_follows_link_headers() -> None:
    """Pages follow Link rel=next; the next URL keeps the original query."""
    with FakeHub() as hub:
        for n in range(5):
            hub.add_card(f"acme-test/m{n}", f"---\nlicense: mit\n---\n{n}\n")
        hub.add_card("other-owner/acme-test-lookalike", "---\nlicense: mit\n---\n")
        hub.add_card("acme-test/ds", "---\nlicense: mit\n---\n", kind="dataset")
        hub.page_size = 2
        items, pages = _list_all(hub, {"author": "acme-test", "expand[]": ["sha", "gated"]})
        assert [i["id"] for i in items] == [f"acme-test/m{n}" for n in range(5)]
        assert pages == 3
        assert all(set(i) == {"_id", "id", "sha", "gated"} for i in items)
        nexts = [r for r in hub.requests if "cursor" in r.query]
        assert [r.query["author"] for r in nexts] == [["acme-test"], ["acme-test"]]
        assert all(r.query["expand[]"] == ["sha", "gated"] for r in nexts)

        limited, limited_pages = _list_all(hub, {"author": "acme-test", "limit": 3})
        assert [i["id"] for i in limited] == ["acme-test/m0", "acme-test/m1", "acme-test/m2"]
        assert limited_pages == 2

        found, _ = _list_all(hub, {"search": "LOOKALIKE"})
        assert [i["id"] for i in found] == ["other-owner/acme-test-lookalike"]
        assert "cardData" in found[0]
        datasets = _get(hub, "/api/datasets").json()
        assert [d["id"] for d in datasets] == ["acme-test/ds"]


# -- request log -----------------------------------------------------------------------------


def test_request_log(hub: FakeHub) -> None:
    """Requests are recorded with method, path, query and headers."""
    hub.clear_requests()
    _get(hub, "/api/models/acme-test/base-nc", params={"expand": "sha"})
    _get(hub, f"/{GATED}/resolve/main/README.md", headers={"Authorization": f"Bearer {TOKEN}"})
    requests.head(hub.url + "/acme-test/base-nc/resolve/main/README.md", timeout=5)
    log = hub.requests
    assert [r.method for r in log] == ["GET", "GET", "HEAD"]
    assert log[0].path == "/api/models/acme-test/base-nc" and log[0].query == {"expand": ["sha"]}
    assert log[0].header("authorization") is None and "Authorization" not in log[0].headers
    assert log[1].headers["Authorization"] == f"Bearer {TOKEN}"
    assert hub.count("/resolve/") == 2 and hub.count("expand=sha") == 1
    hub.clear_requests()
    assert hub.requests == [] and hub.count("") == 0


# -- faults ----------------------------------------------------------------------------------


def test_status_fault_times_then_success(hub: FakeHub) -> None:
    """A status fault with times=2 fails twice, then the real answer comes back."""
    fault = hub.add_fault(r"^/api/models/acme-test/base-nc$", status=500, body="boom", times=2)
    codes = [_get(hub, "/api/models/acme-test/base-nc").status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert fault.hits == 2 and fault.exhausted
    assert _get(hub, "/api/models/acme-test/base-apache").status_code == 200


def test_faults_apply_in_order(hub: FakeHub) -> None:
    """Matching status faults are used one after another, in the order added."""
    first = hub.add_fault("base-nc", status=429, headers={"Retry-After": "1"}, times=1)
    second = hub.add_fault("base-nc", status=503, times=1)
    responses = [_get(hub, "/api/models/acme-test/base-nc") for _ in range(3)]
    assert [r.status_code for r in responses] == [429, 503, 200]
    assert responses[0].headers["Retry-After"] == "1"
    assert (first.hits, second.hits) == (1, 1)


def test_rate_limit_and_error_code_faults(hub: FakeHub) -> None:
    """Status faults carry arbitrary headers such as RateLimit and X-Error-Code."""
    hub.add_fault(
        "/resolve/",
        status=429,
        headers={
            "RateLimit": '"resolvers";r=0;t=2',
            "RateLimit-Policy": '"fixed window";"resolvers";q=3000;w=300',
        },
    )
    hub.add_fault(
        "/api/models/acme-test/base-apache",
        status=403,
        headers={"X-Error-Code": "GatedRepo", "X-Error-Message": "nope"},
        body='{"error": "nope"}',
        content_type="application/json",
    )
    limited = _get(hub, "/acme-test/base-nc/resolve/main/README.md")
    assert limited.status_code == 429 and limited.headers["RateLimit"] == '"resolvers";r=0;t=2'
    denied = _get(hub, "/api/models/acme-test/base-apache")
    assert denied.status_code == 403 and denied.headers["X-Error-Code"] == "GatedRepo"
    assert denied.json() == {"error": "nope"}
    hub.clear_faults()
    assert _get(hub, "/acme-test/base-nc/resolve/main/README.md").status_code == 200


def test_delay_fault_and_latency(hub: FakeHub) -> None:
    """A delay-only fault slows the answer but serves it normally; latency applies to all."""
    fault = hub.add_fault("base-nc", delay=0.3, times=1)
    began = time.perf_counter()
    response = _get(hub, "/api/models/acme-test/base-nc")
    assert time.perf_counter() - began >= 0.3
    assert response.status_code == 200 and response.json()["id"] == "acme-test/base-nc"
    assert fault.hits == 1
    hub.latency = 0.2
    began = time.perf_counter()
    assert _get(hub, "/acme-test/base-nc/resolve/main/README.md").status_code == 200
    assert time.perf_counter() - began >= 0.2


def test_truncate_fault_cuts_the_body(hub: FakeHub) -> None:
    """A truncated answer promises the full length but sends only N bytes."""
    full = (FIXTURES / "acme-test__base-apache" / "README.md").read_bytes()
    fault = hub.add_fault("base-apache/resolve/", truncate=10, times=1)
    url = hub.url + "/acme-test/base-apache/resolve/main/README.md"
    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException:
        pass
    else:
        assert response.headers["Content-Length"] == str(len(full))
        assert len(response.content) == 10
    assert fault.hits == 1
    assert requests.get(url, timeout=5).content == full


def test_truncate_fault_sends_exactly_n_bytes(hub: FakeHub) -> None:
    """Exactly N bytes of the promised length arrive before the connection closes."""
    hub.add_fault("base-apache", truncate=7)
    conn = http.client.HTTPConnection("127.0.0.1", int(hub.url.rsplit(":", 1)[1]), timeout=5)
    try:
        conn.request("GET", "/api/models/acme-test/base-apache")
        response = conn.getresponse()
        assert int(response.headers["Content-Length"]) > 7
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        assert len(cut.value.partial) == 7
    finally:
        conn.close()


def test_content_type_fault(hub: FakeHub) -> None:
    """A content_type fault changes only the Content-Type of the normal answer."""
    hub.add_fault("base-nc", content_type="text/html; charset=utf-8")
    response = _get(hub, "/api/models/acme-test/base-nc")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert json.loads(response.text)["id"] == "acme-test/base-nc"


def test_reset_fault_is_a_connection_error(hub: FakeHub) -> None:
    """A reset fault drops the connection without any answer."""
    fault = hub.add_fault("base-nc", reset=True, times=1)
    with pytest.raises(requests.ConnectionError):
        _get(hub, "/api/models/acme-test/base-nc")
    assert fault.hits == 1
    assert _get(hub, "/api/models/acme-test/base-nc").status_code == 200


def test_fault_pattern_sees_the_query_string(hub: FakeHub) -> None:
    """Patterns are searched in the path with its query string."""
    hub.add_fault(r"expand=gated", status=502)
    assert _get(hub, "/api/models/acme-test/base-nc?expand=gated").status_code == 502
    assert _get(hub, "/api/models/acme-test/base-nc?expand=sha").status_code == 200


def _newest_gated(answers: list[dict[str, Any]]) -> Any:
    """Return the gated value of the newest recorded answer."""
    return max(answers, key=lambda a: a["lastModified"])["gated"]


# -- corpus ----------------------------------------------------------------------------------


def test_load_corpus_without_optional_files(tmp_path: Path) -> None:
    """load_corpus works on a partial layout and ignores api/partial and unmapped cards."""
    (tmp_path / "api" / "partial").mkdir(parents=True)
    (tmp_path / "cards").mkdir()
    recorded = _info("acme-test/rec", _sha(7), lastModified="2024-01-01T00:00:00.000Z")
    (tmp_path / "api" / "acme-test__rec.json").write_text(json.dumps(recorded))
    (tmp_path / "api" / "partial" / "acme-test__p.json").write_text(
        json.dumps(_info("acme-test/p", _sha(8)))
    )
    (tmp_path / "cards" / "acme-test__unmapped.yaml").write_text("---\nlicense: mit\n---\n")
    with FakeHub() as hub:
        assert hub.load_corpus(tmp_path / "missing") == 0
        assert hub.load_corpus(tmp_path) == 1
        assert hub.repo_ids() == ["acme-test/rec"]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_load_corpus_real_data() -> None:
    """The shared corpus loads: recorded answers, cards and gated stand-ins are all served."""
    with FakeHub() as hub:
        began = time.perf_counter()
        loaded = hub.load_corpus(CORPUS)
        assert time.perf_counter() - began < 2.5
        assert loaded > 100

        recorded: dict[str, list[dict[str, Any]]] = {}
        for path in (CORPUS / "api").glob("*.json"):
            answer = json.loads(path.read_text(encoding="utf-8"))
            recorded.setdefault(answer["id"], []).append(answer)
        repo_id, answers = max(recorded.items(), key=lambda kv: len({a["sha"] for a in kv[1]}))
        newest = max(answers, key=lambda a: a["lastModified"])
        assert _get(hub, f"/api/models/{repo_id}").json()["sha"] == newest["sha"]
        for answer in answers:
            got = _get(hub, f"/api/models/{repo_id}/revision/{answer['sha']}").json()
            assert got["sha"] == answer["sha"]
        gated_ids = [rid for rid, ans in recorded.items() if ans[0].get("gated")]
        if gated_ids:
            gated = _get(hub, f"/api/models/{gated_ids[0]}?expand=gated").json()
            assert gated["gated"] == _newest_gated(recorded[gated_ids[0]])
            blocked = _get(hub, f"/{gated_ids[0]}/resolve/main/config.json")
            assert blocked.status_code == 401

        with (CORPUS / "provenance.tsv").open(encoding="utf-8", newline="") as handle:
            rows = [
                r for r in csv.DictReader(handle, delimiter="\t") if r["file"].startswith("cards/")
            ]
        by_size = sorted(rows, key=lambda r: (CORPUS / r["file"]).stat().st_size)
        card_only = next(r for r in by_size if r["repo_id"] not in recorded)
        card_bytes = (CORPUS / card_only["file"]).read_bytes()
        served = _get(hub, f"/{card_only['repo_id']}/resolve/main/README.md")
        assert served.content == card_bytes
        info = _get(hub, f"/api/models/{card_only['repo_id']}").json()
        assert info["cardData"] == parse_front_matter(card_bytes)[0]

        both = [r for r in rows if r["repo_id"] in recorded]
        if both:
            target = both[0]
            main = _get(hub, f"/api/models/{target['repo_id']}?expand=sha").json()["sha"]
            readme = _get(hub, f"/{target['repo_id']}/resolve/{main}/README.md")
            assert readme.content == (CORPUS / target["file"]).read_bytes()
            assert readme.headers["X-Repo-Commit"] == main

        gated_file = CORPUS / "gated-bases.tsv"
        if gated_file.is_file():
            with gated_file.open(encoding="utf-8", newline="") as handle:
                bases = list(csv.DictReader(handle, delimiter="\t"))
            card_ids = {r["repo_id"] for r in rows}
            stand_in = next(
                (b for b in bases if b["repo_id"] not in recorded and b["repo_id"] not in card_ids),
                None,
            )
            if stand_in is not None:
                base_info = _get(hub, f"/api/models/{stand_in['repo_id']}").json()
                assert base_info["gated"] == "manual"
                assert base_info["cardData"]["license"] == stand_in["license"]
                if stand_in["license_name"]:
                    assert base_info["cardData"]["license_name"] == stand_in["license_name"]
                readme = _get(hub, f"/{stand_in['repo_id']}/resolve/main/README.md")
                assert readme.status_code == 200
