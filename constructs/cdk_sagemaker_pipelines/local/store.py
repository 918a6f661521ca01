"""Step properties and outputs of one execution, and the local S3 they are read through.

S3 reads resolve, most specific first: outputs published in this execution (or adopted
from a cache hit or a selective run's source execution), then the ``ResourceMap``'s
prefixes, then the shared tree ``<root>/s3/<bucket>/<key>``. Writes never go to the
shared tree: each step's outputs are published into its execution's directory, so
concurrent executions never share or overwrite them.

Example::

    store = StepStore(s3_root, mappings=[])
    store.record("Preprocess", properties, {"s3://b/p/train": "/…/outputs/Preprocess/train"})
    store.materialize("s3://b/p/train", Path("work/opt/ml/input/data/train"))
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import lzma
import os
import shutil
import tarfile
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .._code_files import (
    MAX_CODE_FILES,
    MAX_FOLDER_VISITS,
    FolderFilesError,
    folder_files,
    is_skipped,
    write_code_tar,
)
from ._errors import LocalRunError, StepError, UnmappableS3UriError
from .iam import ObjectKey
from .resources import normalize_s3_uri, split_s3_uri, under

if TYPE_CHECKING:
    from .iam import AccessGuard

Kind = Literal["file", "dir", "archive"]


@dataclass(frozen=True, slots=True)
class Located:
    """Where an S3 URI lives locally.

    ``kind`` is ``file``, ``dir`` (a prefix) or ``archive``: a ``….tar.gz`` URI served
    by packing ``path`` (a file or directory) on the fly. ``key`` is the KMS key its
    objects are encrypted with (SSE-KMS), when the runner checks IAM and knows it.

    Example::

        Located("s3://code/train.py.tar.gz", "archive", Path("ml/train.py"), "resources")
    """

    uri: str
    kind: Kind
    path: Path
    origin: str
    key: ObjectKey | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    prefix: str
    path: Path
    origin: str
    step: str | None = None
    output: str | None = None
    # A step's output: the key it was published with; None for mappings (their bucket's).
    key: ObjectKey | None = None


class StepStore:
    """Properties (Describe*-shaped dicts) and published outputs of one execution's steps.

    Only the runner's main thread records; steps read concurrently (the output table is
    replaced, never mutated, so readers always see a consistent one).

    Example::

        store.properties["Train"]["ModelArtifacts"]["S3ModelArtifacts"]
        store.locate("s3://bucket/pipe/abc/Train/model").path
    """

    def __init__(self, s3_root: Path, mappings: Iterable[tuple[str, Path]] = ()) -> None:
        self.s3_root = s3_root
        self.properties: dict[str, dict[str, Any]] = {}
        self.step_outputs: dict[str, dict[str, str]] = {}
        # URI → the KMS key a step's output was published with (kept for --resume, reuse).
        self.step_keys: dict[str, dict[str, ObjectKey]] = {}
        # Bucket → the key its objects get by default (SSE-KMS): what mappings, assets and
        # the shared tree serve. Filled in place (set_default_keys): views share it.
        self._default_keys: dict[str, ObjectKey] = {}
        self._mappings = tuple(
            _Entry(prefix, path, f"mapped to {path}") for prefix, path in mappings
        )
        # Held in a list so the views ``for_reader`` returns see every step recorded later.
        self._published: list[tuple[_Entry, ...]] = [()]
        self._lock = threading.Lock()
        self._reader: AccessGuard | None = None

    @property
    def _outputs(self) -> tuple[_Entry, ...]:
        return self._published[0]

    def for_reader(self, reader: AccessGuard | None) -> StepStore:
        """A view of the store as one principal reads it: ``reader`` checks each read first.

        The view shares the store's state (steps recorded later show in it too). A read it
        refuses raises ``AccessDeniedError``; ``None`` reads unchecked. Example::

            store.for_reader(AccessGuard([role], "the job of step 'Train'", "aws"))
        """
        view = copy.copy(self)
        view._reader = reader
        return view

    def set_default_keys(self, keys: Mapping[str, ObjectKey]) -> None:
        """The default (SSE-KMS) key of each bucket, for objects no step published."""
        with self._lock:
            self._default_keys.clear()
            self._default_keys.update(keys)

    def _default_key(self, uri: str) -> ObjectKey | None:
        return self._default_keys.get(uri.removeprefix("s3://").partition("/")[0])

    def _authorize(self, uri: str, located: Located, what: str) -> None:
        """Check a read of what ``uri`` locates: the prefix listed, then each object."""
        reader = self._reader
        if reader is None:
            return
        if located.kind == "dir":
            reader.list(uri, what)
            reader.read_tree(located.uri, located.path, what, located.key)
        else:
            reader.read(located.uri, what, located.key)

    # -- recording ----------------------------------------------------------------

    def record(
        self,
        step: str,
        properties: Mapping[str, Any],
        outputs: Mapping[str, str | Path],
        output_names: Mapping[str, str] | None = None,
        origin: str | None = None,
        keys: Mapping[str, ObjectKey | None] | None = None,
    ) -> None:
        """Record a finished step's properties and published outputs (URI → local path).

        ``keys`` holds the KMS key each output URI was published with (SSE-KMS), for the
        reads that follow. Raises ``StepError`` (recording nothing) for a URI that can't be
        a local path.
        """
        names = output_names or {}
        table = {
            self.check(uri, f"output '{names[uri]}'" if uri in names else "output"): str(path)
            for uri, path in outputs.items()
        }
        known = {normalize_s3_uri(uri): key for uri, key in (keys or {}).items() if key is not None}
        with self._lock:
            self.properties[step] = dict(properties)
            self.step_outputs[step] = table
            self.step_keys[step] = {uri: known[uri] for uri in table if uri in known}
            added = [
                _Entry(
                    uri,
                    Path(path),
                    origin or f"output of step '{step}'",
                    step,
                    names.get(uri),
                    known.get(uri),
                )
                for uri, path in table.items()
            ]
            kept = [entry for entry in self._outputs if entry.step != step]
            entries = sorted([*kept, *added], key=lambda e: len(e.prefix), reverse=True)
            self._published[0] = tuple(entries)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy (for resume, selective runs and the cache)."""
        return {
            "Properties": self.properties,
            "Outputs": self.step_outputs,
            "Keys": {step: _keys_json(keys) for step, keys in self.step_keys.items()},
        }

    def save_step(self, directory: Path, step: str) -> None:
        """Persist one step's properties and outputs as ``<directory>/store/<step>.json``."""
        folder = directory / "store"
        folder.mkdir(exist_ok=True)
        data = {
            "Properties": self.properties.get(step),
            "Outputs": self.step_outputs.get(step, {}),
            "Keys": _keys_json(self.step_keys.get(step, {})),
        }
        temporary = folder / f".{step}.{uuid.uuid4().hex}.tmp"
        temporary.write_text(json.dumps(data, separators=(",", ":"), default=str), "utf-8")
        os.replace(temporary, folder / f"{step}.json")

    def restore(self, data: Mapping[str, Any], steps: Iterable[str], origin: str) -> None:
        """Adopt ``steps``' properties and outputs from a snapshot of another run."""
        properties = data.get("Properties") or {}
        outputs = data.get("Outputs") or {}
        keys = data.get("Keys") or {}
        for step in steps:
            if step in properties:
                adopted = {
                    uri: ObjectKey.from_json(key) for uri, key in (keys.get(step) or {}).items()
                }
                try:
                    self.record(
                        step, properties[step], outputs.get(step) or {}, origin=origin, keys=adopted
                    )
                except StepError as error:  # a record edited, or written by an older runner
                    raise LocalRunError(
                        f"can't reuse step '{step}' ({origin}): {error.reason}"
                    ) from None

    def outputs_of(self, step: str) -> dict[str, str]:
        """URI → local path of a step's published outputs."""
        return dict(self.step_outputs.get(step, {}))

    # -- reading ------------------------------------------------------------------

    def check(self, uri: str, what: str) -> str:
        """``uri`` normalized, if it can be a local path; else ``StepError`` naming ``what``.

        Every read and every published output passes here: a URI whose key has a ``.`` or
        ``..`` segment, or whose bucket isn't a bucket name, is refused
        (``split_s3_uri``), never aliased to another object nor followed out of the tree.

        Example::

            store.check("s3://b/raw/", "input 'raw'")  # "s3://b/raw"
            store.check("s3://b/../x", "input 'raw'")
            # StepError: input 'raw': refusing s3://b/../x: its key has a '..' segment, …
        """
        if not isinstance(uri, str):
            raise StepError(f"{what}: expected an S3 URI (s3://bucket/key), got {uri!r}")
        try:
            return normalize_s3_uri(uri)
        except UnmappableS3UriError as error:
            raise error.named(what) from None
        except ValueError:
            raise StepError(f"{what}: {uri!r} is not an S3 URI (s3://bucket/key)") from None

    def locate(self, uri: str, what: str = "S3 URI") -> Located | None:
        """Where ``uri`` lives locally, or None if nothing is there.

        ``what`` names the field ``uri`` is in, for a URI ``check`` refuses.
        """
        target = self.check(uri, what)
        found = self._find(target)
        if found is not None:
            self._authorize(uri, found, what)
        return found

    def locate_listed(self, uri: str, what: str) -> Located | None:
        """Where ``uri`` lives, checking only its listing (versions): a manifest reads no object.

        The reader's ``s3:ListBucketVersions`` is checked with the prefix the sealing
        function lists: ``<key>/`` for a folder, the key itself for one object.
        """
        target = self.check(uri, what)
        found = self._find(target)
        if found is not None and self._reader is not None:
            listed = f"{target.rstrip('/')}/" if found.kind == "dir" else target
            self._reader.list(listed, what, "s3:ListBucketVersions")
        return found

    def authorize_read(self, uri: str, what: str) -> None:
        """Check the reader's read of the object ``uri``, which the runner serves elsewhere.

        A registered version's model data and code come from the local registry's copies,
        but SageMaker reads them at ``uri``, as the model's role: that read is checked as
        any other, with the object's key (the one a step of this execution published it
        with, else its bucket's default key). Nothing is read. Example::

            store.authorize_read("s3://b/models/…/model.tar.gz", "the version's model data")
        """
        reader = self._reader
        if reader is None:
            return
        target = self.check(uri, what)
        found = self._find(target)
        reader.read(target, what, found.key if found is not None else self._default_key(target))

    def _find(self, target: str) -> Located | None:
        for entry in (*self._outputs, *self._mappings):
            rest = under(target, entry.prefix)
            if rest is None:
                continue
            found = _existing(target, entry.path / rest if rest else entry.path, entry.origin)
            if found is not None:
                return replace(found, key=self._entry_key(entry))
        bucket, key = split_s3_uri(target)
        found = _existing(target, self.s3_root / bucket / key, "the local S3 tree")
        return None if found is None else replace(found, key=self._default_key(target))

    def _entry_key(self, entry: _Entry) -> ObjectKey | None:
        """A step's output: the key it was published with; else its bucket's default key."""
        return entry.key if entry.step is not None else self._default_key(entry.prefix)

    def shared_path(self, uri: str) -> Path:
        """Where ``uri`` would be in the shared tree ``<root>/s3`` (``check`` it first)."""
        bucket, key = split_s3_uri(uri)
        return self.s3_root / bucket / key

    def owner(self, uri: str) -> tuple[str, str | None] | None:
        """(step, output name) of the published output ``uri`` is in, if any."""
        target = normalize_s3_uri(uri)
        for entry in self._outputs:
            if entry.step is not None and under(target, entry.prefix) is not None:
                return entry.step, entry.output
        return None

    def local_file(self, uri: str, what: str) -> Path:
        """The local file of a single-object URI (raises ``StepError``)."""
        located = self.locate(uri, what)
        if located is None:
            raise StepError(f"{what}: no object at {uri}{self.missing_hint(uri)}")
        if located.kind != "file":
            raise StepError(f"{what}: {uri} is a prefix ({located.path}), not one object")
        return located.path

    def materialize(self, uri: str, destination: Path, what: str) -> int:
        """Copy the objects under ``uri`` into ``destination``; return how many files.

        A single object keeps its key's file name; a prefix is copied with its layout. As
        SageMaker's S3Prefix reads do, objects whose keys merely start with ``uri``
        (published outputs, mapped prefixes, the shared tree's) come too, by their full
        name, as SageMaker names such a partial match: ``…/evaluation`` copies
        ``…/evaluation_report/r.json`` as ``evaluation_report/r.json`` and
        ``…/model.tar.gz`` copies ``…/model.tar.gz.sig`` next to ``model.tar.gz``.
        Raises ``StepError`` when nothing is there.
        """
        target = self.check(uri, what)
        destination.mkdir(parents=True, exist_ok=True)
        located = self.locate(uri, what)
        count = 0
        if located is not None:
            count += _copy_located(located, destination, what)
        listed = located is not None and located.kind == "dir"
        for entry in (*self._outputs, *self._mappings):
            rest = under(entry.prefix, target)
            if rest is None and _extends(entry.prefix, uri, target):
                # SageMaker reads an S3Prefix input as every key that starts with the URI,
                # not only those under <uri>/: a read of …/evaluation gets the objects of
                # …/evaluation_report too, named by their key past the URI's folder
                # (evaluation_report/…, not the "_report/…" of the SDK's local mode).
                rest = entry.prefix[target.rfind("/") + 1 :]
            if rest and entry.path.exists():
                nested = Located(
                    entry.prefix,
                    "dir" if entry.path.is_dir() else "file",
                    entry.path,
                    entry.origin,
                )
                if self._reader is not None:
                    # Objects under the prefix that other folders hold: listed, then read.
                    if not listed:
                        self._reader.list(uri, what)
                        listed = True
                    key = self._entry_key(entry)
                    if nested.kind == "dir":
                        self._reader.read_tree(nested.uri, nested.path, what, key)
                    else:
                        self._reader.read(nested.uri, what, key)
                if nested.kind == "dir":
                    count += _copy_located(nested, destination / rest, what)
                else:  # named by its key: under/x.csv, or evaluation_report.json
                    (destination / rest).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(entry.path, destination / rest)
                    count += 1
        for sibling in self._shared_siblings(uri, target):
            if self._reader is not None:
                if not listed:
                    self._reader.list(uri, what)
                    listed = True
                self._authorize_objects(sibling, what)
            # A folder by its name, a file (or archive) named by its key's last part.
            name = sibling.uri.rsplit("/", 1)[-1]
            folder = destination / name if sibling.kind == "dir" else destination
            count += _copy_located(sibling, folder, what)
        if located is None and count == 0:
            raise StepError(f"{what}: no objects at {uri}{self.missing_hint(target)}")
        if count == 0:
            owner = self.owner(target)
            detail = ""
            if owner is not None:
                step, output = owner
                named = f" '{output}'" if output else ""
                detail = f" (step '{step}' wrote nothing to its output{named})"
            raise StepError(f"{what}: no objects at {uri}: the prefix is empty{detail}")
        return count

    def _shared_siblings(self, uri: str, target: str) -> list[Located]:
        """The shared tree's files and folders whose keys extend the last name of ``uri``.

        ``s3://b/d/p`` finds ``<root>/s3/b/d/p-other/`` and ``p.csv`` (not ``p/``, which
        ``locate`` finds), each only where no output or mapping stands for its URI.
        """
        if uri.endswith("/") or "/" not in target.removeprefix("s3://"):
            return []  # a folder's URI, or a bare bucket: nothing extends its last name
        folder, _, name = target.rpartition("/")
        bucket, key = split_s3_uri(folder)
        parent = self.s3_root / bucket / key
        if not parent.is_dir():
            return []
        found = []
        for path in sorted(parent.iterdir()):
            sibling = f"{folder}/{path.name}"
            if path.name == name or not path.name.startswith(name):
                continue
            if any(
                under(sibling, entry.prefix) is not None or under(entry.prefix, sibling) is not None
                for entry in (*self._outputs, *self._mappings)
            ):
                continue  # copied as an output or a mapping, or shadowed by one
            located = _existing(sibling, path, "the local S3 tree")
            if located is not None:
                found.append(replace(located, key=self._default_key(sibling)))
        return found

    def _authorize_objects(self, located: Located, what: str) -> None:
        """Check the read of the objects ``located`` holds (its prefix already listed)."""
        if self._reader is None:
            return
        if located.kind == "dir":
            self._reader.read_tree(located.uri, located.path, what, located.key)
        else:
            self._reader.read(located.uri, what, located.key)

    def missing_hint(self, uri: str) -> str:
        shared = self.shared_path(uri)
        owner = self.owner(uri)
        if owner is not None:
            return f" (inside the outputs of step '{owner[0]}', which has no such object)"
        # A mapping whose local path is gone: a relative path read from another working
        # directory (a notebook's %cd) or a folder not written yet. "Map the prefix" would
        # send the user to the mapping they already have.
        gone = [
            entry
            for entry in self._mappings
            if under(normalize_s3_uri(uri), entry.prefix) is not None and not entry.path.exists()
        ]
        if gone:
            return "".join(f" ({entry.origin}, which does not exist)" for entry in gone)
        near = "".join(
            f"; the mapped prefix {entry.prefix} ({entry.origin}) is close: a typo?"
            for entry in self._near_mappings(uri)
        )
        return (
            f" (put it at {shared} or map the prefix to a local path: "
            f"smpipe run --s3-map {uri}=PATH, ResourceMap(s3={{…}}){near})"
        )

    def _near_mappings(self, uri: str) -> list[_Entry]:
        """Mapped prefixes that nearly cover ``uri``: a typo in the bucket or a folder."""
        import difflib  # only when an input is missing

        target = uri.rstrip("/")
        near = []
        for entry in self._mappings:
            prefix = entry.prefix.rstrip("/")
            # Compare with as many of the URI's segments as the prefix has.
            head = "/".join(target.split("/")[: prefix.count("/") + 1])
            if head != prefix and difflib.SequenceMatcher(None, head, prefix).ratio() >= 0.8:
                near.append(entry)
        return near


