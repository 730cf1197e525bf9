"""Security: the token never leaks, nothing is fetched off the endpoint, ids and local paths cannot
escape, and card content reaches every report format neutralised."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from license_lint.cli import REPORT_FORMATS

from conftest import Result, run_cli
from fakehub import FakeHub

TOKEN = "hf_LeakCanary7Q2x9VwZ4kP0sJ8mR3tY6uB1"
ATTEMPTS = 2


# -- a second HTTP server that must never be contacted ---------------------------------------


class Bystander:
    """A tiny HTTP server on 127.0.0.1 that records every hit; license-lint must not call it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b"root:x:0:0:bystander-secret\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])


@pytest.fixture(scope="module")
def bystander() -> Iterator[Bystander]:
    server = Bystander()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Few, fast retries; the working directory is a fresh folder (no rules file above it)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("LICENSE_LINT_HUB_ATTEMPTS", str(ATTEMPTS))
    monkeypatch.setenv("LICENSE_LINT_HUB_BACKOFF", "0.001")
    monkeypatch.setenv("NO_COLOR", "1")
    return work


def sha(seed: str) -> str:
    import hashlib

    return hashlib.sha1(seed.encode()).hexdigest()


def add(
    hub: FakeHub,
    repo_id: str,
    card: dict[str, Any],
    files: dict[str, str] | None = None,
    **extra: Any,
) -> None:
    siblings = [{"rfilename": "README.md"}] + [{"rfilename": f} for f in files or {}]
    info = {"id": repo_id, "sha": sha(repo_id), "cardData": card, "siblings": siblings, **extra}
    hub.add_model(info, files=files)


def repo_of(path: str) -> str:
    """The repo a fake Hub request was for: /api/models/{o}/{n}/... or /{o}/{n}/resolve/..."""
    parts = path.strip("/").split("/")
    if parts[0] == "api":
        return "/".join(parts[2:4])
    return "/".join(parts[:2])


# -- 1. the token never leaks ----------------------------------------------------------------

ECHO_MODELS = (
    "sec-leak/echo-403",
    "sec-leak/echo-401",
    "sec-leak/echo-418",
    "sec-leak/echo-500",
    "sec-leak/echo-html",
    "sec-leak/echo-readme",
)
LEAK_MODELS = ("sec-leak/plain", "sec-leak/gated-adapter", "sec-leak/child", *ECHO_MODELS)


def leak_setup(hub: FakeHub) -> None:
    """Models that work with the token, and an endpoint that echoes the token in its errors."""
    add(hub, "sec-leak/plain", {"license": "apache-2.0"}, files={"LICENSE": "Apache text"})
    add(
        hub,
        "sec-leak/gated-adapter",
        {"license": "apache-2.0"},
        gated="manual",
        files={"adapter_config.json": json.dumps({"base_model_name_or_path": "sec-leak/plain"})},
    )
    # Only this token may read the adapter's config: the lineage shows the token was sent.
    hub.gate("sec-leak/gated-adapter", "manual", {TOKEN})
    add(
        hub,
        "sec-leak/child",
        {
            "license": "apache-2.0",
            "base_model": ["sec-leak/echo-403", "sec-leak/gated-adapter"],
            "datasets": ["sec-leak/data-echo"],
        },
    )
    for repo_id in ECHO_MODELS:
        add(hub, repo_id, {"license": "mit"})
    hub.add_model(
        {
            "id": "sec-leak/echo-readme",
            "sha": sha("readme"),
            "siblings": [{"rfilename": "README.md"}],
        },
        files={"README.md": "---\nlicense: mit\n---\n"},
    )
    said = f"Invalid token {TOKEN} (you sent Bearer {TOKEN})"
    body = json.dumps({"error": f"token {TOKEN} refused"})
    echo = {"X-Error-Message": said}
    hub.add_fault(r"^/api/models/sec-leak/echo-403/", status=403, headers=echo, body=body)
    hub.add_fault(
        r"^/api/models/sec-leak/echo-401/",
        status=401,
        headers={"X-Error-Message": f"Invalid credentials in Authorization header: {TOKEN}"},
        body=body,
    )
    hub.add_fault(r"^/api/models/sec-leak/echo-418/", status=418, body=body)
    hub.add_fault(r"^/api/models/sec-leak/echo-500/", status=500, headers=echo, body=body)
    hub.add_fault(
        r"^/api/models/sec-leak/echo-html/",
        status=200,
        body=f"<html>signed in as {TOKEN}</html>",
        content_type="text/html",
    )
    hub.add_fault(r"^/sec-leak/echo-readme/resolve/", status=403, headers=echo, body=body)
    hub.add_fault(r"^/sec-leak/plain/resolve/[^/]+/LICENSE$", status=403, headers=echo, body=body)
    hub.add_fault(r"^/api/datasets/sec-leak/data-echo/", status=403, headers=echo, body=body)


