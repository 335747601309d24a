"""The web page in a real browser: Debian's Chromium driven by Playwright against the real server.

The server is started with uvicorn on a free loopback port over a store built from the bundled
corpus. Nothing is mocked: if a route the page needs is missing or broken, these tests fail.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("PEELGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
QUESTION = "How did the removal of neighbourhood officers affect the disruption of organised crime?"
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


@contextmanager
def _serving(store: Path, **env: str) -> Iterator[str]:
    """uvicorn on a free loopback port over ``store``, until the block ends."""
    env = {**os.environ, "PEELGRAPH_STORE": str(store), "PEELGRAPH_ENCODER": "hash", "HF_HUB_OFFLINE": "1", **env}
    port = _free_port()
    log = open(store / "server.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port)],
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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("PEELGRAPH_WEB_URL"):  # drive an already running server instead
        yield os.environ["PEELGRAPH_WEB_URL"].rstrip("/")
        return
    store = tmp_path_factory.mktemp("web-store")
    env = {**os.environ, "PEELGRAPH_STORE": str(store), "PEELGRAPH_ENCODER": "hash", "HF_HUB_OFFLINE": "1"}
    cli = Path(sys.executable).with_name("peelgraph")
    in_process = [sys.executable, "-c", "from api.cli import main; raise SystemExit(main())", "build"]
    build = [str(cli), "build"] if cli.exists() else in_process
    done = subprocess.run(build, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"peelgraph build failed:\n{done.stdout}\n{done.stderr}"
    with _serving(store) as base:
        yield base


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
    page.wait_for_selector("#ask-result[aria-busy='false'] :is(.quote-item, .empty), #messages .message")
    _no_error_message(page)
    assert page.locator("#ask-result .quote-item").count(), page.inner_text("#ask-result")


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
    # the citation names the year, section and paragraph as printed, never a passage id
    citations = page.locator("#ask-result .citation").all_inner_texts()
    assert all(re.search(r"\d{4}", c) for c in citations), citations
    assert any(re.search(r"\u00b6\d+", c) for c in citations), citations
    # the answer is shown once: the lead line, then the other quotes; no passage ids, no second plain-text copy
    text = page.inner_text("#ask-result")
    assert not re.search(r"\bp\d{4}\b", text), text[:500]
    assert page.locator("#ask-result .quote-item.lead").count() == 1
    quotes = page.locator("#ask-result blockquote").all_inner_texts()
    assert len(quotes) == len(set(quotes)), quotes

    # "show passage" expands the whole passage
    toggle = first.locator("button.toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    passage = first.locator(".passage")
    passage.locator("p").first.wait_for()
    assert passage.is_visible() and len(passage.inner_text()) >= len(first.locator("blockquote").inner_text()) - 2

    # the answer's subgraph is drawn in SVG with a legend
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    nodes = page.locator("#graph .node")
    assert nodes.count() >= 1
    assert page.locator("#legend li").count() >= 1

    # a node by keyboard: focus it and press Enter -> the side panel shows that entity
    nodes.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#details-body[data-shown='{nodes.first.get_attribute('data-id')}'] h3")
    assert page.inner_text("#details-body h3").strip()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#graph-section").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "answer.png"), full_page=True)
    assert (ARTIFACTS / "answer.png").read_bytes()[:8] == PNG_MAGIC
    assert page.problems == []


# Screen points where a mouse press lands on the element itself (not on a label or node drawn over it).
_CLEAR_NODE_POINTS = """() => [...document.querySelectorAll('#graph .node')].map(g => {
  const r = g.querySelector('circle').getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  return top && top.closest('.node') === g ? {id: g.dataset.id, x, y} : null;
}).filter(Boolean)"""
_CLEAR_EDGE_POINTS = """() => [...document.querySelectorAll('#graph .edge-hit')].map(h => {
  const p = h.getPointAtLength(h.getTotalLength() / 2).matrixTransform(h.getScreenCTM());
  const top = document.elementFromPoint(p.x, p.y);
  return top === h ? {x: p.x, y: p.y, name: h.getAttribute('aria-label')} : null;
}).filter(Boolean)"""


def test_mouse_click_on_nodes_shows_each_one(page) -> None:  # noqa: ANN001
    """A mouse press and release on a node opens that node (it did nothing while the SVG held the pointer)."""
    _ask(page)
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    page.evaluate("() => document.querySelector('#graph').scrollIntoView({block: 'center'})")
    points = page.evaluate(_CLEAR_NODE_POINTS)
    assert len(points) >= 2, "fewer than two nodes can be clicked"
    assert page.get_attribute("#details-body", "data-shown") is None  # nothing chosen yet
    for pt in points[:2]:  # two different nodes: each click must change the panel to that node
        page.mouse.click(pt["x"], pt["y"])
        page.wait_for_selector(f"#details[aria-busy='false'] #details-body[data-shown='{pt['id']}'] h3")
        assert page.inner_text("#details-body h3").strip()
        assert page.locator(f"#graph .node[data-id='{pt['id']}']").get_attribute("class") == "node selected"
    assert page.problems == []


def test_edge_shows_its_evidence_by_mouse_and_keyboard(page) -> None:  # noqa: ANN001
    _ask(page)
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    page.evaluate("() => document.querySelector('#graph').scrollIntoView({block: 'center'})")
    points = page.evaluate(_CLEAR_EDGE_POINTS)
    assert points, "no link of the answer graph can be clicked"
    page.mouse.click(points[0]["x"], points[0]["y"])
    page.wait_for_selector("#details-body[data-shown*=' -> '] h4")
    assert "Evidence" in page.inner_text("#details-body")
    assert page.locator("#details-body .evidence blockquote").count() >= 1
    page.locator("#graph .node").first.focus()  # away, then back by keyboard
    edges = page.locator("#graph .edge-hit")
    edges.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#details-body[data-shown*=' -> '] h4")
    assert page.problems == []


def test_page_colours_come_from_the_legend(page, server) -> None:  # noqa: ANN001
    legend = json.loads(_get(server + "/api/legend")[1])
    _ask(page)
    page.wait_for_selector("#graph .node")
    fills = page.eval_on_selector_all(
        "#graph .node",
        "gs => gs.map(g => [g.getAttribute('aria-label'), g.querySelector('circle').getAttribute('fill')])")
    names = {d["label"]: d["fill"] for d in legend["node_types"].values()}
    for label, fill in fills:
        type_label = label.rsplit(" (", 1)[1].rstrip(")")
        assert fill == names.get(type_label, legend["other_node"]["fill"]), (label, fill)


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


def test_over_long_question_gets_a_plain_message(page) -> None:  # noqa: ANN001
    page.fill("#ask-input", "why " * 300)  # 1,200 characters: more than a question may have
    page.click("#ask-button")
    page.wait_for_selector("#messages .message")
    message = page.inner_text("#messages .message-text")
    assert "Your question is too long (at most 1000 characters)" in message
    assert "body." not in message and "String should" not in message


def test_ask_sends_the_force_and_year_filters(page) -> None:  # noqa: ANN001
    years = page.eval_on_selector_all("#ask-year option", "os => os.map(o => o.value).filter(Boolean)")
    forces = page.eval_on_selector_all("#ask-force option", "os => os.map(o => o.value).filter(Boolean)")
    assert len(years) == 2 and forces, (years, forces)
    year = sorted(years)[-1]
    page.select_option("#ask-year", year)
    page.select_option("#ask-force", forces[0])
    page.fill("#ask-input", QUESTION)
    with page.expect_request(lambda r: r.url.endswith("/api/ask") and r.method == "POST") as req:
        page.click("#ask-button")
    body = req.value.post_data_json
    assert body["year"] == year and body["force"] == forces[0] and body["question"] == QUESTION
    page.wait_for_selector("#ask-result[aria-busy='false'] :is(.quote-item, .empty), #messages .message")
    _no_error_message(page)
    assert page.locator("#ask-result .quote-item").count(), page.inner_text("#ask-result")
    # every quote comes from a report of that year
    assert all(year in c for c in page.locator("#ask-result .citation").all_inner_texts())


def _first_crosscutting_label(server: str) -> str:
    status, body = _get(server + "/api/crosscutting?limit=1")
    assert status == 200, body[:300]
    return json.loads(body)[0]["label"]


def test_trace_lists_distinct_paths_beside_the_graph(page, server) -> None:  # noqa: ANN001
    page.click("#tab-trace")
    page.fill("#trace-from", _first_crosscutting_label(server))
    page.click("#trace-button")
    page.wait_for_selector("#trace-result[aria-busy='false'] :is(button.path, .empty), #messages .message")
    _no_error_message(page)
    paths = page.locator("#trace-result button.path")
    assert paths.count() >= 1
    texts = paths.all_inner_texts()
    assert len(texts) == len(set(texts)), "the same path is listed twice"
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    # the list sits beside the graph, not above a tall page
    listed, graph = page.locator("#trace-result").bounding_box(), page.locator("#graph-section").bounding_box()
    assert graph["x"] >= listed["x"] + listed["width"] - 1, (listed, graph)
    paths.first.click()
    page.wait_for_selector("#details-body[data-shown='path-1'] .evidence blockquote")
    # the evidence names only its passage: the citation is completed with the section (and paragraph)
    page.wait_for_selector("#details-body .evidence .citation:has-text(' · ')")
    assert page.locator("#graph .node.on-path").count() >= 2
    assert paths.first.get_attribute("aria-pressed") == "true"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trace.png"), full_page=True)
    assert page.problems == []


def test_compare_view(page, server) -> None:  # noqa: ANN001
    themes = json.loads(_get(server + "/api/themes")[1])
    topic = max(themes, key=lambda t: t["passages"])["label"]
    page.click("#tab-compare")
    page.fill("#compare-input", topic)
    page.click("#compare-button")
    page.wait_for_selector("#compare-result[aria-busy='false'] .compare-col, #messages .message")
    _no_error_message(page)
    assert page.locator(".compare-col").count() == 2  # one column per report
    item = page.locator(".compare-item:has(button.toggle)").first
    item.locator("button.toggle").click()
    item.locator(".passage p").first.wait_for()
    assert len(item.locator(".passage").inner_text()) > len(item.locator("p").first.inner_text()) / 2
    assert item.locator(".passage .citation").inner_text().strip()
    page.locator(".compare-match").first.click()
    page.wait_for_selector("#graph-section:not([hidden]) #graph .node")
    assert page.problems == []


def test_tracker_shows_carried_over_items_with_origin_years(page, server) -> None:  # noqa: ANN001
    reports = json.loads(_get(server + "/api/reports")[1])
    newest = max(reports, key=lambda r: r["year_end"] or 0)
    latest = newest["year"]
    page.click("#tab-tracker")
    page.wait_for_selector("#tracker-result[aria-busy='false'] tr.tracker-row")
    page.select_option("#tracker-status", "carried_over")
    page.wait_for_selector("#tracker-result[aria-busy='false'] tr.tracker-row")
    rows = page.locator("tr.tracker-row")
    assert rows.count() == page.locator("tr.tracker-row[data-status='carried_over']").count()
    cells = page.eval_on_selector_all("tr.tracker-row", "rs => rs.map(r => [...r.cells].map(c => c.innerText))")
    in_latest = [c for c in cells if c[1] == latest and c[2] == "area for improvement"]
    assert len(in_latest) == 3, cells
    for origin, *_ in in_latest:  # each with the year of the inspection it is still outstanding from
        year = re.match(r"(\d{4})", origin)
        assert year and int(year.group(1)) < newest["year_end"] and "(" in origin, origin
    # a row opens its evidence with the mouse
    first = rows.first.locator("button.tracker-open")
    first.click()
    assert first.get_attribute("aria-expanded") == "true"
    detail = page.locator(f"#{first.get_attribute('aria-controls')}")
    assert detail.is_visible() and detail.locator("blockquote").count() >= 1
    assert "Still outstanding from" in detail.inner_text()
    assert page.problems == []


SMALL_REPORT = """PEEL: Police effectiveness 2016 – Dorset Police
How effective is the force at preventing crime?
Dorset Police works with parish councils to reduce nuisance in its villages. Officers patrol the places residents name.
Areas for improvement
- The force should evaluate its prevention work with partners.
"""


def test_upload_open_and_delete_a_report(page, tmp_path: Path) -> None:  # noqa: ANN001
    page.click("#tab-reports")
    page.wait_for_selector("#reports-result[aria-busy='false'] table")
    before = page.locator("#reports-result tbody tr").count()
    assert page.is_visible("#upload-zone")
    path = tmp_path / "dorset-2016.txt"
    path.write_text(SMALL_REPORT, encoding="utf-8")
    page.evaluate("""() => {  // record what the progress bar shows while the file goes up
      window.progressSeen = [];
      window.barShown = false;
      const bar = document.querySelector('#upload-progress');
      new MutationObserver((records) => records.forEach((r) => {
        if (r.attributeName === 'value') window.progressSeen.push(bar.value);
        if (r.attributeName === 'hidden' && r.oldValue !== null) window.barShown = true;  // 'hidden' removed
      })).observe(bar, {attributes: true, attributeOldValue: true});
    }""")
    with page.expect_file_chooser() as chooser:
        page.click(".file-button")  # the file button, with the mouse
    chooser.value.set_files(str(path))
    page.wait_for_selector("#upload-status .ok")
    assert page.evaluate("() => window.barShown")
    assert page.evaluate("() => Math.max(...window.progressSeen)") == 1, page.evaluate("() => window.progressSeen")
    assert page.is_hidden("#upload-progress")
    assert "dorset-2016.txt was added" in page.inner_text("#upload-status")
    page.wait_for_function(f"() => document.querySelectorAll('#reports-result tbody tr').length === {before + 1}")
    row = page.locator("#reports-result tbody tr", has_text="Dorset")
    # the report page lists its items
    row.locator("button.open-report").click()
    page.wait_for_selector(".report-page h3")
    assert "Areas for improvement (1)" in page.inner_text(".report-page")
    assert "evaluate its prevention work with partners" in page.inner_text(".report-page")
    page.click(".report-page button.back")
    page.wait_for_selector("#reports-result[aria-busy='false'] table")
    # delete, with a confirmation step
    row = page.locator("#reports-result tbody tr", has_text="Dorset")
    row.locator("button.danger").click()
    row.locator("button.confirm").click()
    page.wait_for_function(f"() => document.querySelectorAll('#reports-result tbody tr').length === {before}")
    assert "Deleted" in page.inner_text("#upload-status")
    _no_error_message(page)
    assert page.problems == []


def test_drag_and_drop_upload_reports_progress_and_refusals(page) -> None:  # noqa: ANN001
    page.click("#tab-reports")
    page.wait_for_selector("#reports-result[aria-busy='false'] table")
    ids = "() => [...document.querySelectorAll('#reports-result tbody tr')].map(r => r.dataset.report)"
    before = set(page.evaluate(ids))
    drop = page.evaluate_handle("""() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['a,b\\n1,2\\n'], 'table.csv', {type: 'text/csv'}));
      return dt;
    }""")
    page.dispatch_event("#upload-zone", "drop", {"dataTransfer": drop})
    # a table is not an inspection report: refused with a message, or accepted with a visible warning
    page.wait_for_selector("#messages .message, #upload-status .warnings li")
    if page.locator("#messages .message").count():
        assert "table.csv" in page.inner_text("#messages .message")
    else:
        assert "report" in page.inner_text("#upload-status .warnings").lower()
        page.wait_for_function(f"() => document.querySelectorAll('#reports-result tbody tr').length > {len(before)}")
        [added] = set(page.evaluate(ids)) - before
        row = page.locator(f"#reports-result tr[data-report='{added}']")
        row.locator("button.danger").click()
        row.locator("button.confirm").click()
        page.wait_for_selector("#upload-status:has-text('Deleted')")
    assert page.is_hidden("#upload-progress")


def test_report_page_of_a_bundled_report(page, server) -> None:  # noqa: ANN001
    reports = json.loads(_get(server + "/api/reports")[1])
    latest = max(reports, key=lambda r: r["year_end"] or 0)
    detail = json.loads(_get(server + f"/api/reports/{latest['report_id']}")[1])
    page.click("#tab-reports")
    page.locator(f"#reports-result tr[data-report='{latest['report_id']}'] button.open-report").click()
    page.wait_for_selector(".report-page h3")
    text = page.inner_text(".report-page")
    for kind, title in (("cause_of_concern", "Causes of concern"), ("recommendation", "Recommendations"),
                        ("area_for_improvement", "Areas for improvement")):
        assert f"{title} ({len(detail['items'][kind])})" in text
    assert "still outstanding from" in text


def test_a_server_with_an_api_key_takes_writes_once_the_key_is_typed(browser, tmp_path: Path) -> None:  # noqa: ANN001
    store = tmp_path / "keyed-store"
    store.mkdir()
    report = tmp_path / "dorset-2016.txt"
    report.write_text(SMALL_REPORT, encoding="utf-8")
    with _serving(store, PEELGRAPH_API_KEY="s3cret-key") as base:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        try:
            page.goto(base + "/")
            page.click("#tab-reports")
            page.wait_for_selector("#reports-result[aria-busy='false'] .empty")
            assert page.is_visible("#api-key-row") and page.is_hidden("#upload-zone")
            for key, outcome in (("wrong", "#messages .message"), ("s3cret-key", "#upload-status .ok")):
                page.fill("#api-key", key)
                page.dispatch_event("#api-key", "change")
                with page.expect_file_chooser() as chooser:
                    page.click(".file-button")
                chooser.value.set_files(str(report))
                page.wait_for_selector(outcome)
                if key == "wrong":
                    assert "API key" in page.inner_text("#messages .message-text")
            row = page.locator("#reports-result tbody tr", has_text="Dorset")
            row.locator("button.danger").click()
            row.locator("button.confirm").click()
            page.wait_for_selector("#reports-result[aria-busy='false'] .empty")
            assert _get(base + "/api/reports")[1] == b"[]"
        finally:
            context.close()