def _extends(prefix: str, uri: str, target: str) -> bool:
    """Whether ``prefix`` continues the last name of ``uri`` (normalized: ``target``).

    ``s3://b/p/evaluation_report`` continues ``s3://b/p/evaluation``; nothing continues
    ``s3://b/p/evaluation/`` (a trailing slash ends the name) nor a bare bucket.
    """
    return (
        not uri.endswith("/")
        and "/" in target.removeprefix("s3://")
        and prefix.startswith(target)
        and len(prefix) > len(target)
        and prefix[len(target)] != "/"
    )


def load_snapshot(directory: Path) -> dict[str, Any]:
    """Every saved step of an execution directory, as ``StepStore.snapshot`` returns it."""
    snapshot: dict[str, Any] = {"Properties": {}, "Outputs": {}, "Keys": {}}
    folder = directory / "store"
    if not folder.is_dir():
        return snapshot
    for file in folder.glob("*.json"):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if data.get("Properties") is not None:
            snapshot["Properties"][file.stem] = data["Properties"]
            snapshot["Outputs"][file.stem] = data.get("Outputs") or {}
            snapshot["Keys"][file.stem] = data.get("Keys") or {}
    return snapshot


def _keys_json(keys: Mapping[str, ObjectKey]) -> dict[str, Any]:
    return {uri: key.to_json() for uri, key in keys.items()}


