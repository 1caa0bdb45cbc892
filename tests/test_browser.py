"""The sample edition in a real browser: headless Chromium (Debian's, driven by Playwright) loads every
page over HTTP and from disk, runs axe-core's WCAG 2.1 A/AA rules and records every request; the
search is used by keyboard both ways.

Without Chromium the tests fail and say how to install it (``make browser``): a browser test that
passes without a browser would claim what nobody checked.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.slow

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Flags that keep Chromium from calling home (update checks, sync, safe browsing): the test counts
# every request, and a closed network refuses them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(
            "Chromium is not installed, so the browser test cannot run: `make browser` installs Debian's "
            "chromium (as root), or `sudo apt-get install chromium`."
        )
    return found


@pytest.fixture(scope="module")
def site(built_sample) -> Path:
    edition, _index = built_sample
    return edition.paths.site_dir


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def bases(site: Path, server: str) -> dict[str, str]:
    return {"HTTP": server, "Datei": site.as_uri() + "/"}


def test_every_page_passes_axe_and_requests_nothing_from_outside_the_site(browser, site, server):
    axe = Axe()
    pages = sorted(path.name for path in site.glob("*.html"))
    violations, outside, requests = [], [], 0
    for way, base in bases(site, server).items():
        context = browser.new_context()
        page = context.new_page()
        seen: list[str] = []
        page.on("request", lambda request, seen=seen: seen.append(request.url))
        for name in pages:
            page.goto(base + name, wait_until="load")
            if way == "HTTP":  # the rules see the same document either way
                result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
                violations += [
                    f"{name}: {v['id']} ({v['impact']}) {len(v['nodes'])}×" for v in result.response["violations"]
                ]
        requests += len(seen)
        outside += [url for url in seen if not url.startswith((base, "data:"))]
        context.close()
    print(f"browser test: {len(pages)} pages × 2 ways, {requests} requests, {len(violations)} axe violations")
    assert len(pages) >= 44
    assert violations == []
    assert outside == []


@pytest.mark.parametrize("way", ["HTTP", "Datei"])
def test_search_by_keyboard_from_the_header_to_a_section(browser, site, server, way):
    base = bases(site, server)[way]
    page = browser.new_page()
    texts_loaded = []
    page.on("request", lambda request: texts_loaded.append(request.url) if "/suchtexte/" in request.url else None)
    page.goto(base + "03_wohnen.html")
    for _ in range(60):  # Tab through the skip link and the navigation to the header's search field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "kopfsuche-begriff":
            break
    else:
        pytest.fail("the header's search field cannot be reached with Tab")
    page.keyboard.type("Wohnungslosen Notunterkünften")
    page.keyboard.press("Enter")
    page.wait_for_selector("#suchergebnisse li")  # the results are listed at once
    page.wait_for_selector('#suchergebnisse[aria-busy="false"]')  # then their excerpts are added
    assert page.url.startswith(base + "suche.html?q=")
    status = page.locator("#suchstatus")
    assert status.get_attribute("role") == "status"
    assert "Treffer für „Wohnungslosen Notunterkünften“" in status.inner_text()
    first = page.locator("#suchergebnisse li a").first
    href = first.get_attribute("href")
    assert href.startswith("03_wohnen.html#")
    assert page.locator("#suchergebnisse li").first.locator("mark").count() >= 1  # the hit is marked
    # the sections' text is loaded for the pages of the results shown, and only for those
    shown = page.locator("#suchergebnisse li > a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(shown) == page.locator("#suchergebnisse li p").count()  # every result with its excerpt
    wanted = {base + "assets/suchtexte/" + href.split("#")[0].removesuffix(".html") + ".js" for href in shown}
    assert sorted(texts_loaded) == sorted(wanted)
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: unquote(url).endswith("/" + href))  # ids keep their umlauts
    anchor = href.split("#")[1]
    assert page.locator(f"#{anchor}").count() == 1
    page.close()


def _shown_rows(page) -> list[str]:
    return page.locator("tr[data-kennziffer]").evaluate_all(
        "rows => rows.filter(row => !row.hidden).map(row => row.getAttribute('data-kennziffer'))"
    )


def _tab_to(page, element_id: str, presses: int = 80) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    pytest.fail(f"#{element_id} cannot be reached with Tab")


@pytest.mark.parametrize("way", ["HTTP", "Datei"])
def test_comparison_by_keyboard_a_district_its_similar_ones_and_back_to_all(browser, site, server, way):
    base = bases(site, server)[way]
    page = browser.new_page()
    page.goto(base + "vergleich.html")
    every = _shown_rows(page)
    assert len(every) == 34 and every[-1] == "0"  # 33 districts and the city
    status = page.locator("#vergleichsstatus")
    assert status.get_attribute("role") == "status"
    _tab_to(page, "bezirk-1")
    page.keyboard.type("Oberer")  # a closed select chooses by typing, as a keyboard user does
    assert page.locator("#bezirk-1").input_value() == "243"
    assert _shown_rows(page) == ["243", "0"]
    assert status.inner_text() == "Die Tabelle zeigt Oberer Richtsberg und die Gesamtstadt."
    similar = page.locator('#bezirk-1 option[value="243"]').get_attribute("data-aehnlich").split()
    assert len(similar) == 3 and "243" not in similar
    _tab_to(page, "aehnliche", presses=10)
    page.keyboard.press("Enter")
    assert sorted(_shown_rows(page)) == sorted(["243", *similar, "0"])
    names = [page.locator(f'#bezirk-1 option[value="{code}"]').inner_text() for code in similar]
    said = status.inner_text()
    assert said.startswith("Die Tabelle zeigt Oberer Richtsberg, ") and said.endswith(" und die Gesamtstadt.")
    assert all(name in said for name in names)
    _tab_to(page, "alle", presses=5)
    page.keyboard.press("Space")
    assert _shown_rows(page) == every
    assert status.inner_text() == "Die Tabelle zeigt alle Stadtbezirke."
    page.close()


def test_comparison_without_javascript_is_the_full_table(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "vergleich.html").as_uri())
    assert not page.locator("#vergleichsformular").is_visible()
    assert page.locator("tr[data-kennziffer]").count() == 34
    assert page.locator("tr[data-kennziffer]:visible").count() == 34
    context.close()
