"""The HTML report: self-contained, card values only escaped, filters work in a real browser."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from fakehub import FakeHub

EXAMPLES = [
    str(ROOT / "examples" / "acme-support-bot"),
    str(ROOT / "examples" / "acme-image-model"),
]

# Values a hostile card might carry, one for each way out of an HTML context.
HOSTILE_CARD = """\
---
license: "<script>alert(1)</script>"
license_name: "x\\"onmouseover=\\"alert(1)"
license_link: "javascript:alert(1)"
pipeline_tag: "</style><script>alert(1)</script>"
base_model: "x\\"onmouseover=\\"alert(1)"
datasets:
- "javascript:alert(1)"
---
# hostile
"""

# The brief's hostile card for the browser: each payload sets window.__pwned if it ever runs.
PWNING_CARD = """\
---
license: other
license_name: "<img src=x onerror=window.__pwned=1>"
license_link: "javascript:window.__pwned=2"
pipeline_tag: "<script>window.__pwned=3</script>"
base_model: "\\"><svg onload=window.__pwned=4></svg><a href=javascript:window.__pwned=5>x</a>"
datasets:
- "</style><script>window.__pwned=6</script>"
---
# pwning
"""


class Page(HTMLParser):
    """Every element with its attributes, and the text of script and style elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._raw: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._raw = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts[-1] += data
        elif self._raw == "style":
            self.styles[-1] += data

    def attributes(self, name: str) -> list[str | None]:
        """The values of one attribute, on every element that has it."""
        return [attrs[name] for _, attrs in self.elements if name in attrs]


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def render_html(tmp_path: Path, *args: str, expect: int = 1) -> str:
    out = tmp_path / "report.html"
    result = run_cli("check", "--format", "html", "-o", str(out), *args)
    assert result.code == expect, result.err
    return out.read_text("utf-8")


