"""The definition language and the local runner never import aws_cdk (a fresh interpreter)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

# The modules that must not load jsii, lowest layer first.
WITHOUT_JSII = [
    "cdk_sagemaker_pipelines.jsii_node",
    "cdk_sagemaker_pipelines.definition",
    "cdk_sagemaker_pipelines.review",
    "cdk_sagemaker_pipelines.review._graph_cli",
    "cdk_sagemaker_pipelines.local",
    "cdk_sagemaker_pipelines.cli",
    "cdk_sagemaker_pipelines.convert._cli",
]


@pytest.fixture(scope="module")
def jsii_loaded_in_turn(package_python_env: dict[str, str]) -> dict[str, list[str]]:
    """Each of ``WITHOUT_JSII``: the aws_cdk, jsii and constructs modules loaded once it is.

    One fresh interpreter imports them in turn, rather than one each (each costs about
    0.2 s): what importing a module loads is loaded once it has been imported, so none of
    them loads jsii if nothing did by the last. A module that does fails its test and those
    of the modules after it; the first to fail is the one.
    """
    code = (
        "import importlib, json, sys\n"
        f"modules, prefixes = {WITHOUT_JSII!r}, {('aws_cdk', 'jsii', 'constructs')!r}\n"
        "loaded = {}\n"
        "for module in modules:\n"
        "    importlib.import_module(module)\n"
        "    loaded[module] = sorted(m for m in sys.modules\n"
        "        if any(m == p or m.startswith(p + '.') for p in prefixes))\n"
        "print(json.dumps(loaded))\n"
    )
    loaded: dict[str, list[str]] = json.loads(fresh_python(package_python_env, code))
    return loaded


@pytest.mark.parametrize("module", WITHOUT_JSII)
def test_module_does_not_import_aws_cdk(
    module: str, jsii_loaded_in_turn: dict[str, list[str]]
) -> None:
    assert jsii_loaded_in_turn[module] == []


def test_the_review_tools_do_not_import_the_local_runner(
    package_python_env: dict[str, str],
) -> None:
    # `smpipe graph`/`diff` of a JSON file read entries with definition.entries; only a
    # cdk.out source loads the runner's assembly reader, on demand.
    review, local = "cdk_sagemaker_pipelines.review", "cdk_sagemaker_pipelines.local"
    assert modules_loaded_by(package_python_env, review, local) == []


def test_the_checks_load_the_language_only_to_judge_an_endpoint(
    package_python_env: dict[str, str],
) -> None:
    # A rule of one's own imports the checks; the language's instance-store families are
    # loaded when a definition has an endpoint configuration to judge, not before.
    checks, definition = "cdk_sagemaker_pipelines.checks", "cdk_sagemaker_pipelines.definition"
    assert modules_loaded_by(package_python_env, checks, definition, "botocore") == []


def modules_loaded_by(env: dict[str, str], module: str, *prefixes: str) -> list[str]:
    """The modules under ``prefixes`` that importing ``module`` loads, in a fresh interpreter."""
    code = (
        f"import json, sys, {module}\n"
        f"prefixes = {prefixes!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if any(m == p or m.startswith(p + '.') for p in prefixes))))\n"
    )
    loaded: list[str] = json.loads(fresh_python(env, code))
    return loaded


def fresh_python(env: dict[str, str], code: str) -> str:
    """What ``code`` prints, run by a fresh interpreter in the repository (failing on error)."""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_language_imports_no_layer_above_it_not_even_in_a_function() -> None:
    # A fresh interpreter sees only the imports a module runs at import time; one inside
    # a function (a notebook's display, say) would point the layers the wrong way unseen.
    package = REPO / "constructs" / "cdk_sagemaker_pipelines"
    above = ("review", "local", "cdk", "checks", "convert", "template", "cli")
    found = []
    for source in sorted((package / "definition").rglob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                name = node.module
                if node.level >= 2 or name.startswith("cdk_sagemaker_pipelines."):
                    top = name.removeprefix("cdk_sagemaker_pipelines.").split(".")[0]
                    if top in above:
                        found.append(f"{source.relative_to(package)}:{node.lineno} {name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.removeprefix("cdk_sagemaker_pipelines.").split(".")[0]
                    if alias.name.startswith("cdk_sagemaker_pipelines.") and top in above:
                        found.append(f"{source.relative_to(package)}:{node.lineno} {alias.name}")
    assert found == []


def test_constructs_folder_does_not_shadow_the_constructs_library() -> None:
    # Where `import constructs` would load it from, found as the import would find it:
    # loading the library itself would start jsii's Node process for nothing.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib.util; print(importlib.util.find_spec('constructs').origin)",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    assert "site-packages" in result.stdout


def test_check_automl_deployment_lineage_and_raw_steps_are_imported_on_first_use(
    package_python_env: dict[str, str],
) -> None:
    # Their classes take about a tenth of the package's import time, and few pipelines
    # have check, AutoML, deployment, lineage or raw steps; both package levels still export
    # them.
    code = (
        "import sys\n"
        "import cdk_sagemaker_pipelines.definition as definition\n"
        "check = 'cdk_sagemaker_pipelines.definition.steps.check'\n"
        "automl = 'cdk_sagemaker_pipelines.definition.steps.automl'\n"
        "assert check not in sys.modules, 'imported eagerly'\n"
        "assert automl not in sys.modules, 'imported eagerly'\n"
        "endpoint = 'cdk_sagemaker_pipelines.definition.steps.endpoint'\n"
        "component = 'cdk_sagemaker_pipelines.definition.steps.inference_component'\n"
        "assert endpoint not in sys.modules, 'imported eagerly'\n"
        "assert component not in sys.modules, 'imported eagerly'\n"
        "lineage = 'cdk_sagemaker_pipelines.definition.steps.lineage'\n"
        "assert lineage not in sys.modules, 'imported eagerly'\n"
        "raw = 'cdk_sagemaker_pipelines.definition.steps.raw'\n"
        "assert raw not in sys.modules, 'imported eagerly'\n"
        "import cdk_sagemaker_pipelines.local.executors._table\n"
        "import cdk_sagemaker_pipelines.definition.validate\n"
        "assert lineage not in sys.modules, 'imported by the runner or the validator'\n"
        "assert raw not in sys.modules, 'imported by the runner or the validator'\n"
        "from cdk_sagemaker_pipelines.definition import QualityCheckStep\n"
        "from cdk_sagemaker_pipelines.definition.steps import DatasetFormat\n"
        "assert QualityCheckStep.__module__ == check\n"
        "assert definition.ClarifyCheckStep.__module__ == check\n"
        "assert DatasetFormat.__module__ == check\n"
        "from cdk_sagemaker_pipelines.definition import AutoMLStep, AutoMLInput\n"
        "assert AutoMLStep.__module__ == AutoMLInput.__module__ == automl\n"
        "from cdk_sagemaker_pipelines.definition import EndpointStep, ProductionVariant\n"
        "assert EndpointStep.__module__ == ProductionVariant.__module__ == endpoint\n"
        "assert definition.InferenceComponentStep.__module__ == component\n"
        "from cdk_sagemaker_pipelines.definition import LineageStep, LineageEntityReference\n"
        "assert LineageStep.__module__ == LineageEntityReference.__module__ == lineage\n"
        "assert definition.LineageAction.__module__ == lineage\n"
        "assert definition.RawStep.__module__ == raw\n"
        "assert set(definition.steps.LAZY_STEP_NAMES) <= set(definition.__all__)\n"
        "try:\n"
        "    definition.NoSuchStep\n"
        "except AttributeError as error:\n"
        "    assert 'NoSuchStep' in str(error)\n"
        "else:\n"
        "    raise AssertionError('no AttributeError')\n"
    )
    fresh_python(package_python_env, code)


@pytest.mark.parametrize("missing", ["aws_cdk", "constructs", "jsii"])
def test_the_constructs_without_the_cdk_extra_say_how_to_install_it(missing: str) -> None:
    # `None` in sys.modules makes the import fail as if the package weren't installed.
    code = (
        f"import sys; sys.modules[{missing!r}] = None\n"
        "try:\n"
        "    from cdk_sagemaker_pipelines.cdk import Pipeline\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name); print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    name, message = result.stdout.splitlines()
    assert name == missing
    assert message == (
        f"cdk_sagemaker_pipelines.cdk needs aws-cdk-lib (no module named {missing!r}): install "
        "the package with its 'cdk' extra, pip install 'cdk-sagemaker-pipelines[cdk]'. The "
        "definition language, the local runner and smpipe need only botocore."
    )


def test_the_reference_app_and_examples_use_only_the_public_api() -> None:
    # What the reference app needs, a platform team's app needs too: a private module
    # (cdk_sagemaker_pipelines.definition._service_model) would be an API they lack.
    import re

    private = re.compile(
        r"cdk_sagemaker_pipelines(?:\.\w+)*\._\w+|from cdk_sagemaker_pipelines\S* import _"
    )
    sources = [REPO / "app.py"] + [
        path
        for folder in ("stacks", "example_project", "examples")
        for path in sorted((REPO / folder).rglob("*.py"))
    ]
    assert len(sources) > 5
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if private.search(line)
    ]
    assert found == []
