"""The optional Quarto engine, tested with a stand-in ``quarto`` executable (and with the real one
when it is installed)."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

from sozialplanung.core.errors import PublishError, QuartoError
from sozialplanung.site.engines.quarto import find_quarto, write_project
from sozialplanung.site.model import build_model
from sozialplanung.site.pages import render_accessibility, render_overview
from sozialplanung.site.publish import publish
from sozialplanung.site.sitemap import site_map

from publish_helpers import (
    CHAPTER_TABLE_ID,
    CODE_TEXT,
    DISTRICTS,
    NAV_PAGES,
    PAGES,
    PARAMETER_TEXT,
    STDERR_TEXT,
    chapter_one,
    error_output,
    make_edition,
    site_files,
    write_notebook,
)

NOTICE = "Synthetische Beispieldaten – keine amtliche Statistik."
STAND_IN_PAGE = "<p>von der Quarto-Attrappe gerendert</p>"
LEAKING_PAGE = "<p>In Lahnberge lebten 2 Kinder in Bedarfsgemeinschaften.</p>"
STAND_IN = """#!{python}
import json, os, sys, time
from pathlib import Path

Path(__file__).with_name("aufruf.json").write_text(json.dumps({{
    "argv": sys.argv, "cwd": os.getcwd(), "files": sorted(os.listdir(sys.argv[2])),
}}), encoding="utf-8")
mode = {mode!r}
if mode == "fail":
    for number in range(1, 31):
        print(f"Zeile {{number}}", file=sys.stderr)
    sys.exit(3)
if mode == "sleep":
    time.sleep(30)
if mode in ("success", "leak"):
    site = Path(sys.argv[2]) / "_site"
    site.mkdir()
    (site / "index.html").write_text({page!r} if mode == "success" else {leak!r}, encoding="utf-8")
"""


def stand_in(folder: Path, mode: str = "success") -> Path:
    """An executable called ``quarto`` in ``folder`` that records how it was called."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "quarto"
    script = STAND_IN.format(python=sys.executable, mode=mode, page=STAND_IN_PAGE, leak=LEAKING_PAGE)
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path


def recorded_call(executable: Path) -> dict | None:
    record = executable.with_name("aufruf.json")
    return json.loads(record.read_text(encoding="utf-8")) if record.is_file() else None


@pytest.fixture
def edition(tmp_path):
    return make_edition(tmp_path / "projekt")


@pytest.fixture
def no_quarto_on_path(tmp_path, monkeypatch):
    empty = tmp_path / "leer"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_find_quarto_explicit_path_wins_over_path(tmp_path, monkeypatch):
    on_path = stand_in(tmp_path / "bin")
    explicit = stand_in(tmp_path / "anderswo")
    monkeypatch.setenv("PATH", str(on_path.parent))
    assert find_quarto() == str(on_path)
    assert find_quarto(str(explicit)) == str(explicit)
    assert find_quarto(str(tmp_path / "fehlt" / "quarto")) is None


def test_find_quarto_without_quarto(no_quarto_on_path):
    assert find_quarto() is None


def test_auto_engine_uses_quarto_when_found(edition, tmp_path, monkeypatch):
    executable = stand_in(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(executable.parent))
    index = publish(edition, engine="auto")
    assert recorded_call(executable) is not None
    assert index.read_text(encoding="utf-8") == STAND_IN_PAGE


def test_auto_engine_falls_back_to_nbconvert(edition, no_quarto_on_path):
    index = publish(edition, engine="auto")
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    assert soup.find("nav", attrs={"aria-label": "Hauptnavigation"}) is not None
    assert not edition.paths.quarto_dir.exists()


def test_wrapper_runs_quarto_render_in_the_project_and_installs_the_site(edition, tmp_path):
    executable = stand_in(tmp_path / "bin")
    index = publish(edition, engine="quarto", quarto_executable=str(executable), timeout=60)
    call = recorded_call(executable)
    project = edition.paths.quarto_dir
    assert call["argv"] == [str(executable), "render", str(project), "--to", "html"]
    assert Path(call["cwd"]).resolve() == project.resolve()
    assert "_quarto.yml" in call["files"] and "01_bevoelkerung.ipynb" in call["files"]
    assert index == edition.paths.site_dir / "index.html"
    assert index.read_text(encoding="utf-8") == STAND_IN_PAGE
    assert not (project / "_site").exists()


def test_installed_site_gets_downloads_provenance_and_a_manifest_of_everything(edition, tmp_path):
    site = publish(edition, engine="quarto", quarto_executable=str(stand_in(tmp_path / "bin")), timeout=60).parent
    files = site_files(site)
    assert f"downloads/01_bevoelkerung/{CHAPTER_TABLE_ID}.csv" in files and "downloads/01_bevoelkerung.xlsx" in files
    assert {f"downloads/profil-{k}.xlsx" for k, *_ in DISTRICTS} <= set(files)
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json"}
    assert json.loads(files["provenance.json"])["engine"] == "quarto"


