"""Reviewing a draft: the draft mark on every page of an unreleased build, and ``sozialbericht diff``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from sozialplanung.cli import app
from sozialplanung.site.diff import SentenceChange, diff_sites, read_page, split_sentences
from sozialplanung.site.manifest import hash_site
from sozialplanung.site.provenance import read
from sozialplanung.site.publish import publish

from conftest import run
from publish_helpers import PAGES, make_edition

QUOTE = "indikator/sgb2_quote/211/2024"
TOTAL = "summe/arbeitslose/arbeitslose/2024/rechtskreis=SGB II"


def html(heading: str, body: str, commit: str = "aaaa") -> str:
    """A page as the layout writes it: header with draft mark and navigation, main, footer."""
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><title>Entwurf: x</title></head><body>'
        f'<header><p class="hinweis-entwurf" role="note">Entwurf – Stand {commit}.</p>'
        '<nav><ul><li><a href="index.html">Startseite</a></li></ul></nav></header>'
        f"<main><h1>{heading}</h1>{body}"
        '<nav class="blaettern"><a href="index.html">Zurück zur Startseite.</a></nav></main>'
        f"<footer><p>Git-Commit: {commit}. Erzeugt am Build.</p></footer></body></html>\n"
    )


CHAPTER = (
    "<p>Ende 2024 bezogen <span class='anzahl' data-zelle='{total}'>{count}</span> Menschen Leistungen. "
    "Die Quote lag im Campusviertel bei <span data-zelle='{quote}'>{quote_text}</span> %. {third}</p>"
    "<ul><li>Eine Liste, z. B. mit Punkten.</li></ul>"
    "<table><caption>Tabelle 1: Quote</caption><tr><th>Campusviertel</th>"
    "<td data-zelle='{quote}'>{quote_text}</td></tr></table>"
    "<figure data-zellen='{total}={count};indikator/sgb2_quote/CITY/2024=9,9'>"
    "<img src='data:image/png;base64,AA' alt='Karte der Quote.'><figcaption>Abbildung 1.</figcaption></figure>"
)


def chapter(count: str = "1.234", quote_text: str = "12,3", third: str = "Sie sank seit 2020 leicht.") -> str:
    return CHAPTER.format(total=TOTAL, quote=QUOTE, count=count, quote_text=quote_text, third=third)


def write_site(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True)
    for name, content in pages.items():
        (folder / name).write_text(content, encoding="utf-8")
    (folder / "provenance.json").write_text(json.dumps({"commit": folder.name}) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def old(tmp_path) -> Path:
    return write_site(
        tmp_path / "alt",
        {
            "index.html": html("Startseite", "<p>Willkommen im Sozialbericht.</p>"),
            "02_existenzsicherung.html": html("Existenzsicherung", chapter()),
        },
    )


def invoke(*args: str):
    return CliRunner().invoke(app, ["diff", *map(str, args)])


# --- sentences ------------------------------------------------------------------------------------------


def test_sentences_are_split_after_a_full_stop_but_not_after_abbreviations_or_ordinals():
    text = (
        "Am 31. Dezember 2024 lebten 1.234 Menschen hier, z. B. im Campusviertel. Die Quote stieg um 0,5 Punkte! Warum?"
    )
    assert split_sentences(text) == [
        "Am 31. Dezember 2024 lebten 1.234 Menschen hier, z. B. im Campusviertel.",
        "Die Quote stieg um 0,5 Punkte!",
        "Warum?",
    ]
    assert split_sentences("Vgl. Abschnitt 3 bzw. Tabelle 2a. Ende 2024. Neu") == [
        "Vgl. Abschnitt 3 bzw. Tabelle 2a.",
        "Ende 2024.",
        "Neu",
    ]


def test_a_page_is_read_without_header_footer_navigation_and_table_rows(old):
    page = read_page((old / "02_existenzsicherung.html").read_text(encoding="utf-8"))
    assert page.title == "Existenzsicherung"
    assert page.numbers == {
        TOTAL: ("1.234", "1.234"),
        QUOTE: ("12,3", "12,3"),
        "indikator/sgb2_quote/CITY/2024": ("9,9",),
    }
    assert page.sentences == (
        "Existenzsicherung",
        "Ende 2024 bezogen 1.234 Menschen Leistungen.",
        "Die Quote lag im Campusviertel bei 12,3 %.",
        "Sie sank seit 2020 leicht.",
        "Eine Liste, z. B. mit Punkten.",
        "Tabelle 1: Quote",
        "Karte der Quote.",
        "Abbildung 1.",
    )


# --- sozialbericht diff ----------------------------------------------------------------------------------


def test_a_changed_number_a_changed_sentence_and_an_added_page(old, tmp_path):
    new = write_site(
        tmp_path / "neu",
        {
            "index.html": html("Startseite", "<p>Willkommen im Sozialbericht.</p>", commit="bbbb"),
            "02_existenzsicherung.html": html(
                "Existenzsicherung", chapter(quote_text="12,5", third="Seit 2020 ist sie gestiegen."), commit="bbbb"
            ),
            "09_gesundheit.html": html("Gesundheit", "<p>Neu.</p>", commit="bbbb"),
        },
    )
    result = diff_sites(old, new)
    assert result.added == ("09_gesundheit.html",) and result.removed == ()
    # index.html differs only in header and footer (draft mark, commit): no change for a reader.
    [page] = result.pages
    assert page.page == "02_existenzsicherung.html" and page.title == "Existenzsicherung"
    assert [(n.key, n.old, n.new) for n in page.numbers] == [(QUOTE, "12,3 / 12,3", "12,5 / 12,5")]
    assert page.sentences == (
        SentenceChange("Die Quote lag im Campusviertel bei 12,3 %.", "Die Quote lag im Campusviertel bei 12,5 %."),
        SentenceChange("Sie sank seit 2020 leicht.", None),
        SentenceChange(None, "Seit 2020 ist sie gestiegen."),
    )
    assert page.sentences[0].words() == [
        ("equal", "Die Quote lag im Campusviertel bei"),
        ("delete", "12,3"),
        ("insert", "12,5"),
        ("equal", "%."),
    ]
    assert result.summary() == "1 page(s) changed, 1 added, 0 removed; 1 number(s) and 3 sentence(s) changed."

    shown = invoke(old, new)
    assert shown.exit_code == 1, shown.output
    for line in (
        "Page added: 09_gesundheit.html",
        "02_existenzsicherung.html – Existenzsicherung",
        f"number {QUOTE}: 12,3 / 12,3 → 12,5 / 12,5",
        "- Sie sank seit 2020 leicht.",
        "+ Seit 2020 ist sie gestiegen.",
        "~ Die Quote lag im Campusviertel bei 12,3 12,5 %.",
    ):
        assert line in shown.output, line
    assert "index.html –" not in shown.output and "bbbb" not in shown.output.replace(str(new), "")

    markdown = invoke(old, new, "--format", "markdown")
    assert markdown.exit_code == 1
    assert "## Pages added\n\n- `09_gesundheit.html`" in markdown.output
    assert f"| `{QUOTE}` | 12,3 / 12,3 | 12,5 / 12,5 |" in markdown.output
    assert "- changed: Die Quote lag im Campusviertel bei ~~12,3~~ **12,5** %." in markdown.output
    assert "- removed: ~~Sie sank seit 2020 leicht.~~" in markdown.output

    data = json.loads(invoke(old, new, "--format", "json").output)
    assert data["identical"] is False and data["pages_added"] == ["09_gesundheit.html"]
    assert data["pages"][0]["numbers"] == [{"key": QUOTE, "old": "12,3 / 12,3", "new": "12,5 / 12,5"}]
    assert [s["change"] for s in data["pages"][0]["sentences"]] == ["changed", "removed", "added"]


def test_a_number_no_longer_shown_and_a_removed_page(old, tmp_path):
    new = write_site(
        tmp_path / "neu",
        {"index.html": html("Startseite", "<p>Willkommen im Sozialbericht.</p>")},
    )
    shutil.copy(old / "02_existenzsicherung.html", tmp_path / "neu" / "02_existenzsicherung.html")
    page = (new / "02_existenzsicherung.html").read_text(encoding="utf-8")
    (new / "02_existenzsicherung.html").write_text(page.replace(";indikator/sgb2_quote/CITY/2024=9,9", ""), "utf-8")
    (old / "alt.html").write_text(html("Alt", "<p>Weg.</p>"), encoding="utf-8")
    result = diff_sites(old, new)
    assert result.removed == ("alt.html",) and result.added == ()
    assert [(n.key, n.old, n.new) for n in result.pages[0].numbers] == [("indikator/sgb2_quote/CITY/2024", "9,9", None)]
    assert result.pages[0].sentences == ()


def test_identical_sites_and_sites_differing_only_outside_the_text_exit_0(old, tmp_path):
    copy = tmp_path / "kopie"
    shutil.copytree(old, copy)
    same = invoke(old, copy)
    assert same.exit_code == 0, same.output
    assert "No differences in pages, numbers or sentences." in same.output
    for name in ("index.html", "02_existenzsicherung.html"):  # another commit, no draft mark, another json
        page = (copy / name).read_text(encoding="utf-8")
        (copy / name).write_text(page.replace("aaaa", "cccc").replace("Entwurf – ", ""), encoding="utf-8")
    (copy / "provenance.json").write_text("{}\n", encoding="utf-8")
    assert diff_sites(old, copy).identical
    assert invoke(old, copy, "--format", "json").exit_code == 0


def test_a_missing_folder_or_one_that_is_not_a_site_exits_2(old, tmp_path):
    missing = invoke(old, tmp_path / "gibtsnicht")
    assert missing.exit_code == 2 and "The new site" in missing.output and "gibtsnicht does not exist" in missing.output
    (tmp_path / "leer").mkdir()
    empty = invoke(tmp_path / "leer", old)
    assert (
        empty.exit_code == 2
        and "The old site" in empty.output
        and "is not a built site: it has no index.html" in (" ".join(empty.output.split()))
    )
    assert invoke(old, old, "--format", "pdf").exit_code == 2


# --- the draft mark -------------------------------------------------------------------------------------------


def soups(site: Path) -> dict[str, BeautifulSoup]:
    return {page: BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser") for page in PAGES}


def test_a_build_outside_git_is_a_draft_on_every_page(tmp_path):
    site = publish(make_edition(tmp_path / "projekt"), engine="nbconvert").parent
    assert read(site).draft and json.loads((site / "provenance.json").read_text(encoding="utf-8"))["release"] == {
        "tag": "edition-2024",
        "released": False,
        "commit_date": None,
    }
    for page, soup in soups(site).items():
        banner = soup.find("header").find(class_="hinweis-entwurf")
        assert banner is not None and banner["role"] == "note", page
        assert " ".join(banner.get_text().split()).startswith(
            "Entwurf – nicht veröffentlichte Fassung, nicht aus einem Git-Repository erzeugt."
        )
        assert soup.title.string.startswith("Entwurf: "), page


def test_only_a_clean_build_of_the_tagged_commit_is_released_and_it_rebuilds_byte_for_byte(tmp_path):
    root = tmp_path / "projekt"
    edition = make_edition(root)
    (root / ".gitignore").write_text("/outputs/\n/data/processed/\n", encoding="utf-8")
    date = {"GIT_COMMITTER_DATE": "2025-03-14T12:00:00+01:00"}
    run(["git", "init", "-q"], root)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "Ausgabe 2024"], root, date)
    commit = run(["git", "rev-parse", "HEAD"], root).strip()

    draft = publish(edition, engine="nbconvert").parent
    for page, soup in soups(draft).items():
        banner = " ".join(soup.find(class_="hinweis-entwurf").get_text().split())
        assert banner.startswith(f"Entwurf – nicht veröffentlichte Fassung vom 14.03.2025, Stand {commit[:12]}."), page
        assert "Veröffentlichung als Ausgabe 2024 (Tag edition-2024)" in banner
    kept = tmp_path / "entwurf"
    shutil.copytree(draft, kept)

    run(["git", "tag", "-a", "edition-2024", "-m", "Ausgabe 2024"], root)
    (root / "dvc.lock").write_text("schema: '2.0'\n", encoding="utf-8")  # the lock commit on top of the source
    run(["git", "add", "dvc.lock"], root)
    run(["git", "commit", "-qm", "Ausgabe 2024 gebaut"], root)
    run(["git", "tag", "-f", "-a", "edition-2024", "-m", "Ausgabe 2024"], root)
    released = publish(edition, engine="nbconvert").parent
    recorded = read(released)
    assert not recorded.draft and recorded.release.released and recorded.release.commit_date == "2025-03-14"
    for page in PAGES:
        text = (released / page).read_text(encoding="utf-8")
        assert "hinweis-entwurf" not in text and "Entwurf" not in text, page
    first = hash_site(released)
    assert hash_site(publish(edition, engine="nbconvert").parent) == first  # what verify's rebuild of the tag gives
    assert diff_sites(kept, released).identical  # the draft mark is no change a reviewer re-reads

    params = edition.project.params_file("2024")
    params.write_text(params.read_text(encoding="utf-8") + "# geändert\n", encoding="utf-8")
    assert read(publish(edition, engine="nbconvert").parent).draft  # the tagged commit with changes: a draft