def assert_self_contained(text: str) -> Page:
    """Nothing loads, nothing but the one known script runs, and the CSP pins both blocks."""
    page = Page(text)
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"link", "img", "iframe", "object", "embed", "base", "form", "svg", "audio"}
    assert page.attributes("src") == []
    assert page.attributes("style") == []
    assert all(not name.startswith("on") for _, attrs in page.elements for name in attrs)
    ids = set(page.attributes("id"))
    for href in page.attributes("href"):
        assert href is not None and href.startswith("#") and href[1:] in ids, href
    assert len(page.scripts) == 1 and len(page.styles) == 1
    (csp,) = [
        attrs["content"]
        for tag, attrs in page.elements
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert csp is not None
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == sha256_source(page.scripts[0])
    assert directives["style-src"] == sha256_source(page.styles[0])
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?\s*(https?:|//|javascript:)", text, re.I)
    return page


def hostile_folder(tmp_path: Path, name: str, card: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "README.md").write_text(card, "utf-8")
    return str(folder)


def test_examples_render_as_one_self_contained_page(tmp_path: Path) -> None:
    text = render_html(tmp_path, "--offline", *EXAMPLES)
    page = assert_self_contained(text)
    assert "<title>license-lint report: 2 models, 1 passed, 1 failed" in text
    assert page.attributes("data-verdict").count("pass") == 2  # summary row and section
    assert page.attributes("data-verdict").count("fail") == 2
    # The summary table has header cells for its columns and one row per model.
    assert '<th scope="col">Effective license</th>' in text
    assert text.count('<th scope="row"') == 2
    support = text.split('id="model-1"', 1)[1].split("</section>", 1)[0]
    assert "Built with Llama" in support and 'type="checkbox"' in support  # duties, a checklist
    assert '<span class="relation">finetune</span>' in support  # the lineage tree
    assert "meta-llama/Llama-3.1-8B-Instruct" in support and "unresolved" in support
    image = text.split('id="model-2"', 1)[1].split("</section>", 1)[0]
    assert "commercial-use-forbidden" in image and "cc-by-nc-4.0" in image
    assert "\u2717 FAIL" in image and "\u2713 pass" in support  # verdicts in words, not colour only


def test_hostile_card_values_appear_only_escaped(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path, "hostile", HOSTILE_CARD)
    text = render_html(tmp_path, "--offline", folder)
    assert_self_contained(text)
    for raw in ("<script>alert(1)</script>", '"onmouseover="', "</style><script>"):
        assert raw not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&quot;onmouseover=&quot;alert(1)" in text
    assert "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # A javascript: URL is shown as text and never becomes an attribute.
    assert "<code>javascript:alert(1)</code>" in text
    assert "=javascript:" not in text.replace(" ", "").lower()
    assert text.count("<script") == 1 and text.count("</style>") == 1


def test_hub_report_with_lineage_waivers_and_errors(hub: FakeHub, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        """\
version: 1
organization: {name: Acme, monthly_active_users: 1000, annual_revenue_usd: 100000, domicile: [US]}
deployment: {commercial: true, modes: [internal, hosted-service]}
exceptions:
  - model: acme-test/base-nc
    codes: [commercial-use-forbidden]
    reason: pilot approved by legal <LEGAL-42>
    owner: legal@acme.example
    expires: 2099-12-31
  - model: acme-test/nothing-here
    codes: [license-denied]
    reason: unused
    owner: legal@acme.example
    expires: 2099-12-31
"""
    )
    text = render_html(
        tmp_path,
        "--rules",
        str(rules),
        "acme-test/merge-model",
        "acme-test/base-nc",
        "acme-test/gone",
        expect=2,
    )
    assert_self_contained(text)
    sections = text.split('<section class="model"')[1:]
    merge, base_nc, gone = (s.split("</section>", 1)[0] for s in sections)
    assert 'data-verdict="fail"' in merge
    assert merge.count('<span class="relation">merge</span>') == 2
    assert "acme-test/base-apache</code> \u2014 license apache-2.0" in merge
    assert "acme-test/base-nc</code> \u2014 license cc-by-nc-4.0" in merge
    assert "<ul>" in merge.split('class="tree"', 1)[1]  # parents nested under the subject
    assert "lineage-conflict" in merge
    # The revision is the commit the Hub answered with.
    assert re.search(r"<dt>Revision</dt><dd><code>[0-9a-f]{40}</code>", merge)
    assert 'data-verdict="pass"' in base_nc
    assert "waived (error)" in base_nc and "pilot approved by legal &lt;LEGAL-42&gt;" in base_nc
    assert 'data-verdict="error"' in gone and "Could not be checked" in gone
    assert "Findings about the rules" in text and "waiver-unused" in text


# --- In a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium through selenium, or a skip that says what is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        pytest.skip(f"headless Chromium is not available: selenium is not installed ({exc})")
    if chromium is None or driver_path is None:
        missing = " and ".join(
            name
            for name, path in (("chromium", chromium), ("chromedriver", driver_path))
            if not path
        )
        pytest.skip(f"headless Chromium is not installed: {missing} not found on PATH")
    with tempfile.TemporaryDirectory(prefix="license-lint-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--window-size=1280,1000",
        ):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        try:
            driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        except Exception as exc:  # any start-up failure means there is no usable browser here
            pytest.skip(f"headless Chromium is not usable: {type(exc).__name__}: {exc}")
        try:
            driver.set_page_load_timeout(10)
            driver.set_script_timeout(5)
            yield driver
        finally:
            driver.quit()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One report: a passing example, a failing one and a hostile card."""
    folder = tmp_path_factory.mktemp("html-report")
    hostile = hostile_folder(folder, "pwning-model", PWNING_CARD)
    # The module fixture runs outside the per-test isolation: keep the cache in this folder.
    env = {"LICENSE_LINT_CACHE": str(folder / "cache"), "HF_HOME": str(folder / "hf-home")}
    out = folder / "report.html"
    result = run_cli(
        "check", "--offline", "--format", "html", "-o", str(out), *EXAMPLES, hostile, env=env
    )
    assert result.code == 1, result.err
    return out


@pytest.fixture
def report_page(report_file: Path) -> str:
    """The report as a file:// URL."""
    return report_file.as_uri()


def pwned(driver: Any) -> Any:
    return driver.execute_script("return window.__pwned;")


def assert_no_alert(driver: Any) -> None:
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 - reading it is the check


def test_browser_renders_and_filters_by_verdict(browser: Any, report_page: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report_page)
    assert browser.title.startswith("license-lint report: 3 models, 1 passed, 2 failed")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.summary tbody tr")
    assert len(rows) == 3 and all(r.is_displayed() for r in rows)
    sections = browser.find_elements(By.CSS_SELECTOR, "section.model")
    assert len(sections) == 3

    def visible(verdict: str) -> list[bool]:
        selector = f'[data-verdict="{verdict}"]'
        return [e.is_displayed() for e in browser.find_elements(By.CSS_SELECTOR, selector)]

    bar = browser.find_element(By.ID, "filters")
    assert bar.is_displayed()  # the script revealed it: the CSP hash matches the script
    bar.find_element(By.CSS_SELECTOR, '[data-filter="fail"]').click()
    assert visible("pass") == [False, False]  # the summary row and the section
    assert visible("fail") == [True, True, True, True]
    status = browser.find_element(By.ID, "filter-status").text
    assert "Showing 2 of 3 models" in status
    bar.find_element(By.CSS_SELECTOR, '[data-filter="pass"]').click()
    assert visible("pass") == [True, True] and not any(visible("fail"))
    bar.find_element(By.CSS_SELECTOR, '[data-filter="all"]').click()
    assert all(visible("pass") + visible("fail"))
    pressed = bar.find_element(By.CSS_SELECTOR, '[aria-pressed="true"]')
    assert pressed.get_attribute("data-filter") == "all"


def test_browser_runs_nothing_from_a_hostile_card(browser: Any, report_page: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(report_page)
    browser.get_log("browser")  # start the log afresh for this page
    assert pwned(browser) is None
    # The hostile values are on the page, as text.
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "<img src=x onerror=window.__pwned=1>" in body
    assert "javascript:window.__pwned=2" in body
    assert "<script>window.__pwned=3</script>" in body
    assert browser.find_elements(By.CSS_SELECTOR, "img, svg, iframe") == []
    for button in browser.find_elements(By.CSS_SELECTOR, "#filters button"):
        button.click()
        assert_no_alert(browser)
    for index in range(len(browser.find_elements(By.CSS_SELECTOR, "a"))):
        link = browser.find_elements(By.CSS_SELECTOR, "a")[index]
        if link.is_displayed():
            link.click()
            assert_no_alert(browser)
    for element in browser.find_elements(By.CSS_SELECTOR, "code"):
        if "__pwned" in element.text and element.is_displayed():
            element.click()  # clicking and hovering the raw text must not run it either
    assert browser.current_url.split("#", 1)[0] == report_page
    assert pwned(browser) is None
    assert_no_alert(browser)
    # No CSP violation or script error: nothing tried to run, and our own blocks were allowed.
    problems = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == []


def test_browser_without_javascript_shows_everything(browser: Any, report_page: str) -> None:
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(report_page)
        # No dead controls: the filter bar stays hidden, and every model is on the page.
        assert not browser.find_element(By.ID, "filters").is_displayed()
        items = browser.find_elements(By.CSS_SELECTOR, "[data-verdict]")
        assert len(items) == 6 and all(item.is_displayed() for item in items)
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_browser_csp_stops_markup_that_escaped_escaping(
    browser: Any, report_file: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    # Simulate an escaping bug: put live payloads into the real page; its CSP must stop them.
    text = report_file.read_text("utf-8")
    payload = (
        "<img src=x onerror=window.__pwned=7><script>window.__pwned=8</script>"
        '<a id="bad" href="javascript:window.__pwned=9">bad</a>'
        '<svg onload="window.__pwned=10"></svg>'
    )
    broken = tmp_path / "broken.html"
    broken.write_text(text.replace("<main>", "<main>" + payload, 1), "utf-8")
    browser.get(broken.as_uri())
    browser.find_element(By.ID, "bad").click()
    assert pwned(browser) is None
    assert_no_alert(browser)
    blocked = [e["message"] for e in browser.get_log("browser")]
    assert any("Content Security Policy" in message for message in blocked)
    # The page's own script still ran: its hash is in the policy.
    assert browser.find_element(By.ID, "filters").is_displayed()
