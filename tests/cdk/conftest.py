"""CDK test fixtures: one jsii process per session, the reference app synthesized once.

Every app is built with ``cdk.json``'s context (feature flags included), so tests see
what deploys.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest

from tests.cdk.kernel import start_kernel
from tests.cdk.lint import MODULE_LINT, PROBES, BackgroundLint, LintService
from tests.conftest import REPO

# jsii's Node process starts with the first import of a jsii library: started here, before
# the imports below, it runs without jsii's relay process (see tests/cdk/kernel.py).
WHY_THE_KERNEL_HAS_A_RELAY = start_kernel()

import aws_cdk as cdk  # noqa: E402
from aws_cdk import cx_api  # noqa: E402


def cdk_context() -> dict[str, Any]:
    """The context (feature flags and environments) from cdk.json."""
    context: dict[str, Any] = json.loads((REPO / "cdk.json").read_text())["context"]
    return context


def new_app(**extra_context: Any) -> cdk.App:
    """An app with cdk.json's feature flags (and any extra context)."""
    return cdk.App(context={**cdk_context(), **extra_context})


def new_stack(
    account: str | None = "111122223333", region: str | None = "us-east-1", **context: Any
) -> cdk.Stack:
    """A stack in a fresh app; pass account=None, region=None for an env-agnostic stack."""
    env = cdk.Environment(account=account, region=region) if account or region else None
    return cdk.Stack(new_app(**context), "Test", env=env)


@dataclass(frozen=True)
class SynthesizedApp:
    """The reference app synthesized once: the app, its assembly and each stack's template.

    Tests only read it: the app is shared by the whole session.
    """

    app: cdk.App
    assembly: cx_api.CloudAssembly
    directory: Path
    templates: dict[str, dict[str, Any]]  # "dev/MlOps" -> template
    template_paths: dict[str, Path]
    # cfn-lint of the templates (and the lint tests' probes), running beside the tests.
    lint: BackgroundLint | None = None


def synthesize_reference_app(context: dict[str, Any], outdir: Path) -> SynthesizedApp:
    """The reference app (app.py) built with ``context`` and synthesized into ``outdir``."""
    import app as reference

    application = reference.build_app(context, outdir=str(outdir))
    assembly = application.synth()
    templates: dict[str, dict[str, Any]] = {}
    paths: dict[str, Path] = {}
    for stage in assembly.nested_assemblies:
        for stack in stage.nested_assembly.stacks:
            key = stack.hierarchical_id
            templates[key] = stack.template
            paths[key] = Path(stack.template_full_path)
    return SynthesizedApp(application, assembly, Path(assembly.directory), templates, paths)


@pytest.fixture(scope="session")
def lint_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LintService]:
    """The session's cfn-lint worker, started by its first job (``tests/cdk/lint.py``)."""
    service = LintService(tmp_path_factory.mktemp("cfn-lint-worker"))
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def reference_app(
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
    lint_service: LintService,
) -> Iterator[SynthesizedApp]:
    """The reference app (app.py) with all environments, synthesized once per session.

    Its cfn-lint starts at once, in the session's lint worker (``tests/cdk/lint.py``), when
    the session runs the lint tests (not for a session of other tests, ``-k`` or a file).
    """
    app = synthesize_reference_app(cdk_context(), tmp_path_factory.mktemp("cdk.out"))
    if not any(item.path.name == LINT_TESTS for item in request.session.items):
        yield app
        return
    templates = {key: path.read_text() for key, path in app.template_paths.items()}
    templates.update((name, json.dumps(probe)) for name, probe in PROBES.items())
    lint = BackgroundLint(templates, tmp_path_factory.mktemp("cfn-lint"), lint_service)
    yield dataclasses.replace(app, lint=lint)


LINT_TESTS = "test_app_cfn_lint.py"


def _reads_lint(item: pytest.Item) -> bool:
    """A test of the reference app's lint, or of a module's own (its ``MODULE_LINT`` fixture)."""
    return item.path.name == LINT_TESTS or MODULE_LINT in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The lint tests last: the findings they read are linted while the others run."""
    items.sort(key=_reads_lint)  # stable: order kept otherwise


@pytest.fixture(scope="module", autouse=True)
def module_lint_queued(request: pytest.FixtureRequest) -> None:
    """A module's own lint (``MODULE_LINT``) queued as its first test starts, if a test reads it.

    Its lint test runs last in the session: the worker lints while the other tests run,
    where the module's last test used to queue the job and wait for it (about 0.3-0.6 s
    each, more on a busy machine). Not for a session that doesn't read it (``-k``, a test).
    """
    if any(
        MODULE_LINT in item.fixturenames and item.module is request.module
        for item in request.session.items
        if isinstance(item, pytest.Function)
    ):
        request.getfixturevalue(MODULE_LINT)


@pytest.fixture(scope="session", autouse=True)
def aws_client_calls() -> Iterator[list[str]]:
    """The AWS SDK clients created while the CDK tests run: synth must create none.

    Autouse and session-scoped, so it is in place before ``reference_app`` synthesizes.
    It only records (the client is still created), so it can't change other tests.
    """
    calls: list[str] = []
    original = botocore.session.Session.create_client

    def recording(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any):
        calls.append(service_name)
        return original(self, service_name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session.Session, "create_client", recording)
        yield calls
