"""Deterministic ``.tar.gz`` archives of code, so asset hashes only change with the code."""

from __future__ import annotations

import atexit
import gzip
import hashlib
import io
import os
import shutil
import tempfile

from .._code_files import write_code_tar

_workdir: str | None = None


def _scratch() -> str:
    global _workdir
    if _workdir is None:
        _workdir = tempfile.mkdtemp(prefix="smpipe-code-")
        atexit.register(shutil.rmtree, _workdir, True)
    return _workdir


def deterministic_tar_gz(source: str | os.PathLike[str]) -> str:
    """Pack a file or directory into a byte-for-byte reproducible ``.tar.gz``; return its path.

    The files are ``_code_files.folder_files``' (links followed, so a linked ``lib/`` is
    deployed as the local runner runs it; caches, version-control folders and editors'
    files left out), packed by ``_code_files.write_code_tar``: sorted, owned by root, dated
    1980, and the gzip header carries no time, so the same code always yields the same
    archive (and the same CDK asset hash). A link to nowhere, a loop of links or a named
    pipe raises ``FolderFilesError`` (the binder words it as the step's problem).

    Example::

        path = deterministic_tar_gz("ml/src")  # /tmp/smpipe-code-…/<sha>.tar.gz
    """
    buffer = io.BytesIO()
    write_code_tar(source, buffer)
    compressed = io.BytesIO()
    with gzip.GzipFile(fileobj=compressed, mode="wb", mtime=0, filename="") as stream:
        stream.write(buffer.getvalue())
    payload = compressed.getvalue()
    digest = hashlib.sha256(payload).hexdigest()[:32]
    target = os.path.join(_scratch(), f"{digest}.tar.gz")
    if not os.path.exists(target):
        with open(target, "wb") as handle:
            handle.write(payload)
    return target
