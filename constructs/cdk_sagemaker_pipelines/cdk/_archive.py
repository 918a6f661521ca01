"""Deterministic ``.tar.gz`` archives of code, so asset hashes only change with the code."""

from __future__ import annotations

import atexit
import gzip
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from .._code_files import is_skipped

_workdir: str | None = None


def _scratch() -> str:
    global _workdir
    if _workdir is None:
        _workdir = tempfile.mkdtemp(prefix="smpipe-code-")
        atexit.register(shutil.rmtree, _workdir, True)
    return _workdir


def _entries(source: Path) -> list[tuple[Path, str]]:
    if source.is_file():
        return [(source, source.name)]
    found: list[tuple[Path, str]] = []
    for root, directories, files in os.walk(source):
        directories[:] = sorted(d for d in directories if not is_skipped(d))
        for name in sorted(files):
            if is_skipped(name):
                continue
            path = Path(root) / name
            found.append((path, path.relative_to(source).as_posix()))
    return sorted(found, key=lambda entry: entry[1])


def deterministic_tar_gz(source: str | os.PathLike[str]) -> str:
    """Pack a file or directory into a byte-for-byte reproducible ``.tar.gz``; return its path.

    Entries are sorted, owned by root, dated 1980, and the gzip header carries no time,
    so the same code always yields the same archive (and the same CDK asset hash). Caches,
    version-control folders and editors' files (``_code_files.is_skipped``) are left out, so
    they change neither.

    Example::

        path = deterministic_tar_gz("ml/src")  # /tmp/smpipe-code-…/<sha>.tar.gz
    """
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for path, name in _entries(Path(source)):
            info = tarfile.TarInfo(name)
            data = path.read_bytes()
            info.size = len(data)
            info.mtime = 315532800  # 1980-01-01, as zip-based tools do
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            archive.addfile(info, io.BytesIO(data))
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
