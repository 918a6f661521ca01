"""Shared fixtures. Tests never touch AWS: no credentials, no network."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import signal
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import pytest

from cdk_sagemaker_pipelines.jsii_node import prepare_jsii_node

# pytester runs the jsii guard's own tests in fresh sessions.
pytest_plugins = ["pytester", "tests.jsii_guard"]

REPO = Path(__file__).resolve().parent.parent
SHARED_REFERENCE = REPO.parent / "shared" / "reference"
SDK_EXAMPLES = SHARED_REFERENCE / "sagemaker-pipeline-definition-examples"


def extract_all(archive: tarfile.TarFile, destination: Path) -> None:
    """``archive.extractall(destination)``, with the ``"data"`` filter where Python has it.

    Python has it from 3.11.4 (``filter=`` raised TypeError before, as on Debian 12's
    3.11.2): the suite runs on any 3.11, as the library does.
    """
    if hasattr(tarfile, "data_filter"):
        archive.extractall(destination, filter="data")
    else:
        archive.extractall(destination)


# jsii runs on the project's Node 22 (the machine's Node may be end of life and noisy),
# with V8's worker threads capped to the CPUs, as the app runs it.
_NODE = REPO / "node_modules" / ".bin" / "node"
prepare_jsii_node(_NODE)

# A suite started in the background (`nohup`, `&` in a script) inherits an ignored SIGINT,
# and so would every process a test starts: the tests of Ctrl-C need it delivered.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Scratch files in memory: tmp_path, tmp_path_factory and the tempfile module (the local
# runner's tests create tens of thousands of files and directories: every step's /opt/ml
# tree, its outputs, records and cache). On this project's machines creating one on disk
# costs 0.1-0.5 ms of kernel time, on a tmpfs a twentieth of that. Only where nobody chose
# the directory (TMPDIR; --basetemp still wins), and where the tmpfs can hold runnable
# files (the sandboxes' python shims, the scripts some steps start) and has room for the
# three sessions pytest keeps (a session writes ~30 MB; Docker's default /dev/shm is 64 MB).
_MEMORY = "/dev/shm"
if "TMPDIR" not in os.environ and os.path.isdir(_MEMORY) and os.access(_MEMORY, os.W_OK):
    _memory = os.statvfs(_MEMORY)
    _free = _memory.f_bavail * _memory.f_frsize
    if not _memory.f_flag & (os.ST_NOEXEC | os.ST_RDONLY) and _free >= 2 << 30:
        tempfile.tempdir = _MEMORY

# The session allocates far more than it frees (test modules, parametrized ids, compiled
# shapes, hypothesis strategies): with the default thresholds the collector scans the
# whole heap again every ~70,000 allocations, about a second of the session's CPU.
# Rarer collections here, and what collection loaded frozen out of them (below).
gc.set_threshold(10_000, 20, 20)


def package_pycache() -> Path:
    """The bytecode cache of the fresh interpreters that import this package, kept between runs.

    The session without jsii collects its tests with it too (below).

    Under ``PYTHONPYCACHEPREFIX`` the cache mirrors each source's absolute path, so
    checkouts don't share entries; an entry records its source's modification time and
    size and is compiled again when either changes, as in any ``__pycache__``, and Python
    writes it atomically (a temporary file renamed), so sessions at the same time share it.
    """
    return Path(tempfile.gettempdir()) / "smpipe-package-pycache"


# Collection imports every test module, rewriting its asserts (pytest), and what they import.
# Where bytecode isn't written (PYTHONDONTWRITEBYTECODE=1, as on this project's machines and
# maybe in CI), pytest keeps no rewritten module either: each session rewrote and compiled
# them all again, about 3 s of CPU. While the session without jsii collects, its bytecode
# goes to ``package_pycache`` instead (pytest's rewritten modules follow the prefix too);
# nothing is written into the source tree. Not in the tests/cdk session: under a prefix
# installed packages' ``__pycache__`` don't count, and it would compile aws-cdk-lib's
# 180 MB of sources there; only pytest's rewritten modules go there in that session
# (``cache_rewritten_modules``). After collection the settings are back: a module a test
# writes and imports is compiled afresh, as before.
_BYTECODE_SETTINGS = (sys.dont_write_bytecode, sys.pycache_prefix)


def _nothing_to_undo() -> None:
    """The undo where pytest keeps its rewritten modules itself (or can't be helped to)."""


def cache_rewritten_modules(prefix: Path) -> Callable[[], None]:
    """Keep pytest's rewritten modules (test modules, conftests) under ``prefix``; return the undo.

    Only those, for the sessions that can't compile everything under a prefix (above): the
    modules they import are compiled as before, installed packages read from their own
    ``__pycache__``. Where bytecode isn't written, pytest still looks for a module it
    rewrote before, where ``get_cache_dir`` says (``prefix`` here, the source's path
    mirrored, as under ``sys.pycache_prefix``) and checks it against its source's hash;
    it only doesn't write one: written here after rewriting. In the tests/cdk session
    that is about 1.2 s of CPU, parsing, rewriting and compiling its 40-odd test modules.

    Where this pytest's assertion rewriter lacks what this patches, it changes nothing
    (slower, never different) and ``tests/test_conftest.py`` fails.
    """
    from _pytest.assertion import rewrite

    names = ("get_cache_dir", "_rewrite_test", "_write_pyc", "try_makedirs", "PYC_TAIL")
    if not all(hasattr(rewrite, name) for name in (*names, "assertstate_key")):
        return _nothing_to_undo
    own_cache_dir, own_rewrite_test = rewrite.get_cache_dir, rewrite._rewrite_test

    def cache_dir(file_path: Path) -> Path:
        return prefix.joinpath(*file_path.parts[1:-1])

    def rewrite_and_keep(fn: Path, config: pytest.Config) -> tuple[bytes, CodeType]:
        source_hash, code = own_rewrite_test(fn, config)
        pyc = cache_dir(fn) / (fn.name[:-3] + rewrite.PYC_TAIL)
        if rewrite.try_makedirs(pyc.parent):  # written atomically: sessions may share it
            rewrite._write_pyc(config.stash[rewrite.assertstate_key], code, source_hash, pyc)
        return source_hash, code

    rewrite.get_cache_dir, rewrite._rewrite_test = cache_dir, rewrite_and_keep

    def undo() -> None:
        rewrite.get_cache_dir, rewrite._rewrite_test = own_cache_dir, own_rewrite_test

    return undo


_undo_rewrite_cache = _nothing_to_undo
# (tests/jsii_guard.py's VARIABLE: imported from here, it would escape pytest's rewriting)
if sys.dont_write_bytecode and os.environ.get("SMPIPE_TESTS_WITHOUT_JSII") == "1":
    sys.dont_write_bytecode, sys.pycache_prefix = False, str(package_pycache())
elif sys.dont_write_bytecode:  # the tests/cdk session, or one session of the whole suite
    _undo_rewrite_cache = cache_rewritten_modules(package_pycache())


def pytest_collection_finish(session: pytest.Session) -> None:
    """Leave the objects of collection, which live until the session ends, out of later scans."""
    sys.dont_write_bytecode, sys.pycache_prefix = _BYTECODE_SETTINGS
    _undo_rewrite_cache()
    gc.freeze()


# Guard against accidental AWS calls: no credentials reach any test.
for _variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(_variable, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def load_sdk_example(name: str) -> Any:
    """Load a golden SDK definition from ../shared, skipping the test when it's absent."""
    path = SDK_EXAMPLES / f"{name}.json"
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    return json.loads(path.read_text())


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` as a module (scripts/ is no package), loaded once per session.

    The generated files' tests (api_surface, generate_property_types, …) call their
    generator to compare its output with the committed file.

    Example::

        api = load_script("api_surface")
    """
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


ROLE = "arn:aws:iam::111122223333:role/SageMakerExecutionRole"


@pytest.fixture(scope="session")
def package_python_env() -> dict[str, str]:
    """The environment for a fresh interpreter that imports this package (``python -c``).

    With ``PYTHONDONTWRITEBYTECODE=1`` (set here, and maybe in CI) each such interpreter
    compiles the package's modules again, about half its start-up. These interpreters
    share one bytecode cache instead (``PYTHONPYCACHEPREFIX``, ``package_pycache``): the
    first of a checkout compiles, the others, this session's and later ones', read;
    nothing is written into the source tree. Only for interpreters that import the package
    and the standard library: under a prefix Python ignores the ``__pycache__`` folders of
    installed packages, so one importing ``aws_cdk`` or ``setuptools`` would compile those
    instead.
    """
    environment = dict(os.environ)
    environment["PYTHONPYCACHEPREFIX"] = str(package_pycache())
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


@pytest.fixture(scope="session")
def example_runs(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The example project run locally once per session: registered, then rejected.

    Returns ``(runner, registered, rejected)``. Tests that run the same pipeline again copy
    its cache and executions (``cached_example_root``) rather than train once more.
    """
    from cdk_sagemaker_pipelines.local import LocalConfig, LocalRunner
    from example_project.local import local_pipeline

    root = tmp_path_factory.mktemp("example") / ".smpipe"
    runner = LocalRunner(LocalConfig(root=root))
    registered = runner.run(local_pipeline())
    rejected = runner.run(local_pipeline(), {"AccuracyThreshold": "0.999"})
    return runner, registered, rejected


def cached_example_root(example_runs: Any, root: Path) -> Path:
    """A fresh runner directory whose step cache already holds the example project's steps."""
    import shutil

    runner, _, _ = example_runs
    source = Path(runner.config.root)
    for part in ("cache", "executions"):  # the cached steps' outputs are the executions'
        shutil.copytree(source / part, root / part)
    return root