def _is_archive(path: Path) -> bool:
    """Whether the file is (or is named as) an archive: ``.tar.gz``, gzip or tar content."""
    if path.name.endswith(".tar.gz"):
        return True
    with path.open("rb") as handle:
        if handle.read(2) == b"\x1f\x8b":
            return True
    return tarfile.is_tarfile(path)


def _existing(uri: str, path: Path, origin: str) -> Located | None:
    if path.is_file():
        if uri.endswith(".tar.gz") and not _is_archive(path):
            # A file mapped to an archive's URI (StaticBinder.uploads maps training code so):
            # the file packed, as a directory mapped there is. An archive already (named
            # .tar.gz, or gzip or tar content whatever its name: model.tgz) is served as it
            # is, broken or not, as S3 would serve it.
            return Located(uri, "archive", path, origin)
        return Located(uri, "file", path, origin)
    if path.is_dir():
        # An object key ending .tar.gz mapped to a folder (--s3-map s3://b/code.tar.gz=src):
        # the folder packed, as its name next to a code.tar.gz would be.
        return Located(uri, "archive" if uri.endswith(".tar.gz") else "dir", path, origin)
    if uri.endswith(".tar.gz"):
        packed = path.with_name(path.name[: -len(".tar.gz")])
        if packed.exists():
            return Located(uri, "archive", packed, origin)
    return None


