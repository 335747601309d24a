"""The web page in a real browser: Debian's Chromium driven by Playwright against the real server.

The server is started with uvicorn on a free loopback port over a store built from the bundled
corpus. Nothing is mocked: if a route the page needs is missing or broken, these tests fail.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("PEELGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "What affects neighbourhood policing?"
SEARCH = "neighbourhood policing"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("PEELGRAPH_WEB_URL"):  # drive an already running server instead
        yield os.environ["PEELGRAPH_WEB_URL"].rstrip("/")
        return
    store = tmp_path_factory.mktemp("web-store")
    env = {**os.environ, "PEELGRAPH_STORE": str(store), "PEELGRAPH_ENCODER": "hash", "HF_HUB_OFFLINE": "1"}
    cli = Path(sys.executable).with_name("peelgraph")
    build = [str(cli), "build"] if cli.exists() else [sys.executable, "-c", "from api.cli import main; raise SystemExit(main())", "build"]
    done = subprocess.run(build, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"peelgraph build failed:\n{done.stdout}\n{done.stderr}"

    port = _free_port()
    log = open(store / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"the server exited with {proc.returncode}:\n{log.read()[-4000:]}")
            try:
                if _get(f"{base}/api/health", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /api/health within 120 s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser, server):  # noqa: ANN001 - Playwright types
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.problems = []  # console errors and uncaught exceptions, checked by the tests that care
    pg.on("console", lambda m: pg.problems.append(f"console.{m.type}: {m.text} ({m.location.get('url', '')})")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"page error: {e}"))
    pg.goto(server + "/")
    pg.wait_for_selector("#stats .stat")
    yield pg
    context.close()


def _no_error_message(page) -> None:  # noqa: ANN001
    assert page.inner_text("#messages").strip() == "", page.inner_text("#messages")


def _ask(page, question: str = QUESTION) -> None:  # noqa: ANN001
    page.fill("#ask-input", question)
    page.press("#ask-input", "Enter")  # Enter submits
    page.wait_for_selector("#ask-result[aria-busy='false'] .quote-item, #messages .message")
    _no_error_message(page)


def test_page_loads_without_console_errors(page, server) -> None:  # noqa: ANN001
    assert page.title() == "peelgraph"
    page.wait_for_load_state("networkidle")
    assert page.problems == []
    _no_error_message(page)
    # the header shows the corpus statistics
    stats = page.inner_text("#stats")
    assert "reports" in stats and "2" in stats
    # every asset is served by the app itself: nothing from another origin
    html = _get(server + "/")[1].decode()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html


def test_search_shows_result_cards(page) -> None:  # noqa: ANN001
    page.click("#tab-search")
    assert page.is_visible("#panel-search") and not page.is_visible("#panel-ask")
    page.fill("#search-input", SEARCH)
    page.select_option("#search-mode", "hybrid")
    page.press("#search-input", "Enter")
    page.wait_for_selector("#search-result[aria-busy='false'] .card, #messages .message")
    _no_error_message(page)
    cards = page.locator("#search-result .card")
    assert cards.count() >= 1
    first = cards.first
    assert first.locator(".citation").inner_text().strip()
    assert first.locator("mark").count() >= 1  # quotes (or the query words) are highlighted
    assert page.problems == []


def test_ask_shows_quotes_graph_and_node_details(page) -> None:  # noqa: ANN001
    _ask(page)
    items = page.locator("#ask-result .quote-item")
    assert items.count() >= 1
    first = items.first
    assert first.locator("blockquote").inner_text().strip()
    assert first.locator(".citation").inner_text().strip()
    # the citation names the year, section and paragraph
    assert any(ch.isdigit() for ch in first.locator(".citation").inner_text())

    # "show passage" expands the whole passage
    toggle = first.locator("button.toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    passage = first.locator(".passage")
    assert passage.is_visible() and len(passage.inner_text()) >= len(first.locator("blockquote").inner_text()) - 2

    # the answer's subgraph is drawn in SVG with a legend
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    nodes = page.locator("#graph .node")
    assert nodes.count() >= 1
    assert page.locator("#legend li").count() >= 1

    # a node by keyboard: focus it and press Enter -> the side panel shows the entity
    nodes.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#details[aria-busy='false'] #details-body h3")
    assert page.inner_text("#details-body h3").strip()

    # and by mouse
    last = nodes.nth(nodes.count() - 1)
    label = last.get_attribute("aria-label").rsplit(" (", 1)[0]
    last.locator("circle").click()
    page.wait_for_function(
        "label => document.querySelector('#details').getAttribute('aria-busy') === 'false'"
        " && document.querySelector('#details-body h3')"
        " && document.querySelector('#details-body h3').textContent.length > 0", arg=label)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#graph-section").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "answer.png"), full_page=True)
    assert (ARTIFACTS / "answer.png").read_bytes()[:8] == PNG_MAGIC
    assert page.problems == []


def test_edge_shows_its_evidence(page) -> None:  # noqa: ANN001
    _ask(page)
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    edges = page.locator("#graph .edge-hit")
    if edges.count() == 0:
        pytest.fail("the answer graph has no edges")
    edges.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#details-body h4")
    assert "Evidence" in page.inner_text("#details-body")


def test_export_png_downloads_a_png(page) -> None:  # noqa: ANN001
    _ask(page)
    page.wait_for_selector("#graph-section:not([hidden]) #export-buttons button[data-format='png']")
    # every format has a button
    formats = page.eval_on_selector_all("#export-buttons button", "bs => bs.map(b => b.dataset.format)")
    assert set(formats) >= {"png", "svg", "pptx", "graphml", "gexf", "json", "cytoscape", "csv", "turtle",
                            "jsonld", "cypher", "mermaid", "dot"}
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.click("#export-buttons button[data-format='png']")
    download = info.value
    path = download.path()
    assert path is not None
    data = Path(path).read_bytes()
    assert data[:8] == PNG_MAGIC, data[:64]
    assert download.suggested_filename.lower().endswith(".png")
    _no_error_message(page)


def test_tabs_work_with_the_keyboard_only(page) -> None:  # noqa: ANN001
    focused_role = "() => document.activeElement && document.activeElement.getAttribute('role')"
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate(focused_role) == "tab":
            break
    assert page.evaluate("() => document.activeElement.id") == "tab-ask"

    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.id") == "tab-search"
    assert page.get_attribute("#tab-search", "aria-selected") == "true"
    assert page.get_attribute("#tab-ask", "aria-selected") == "false"
    assert page.is_visible("#panel-search") and not page.is_visible("#panel-ask")

    # into the panel and the search box, type, Enter: results without touching the mouse
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "search-input":
            break
    assert page.evaluate("() => document.activeElement.id") == "search-input"
    page.keyboard.type(SEARCH)
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-result[aria-busy='false'] .card, #messages .message")
    _no_error_message(page)

    # back to the tab list: Shift+Tab lands on the selected tab (roving tabindex)
    page.focus("#tab-search")
    page.keyboard.press("End")
    assert page.get_attribute("#tab-reports", "aria-selected") == "true"
    page.wait_for_selector("#reports-result table")
    page.keyboard.press("Home")
    assert page.get_attribute("#tab-ask", "aria-selected") == "true"
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#tab-reports", "aria-selected") == "true"
    tabbable = page.eval_on_selector_all("[role=tab]", "ts => ts.filter(t => t.tabIndex === 0).map(t => t.id)")
    assert tabbable == ["tab-reports"]
    assert page.problems == []


def test_crosscutting_and_trace_views(page, server) -> None:  # noqa: ANN001
    page.click("#tab-crosscutting")
    page.wait_for_selector("#crosscutting-result[aria-busy='false'] >> .cc-item, .empty", state="attached")
    _no_error_message(page)
    if page.locator(".cc-item").count():
        page.locator(".cc-item").first.click()
        page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
        _no_error_message(page)

    status, body = _get(server + "/api/entities?limit=2")
    assert status == 200, body[:300]
    listed = json.loads(body)
    entities = listed if isinstance(listed, list) else listed.get("entities") or listed.get("items") or []
    assert len(entities) >= 2
    page.click("#tab-trace")
    page.fill("#trace-from", entities[0]["label"])
    page.fill("#trace-to", entities[1]["label"])
    page.press("#trace-to", "Enter")
    page.wait_for_selector("#trace-result[aria-busy='false'] :is(.paths, .empty), #messages .message")
    _no_error_message(page)
    assert page.problems == []


def test_api_errors_are_shown_in_the_live_region(page) -> None:  # noqa: ANN001
    page.click("#tab-search")
    page.fill("#search-input", "x" * 5000)  # longer than any query the service accepts
    page.press("#search-input", "Enter")
    page.wait_for_selector("#messages .message")
    assert page.get_attribute("#messages", "aria-live") == "assertive"
    assert page.inner_text("#messages .message-text").strip()
