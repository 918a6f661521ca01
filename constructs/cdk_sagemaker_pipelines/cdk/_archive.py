"""Deterministic ``.tar.gz`` archives of code, so asset hashes only change with the code."""

from __future__ import annotations

import atexit
import gzip
import hashlib
import os
import shutil
import tempfile
from typing import IO

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
    return pack_code(source)[0]


def pack_code(source: str | os.PathLike[str]) -> tuple[str, int]:
    """``deterministic_tar_gz``, with the size of the files packed (for ``large_code_notice``).

    Example::

        path, size = pack_code("ml/src")  # ("/tmp/smpipe-code-…/<sha>.tar.gz", 48213)
    """
    # Streamed to a file while hashed, never held whole in memory: a code folder can hold
    # a model's weights by mistake.
    scratch = _scratch()
    with tempfile.NamedTemporaryFile(dir=scratch, suffix=".partial", delete=False) as raw:
        hashing = _Hashing(raw)
        try:
            with gzip.GzipFile(fileobj=hashing, mode="wb", mtime=0, filename="") as stream:
                size = write_code_tar(source, stream)
        except BaseException:
            raw.close()
            os.unlink(raw.name)
            raise
    target = os.path.join(scratch, f"{hashing.digest.hexdigest()[:32]}.tar.gz")
    os.replace(raw.name, target)  # the same name holds the same bytes
    return target, size


class _Hashing:
    """A writable stream that passes its bytes to ``sink`` and hashes them on the way."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink = sink
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()