def _copy_located(located: Located, destination: Path, what: str) -> int:
    destination.mkdir(parents=True, exist_ok=True)
    if located.kind == "dir":
        return copy_tree(located.path, destination, what)
    name = located.uri.rsplit("/", 1)[-1]
    if located.kind == "file":
        shutil.copyfile(located.path, destination / name)
    else:
        write_archive(located.path, destination / name, what)
    return 1


def tree_files(
    root: Path, what: str, skip: Callable[[str], bool] | None = None
) -> Iterator[tuple[str, Path]]:
    """Each file under ``root`` as ``(path relative to root, path)``, symbolic links followed.

    The folders you map and the local S3 tree are yours, and a link in them stands for
    what it points at, as ``aws s3 sync`` uploads it: a linked folder's files are listed
    under the link's name (not skipped, which would leave a job without them). Each folder
    lists its files (by name), then its folders' (by name), as ``os.walk`` does. A link to
    a folder that holds it (a loop), a link that leads nowhere, and a named pipe, socket or
    device raise ``StepError`` naming ``what`` and the path. ``skip`` says which names are
    left out (``_code_files.is_skipped`` for code: caches and editors' files).

    Example::

        [relative for relative, _ in tree_files(Path("src"), "code")]  # ["train.py", "lib/util.py"]

    ``_code_files.folder_files`` does the listing, as for the CDK's archives and
    ``StaticBinder(content_addressed=True)``'s digest: a code folder runs here as it is
    deployed.
    """
    try:
        # Only code (skipped names left out) has a limit of files: data folders are yours.
        limit = MAX_CODE_FILES if skip is is_skipped else None
        for relative, path in folder_files(root, skip, limit):
            yield relative, Path(path)
    except FolderFilesError as error:
        raise _tree_error(error, what) from None


