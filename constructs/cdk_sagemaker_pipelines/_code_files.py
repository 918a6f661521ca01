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

# A code folder holds a job's scripts: a few hundred files at most for a real project (a
# vendored package or two included). More than this is a folder that isn't code (a data
# set, a virtualenv, ``node_modules``) or links that multiply it, packed file by file at
# every synth and hashed at every compile: refused, naming the folder, rather than left to
# run for minutes. Data folders the local runner maps have no such limit.
MAX_CODE_FILES = 10_000
# A folder reached through links more than this many times: links that fan out (two links
# each to the next level, 21 levels deep, list 2**21 copies without ever looping). A shared
# ``lib/`` linked in from a few places is reached a handful of times.
MAX_FOLDER_VISITS = 64
# Above this many bytes of code, the callers warn (``large_code_notice``): model weights or
# a data set left in the source folder, deployed with every change of a script.
LARGE_CODE_BYTES = 100 * 1024 * 1024


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
    root: str | os.PathLike[str],
    skip: Callable[[str], bool] | None = is_skipped,
    max_files: int | None = MAX_CODE_FILES,
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
    socket or device raise ``FolderFilesError`` naming the path, as do a name that isn't
    UTF-8, more than ``max_files`` files (``None``: no limit, for data) and a folder
    reached through links more than ``MAX_FOLDER_VISITS`` times.

    Example::

        [relative for relative, _ in folder_files("src")]  # ["train.py", "lib/util.py"]
    """
    top = os.fspath(root)
    listed = 0
    visits: dict[tuple[int, int], int] = {}

    def walk(
        folder: str, relative: str, ancestors: frozenset[tuple[int, int]]
    ) -> Iterator[tuple[str, str]]:
        nonlocal listed
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
            if not _is_utf8(name):
                raise FolderFilesError("name", path)
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
                visits[identity] = visits.get(identity, 0) + 1
                if visits[identity] > MAX_FOLDER_VISITS:
                    raise FolderFilesError("fan-out", path)
                folders.append((path, inner, identity))
            elif stat.S_ISREG(status.st_mode):
                listed += 1
                if max_files is not None and listed > max_files:
                    raise FolderFilesError("too-many-files", top)
                files.append((inner, path))
            else:
                raise FolderFilesError("special", path)
        yield from files
        for path, inner, identity in folders:
            yield from walk(path, inner, ancestors | {identity})

    status = os.stat(top)
    return walk(top, "", frozenset({(status.st_dev, status.st_ino)}))


def _is_utf8(name: str) -> bool:
    # os.listdir gives the bytes of a name that isn't UTF-8 as lone surrogates
    # (surrogateescape), which str.encode() refuses.
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def large_code_notice(source: str | os.PathLike[str], size: int) -> str | None:
    """What to say of ``size`` bytes of code in ``source``: ``None`` up to ``LARGE_CODE_BYTES``.

    Example::

        large_code_notice("src", 300 * 1024 * 1024)  # "code folder 'src' holds 300 MB: …"
    """
    if size <= LARGE_CODE_BYTES:
        return None
    return (
        f"code folder {os.fspath(source)!r} holds {size // (1024 * 1024)} MB of files: model "
        "weights or data left in it are packed and uploaded with every change of the code: "
        "move them out of the code folder (to S3, or a folder of their own)"
    )


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
        name = os.path.basename(source)
        if not _is_utf8(name):
            raise FolderFilesError("name", os.fspath(source))
        return [(name, os.fspath(source))]
    return sorted(folder_files(source), key=lambda entry: entry[0])


def write_code_tar(source: str | os.PathLike[str], stream: IO[bytes] | io.BufferedIOBase) -> int:
    """Write a reproducible tar of ``source``'s ``code_entries`` to ``stream``; its files' bytes.

    Files only (an empty folder is left out, as a folder of the CDK's assets is), in name
    order, owned by root (a step's ``tar -x`` runs as root and fails on an owner it can't
    map), dated ``PACKED_MTIME``, mode 0755 if its owner may run it and 0644 otherwise
    (git's rule; not ``os.access``, which says yes to root for any execute bit and no on a
    ``noexec`` mount): the same code gives the same bytes on any machine, whatever its
    clock, users, umask or mounts. A link is packed as what it points at
    (``folder_files``). Each file is streamed, not read whole, so a folder that holds a
    model's weights by mistake is packed in little memory. Returns the files' total size,
    for the callers' ``large_code_notice``.

    Example::

        with open("code.tar", "wb") as handle:
            write_code_tar("src", handle)
    """
    entries = code_entries(source)  # refuses dead links and loops before writing anything
    total = 0
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
                total += status.st_size
    return total
