"""The real Hub client against the fake Hub: answers, error mapping, retries, tokens, pagination."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from license_lint.errors import (
    AuthError,
    EntryNotFoundError,
    GatedRepoError,
    HubUnavailableError,
    InvalidReferenceError,
    RateLimitedError,
    RedirectRefusedError,
    RepoNotFoundError,
    RevisionNotFoundError,
)
from license_lint.hub import MODEL_EXPAND, HubClient, HubSettings, find_token, settings_from_env

from fakehub import FakeHub

SHA = "1" * 40
OTHER_SHA = "2" * 40
TOKEN = "hf_testtoken_0123456789abcdef"


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as server:
        server.add_model(
            {"id": "acme-test/plain", "sha": SHA, "cardData": {"license": "mit"}},
            files={"README.md": "---\nlicense: mit\n---\n", "LICENSE": "MIT text"},
        )
        server.add_model({"id": "acme-test/plain", "sha": OTHER_SHA}, branch="v1")
        yield server


def client(hub: FakeHub, **changes: object) -> HubClient:
    settings = HubSettings(endpoint=hub.url, backoff=0.001, max_wait=5.0, read_timeout=2.0)
    for key, value in changes.items():
        settings = HubSettings(**{**settings.__dict__, key: value})  # type: ignore[arg-type]
    return HubClient(settings)


def test_model_info_asks_for_the_license_fields(hub: FakeHub) -> None:
    info = client(hub).model_info("acme-test/plain")
    assert info["sha"] == SHA
    request = hub.requests[-1]
    assert request.path == "/api/models/acme-test/plain/revision/main"
    asked = set(request.query["expand"])
    assert asked == set(MODEL_EXPAND)
    # What license decisions rely on: card data, lineage, gating, files, and the task.
    assert {"cardData", "baseModels", "gated", "siblings", "pipeline_tag"} <= asked
    assert request.header("Authorization") is None


def test_revisions_by_branch_sha_and_encoded_ref(hub: FakeHub) -> None:
    c = client(hub)
    assert c.model_info("acme-test/plain", "v1")["sha"] == OTHER_SHA
    assert c.model_info("acme-test/plain", SHA)["sha"] == SHA
    with pytest.raises(RevisionNotFoundError) as caught:
        c.model_info("acme-test/plain", "refs/pr/1")
    assert hub.requests[-1].path.endswith("/revision/refs%2Fpr%2F1")
    assert "refs/pr/1" in str(caught.value)


def test_missing_repo_says_what_to_do(hub: FakeHub) -> None:
    with pytest.raises(RepoNotFoundError) as caught:
        client(hub).model_info("acme-test/nope")
    assert "not found" in str(caught.value)
    assert "HF_TOKEN" in str(caught.value)


def test_bare_401_is_a_missing_repo(hub: FakeHub) -> None:
    hub.add_fault("acme-test/plain", status=401, body="Invalid username or password.")
    with pytest.raises(RepoNotFoundError):
        client(hub).model_info("acme-test/plain")


def test_refused_token(hub: FakeHub) -> None:
    hub.add_fault(
        "acme-test/plain",
        status=401,
        headers={"X-Error-Message": "Invalid credentials in Authorization header"},
    )
    with pytest.raises(AuthError) as caught:
        client(hub, token=TOKEN).model_info("acme-test/plain")
    assert TOKEN not in str(caught.value)


def test_disabled_repo(hub: FakeHub) -> None:
    hub.add_fault("acme-test/plain", status=403, body="Access to this resource is disabled.")
    with pytest.raises(AuthError, match="disabled"):
        client(hub).model_info("acme-test/plain")


def test_files_and_missing_files(hub: FakeHub) -> None:
    c = client(hub)
    assert c.file("acme-test/plain", SHA, "LICENSE") == b"MIT text"
    assert hub.requests[-1].path == f"/acme-test/plain/resolve/{SHA}/LICENSE"
    with pytest.raises(EntryNotFoundError):
        c.file("acme-test/plain", SHA, "NOTICE")


def test_gated_files_anonymous_unauthorized_and_authorized(hub: FakeHub) -> None:
    hub.add_model(
        {"id": "acme-test/locked", "sha": SHA},
        files={"README.md": "---\nlicense: llama3.1\n---\n", "USE_POLICY.md": "policy"},
    )
    hub.gate("acme-test/locked", "manual", authorized_tokens={TOKEN})
    anonymous = client(hub)
    assert anonymous.model_info("acme-test/locked")["gated"] == "manual"
    assert anonymous.file("acme-test/locked", SHA, "README.md").startswith(b"---")
    with pytest.raises(GatedRepoError) as caught:
        anonymous.file("acme-test/locked", SHA, "USE_POLICY.md")
    message = str(caught.value)
    assert "accept the license terms" in message and "HF_TOKEN" in message
    assert f"{hub.url}/acme-test/locked" in message
    with pytest.raises(GatedRepoError) as caught:
        client(hub, token="hf_other_token").file("acme-test/locked", SHA, "USE_POLICY.md")
    assert "no access yet" in str(caught.value)
    assert client(hub, token=TOKEN).file("acme-test/locked", SHA, "USE_POLICY.md") == b"policy"
    assert hub.requests[-1].header("Authorization") == f"Bearer {TOKEN}"


def test_429_with_retry_after_then_success(hub: FakeHub) -> None:
    slept: list[float] = []
    fault = hub.add_fault("acme-test/plain", status=429, headers={"Retry-After": "3"}, times=2)
    c = HubClient(HubSettings(endpoint=hub.url, max_wait=10), sleep=slept.append)
    assert c.model_info("acme-test/plain")["sha"] == SHA
    assert slept == [3.0, 3.0]
    assert fault.hits == 2


def test_ratelimit_header_gives_the_wait(hub: FakeHub) -> None:
    slept: list[float] = []
    hub.add_fault("acme-test/plain", status=429, headers={"RateLimit": '"api";r=0;t=7'}, times=1)
    c = HubClient(HubSettings(endpoint=hub.url, max_wait=10), sleep=slept.append)
    c.model_info("acme-test/plain")
    assert slept == [7.0]


def test_429_storm_gives_up_within_bounds(hub: FakeHub) -> None:
    slept: list[float] = []
    hub.add_fault("acme-test/plain", status=429, headers={"Retry-After": "1"})
    c = HubClient(HubSettings(endpoint=hub.url, max_attempts=4, max_wait=60), sleep=slept.append)
    with pytest.raises(RateLimitedError) as caught:
        c.model_info("acme-test/plain")
    assert slept == [1.0, 1.0, 1.0]
    assert hub.count("/api/models/acme-test/plain") == 4
    assert "after 4 attempts" in str(caught.value)


def test_a_wait_over_the_budget_is_not_waited(hub: FakeHub) -> None:
    slept: list[float] = []
    hub.add_fault("acme-test/plain", status=429, headers={"Retry-After": "3600"})
    c = HubClient(HubSettings(endpoint=hub.url, max_wait=60), sleep=slept.append)
    with pytest.raises(RateLimitedError, match="retry budget"):
        c.model_info("acme-test/plain")
    assert slept == []
    assert hub.count("/api/models/acme-test/plain") == 1


def test_503_storm_backs_off_exponentially(hub: FakeHub) -> None:
    slept: list[float] = []
    hub.add_fault("acme-test/plain", status=503)
    c = HubClient(HubSettings(endpoint=hub.url, backoff=0.5, max_attempts=5), sleep=slept.append)
    with pytest.raises(HubUnavailableError, match="HTTP 503"):
        c.model_info("acme-test/plain")
    assert slept == [0.5, 1.0, 2.0, 4.0]


@pytest.mark.parametrize("status", [500, 502, 504])
def test_transient_server_errors_are_retried(hub: FakeHub, status: int) -> None:
    hub.add_fault("acme-test/plain", status=status, times=1)
    assert client(hub).model_info("acme-test/plain")["sha"] == SHA


def test_cut_off_json_is_retried(hub: FakeHub) -> None:
    fault = hub.add_fault("api/models/acme-test/plain", truncate=10, times=2)
    assert client(hub).model_info("acme-test/plain")["sha"] == SHA
    assert fault.hits == 2


def test_cut_off_file_is_retried(hub: FakeHub) -> None:
    hub.add_fault("resolve/.*/LICENSE", truncate=3, times=1)
    assert client(hub).file("acme-test/plain", SHA, "LICENSE") == b"MIT text"


def test_connection_reset_and_timeouts_are_retried(hub: FakeHub) -> None:
    hub.add_fault("acme-test/plain", reset=True, times=1)
    hub.add_fault("acme-test/plain", delay=1.0, times=1)
    c = client(hub, read_timeout=0.2)
    assert c.model_info("acme-test/plain")["sha"] == SHA


def test_wrong_content_type_html_is_not_json(hub: FakeHub) -> None:
    hub.add_fault(
        "acme-test/plain", status=200, body="<html>proxy login</html>", content_type="text/html"
    )
    with pytest.raises(HubUnavailableError, match="not JSON"):
        client(hub, max_attempts=2).model_info("acme-test/plain")


def test_invalid_ids_are_refused_before_any_request(hub: FakeHub) -> None:
    c = client(hub)
    for repo_id, revision in [("../etc/passwd", "main"), ("o/n", "../../x"), ("o/n?x", "main")]:
        with pytest.raises(InvalidReferenceError):
            c.model_info(repo_id, revision)
    with pytest.raises(InvalidReferenceError):
        c.file("acme-test/plain", SHA, "../secrets")
    assert hub.requests == []


def test_redirect_to_another_host_is_refused(hub: FakeHub) -> None:
    hub.add_fault("acme-test/plain", status=307, headers={"Location": "http://127.0.0.2:1/x"})
    with pytest.raises(RedirectRefusedError, match="another host"):
        client(hub).model_info("acme-test/plain")


def test_redirect_within_the_endpoint_is_followed(hub: FakeHub) -> None:
    hub.add_model({"id": "acme-test/renamed", "sha": SHA})
    hub.add_fault(
        "acme-test/old-name",
        status=307,
        headers={"Location": "/api/models/acme-test/renamed/revision/main"},
    )
    assert client(hub).model_info("acme-test/old-name")["id"] == "acme-test/renamed"


def test_listing_follows_pages(hub: FakeHub) -> None:
    for i in range(7):
        hub.add_model({"id": f"acme-list/m{i}", "sha": f"{i}" * 40})
    hub.page_size = 3
    c = client(hub)
    ids = [m["id"] for m in c.list_models(author="acme-list")]
    assert ids == [f"acme-list/m{i}" for i in range(7)]
    assert len([r for r in hub.requests if r.path == "/api/models"]) == 3
    assert [m["id"] for m in c.list_models(author="acme-list", limit=4)] == ids[:4]


def test_dataset_info(hub: FakeHub) -> None:
    hub.add_dataset({"id": "acme-test/data", "sha": SHA, "cardData": {"license": "cc-by-nc-4.0"}})
    info = client(hub).dataset_info("acme-test/data")
    assert info["cardData"]["license"] == "cc-by-nc-4.0"
    assert hub.requests[-1].path == "/api/datasets/acme-test/data/revision/main"


def test_settings_and_token_discovery(tmp_path: pytest.TempPathFactory) -> None:
    home = tmp_path / "hf"  # type: ignore[operator]
    home.mkdir()
    (home / "token").write_text(f"{TOKEN}\n")
    assert find_token({"HF_HOME": str(home)}) == TOKEN
    assert find_token({"HF_HOME": str(home), "HF_TOKEN": "hf_env"}) == "hf_env"
    assert find_token({"HF_TOKEN_PATH": str(home / "token")}) == TOKEN
    assert find_token({"HF_HOME": str(home / "none")}) is None
    settings = settings_from_env({"HF_ENDPOINT": "http://127.0.0.1:9/", "HF_HUB_OFFLINE": "1"})
    assert settings.endpoint == "http://127.0.0.1:9"
    assert settings.offline
    assert TOKEN not in repr(settings_from_env({"HF_TOKEN": TOKEN}))


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ('"acme-list/m1"', "is not a model description"),
        ('{"modelId": "acme-list/m1"}', "is not a model description"),
        ('{"id": ""}', "is not a model description"),
        ('{"id": "acme-list/m1", "sha": "main"}', "has an invalid commit sha"),
    ],
)
def test_listing_refuses_entries_it_cannot_read(hub: FakeHub, entry: str, problem: str) -> None:
    """An unreadable entry is never skipped: a listing missing a model would look complete."""
    hub.add_fault(r"/api/models", status=200, body=f'[{{"id": "acme-list/m0"}}, {entry}]')
    with pytest.raises(HubUnavailableError, match=f"entry 2 on page 1 .*{problem}"):
        list(client(hub).list_models(author="acme-list"))