def _tree_error(error: FolderFilesError, what: str) -> StepError:
    """``folder_files``' refusal as the runner words it, naming ``what`` and the path."""
    path = error.path
    if error.kind == "unreadable-folder":
        return StepError(f"{what}: can't read the folder {path}: {error.reason}")
    if error.kind == "unreadable":
        return StepError(f"{what}: can't read {path}: {error.reason}")
    if error.kind == "dead":
        return StepError(
            f"{what}: {path} is a symbolic link to {error.target}, which leads "
            "nowhere (a broken link or a loop of links): remove it or mend it"
        )
    if error.kind == "loop":
        return StepError(
            f"{what}: {path} is a symbolic link to {error.target}, a folder "
            "that holds the link: following it would never end (a loop of links)"
        )
    if error.kind == "name":
        return StepError(
            f"{what}: {path!r} has a name that isn't UTF-8, which no S3 key can hold: rename it"
        )
    if error.kind == "too-many-files":
        return StepError(
            f"{what}: the code folder {path} holds more than {MAX_CODE_FILES:,} files: a code "
            "folder holds a job's scripts; move data, virtualenvs and the like out of it"
        )
    if error.kind == "fan-out":
        return StepError(
            f"{what}: {path} is reached through symbolic links more than {MAX_FOLDER_VISITS} "
            "times (links that fan out): link each shared folder in once"
        )
    return StepError(
        f"{what}: {path} is neither a file nor a folder (a named pipe, socket or "
        "device): S3 holds files only"
    )


