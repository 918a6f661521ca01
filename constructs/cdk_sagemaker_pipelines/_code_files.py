"""What a code folder holds that no job reads: caches, version control, editors' files.

Left out of the archives the CDK constructs deploy (``cdk._archive``) and of what the local
runner packs and hashes for a step (``local.store``), so a save in an editor or a
``git status`` changes neither an asset's hash nor a cached step. ``folder_files`` lists
the rest, links followed: the one list of a code folder's files that every packager uses.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from collections.abc import Callable, Iterator
from typing import IO

# Folders (and, for ``.git``, the file a worktree or submodule has instead).
SKIPPED_DIRECTORIES = frozenset(
    {
        "__pycache__",
        ".git",
        ".hg",
        ".svn",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".ipynb_checkpoints",
        ".idea",
        ".vscode",
    }
)
SKIPPED_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".swp", ".swo", "~")
# Emacs' lock files (``.#train.py``): symbolic links to nowhere, which reading would fail on.
SKIPPED_PREFIXES = (".#",)


def is_skipped(name: str) -> bool:
    """Whether a file or folder of this ``name`` in a code folder is left out.

    Example::

        is_skipped("train.py.swp"), is_skipped("requirements.txt")  # (True, False)
    """
    return (
        name in SKIPPED_DIRECTORIES
        or name in SKIPPED_FILES
        or name.endswith(SKIPPED_SUFFIXES)
        or name.startswith(SKIPPED_PREFIXES)
    )


class FolderFilesError(Exception):
    """Why ``folder_files`` can't list a folder: each packager words it as its own error.

    ``kind`` is ``"dead"`` (a link that leads nowhere: broken, or a loop of links the
    system gave up on), ``"loop"`` (a link to a folder that holds it), ``"special"`` (a named
    pipe, socket or device), ``"unreadable-folder"`` or ``"unreadable"`` (``reason`` says
    why). ``target`` is where a link points.

    Example::

        try:
            list(folder_files("src"))
        except FolderFilesError as error:
            error.kind, error.path  # ("dead", "src/config.json")
    """

    def __init__(
        self, kind: str, path: str, target: str | None = None, reason: str | None = None
    ) -> None:
        super().__init__(f"{path}: {kind}" + (f" ({reason})" if reason else ""))
        self.kind = kind
        self.path = path
        self.target = target
        self.reason = reason


def folder_files(
    root: str | os.PathLike[str], skip: Callable[[str], bool] | None = is_skipped
) -> Iterator[tuple[str, str]]:
    """Each file of the folder ``root`` as ``(path relative to root, path)``, links followed.

    The one definition of "the files of a code folder" that the CDK's code archives
    (``cdk._archive``), the local runner (``local.store.tree_files``) and
    ``StaticBinder(content_addressed=True)``'s digest share, so what runs locally is what
    is deployed. A link stands for what it points at, wherever that is (a shared ``lib/``
    linked in from elsewhere in a repository is the usual case): an archive holding the
    link itself would dangle where SageMaker unpacks it. A linked folder's files are listed
    under the link's name. Names ``skip`` says (by default ``is_skipped``: caches and
    editors' files) are left out, folders included, and folders are not entries (an
    empty folder is not listed). Each folder lists its files (by name), then its folders'
    (by name), as ``os.walk`` does. A link to nowhere, a loop of links and a named pipe,
    socket or device raise ``FolderFilesError`` naming the path.

    Example::

        [relative for relative, _ in folder_files("src")]  # ["train.py", "lib/util.py"]
    """

    def walk(
        folder: str, relative: str, ancestors: frozenset[tuple[int, int]]
    ) -> Iterator[tuple[str, str]]:
        files: list[tuple[str, str]] = []
        folders: list[tuple[str, str, tuple[int, int]]] = []
        try:
            names = sorted(os.listdir(folder))
        except OSError as error:
            raise FolderFilesError("unreadable-folder", folder, reason=error.strerror) from None
        for name in names:
            if skip is not None and skip(name):
                continue
            path = os.path.join(folder, name)
            inner = f"{relative}/{name}" if relative else name
            try:
                status = os.stat(path)  # through links
            except OSError as error:
                if not os.path.islink(path):  # unreadable, or gone since the listing
                    raise FolderFilesError("unreadable", path, reason=error.strerror) from None
                raise FolderFilesError("dead", path, os.readlink(path)) from None
            if stat.S_ISDIR(status.st_mode):
                identity = (status.st_dev, status.st_ino)
                if identity in ancestors:
                    raise FolderFilesError("loop", path, os.readlink(path))
                folders.append((path, inner, identity))
            elif stat.S_ISREG(status.st_mode):
                files.append((inner, path))
            else:
                raise FolderFilesError("special", path)
        yield from files
        for path, inner, identity in folders:
            yield from walk(path, inner, ancestors | {identity})

    top = os.fspath(root)
    status = os.stat(top)
    return walk(top, "", frozenset({(status.st_dev, status.st_ino)}))


# 1980-01-01, as zip-based tools date their entries: no archive carries the time it was made.
PACKED_MTIME = 315532800


def code_entries(source: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """What a code archive of ``source`` (a file, or a folder's ``folder_files``) holds.

    ``(name in the archive, path)``, sorted by name: the order of the entries in the
    archive, which its hash depends on (so it is the same on every machine).

    Example::

        code_entries("src")  # [("lib/util.py", "src/lib/util.py"), ("train.py", "src/train.py")]
    """
    if not os.path.isdir(source):
        return [(os.path.basename(source), os.fspath(source))]
    return sorted(folder_files(source), key=lambda entry: entry[0])


def write_code_tar(source: str | os.PathLike[str], stream: IO[bytes] | io.BufferedIOBase) -> None:
    """Write a reproducible tar of ``source``'s ``code_entries`` to ``stream``.

    Files only (an empty folder is left out, as a folder of the CDK's assets is), in name
    order, owned by root (a step's ``tar -x`` runs as root and fails on an owner it can't
    map), dated ``PACKED_MTIME``, mode 0755 if its owner may run it and 0644 otherwise
    (git's rule; not ``os.access``, which says yes to root for any execute bit and no on a
    ``noexec`` mount): the same code gives the same bytes on any machine, whatever its
    clock, users, umask or mounts. A link is packed as what it points at
    (``folder_files``). Each file is streamed, not read whole, so a folder that holds a
    model's weights by mistake is packed in little memory.

    Example::

        with open("code.tar", "wb") as handle:
            write_code_tar("src", handle)
    """
    entries = code_entries(source)  # refuses dead links and loops before writing anything
    with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, path in entries:
            info = tarfile.TarInfo(name)
            with open(path, "rb") as handle:
                status = os.fstat(handle.fileno())
                info.size = status.st_size
                info.mtime = PACKED_MTIME
                info.mode = 0o755 if status.st_mode & stat.S_IXUSR else 0o644
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                archive.addfile(info, handle)  # copied in chunks