def leak_inputs(work: Path) -> dict[str, Path]:
    models = work / "models.txt"
    models.write_text("\n".join(LEAK_MODELS) + "\n")
    repo = work / "Llama-repo"
    repo.mkdir()
    (repo / "README.md").write_text(
        "---\nlicense: apache-2.0\nbase_model:\n- sec-leak/echo-403\n- sec-leak/echo-500\n"
        "- sec-leak/gated-adapter\ndatasets:\n- sec-leak/data-echo\n---\n# A model\n"
    )
    (repo / "LICENSE").write_text("Apache License\nVersion 2.0, January 2004\n")
    rules = work / "rules.yaml"
    rules.write_text(
        "version: 1\norganization: {name: Acme}\nlicenses: {allow: [apache-2.0, mit]}\n"
    )
    return {"models": models, "repo": repo, "rules": rules, "license": repo / "LICENSE"}


def command_matrix(paths: dict[str, Path], out: Path) -> list[list[str]]:
    """Every command; the report commands in every format, quiet and verbose, to stdout and -o."""
    report_commands = {
        "check": ["check", *LEAK_MODELS],
        "audit": ["audit", "--file", str(paths["models"])],
        "lint": ["lint", str(paths["repo"])],
    }
    runs: list[list[str]] = []
    for name, base in report_commands.items():
        for fmt in REPORT_FORMATS:
            for verbose in ([], ["--verbose"]):
                runs.append([*base, "--format", fmt, *verbose])
                target = out / f"{name}{'-v' * bool(verbose)}.{fmt}"
                runs.append([*base, "--format", fmt, *verbose, "-o", str(target)])
    for extra in ([], ["--verbose"], ["-f", "json", "-o", str(out / "card.json")]):
        runs.append(["card", *LEAK_MODELS, *extra])
    for extra in ([], ["--verbose", "-o", str(out / "lock.json")]):
        runs.append(["lock", "--file", str(paths["models"]), *extra])
    for extra in ([], ["-v", "-f", "json", "-o", str(out / "licenses.json")]):
        runs.append(["licenses", *extra])
        runs.append(["explain", "llama3.1", *extra])
        runs.append(["identify", str(paths["license"]), *extra])
        runs.append(["rules", "validate", str(paths["rules"]), *extra])
    runs.append(["rules", "init", "--force", "-v", "-o", str(out / "init.yaml")])
    runs.append(["rules", "schema", "-v"])
    runs.append(["rules", "schema", "-o", str(out / "schema.json")])
    return runs


def leaks(text: str) -> bool:
    """The token in any letter case (an origin or host name is often lower-cased)."""
    return TOKEN.lower() in text.lower()


