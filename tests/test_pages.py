"""The pages: built from the real graph, checked as text and opened in headless Chromium with the network off.

The browser is driven over the Chrome DevTools Protocol (``websocket-client``): every request a page makes
is recorded, and the test asserts that it made none outside file://, that nothing failed to load, that
the console shows no error, that the canvas has been drawn and that the network holds as many nodes as
the page says it does.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run

CHROMIUM = os.environ.get("NEVKG_CHROMIUM", "/usr/bin/chromium")
ID = "https://w3id.org/nevkg/id/"
EVIL = "<img src=x onerror=alert(1)>"


# ------------------------------------------------------------------------------------------- browser

class Browser:
    """One headless Chromium, one tab, spoken to over the DevTools Protocol."""

    def __init__(self, timeout: float = 30.0):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="nevkg-chromium-")
        self.log = open(Path(self.profile) / "stderr.log", "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--mute-audio", "--window-size=1400,900",
             "--host-resolver-rules=MAP * ~NOTFOUND", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=self.log, stdin=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        self.ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=timeout,
                                              suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method)
        self.call("Network.emulateNetworkConditions", offline=True, latency=0, downloadThroughput=-1,
                  uploadThroughput=-1)

    def call(self, method: str, **params) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def open(self, path: Path, timeout: float = 30.0) -> dict:
        """Load ``path`` and wait until the page says it has drawn; returns what was seen."""
        self.events = []
        self.call("Page.navigate", url=Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while not self.evaluate("document.readyState === 'complete' && document.body "
                                "&& document.body.dataset.drawn === 'true'"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        self.evaluate("1")  # collect the events that arrived meanwhile
        return self.report()

    def report(self) -> dict:
        requests = [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]
        failed = [e["params"] for e in self.events if e["method"] == "Network.loadingFailed"]
        errors = [e["params"] for e in self.events
                  if (e["method"] == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"))
                  or e["method"] == "Runtime.exceptionThrown"
                  or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
        dialogs = [e["params"] for e in self.events if e["method"] == "Page.javascriptDialogOpening"]
        return {"requests": requests, "failed": failed, "errors": errors, "dialogs": dialogs}

    def screenshot(self, path: Path) -> None:
        Path(path).write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


def _browser_or_skip() -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium package)")
    pytest.importorskip("websocket", reason="websocket-client is a test dependency: pip install -e '.[test]'")
    return Browser()


@pytest.fixture(scope="module")
def browser():
    b = _browser_or_skip()
    yield b
    b.close()


# Drawn: the canvas has pixels that are not blank; counted: the DataSet and the drawn body hold the claim.
PAGE_STATE = """(() => {
  const canvas = document.querySelector('#network canvas');
  let inked = 0;
  if (canvas) {
    const ctx = canvas.getContext('2d');
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < img.length; i += 4 * 7) { if (img[i] !== 0) { inked += 1; } }
  }
  const net = window.nevkgNetwork;
  return {claimed: Number(document.body.dataset.nodeCount), drawn: document.body.dataset.drawn === 'true',
          inked: inked, canvas: !!canvas,
          dataset: net ? net.body.data.nodes.length : -1,
          body: net ? net.body.nodeIndices.length : -1,
          images: document.querySelectorAll('img').length,
          heading: document.querySelector('h1') ? document.querySelector('h1').textContent : ''};
})()"""


def _check_page(browser: Browser, path: Path, expect_nodes: int | None = None) -> dict:
    seen = browser.open(path)
    assert not [u for u in seen["requests"] if not u.startswith("file://")], seen["requests"]
    assert not seen["failed"], seen["failed"]
    assert not seen["errors"], seen["errors"]
    assert not seen["dialogs"], seen["dialogs"]
    state = browser.evaluate(PAGE_STATE)
    assert state["drawn"] and state["canvas"], state
    assert state["inked"] > 100, f"the canvas of {path.name} is blank: {state}"
    assert state["claimed"] == state["dataset"] == state["body"] > 0, state
    if expect_nodes is not None:
        assert state["claimed"] == expect_nodes
    assert state["images"] == 0
    return state


# -------------------------------------------------------------------------------------------- pages

@pytest.fixture(scope="module")
def pg(store):
    from graph.viz import PageGraphs

    return PageGraphs.from_store(store)


@pytest.fixture(scope="module")
def all_pages(pg, tmp_path_factory):
    from graph.viz import write_all

    out = tmp_path_factory.mktemp("html")
    return out, write_all(pg, out)


def _claimed(html: str) -> int:
    return int(re.search(r'data-node-count="(\d+)"', html)[1])


def _no_remote_tags(html: str) -> None:
    tags = re.findall(r"<(?:script|link|img|iframe|source|object|embed)\b[^>]*>", html, flags=re.I)
    assert tags
    assert not [t for t in tags if re.search(r"(src|href)\s*=\s*[\"']?(https?:|//|file:|/)", t, flags=re.I)]
    assert "@import" not in html and "url(http" not in html


def test_viz_commands_write_each_kind_of_page(built, tmp_path):
    for args, name in ((["chain"], "chain"), (["region", "陕西"], "region"), (["region", "Xi'an"], "city"),
                       (["chain-link", "lfp-cathode"], "chain-link"), (["company", "catl"], "company"),
                       (["map"], "map")):
        out = tmp_path / f"{name}.html"
        result = run("--exports", built, "viz", *args, "-o", out)
        assert result.exit_code == 0, result.output
        html = out.read_text(encoding="utf-8")
        _no_remote_tags(html)
        assert "vis.Network" in html and 'id="legend"' in html and 'id="search"' in html
        assert _claimed(html) > 0
    assert "产业链完整度" in (tmp_path / "region.html").read_text(encoding="utf-8")


def test_viz_unknown_names_are_errors_with_close_matches(built, tmp_path):
    result = run("--exports", built, "viz", "region", "Shanxii", "-o", tmp_path / "x.html")
    assert result.exit_code == 1 and "山西省" in result.output
    result = run("--exports", built, "viz", "company", "catll", "-o", tmp_path / "y.html")
    assert result.exit_code == 1 and "catl" in result.output
    assert not (tmp_path / "x.html").exists() and not (tmp_path / "y.html").exists()


def test_region_page_greys_missing_chain_links_and_states_completeness(pg):
    from graph.analysis.completeness import completeness
    from graph.viz import region_page

    html = region_page(pg, ID + "division/610000")
    info = completeness(pg.D, pg.S, ID + "division/610000")
    assert f"({info['present']}/{info['total']} 个环节 chain links)" in html
    data = json.loads(re.search(r"var data = (\{.*?\});\n", html, flags=re.S)[1])
    chain = [n for n in data["nodes"] if n["id"] in pg.S]
    assert len(chain) == len(pg.S)
    assert sum(1 for n in chain if n["present"]) == info["present"]
    assert all(n["color"] == {"background": "#eeeeee", "border": "#cccccc"} for n in chain if not n["present"])
    firms = [n for n in data["nodes"] if n["id"].startswith(ID + "company/")]
    assert firms and all("\n" in n["title"] and "Source" in n["title"] for n in firms)


def test_pages_tooltips_carry_both_languages_and_sources(pg):
    from graph.viz import chain_link_page, company_page, map_page

    for html in (chain_link_page(pg, ID + "chain-link/lfp-cathode"), company_page(pg, ID + "company/catl"),
                 map_page(pg)):
        data = json.loads(re.search(r"var data = (\{.*?\});\n", html, flags=re.S)[1])
        for n in data["nodes"]:
            assert re.search(r"[\u4e00-\u9fff]", n["title"]) and re.search(r"[A-Za-z]", n["title"]), n["title"]
            assert "ource" in n["title"], n["title"]  # "Source" or "source"


def test_write_all_links_every_page_from_the_index(all_pages, pg):
    out, paths = all_pages
    names = {p.name for p in paths}
    assert {"index.html", "chain.html", "map.html", "vis-network.min.js", "vis-network.css"} <= names
    provinces = [n for n, d in pg.D.nodes(data=True) if d.get("kind") == "division" and d["level"] == "province"]
    assert sum(1 for n in names if n.startswith("region-")) == len(provinces) == 31
    assert "region-610000-shaanxi.html" in names and "region-140000-shanxi.html" in names
    assert "chain-link-lfp-cathode.html" in names and "company-catl.html" in names
    index = (out / "index.html").read_text(encoding="utf-8")
    linked = set(re.findall(r'href="([^"]+)"', index))
    assert linked == {n for n in names if n.endswith(".html") and n != "index.html"}
    for p in paths:
        if p.suffix == ".html":
            html = p.read_text(encoding="utf-8")
            _no_remote_tags(html)
            if p.name != "index.html":
                assert '<script src="vis-network.min.js"></script>' in html


def test_pages_are_deterministic(pg):
    from graph.viz import chain_link_page, region_page

    assert region_page(pg, ID + "division/440000") == region_page(pg, ID + "division/440000")
    assert chain_link_page(pg, ID + "chain-link/vehicles") == chain_link_page(pg, ID + "chain-link/vehicles")


def _evil_pages(data_copy: Path, out: Path) -> list[Path]:
    """Pages of every kind built from tables whose names are HTML."""
    import csv

    from graph.build import build_graph
    from graph.store import Store
    from graph.viz import (PageGraphs, chain_link_page, chain_page, company_page, map_page, region_page,
                           write_all)

    for table, key in (("companies.csv", "catl"), ("chain_links.csv", "lfp-cathode"),
                       ("facilities.csv", None)):
        path = data_copy / table
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        target = next(r for r in rows if key is None or r["id"] == key)
        target["label_en"] = EVIL
        target["label_zh"] = EVIL + "中文"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    pg = PageGraphs.from_store(Store.from_graph(build_graph(data_copy)))
    pages = {"chain": chain_page(pg.S, pg=pg), "region": region_page(pg, ID + "division/350000"),
             "chain-link": chain_link_page(pg, ID + "chain-link/lfp-cathode"),
             "company": company_page(pg, ID + "company/catl"), "map": map_page(pg)}
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, html in pages.items():
        assert EVIL not in html, name
        paths.append(out / f"{name}.html")
        paths[-1].write_text(html, encoding="utf-8")
    write_all(pg, out / "all", chain_links=[ID + "chain-link/lfp-cathode"])
    index = (out / "all" / "index.html").read_text(encoding="utf-8")
    assert EVIL not in index and "&lt;img src=x onerror=alert(1)&gt;" in index
    return paths


def test_names_from_the_data_are_escaped(data_copy, tmp_path):
    for path in _evil_pages(data_copy, tmp_path):
        html = path.read_text(encoding="utf-8")
        assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # inside the JSON, as text


def test_chain_page_escapes_text_from_the_data():
    import networkx as nx

    from graph.viz import chain_page

    G = nx.DiGraph()
    for n, stage in (("a", "upstream"), ("b", "midstream")):
        G.add_node(n, iri=n, id=n, label_en=EVIL, label_zh="环节", stage=stage, parent=None, segment=n,
                   segment_label_en=EVIL, segment_label_zh="组", source=None)
    G.add_edge("a", "b", kind="supply", source=None)
    html = chain_page(G)
    assert EVIL not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the legend, as text


# ------------------------------------------------------------------------------------------ browser

def test_every_kind_of_page_draws_offline_in_chromium(browser, built, all_pages, tmp_path):
    """Single pages (vis-network inlined) and the shared-asset pages of `viz all`, network cut off."""
    singles = {}
    for args, name in ((["chain"], "chain"), (["region", "广东"], "region"), (["region", "西安"], "city"),
                       (["chain-link", "vehicles"], "chain-link"), (["company", "catl"], "company"),
                       (["map"], "map")):
        out = tmp_path / f"{name}.html"
        assert run("--exports", built, "viz", *args, "-o", out).exit_code == 0
        singles[name] = out
    for name, path in singles.items():
        _check_page(browser, path, _claimed(path.read_text(encoding="utf-8")))
    out, _ = all_pages
    for name in ("chain.html", "map.html", "region-610000-shaanxi.html", "chain-link-lfp-cathode.html",
                 "company-catl.html"):
        _check_page(browser, out / name, _claimed((out / name).read_text(encoding="utf-8")))
    seen = browser.open(out / "index.html")
    assert not seen["errors"] and not seen["failed"]
    assert not [u for u in seen["requests"] if not u.startswith("file://")]
    count = browser.evaluate("document.querySelectorAll('li[data-search]').length")
    shown = browser.evaluate("(() => { const i = document.getElementById('search'); i.value = '陕西';"
                             "i.dispatchEvent(new Event('input'));"
                             "return document.querySelectorAll('li[data-search]:not(.hidden)').length; })()")
    assert count > 200 and 1 <= shown < 10


def test_export_page_draws_offline_in_chromium(browser, built, tmp_path):
    out = tmp_path / "sn"
    result = run("--exports", built, "export", "--province", "Shaanxi", "--format", "html", "-o", out)
    assert result.exit_code == 0, result.output
    page = tmp_path / "sn.html"
    _check_page(browser, page, _claimed(page.read_text(encoding="utf-8")))


def test_evil_names_show_as_text_in_chromium(browser, data_copy, tmp_path):
    for path in _evil_pages(data_copy, tmp_path):
        state = _check_page(browser, path)  # no image element, no dialog, no console error
        if path.stem == "company":
            assert EVIL in state["heading"]  # shown as text
    # hover the company whose name is HTML: its tooltip shows the name as text, and no element but line
    # breaks (innerText makes <br> of new lines) is made of it
    browser.open(tmp_path / "company.html")
    x, y = browser.evaluate("""(() => {
      const net = window.nevkgNetwork;
      const id = net.body.data.nodes.getIds().find(i => i.endsWith('/company/catl'));
      const p = net.canvasToDOM(net.getPosition(id));
      const r = document.querySelector('#network canvas').getBoundingClientRect();
      return [r.left + p.x, r.top + p.y]; })()""")
    for dx in (0, 1, 2):
        browser.call("Input.dispatchMouseEvent", type="mouseMoved", x=x + dx, y=y)
        time.sleep(0.3)
    tooltip = browser.evaluate("(() => { const t = document.querySelector('div.vis-tooltip');"
                               "return t ? [t.innerText, t.querySelectorAll(':not(br)').length] : null; })()")
    assert tooltip is not None and EVIL in tooltip[0] and tooltip[1] == 0, tooltip
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    seen = browser.open(tmp_path / "all" / "index.html")
    assert not seen["dialogs"] and not seen["errors"]
    assert browser.evaluate("document.querySelectorAll('img').length") == 0
    assert EVIL in browser.evaluate("document.body.innerText")