def copy_tree(
    source: Path, destination: Path, what: str, skip: Callable[[str], bool] | None = None
) -> int:
    """Copy the files of ``source`` into ``destination``, links followed (``tree_files``).

    ``skip`` as for ``tree_files`` (``is_skipped`` for code, as its archives leave out).

    Returns how many files. Example::

        copy_tree(Path("src"), work / "code", "code")  # 2
    """
    count = 0
    for relative, path in tree_files(source, what, skip):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
    return count


def write_archive(source: Path, target: Path, what: str = "code") -> None:
    """Pack a file, or a directory's contents, into ``target`` (a ``.tar.gz``).

    The same entries as the CDK's code archives (``_code_files.write_code_tar``): the
    files ``tree_files`` lists, links followed (a loop or a link to nowhere raises
    ``StepError`` naming ``what``), no folders, owned by root (a step's ``tar -x`` runs as
    root in its namespace, where only the user's own id is mapped, and fails on any other
    owner), dated 1980, mode 0755 or 0644. Streamed to ``target``, never held whole in
    memory: a code folder can hold a model's weights by mistake.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        # Level 1: packed for this run only, where speed matters more than size.
        with gzip.GzipFile(target, mode="wb", compresslevel=1, mtime=0) as stream:
            write_code_tar(source, stream)
    except FolderFilesError as error:
        target.unlink(missing_ok=True)  # no half-written archive for a later read to find
        raise _tree_error(error, what) from None


def unpack_code(located: Located, destination: Path, what: str = "code") -> None:
    """Place code (a ``.tar.gz``, a packed-on-the-fly directory, or one file) in ``destination``.

    A directory's symbolic links are followed (``tree_files``, which names ``what`` when
    one loops or leads nowhere).
    """
    destination.mkdir(parents=True, exist_ok=True)
    if located.kind == "archive":
        source = located.path
        if source.is_dir():
            # Code: what its archive holds, so caches and editors' files stay out here too.
            copy_tree(source, destination, what, is_skipped)
        else:
            shutil.copyfile(source, destination / source.name)
        return
    if located.kind == "dir":
        copy_tree(located.path, destination, what, is_skipped)
        return
    if tarfile.is_tarfile(located.path):
        extract(located.path, destination)
    else:
        shutil.copyfile(located.path, destination / located.uri.rsplit("/", 1)[-1])


def extract(archive: Path, destination: Path) -> None:
    """Extract a ``.tar.gz`` safely (no absolute paths, links out or devices)."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            try:
                _extract_members(tar, archive, destination)
            except (
                tarfile.ReadError,
                EOFError,
                zlib.error,
                lzma.LZMAError,
                gzip.BadGzipFile,
            ) as error:
                # A cut-short download or copy opens fine and breaks mid-way.
                raise StepError(
                    f"{archive.name} is truncated or corrupt ({error}): pack it again "
                    f"(tar -czf {archive.name} -C DIRECTORY .)"
                ) from None
    except (tarfile.ReadError, tarfile.CompressionError):
        # tarfile.open's reason lists every compression it tried: not worth quoting.
        raise StepError(f"{archive.name} is not a readable tar archive (.tar.gz)") from None


def _extract_members(tar: tarfile.TarFile, archive: Path, destination: Path) -> None:
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4+
        try:
            tar.extractall(destination, filter="data")
        except tarfile.FilterError as error:  # an absolute path, a link out, a device
            raise StepError(f"{archive.name}: refusing to extract: {error}") from None
        return
    root = destination.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        unsafe = member.isdev() or not target.is_relative_to(root)
        if member.issym() or member.islnk():
            link = (target.parent / member.linkname).resolve()
            unsafe = unsafe or os.path.isabs(member.linkname) or not link.is_relative_to(root)
        if unsafe:
            raise StepError(f"{archive.name}: refusing to extract {member.name!r}")
    tar.extractall(destination)  # every member was checked above


def hash_located(located: Located, digest: Any, what: str = "code") -> None:
    """Feed a located object's content (files, in path order, links followed) into ``digest``."""
    path = located.path
    if path.is_file():
        digest.update(b"F")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return
    for relative, file in tree_files(path, what, skip=is_skipped):
        digest.update(relative.encode() + b"\0")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)


def read_text_tail(path: Path, lines: int = 20, limit: int = 4000) -> str:
    """The last ``lines`` lines of a text file (at most ``limit`` characters)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, io.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