def test_the_publish_gate_refuses_a_rendered_small_count_and_keeps_the_site(edition, tmp_path):
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)
    with pytest.raises(PublishError, match=r"publish gate(.|\n)*index\.html(.|\n)*'2'"):
        publish(edition, engine="quarto", quarto_executable=str(stand_in(tmp_path / "bin", mode="leak")), timeout=60)
    assert site_files(site) == before
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".")]


def test_quarto_project_is_german_and_does_not_execute(edition):
    project = edition.paths.quarto_dir
    write_project(build_model(edition, "quarto"), project)
    config = yaml.safe_load((project / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["type"] == "website"
    assert config["lang"] == "de"
    assert config["execute"]["enabled"] is False
    html = config["format"]["html"]
    assert html["echo"] is False and html["code-fold"] is False and html["code-tools"] is False
    assert html["theme"] == "none" and html["html-math-method"] == "plain"
    navbar = config["website"]["navbar"]["left"]
    assert [item["href"] for item in navbar] == [
        "index.qmd",
        "01_bevoelkerung.ipynb",
        "02_existenzsicherung.ipynb",
        "03_methodik.ipynb",
        "stadtteile.qmd",
        "barrierefreiheit.qmd",
    ]
    assert len(navbar) == len(NAV_PAGES)
    assert [item["text"] for item in navbar][1] == "1 Bevölkerung" and navbar[4]["text"] == "Stadtteilprofile"
    for item in navbar:
        assert (project / item["href"]).is_file()
    rendered = config["project"]["render"]
    assert [name.rsplit(".", 1)[0] for name in rendered] == [page.removesuffix(".html") for page in PAGES]
    assert "profil-243.ipynb" in rendered and "methodik.qmd" not in rendered
    for name in rendered:
        assert (project / name).is_file(), name
    licence = edition.config.publication.licence.url.encode()  # a link to follow, not a resource to load
    for name, content in site_files(project).items():
        content = content.replace(licence, b"")
        assert b"http://" not in content and b"https://" not in content, name


def test_quarto_pages_share_the_nbconvert_content(edition):
    project = edition.paths.quarto_dir
    write_project(build_model(edition, "quarto"), project)
    overview = (project / "stadtteile.qmd").read_text(encoding="utf-8")
    assert overview.startswith("---\ntitle: Stadtteilprofile\n")
    assert str(render_overview(edition, site_map(edition))) in overview
    assert all(f'href="profil-{k}.html">{name}</a>' in overview for k, name, *_ in DISTRICTS)
    assert not (project / "methodik.qmd").exists()
    statement = str(render_accessibility(edition, site_map(edition)))
    assert statement in (project / "barrierefreiheit.qmd").read_text(encoding="utf-8")
    assert "Stichtag 31.12.2024" in (project / "index.qmd").read_text(encoding="utf-8")
    assert NOTICE in (project / "_hinweis.html").read_text(encoding="utf-8")
    assert "Erzeugt mit: Quarto" in (project / "_herkunft.html").read_text(encoding="utf-8")


def test_quarto_notebooks_are_cleaned(edition):
    project = edition.paths.quarto_dir
    write_project(build_model(edition, "quarto"), project)
    notebook = nbformat.read(project / "01_bevoelkerung.ipynb", as_version=4)
    front = notebook.cells[0]
    assert front.cell_type == "raw" and yaml.safe_load(front.source.strip("-\n"))["title"] == "1 Bevölkerung"
    raw = (project / "01_bevoelkerung.ipynb").read_text(encoding="utf-8")
    for forbidden in (STDERR_TEXT, PARAMETER_TEXT, CODE_TEXT, '"stream"', "parameters"):
        assert forbidden not in raw, forbidden
    assert f"downloads/01_bevoelkerung/{CHAPTER_TABLE_ID}.csv" in raw  # the download line under the table


def test_quarto_profiles_have_their_title_downloads_and_neighbour_links(edition):
    project = edition.paths.quarto_dir
    write_project(build_model(edition, "quarto"), project)
    notebook = nbformat.read(project / "profil-212.ipynb", as_version=4)
    front = yaml.safe_load(notebook.cells[0].source.strip("-\n"))
    assert front == {"title": "Stadtteilprofil Weidenhausen", "pagetitle": "Entwurf: Stadtteilprofil Weidenhausen"}
    raw = (project / "profil-212.ipynb").read_text(encoding="utf-8")
    assert "downloads/profil-212/kennzahlen-212-2024.csv" in raw and "downloads/profil-212.xlsx" in raw
    assert PARAMETER_TEXT not in raw and "kennziffer =" not in raw
    browse = notebook.cells[-1]
    assert browse.cell_type == "markdown" and browse.source.startswith("```{=html}\n<nav")
    links = BeautifulSoup(browse.source, "html.parser").find_all("a")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("profil-211.html", "Vorheriges Profil: Altstadt"),
        ("stadtteile.html", "Alle Stadtteilprofile"),
        ("profil-213.html", "Nächstes Profil: Campusviertel"),
    ]


def test_quarto_project_is_the_same_in_every_build(tmp_path):
    projects = []
    for name in ("eins", "zwei"):
        edition = make_edition(tmp_path / name)
        write_project(build_model(edition, "quarto"), edition.paths.quarto_dir)
        projects.append(site_files(edition.paths.quarto_dir))
    assert projects[0] == projects[1]


def test_nonzero_exit_reports_code_and_stderr_tail_and_keeps_the_site(edition, tmp_path):
    site = publish(edition, engine="nbconvert").parent
    before = site_files(site)
    executable = stand_in(tmp_path / "bin", mode="fail")
    with pytest.raises(QuartoError) as caught:
        publish(edition, engine="quarto", quarto_executable=str(executable))
    message = str(caught.value)
    lines = message.splitlines()
    assert "exit code 3" in message
    assert f"{executable} render {edition.paths.quarto_dir} --to html" in message
    assert "Zeile 30" in lines and "Zeile 11" in lines and "Zeile 10" not in lines  # the last 20 lines
    assert "--engine nbconvert" in message
    assert site_files(site) == before


def test_timeout_stops_quarto(edition, tmp_path):
    executable = stand_in(tmp_path / "bin", mode="sleep")
    started = time.monotonic()
    with pytest.raises(QuartoError, match=r"timed out after 0\.5 s"):
        publish(edition, engine="quarto", quarto_executable=str(executable), timeout=0.5)
    assert time.monotonic() - started < 15
    assert not edition.paths.site_dir.exists()


def test_success_without_output_is_an_error(edition, tmp_path):
    executable = stand_in(tmp_path / "bin", mode="nothing")
    with pytest.raises(QuartoError, match="wrote no _site/index.html"):
        publish(edition, engine="quarto", quarto_executable=str(executable), timeout=60)


def test_missing_quarto_says_how_to_get_it(edition, tmp_path, no_quarto_on_path):
    with pytest.raises(QuartoError) as caught:
        publish(edition, engine="quarto")
    message = str(caught.value)
    assert "Quarto was not found on PATH" in message
    assert "quarto.org" in message and "--engine nbconvert" in message
    missing = str(tmp_path / "fehlt" / "quarto")
    for engine in ("quarto", "auto"):  # an explicitly named Quarto is never silently replaced
        with pytest.raises(QuartoError, match=f"Quarto was not found at {missing}"):
            publish(edition, engine=engine, quarto_executable=missing)
    assert not edition.paths.site_dir.exists()


def test_executable_that_cannot_start_is_a_quarto_error(edition, tmp_path):
    broken = tmp_path / "bin" / "quarto"
    broken.parent.mkdir()
    broken.write_text("#!/nonexistent/interpreter\n", encoding="utf-8")
    broken.chmod(0o755)
    with pytest.raises(QuartoError, match="could not be started"):
        publish(edition, engine="quarto", quarto_executable=str(broken), timeout=60)


def test_error_output_stops_before_quarto_runs(edition, tmp_path):
    executable = stand_in(tmp_path / "bin")
    notebook = chapter_one()
    notebook.cells.append(error_output())
    write_notebook(edition, "01_bevoelkerung", notebook)
    with pytest.raises(PublishError, match="01_bevoelkerung"):
        publish(edition, engine="quarto", quarto_executable=str(executable))
    assert recorded_call(executable) is None


def test_real_quarto_renders_the_edition(edition):
    if shutil.which("quarto") is None:
        pytest.skip("Quarto is not installed on this machine (optional engine)")
    index = publish(edition, engine="quarto", timeout=600)
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "de"
    assert NOTICE in soup.get_text()
    chapter = (index.parent / "01_bevoelkerung.html").read_text(encoding="utf-8")
    assert "Bevölkerung" in chapter
    for forbidden in (STDERR_TEXT, PARAMETER_TEXT, CODE_TEXT, "Traceback"):
        assert forbidden not in chapter
    assert f"downloads/01_bevoelkerung/{CHAPTER_TABLE_ID}.csv" in chapter
    assert "Definitionen der Kennzahlen" in (index.parent / "03_methodik.html").read_text(encoding="utf-8")
    assert "Stadtteilprofil Oberer Richtsberg" in (index.parent / "profil-243.html").read_text(encoding="utf-8")
    assert "profil-211.html" in (index.parent / "stadtteile.html").read_text(encoding="utf-8")
