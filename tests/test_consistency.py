"""The project's parts agree: notebooks, parameters, DVC stages, CLI and environment files."""

import ast
import re
import tomllib

import nbformat
import papermill
import pytest
import yaml

from sozialplanung.core.config import latest_edition, open_edition

from conftest import PACKAGE, REPO, import_closure, imported_modules


@pytest.fixture(scope="module")
def dvc_yaml():
    return yaml.safe_load((REPO / "dvc.yaml").read_text(encoding="utf-8"))


def test_dvc_pipeline_reads_the_latest_editions_parameters(repo, dvc_yaml):
    params_file = f"params/{latest_edition(repo)}.yaml"
    assert dvc_yaml["vars"] == [params_file]
    for name, stage in dvc_yaml["stages"].items():
        stage = stage.get("do", stage)
        assert stage["cmd"].startswith("sozialbericht "), name
        for entry in stage.get("params", []):
            assert list(entry) == [params_file], name


def test_every_chapter_has_a_notebook_a_stage_and_a_page(repo, dvc_yaml):
    config = open_edition(latest_edition(repo), repo).config
    chapter_stage = dvc_yaml["stages"]["chapter"]
    assert chapter_stage["foreach"] == "${chapters}"
    assert "--chapter ${key}" in chapter_stage["do"]["cmd"]
    publish_deps = dvc_yaml["stages"]["publish"]["deps"]
    notebooks = sorted(p.stem for p in (repo / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted([c.id for c in config.chapters] + [config.profiles.notebook])
    # publish depends on the folder of executed chapters, so a new chapter needs no edit of dvc.yaml
    [chapter_out] = chapter_stage["do"]["outs"]
    assert chapter_out == "outputs/${edition}/notebooks/${key}.ipynb"
    assert "outputs/${edition}/notebooks" in publish_deps


def test_stage_dependencies_exist(repo, dvc_yaml):
    for name, stage in dvc_yaml["stages"].items():
        for dep in stage.get("do", stage).get("deps", []):
            if dep.startswith(("src/", "data/reference", "notebooks/")) and "${" not in dep:
                assert (repo / dep).exists(), f"{name}: {dep}"


@pytest.mark.parametrize("notebook", sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb")))
def test_notebooks_are_clean_thin_and_run_with_defaults(repo, notebook):
    path = repo / "notebooks" / notebook
    parameters = papermill.inspect_notebook(str(path))
    expected = {"edition": f'"{latest_edition(repo)}"', "project_dir": '".."'}
    if path.stem == open_edition(latest_edition(repo), repo).config.profiles.notebook:
        expected["kennziffer"] = "211"  # the Altstadt: any district runs, the defaults must run too
    assert {name: p["default"] for name, p in parameters.items()} == expected
    parsed = nbformat.read(path, as_version=4)
    nbformat.validate(parsed)
    tagged = [c for c in parsed.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for cell in parsed.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.outputs and cell.execution_count is None, "strip outputs before committing"
        tree = ast.parse(cell.source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))], (
            "functions and classes belong in src/sozialplanung"
        )
        assert len(cell.source.splitlines()) <= 40, "a cell longer than a screen belongs in the package"


def test_every_cli_command_has_help_text():
    from sozialplanung.cli import app

    commands = app.registered_commands
    assert {c.name or c.callback.__name__.replace("_", "-") for c in commands} >= {
        "generate-sample",
        "validate",
        "indicators",
        "execute",
        "profiles",
        "publish",
        "build",
    }
    for command in commands:
        assert (command.callback.__doc__ or "").strip(), command.callback.__name__


def _names(requirements):
    return {re.split(r"[<>=!\[ ]", r, maxsplit=1)[0].strip().lower().replace("_", "-") for r in requirements}


def test_environment_yml_and_pyproject_name_the_same_packages(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_side = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    environment = yaml.safe_load((repo / "environment.yml").read_text(encoding="utf-8"))
    conda_side = _names(d for d in environment["dependencies"] if isinstance(d, str)) - {"python", "pip"}
    # packages conda-forge lacks come from PyPI through the file's pip section (beside the project)
    from_pypi = [d for part in environment["dependencies"] if isinstance(part, dict) for d in part["pip"]]
    conda_side |= _names(d for d in from_pypi if not d.startswith("-e"))
    assert conda_side == pip_side


def test_constraints_pin_every_direct_dependency(repo):
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (repo / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line
    }
    wanted = _names(project["dependencies"]) | _names(project["optional-dependencies"]["test"])
    assert wanted <= pinned, wanted - pinned


PROFILE_NOTEBOOK = REPO / "notebooks" / "stadtteilprofil.ipynb"


def _notebook_imports(profiles: bool = False) -> set[str]:
    """Package modules the chapter notebooks (or the profile notebook) import: the stage runs them."""
    modules = set()
    notebooks = sorted(p for p in (REPO / "notebooks").glob("*.ipynb") if (p == PROFILE_NOTEBOOK) == profiles)
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                modules |= imported_modules(cell.source, path)
    return modules


STAGE_ENTRY_MODULES = {
    "sample": {"sozialplanung.data.sample"},
    "validate": {"sozialplanung.data.validate"},
    "indicators": {"sozialplanung.statistics.indicators"},
    "chapter": {"sozialplanung.execution.chapters", *_notebook_imports()},
    "profiles": {"sozialplanung.execution.profiles", *_notebook_imports(profiles=True)},
    "publish": {"sozialplanung.site.publish"},
}
"""The library call behind each stage's command, and for notebook stages what the notebooks import."""


def _code_folders(modules: set[str]) -> set[str]:
    """The step folders (``src/sozialplanung/<step>``) holding ``modules`` and all they import."""
    return {
        "src/" + "/".join(name.split(".")[:2])
        for name in import_closure(modules)
        if name.count(".") >= 1 and (PACKAGE / name.split(".")[1]).is_dir()
    }


@pytest.mark.parametrize("stage", sorted(STAGE_ENTRY_MODULES))
def test_stages_declare_exactly_the_code_they_run(dvc_yaml, stage):
    declared = {
        d for d in dvc_yaml["stages"][stage].get("do", dvc_yaml["stages"][stage])["deps"] if d.startswith("src/")
    }
    needed = _code_folders(STAGE_ENTRY_MODULES[stage])
    assert not needed - declared, f"stage {stage} runs code it does not declare: {sorted(needed - declared)}"
    assert not declared - needed, f"stage {stage} declares code it never runs: {sorted(declared - needed)}"


def test_code_dependencies_are_step_folders_not_file_lists(dvc_yaml):
    for name, stage in dvc_yaml["stages"].items():
        for dep in stage.get("do", stage).get("deps", []):
            if dep.startswith("src/"):
                assert (REPO / dep).is_dir() and (REPO / dep / "__init__.py").is_file(), f"{name}: {dep}"


def test_the_closure_follows_imports_through_other_modules():
    closure = import_closure({"sozialplanung.site.publish"})
    assert "sozialplanung.site.engines.quarto" in closure  # imported directly
    assert "sozialplanung.core.scm" in closure  # through site.provenance
    assert "sozialplanung.editions.verify" not in closure
