"""Benchmark: the search of a built edition — what a query downloads and how long it takes to answer.

Prints the size of the index every query loads (plain and gzipped), of the per-page texts, and the
most any query can load (:func:`sozialplanung.site.search.largest_download`); then runs the
edition's own search script under Node.js on that index for a set of queries (whole words, word
forms, umlaut spellings, beginnings of words, several words, a word found nowhere) and prints, per
query, the number of results and the milliseconds from the query to the excerpts of the results
shown (search, then one excerpt per shown result), the best of ``--repeat`` runs, plus the
texts the query would load. With ``--browser``, each query also in headless Chromium on the site
opened from disk (a fresh page per query, so nothing is loaded yet): milliseconds from submitting the
form to the results listed, and to their excerpts added (the texts' scripts loaded). Prints figures only;
nothing here asserts a target.

Needs a built edition (``sozialbericht build -C DIR``; for ``--browser`` also ``make browser``)::

    .venv/bin/python benchmarks/search_queries.py --project-dir DIR [--edition 2024] [--repeat 20] [--browser]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
from pathlib import Path

from sozialplanung.core.config import open_edition
from sozialplanung.site import search

# From submitting a query: the milliseconds until its results are listed (the status names the
# query) and until their excerpts are added (the list is no longer aria-busy: the texts of their
# pages have loaded).
IN_BROWSER = """async (query) => {
  const status = document.getElementById("suchstatus");
  const list = document.getElementById("suchergebnisse");
  let listed = null;
  const done = new Promise(resolve => new MutationObserver((_, observer) => {
    if (listed === null && status.textContent.includes(query)) listed = performance.now() - started;
    if (listed !== null && list.getAttribute("aria-busy") === "false") {
      observer.disconnect();
      resolve([listed, performance.now() - started]);
    }
  }).observe(document.querySelector("main"), {childList: true, characterData: true, subtree: true, attributes: true}));
  const started = performance.now();
  document.getElementById("suchbegriff").value = query;
  document.getElementById("suchformular").requestSubmit();
  return await done;
}"""
QUERIES = [
    "Kinder",
    "Kindern",
    "Richtsbergs",
    "Suedviertel",
    "Bedarfsgemeinschaften",
    "Wohnungslosen Notunterkünften",
    "Wo",
    "Woh",
    "Sozialindex Statusklasse",
    "Grundsicherung im Alter",
    "Quote",
    "Stadtbezirk",
    "Xylophon",
]

PROGRAM = """
const s = require(process.argv[1]);
const {core, texts, queries, repeat} = JSON.parse(require('fs').readFileSync(0, 'utf-8'));
const rows = queries.map(query => {
  let best = Infinity, results = [];
  for (let run = 0; run < repeat; run++) {
    const started = process.hrtime.bigint();
    results = s.search(core, query);
    results.slice(0, core.gezeigt).forEach(r => s.snippet(core, s.sectionText(core, texts, r), r.stems));
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  const files = [...new Set(results.slice(0, core.gezeigt).map(r => r.file))];
  return {query, results: results.length, ms: best, files};
});
process.stdout.write(JSON.stringify(rows));
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--edition", default="2024")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time each query in headless Chromium")
    arguments = parser.parse_args()
    site = open_edition(arguments.edition, project_dir=arguments.project_dir).paths.site_dir
    index = search.read_search_index(site)
    core_bytes = (site / search.INDEX_PATH).read_bytes()
    text_sizes = {name: (site / search.text_file(name)).stat().st_size for name in index.texts}
    print(f"search of {site}")
    print(
        f"  index every query loads: {len(core_bytes) / 1000:.1f} kB "
        f"({len(gzip.compress(core_bytes)) / 1000:.1f} kB gzipped)"
    )
    script_size = (site / search.SCRIPT_PATH).stat().st_size
    print(f"  search script: {script_size / 1000:.1f} kB")
    print(
        f"  texts: {len(text_sizes)} pages, {sum(text_sizes.values()) / 1000:.1f} kB together, "
        f"largest {max(text_sizes.values()) / 1000:.1f} kB"
    )
    print(f"  most a query can load: {search.largest_download(site) / 1000:.1f} kB")
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        raise SystemExit("Node.js is needed to time the search script (Debian: apt-get install nodejs)")
    data = {"core": index.core, "texts": index.texts, "queries": QUERIES, "repeat": arguments.repeat}
    output = subprocess.run(
        [node, "-e", PROGRAM, str(search.SCRIPT_SOURCE)],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    browser_ms = in_browser(site) if arguments.browser else {}
    browser_header = f" {'browser: listed ms':>19} {'excerpts ms':>12}" if browser_ms else ""
    print(f"  {'query':32} {'results':>7} {'ms':>7} {'loads kB':>9}" + browser_header)
    for row in json.loads(output):
        loads = len(core_bytes) + script_size + sum(text_sizes[name] for name in row["files"])
        line = f"  {row['query']:32} {row['results']:>7} {row['ms']:>7.2f} {loads / 1000:>9.1f}"
        if browser_ms:
            listed, excerpts = browser_ms[row["query"]]
            line += f" {listed:>19.1f} {excerpts:>12.1f}"
        print(line)


def in_browser(site: Path) -> dict[str, tuple[float, float]]:
    """Milliseconds per query until listed and until the excerpts are added, in headless Chromium,
    the site opened from disk, a fresh page each."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("Chromium is needed for --browser: `make browser`")
    timings = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        for query in QUERIES:
            page = browser.new_page()
            page.goto((site / search.SEARCH_PAGE).as_uri())
            timings[query] = tuple(page.evaluate(IN_BROWSER, query))
            page.close()
        browser.close()
    return timings


if __name__ == "__main__":
    main()
