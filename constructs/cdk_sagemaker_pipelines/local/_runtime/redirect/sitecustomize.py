"""Redirect ``/opt/ml`` paths to the step's work directory (the local runner's fallback).

Loaded at interpreter start-up because the runner puts this directory first on
``PYTHONPATH`` and sets ``SMPIPE_OPT_ML``. Wraps the path-taking functions of
``builtins``, ``io``, ``os`` and ``os.path`` so a script that opens
``/opt/ml/processing/input/data.csv`` reads ``$SMPIPE_OPT_ML/processing/input/data.csv``.
Then runs any other ``sitecustomize`` further down the path. Python 3.8+.
"""

from __future__ import annotations

import builtins
import io
import os
import sys

MYPY = False
if MYPY:  # annotations only: importing typing would cost milliseconds at every start-up
    from collections.abc import Callable
    from typing import Any

_ROOT = os.environ.get("SMPIPE_OPT_ML")
_PREFIX = "/opt/ml"


def _map(path: Any) -> Any:
    if isinstance(path, int) or _ROOT is None:
        return path
    try:
        text = os.fspath(path)
    except TypeError:
        return path
    if isinstance(text, bytes):
        prefix, root = _PREFIX.encode(), os.fsencode(_ROOT)
        if text == prefix or text.startswith(prefix + b"/"):
            return root + text[len(prefix) :]
        return path
    if text == _PREFIX or text.startswith(_PREFIX + "/"):
        return _ROOT + text[len(_PREFIX) :]
    return path


def _one(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        return function(_map(path), *args, **kwargs)

    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__doc__ = function.__doc__
    return wrapper


def _two(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(source: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        return function(_map(source), _map(target), *args, **kwargs)

    wrapper.__name__ = getattr(function, "__name__", "wrapper")
    wrapper.__doc__ = function.__doc__
    return wrapper


def _scandir(path: Any = ".") -> Any:
    return _original_scandir(_map(path))


def _listdir(path: Any = ".") -> Any:
    return _original_listdir(_map(path))


_exists = os.path.exists
_original_scandir = os.scandir
_original_listdir = os.listdir

if _ROOT:
    builtins.open = _one(builtins.open)
    io.open = builtins.open
    for _name in (
        "open",
        "stat",
        "lstat",
        "access",
        "mkdir",
        "rmdir",
        "remove",
        "unlink",
        "chdir",
        "chmod",
        "utime",
        "readlink",
        "truncate",
    ):
        if hasattr(os, _name):
            setattr(os, _name, _one(getattr(os, _name)))
    for _name in ("rename", "replace", "link", "symlink"):
        setattr(os, _name, _two(getattr(os, _name)))
    os.scandir = _scandir
    os.listdir = _listdir
    for _name in ("exists", "isfile", "isdir", "islink", "getsize", "getmtime", "lexists"):
        setattr(os.path, _name, _one(getattr(os.path, _name)))


def _chain() -> None:
    """Run the next ``sitecustomize`` on the path, if there is one."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    candidates = ("sitecustomize.py", "sitecustomize", "sitecustomize.pyc")
    if not any(_exists(os.path.join(entry or ".", name)) for entry in rest for name in candidates):
        return  # the usual case: no other hook, and no importlib machinery to load
    from importlib.machinery import PathFinder
    from importlib.util import module_from_spec

    spec = PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = module_from_spec(spec)
    spec.loader.exec_module(module)


_chain()