def files_under(folder: Path, skip: Path | None = None) -> Iterator[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path != skip:
            yield path


@pytest.mark.parametrize("source", ["HF_TOKEN", "token file"])
def test_the_token_never_leaks(
    hub: FakeHub, quick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    leak_setup(hub)
    token_file = tmp_path / "hf-home" / "token"
    if source == "HF_TOKEN":
        monkeypatch.setenv("HF_TOKEN", TOKEN)
    else:
        token_file.parent.mkdir(parents=True)
        token_file.write_text(TOKEN + "\n")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    out = tmp_path / "out"
    out.mkdir()
    paths = leak_inputs(quick)
    matrix = command_matrix(paths, out)
    results: list[tuple[list[str], Result]] = []
    for args in matrix:
        result = run_cli(*args)
        results.append((args, result))
        assert not leaks(result.out), args
        assert not leaks(result.err), args

    # The commands did run: reports were written, errors were reported, the gated file was read.
    by_command: dict[str, set[int]] = {}
    for args, result in results:
        by_command.setdefault(args[0], set()).add(result.code)
    assert by_command["check"] == by_command["audit"] == {2}, by_command
    assert by_command["licenses"] == by_command["explain"] == by_command["rules"] == {0}
    check = json.loads((out / "check.json").read_text(encoding="utf-8"))
    errors = {m["reference"]: m["error"] for m in check["models"] if m["verdict"] == "error"}
    assert set(errors) == set(ECHO_MODELS)
    assert "***" in errors["sec-leak/echo-403"] and "***" in errors["sec-leak/echo-418"]
    adapter = next(m for m in check["models"] if m["reference"] == "sec-leak/gated-adapter")
    assert adapter["lineage"]["edges"][0]["parent"] == "sec-leak/plain"
    assert summary.stat().st_size > 0

    # The token went to the endpoint, on every request, so the searches above can fail.
    assert hub.requests
    assert {r.header("Authorization") for r in hub.requests} == {f"Bearer {TOKEN}"}

    written = list(files_under(tmp_path, skip=token_file))
    names = {p.name for p in written}
    assert {"hub-cache.sqlite3", "check.sarif", "audit.html", "lock.json", "init.yaml"} <= names
    for path in written:
        assert not leaks(path.read_bytes().decode("latin-1")), path
    print(f"\ntoken ({source}): {len(matrix)} runs, {len(hub.requests)} requests, clean")


def test_the_token_never_leaks_through_redirect_targets(
    hub: FakeHub, quick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    for repo_id in ("sec-leak/redirect-userinfo", "sec-leak/redirect-loop"):
        add(hub, repo_id, {"license": "mit"})
    hub.add_fault(
        r"^/api/models/sec-leak/redirect-userinfo/",
        status=302,
        headers={"Location": f"http://hf:{TOKEN}@127.0.0.2:9/api"},
    )
    hub.add_fault(
        r"^/api/models/sec-leak/redirect-loop/",
        status=307,
        headers={"Location": f"/api/models/sec-leak/redirect-loop/revision/main?t={TOKEN}"},
    )
    refs = ("sec-leak/redirect-userinfo", "sec-leak/redirect-loop")
    for args in (["check", "-f", "json", *refs], ["check", *refs], ["card", *refs]):
        result = run_cli(*args)
        assert result.code == 2
        assert "refused" in result.out and "redirects; refused" in result.out
        assert not leaks(result.err), args
        assert not leaks(result.out), args


# -- 2. no URL from a card is fetched ----------------------------------------------------------


def test_license_link_is_never_fetched(
    hub: FakeHub, bystander: Bystander, quick: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    links = {
        "bystander": f"{bystander.url}/LICENSE",
        "other-ip": "http://127.0.0.2:9/evil",
        "file": "file:///etc/passwd",
        "schemeless": f"//127.0.0.1:{bystander.port}/LICENSE",
        "other-hub-repo": "https://huggingface.co/sec-link/other/blob/main/LICENSE",
        "traversal": "../../../../etc/passwd",
        "in-repo": "LICENSE.txt",
    }
    refs = []
    for label, link in links.items():
        repo_id = f"sec-link/{label}"
        add(
            hub,
            repo_id,
            {"license": "other", "license_name": "acme-license", "license_link": link},
            files={"LICENSE.txt": "Acme License text"},
        )
        refs.append(repo_id)
    local = quick / "local-model"
    local.mkdir()
    (local / "README.md").write_text(
        f"---\nlicense: other\nlicense_name: acme\nlicense_link: {bystander.url}/x\n---\n"
    )
    hits_before = len(bystander.hits)
    results = [
        run_cli("check", "-f", "json", *refs, str(local)),
        run_cli("card", *refs, str(local)),
        run_cli("lint", str(local)),
        run_cli("audit", "-f", "html", *refs),
    ]
    assert len(bystander.hits) == hits_before == 0
    for result in results:
        assert "bystander-secret" not in result.out and "root:x:0:0" not in result.out
    # Only the cards' own repos were asked for, and the in-repo link was read from the endpoint.
    assert {repo_of(r.path) for r in hub.requests} <= {f"sec-link/{label}" for label in links}
    assert hub.count("/sec-link/in-repo/resolve/") == 1
    assert all(".." not in r.path for r in hub.requests)
    data = json.loads(results[0].out)
    assert all(m["verdict"] in ("pass", "fail") for m in data["models"])


# -- 3. redirects ------------------------------------------------------------------------------


def test_redirects_off_the_endpoint_are_refused(
    hub: FakeHub, bystander: Bystander, quick: Path
) -> None:
    hub_port = hub.url.rsplit(":", 1)[1]
    targets = {
        "bystander-302": (302, f"{bystander.url}/api/models/x"),
        "bystander-307": (307, f"{bystander.url}/api/models/x"),
        "localhost-port": (307, f"http://localhost:{bystander.port}/api/models/x"),
        "other-ip": (302, "http://127.0.0.2:9/evil"),
        "file-scheme": (302, "file:///etc/passwd"),
        "ftp-scheme": (307, f"ftp://127.0.0.1:{bystander.port}/x"),
        "javascript": (302, "javascript:alert(1)"),
        "scheme-relative": (302, f"//127.0.0.1:{bystander.port}/x"),
        "userinfo-trick": (302, f"http://127.0.0.1:{hub_port}@127.0.0.1:{bystander.port}/x"),
        "https-same-host": (307, f"https://127.0.0.1:{hub_port}/api/models/x"),
    }
    refs = []
    for label, (status, location) in targets.items():
        repo_id = f"sec-redir/{label}"
        add(hub, repo_id, {"license": "mit"})
        hub.add_fault(rf"^/api/models/{repo_id}/", status=status, headers={"Location": location})
        refs.append(repo_id)
    # Within the endpoint: a relative and an absolute Location are followed.
    add(hub, "sec-redir/new-name", {"license": "mit"})
    for label, location in (
        ("old-relative", "/api/models/sec-redir/new-name/revision/main"),
        ("old-absolute", f"{hub.url}/api/models/sec-redir/new-name/revision/main"),
    ):
        hub.add_fault(
            rf"^/api/models/sec-redir/{label}/", status=301, headers={"Location": location}
        )
        refs.append(f"sec-redir/{label}")
    # A redirected file download (the LICENSE) is refused too, and does not stop the check.
    add(hub, "sec-redir/file", {"license": "mit"}, files={"LICENSE": "MIT"})
    hub.add_fault(
        r"^/sec-redir/file/resolve/", status=302, headers={"Location": f"{bystander.url}/LICENSE"}
    )
    refs.append("sec-redir/file")

    result = run_cli("check", "-f", "json", *refs)
    assert result.code == 2
    models = {m["reference"]: m for m in json.loads(result.out)["models"]}
    for label in targets:
        model = models[f"sec-redir/{label}"]
        assert model["verdict"] == "error", label
        assert "redirected to another host" in model["error"] and "refused" in model["error"]
        # One request, then refused: no retry of a redirect and nothing sent anywhere else.
        assert hub.count(f"/api/models/sec-redir/{label}/") == 1, label
    for label in ("old-relative", "old-absolute"):
        assert models[f"sec-redir/{label}"]["verdict"] == "pass", models[f"sec-redir/{label}"]
        assert models[f"sec-redir/{label}"]["id"] == "sec-redir/new-name"
    assert models["sec-redir/file"]["verdict"] == "pass"
    assert hub.count("/api/models/sec-redir/new-name/revision/main") == 2
    assert bystander.hits == []
    text = run_cli("check", "sec-redir/bystander-302")
    assert text.code == 2 and "refused" in text.out

    # A listing whose next page is on another host is refused too.
    next_page = f'<{bystander.url}/api/models?author=sec-redir&cursor=1>; rel="next"'
    hub.add_fault(r"^/api/models\?", headers={"Link": next_page})
    listing = run_cli("audit", "--author", "sec-redir")
    assert listing.code == 2 and "another host; refused" in listing.err, listing
    assert hub.count("/api/models?") == 1
    assert bystander.hits == []


# -- 4. ids and revisions that are not Hub ids -------------------------------------------------

BAD_REFERENCES = (
    "owner/name/../../x",
    "%2e%2e/%2e%2e/etc",
    "owner/%2e%2e",
    "owner/..",
    "owner/name/extra",
    "owner/na\x1bme",
    "owner/na\r\nme",
    "owner/na\tme",
    "owner/na\x00me",
    "owner/name@../../x",
    "owner/name@refs/../../x",
    "owner/name@%2e%2e",
    "owner/name@main@evil",
    "owner/name@",
    "user:secret@127.0.0.2/x",
    "https://huggingface.co@127.0.0.2/owner/name",
    "https://127.0.0.2/owner/name",
    "file:///etc/passwd",
    "owner/name?x=1",
    "owner/name#frag",
    "owner\\name",
    "datasets/../x",
    "models/owner/../x",
    "o/" + "a" * 97,
    "o" * 100 + "/" + "n" * 101,
    "owner/name@" + "r" * 256,
    "owner/-name",
    "owner/name-",
    "owner/na--me",
    "owner/name@branch.lock",
)


BAD_REVISIONS = (
    "../../x",
    "refs/../../x",
    "%2e%2e",
    "main@evil",
    "ma\x1bin",
    "ma\nin",
    "/main",
    "main/",
    "refs//pr",
    "r" * 256,
    "v1.lock",
)


def test_invalid_ids_are_refused_before_any_request_or_cache(
    hub: FakeHub, quick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "empty-cache"
    cache.mkdir()
    monkeypatch.setenv("LICENSE_LINT_CACHE", str(cache))
    add(hub, "sec-ids/good", {"license": "mit"})
    deep = quick / "a" / "b" / "c"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    for ref in BAD_REFERENCES:
        for args in (
            ["check", ref],
            ["check", "sec-ids/good", ref],
            ["card", "sec-ids/good", ref],
            ["audit", "-f", "json", "sec-ids/good", ref],
            ["lock", "-o", str(tmp_path / "lock.json"), ref],
        ):
            result = run_cli(*args)
            assert result.code == 2, (args, result)
            assert result.err.startswith("license-lint: error:"), (args, result.err)
            assert "Traceback" not in result.err
            # The id is echoed escaped: no raw control character reaches the terminal.
            assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", result.err.rstrip("\n")), args
    inventory = tmp_path / "models.yaml"
    entries: list[dict[str, str]] = [{"model": ref} for ref in BAD_REFERENCES]
    entries += [{"model": "sec-ids/good", "revision": rev} for rev in BAD_REVISIONS]
    for entry in entries:
        inventory.write_text(json.dumps({"models": ["sec-ids/good", entry]}))
        result = run_cli("audit", "--file", str(inventory))
        assert result.code == 2, (entry, result)
        assert hub.requests == [], entry
    for author in ("../x", "a/b/c", "%2e%2e", "x\x1b[2J"):
        assert run_cli("audit", "--author", author).code == 2
    # Spelled as paths, these are local folders (missing ones): never a Hub request either.
    for ref in ("../../etc", "../../../../etc/passwd", "./x/../../../etc"):
        result = run_cli("check", "-f", "json", ref)
        assert result.code == 2
        assert "does not exist" in json.loads(result.out)["models"][0]["error"]
    assert hub.requests == []
    assert list(cache.iterdir()) == []

    # An '@' that only looks like a host is a revision: sent to the endpoint, as one segment.
    result = run_cli("check", "-f", "json", "sec-ids@127.0.0.2/good")
    assert result.code == 2
    assert [r.path for r in hub.requests] == ["/api/models/sec-ids/revision/127.0.0.2%2Fgood"]


def test_invalid_base_models_from_a_card_are_not_requested(
    hub: FakeHub, quick: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bases = [
        "../../etc",
        "a/b/../../c",
        "%2e%2e/x",
        "owner/name@evil",
        "x/y\x1b[2J",
        "o/" + "n" * 99,
    ]
    hub.add_model(
        {
            "id": "sec-ids/parent",
            "sha": sha("sec-ids/parent"),
            "cardData": {"license": "apache-2.0", "base_model": bases, "datasets": ["../../d"]},
            "baseModels": {"relation": "finetune", "models": [{"id": "../api/x"}]},
            "tags": ["base_model:../../t", "base_model:finetune:%2e%2e/t"],
            "siblings": [{"rfilename": "README.md"}],
        }
    )
    result = run_cli("check", "-f", "json", "sec-ids/parent")
    (model,) = json.loads(result.out)["models"]
    assert model["verdict"] in ("pass", "fail")
    assert "base-unresolved" in {f["code"] for f in model["findings"]}
    assert {r.path for r in hub.requests} == {"/api/models/sec-ids/parent/revision/main"}


# -- 5. local paths: no symlink out of the folder ----------------------------------------------

SECRET = "TOPSECRET-5c1f0e"


def test_local_symlinks_out_of_the_folder_are_not_read(quick: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(
        f"---\nlicense: mit\nlicense_name: {SECRET}\n---\n{SECRET}\n"
    )
    # A license text identify() knows: had it been read, its id would show in the reports.
    nc_text = f"Attribution-NonCommercial 4.0 International\n\n{SECRET}\n"
    (outside / "LICENSE").write_text(nc_text)
    (outside / "docs").mkdir()
    (outside / "docs" / "TERMS.txt").write_text(nc_text)

    linked_readme = quick / "linked-readme"
    linked_readme.mkdir()
    (linked_readme / "README.md").symlink_to(outside / "secret.md")

    linked_license = quick / "linked-license"
    linked_license.mkdir()
    (linked_license / "README.md").write_text(
        "---\nlicense: mit\nlicense_link: docs/TERMS.txt\n---\n# Model\n"
    )
    (linked_license / "LICENSE").symlink_to(outside / "LICENSE")
    (linked_license / "LICENSE.md").symlink_to(Path("..") / ".." / "outside" / "LICENSE")
    (linked_license / "docs").symlink_to(outside / "docs", target_is_directory=True)

    # Links that stay inside the folder are read as usual (so the test can fail).
    inside = quick / "inside-link"
    (inside / "texts").mkdir(parents=True)
    (inside / "card.md").write_text("---\nlicense: mit\n---\n")
    (inside / "texts" / "NC.txt").write_text(nc_text)
    (inside / "README.md").symlink_to(inside / "card.md")
    (inside / "LICENSE").symlink_to(Path("texts") / "NC.txt")

    folders = [linked_readme, linked_license]
    outputs: list[str] = []
    for fmt in REPORT_FORMATS:
        for folder in folders:
            result = run_cli("lint", str(folder), "-f", fmt, "--no-lineage")
            outputs += [result.out, result.err]
        result = run_cli("check", "-f", fmt, "--offline", *map(str, folders))
        outputs += [result.out, result.err]
    for args in (
        ["card", *map(str, folders)],
        ["card", "-f", "json", str(linked_readme / "README.md")],
        ["check", str(linked_readme / "README.md"), "--offline"],
    ):
        result = run_cli(*args)
        outputs += [result.out, result.err]
    for text in outputs:
        assert SECRET not in text
        assert "cc-by-nc-4.0" not in text and "NonCommercial" not in text
    card = json.loads(run_cli("card", "-f", "json", str(linked_readme)).out)["cards"][0]
    assert "outside" in json.dumps(card["findings"]) and card["license"]["values"] == []
    control = json.loads(run_cli("check", "-f", "json", "--offline", str(inside)).out)
    assert control["models"][0]["license"]["ids"] == ["mit", "cc-by-nc-4.0"]


# -- 6. card content is neutralised in every format --------------------------------------------

ESC = "\x1b[31m"
OSC = "\x1b]0;pwned\x07"
HOSTILE = (
    f"Evil{ESC}red{OSC} <script>alert(1)</script> | cell ::error::pwned %0A::warning::x"
    "\r\n::notice::y"
)


def hostile_card() -> dict[str, Any]:
    return {
        "license": "other",
        "license_name": HOSTILE,
        "license_link": f"https://example.invalid/<script>alert(2)</script>|{ESC}::error::l%0A",
        "base_model": [f"esc-base/{ESC}red", "esc-base/<script>", "esc-base/a|b", "x\n::error::b"],
        "datasets": [f"esc-data/{OSC}"],
    }


def test_card_content_is_escaped_in_every_format(hub: FakeHub, quick: Path, tmp_path: Path) -> None:
    add(hub, "esc-test/hostile", hostile_card())
    folder = quick / f"model {ESC}<script>alert(3)|::error::name%0A"
    folder.mkdir()
    (folder / "README.md").write_text(
        "---\n" + json.dumps(hostile_card()) + "\n---\n# card\n", encoding="utf-8"
    )
    refs = ["esc-test/hostile", str(folder)]
    outputs = {fmt: run_cli("check", "-f", fmt, *refs) for fmt in REPORT_FORMATS}
    data = json.loads(outputs["json"].out)
    # The payload did reach the report, as it is: escaping is each format's job.
    assert {m["card"]["license"]["license_name"] for m in data["models"]} == {HOSTILE}
    for fmt, result in outputs.items():
        assert result.code in (1, 2), (fmt, result.err)
        if fmt == "json":
            continue
        assert "\x1b" not in result.out and "\x07" not in result.out, fmt
        assert "\x1b" not in result.err and "\x07" not in result.err, fmt
        assert "\r" not in result.out, fmt
        if fmt in ("markdown", "html"):
            assert "<script>alert" not in result.out, fmt

    # Text: control sequences shown as escapes.
    text = outputs["text"].out
    assert "\\x1b[31m" in text

    # Markdown: every row of the summary table has as many cell separators as the header.
    markdown = outputs["markdown"].out
    table = [line for line in markdown.splitlines() if line.startswith("| ")]
    unescaped = [len(re.findall(r"(?<!\\)\|", line)) for line in table]
    assert len(table) >= 4 and len(set(unescaped)) == 1, table
    assert "&lt;script&gt;" in markdown

    # HTML: only the report's own script, the payload as text.
    page = outputs["html"].out
    assert page.count("<script") == 1 and "&lt;script&gt;alert" in page

    # SARIF: valid JSON, the payload as data.
    sarif = json.loads(outputs["sarif"].out)
    messages = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert messages

    # GitHub: one workflow command per active finding (and per unchecked model), nothing else.
    github = outputs["github"].out.splitlines()
    commands = [line for line in github if line.startswith("::")]
    active = sum(1 for m in data["models"] for f in m["findings"] if not f["waived"])
    unchecked = sum(1 for m in data["models"] if m["verdict"] == "error")
    assert active > 0
    assert len(commands) == active + unchecked + sum(not f["waived"] for f in data["findings"])
    assert len(github) == len(commands) + 1
    shape = re.compile(r"^::(error|warning|notice) ([a-z]+=[^,:]*)(,[a-z]+=[^,:]*)*::[^\r\n]*$")
    assert all(shape.match(line) for line in commands), commands
    # A literal "%0A" in a card stays literal; a real line break is encoded inside the message.
    assert any("%250A" in line for line in commands)
    assert any("x%0A::error::b" in line for line in commands)

    for args in (["card", *refs], ["card", "-f", "json", *refs], ["lint", str(folder)]):
        result = run_cli(*args)
        assert "\x1b" not in result.out + result.err and "\x07" not in result.out + result.err
