"""The local S3 view: outputs, mappings and the shared tree; copies into a step."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import random
import tarfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_sagemaker_pipelines._code_files import is_skipped, write_code_tar
from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.store import (
    Located,
    StepStore,
    extract,
    hash_located,
    tree_files,
    unpack_code,
    write_archive,
)
from tests.conftest import extract_all


def make(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_outputs_win_over_mappings_which_win_over_the_shared_tree(tmp_path: Path) -> None:
    make(tmp_path / "s3/b/data/a.csv", "shared")
    make(tmp_path / "mapped/a.csv", "mapped")
    make(tmp_path / "out/a.csv", "output")
    store = StepStore(tmp_path / "s3", [("s3://b/data", tmp_path / "mapped")])
    assert store.locate("s3://b/data/a.csv").path.read_text() == "mapped"  # type: ignore[union-attr]
    store.record("Prep", {}, {"s3://b/data/": tmp_path / "out"})
    located = store.locate("s3://b/data/a.csv")
    assert located is not None
    assert (located.path.read_text(), located.origin) == ("output", "output of step 'Prep'")
    assert store.locate("s3://b/other") is None


def test_materialize_copies_prefixes_and_objects_and_merges_outputs_below(
    tmp_path: Path,
) -> None:
    make(tmp_path / "s3/b/raw/one.csv")
    make(tmp_path / "out/two.csv")
    store = StepStore(tmp_path / "s3")
    store.record("Prep", {}, {"s3://b/raw/more": tmp_path / "out"})
    destination = tmp_path / "dest"
    assert store.materialize("s3://b/raw/", destination, "input 'raw'") == 2
    assert sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*.csv")) == [
        "more/two.csv",
        "one.csv",
    ]
    store.materialize("s3://b/raw/one.csv", tmp_path / "single", "input")
    assert (tmp_path / "single/one.csv").exists()


def test_materialize_reads_every_key_starting_with_the_uri_as_sagemaker_does(
    tmp_path: Path,
) -> None:
    # SageMaker's S3Prefix: a reader of output "evaluation" also gets "evaluation_report"
    # and a file "evaluation.json", by their full names (as SageMaker names a partial
    # match; aws/sagemaker-python-sdk#3612: its local mode's "_report", ".json" are wrong);
    # a trailing slash stops that.
    store = StepStore(tmp_path / "s3")
    store.record(
        "Evaluate",
        {},
        {
            "s3://b/p/evaluation": make(tmp_path / "out/evaluation/metrics.json").parent,
            "s3://b/p/evaluation_report": make(tmp_path / "out/report/r.json").parent,
            "s3://b/p/evaluation.json": make(tmp_path / "out/evaluation.json"),
            "s3://b/p/other": make(tmp_path / "out/other/o.json").parent,
        },
    )
    destination = tmp_path / "dest"
    assert store.materialize("s3://b/p/evaluation", destination, "input 'evaluation'") == 3
    assert sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*.json")) == [
        "evaluation.json",
        "evaluation_report/r.json",
        "metrics.json",
    ]
    folder = tmp_path / "folder"
    assert store.materialize("s3://b/p/evaluation/", folder, "input 'evaluation'") == 1


def test_materialize_of_one_object_also_gets_the_objects_its_key_starts(
    tmp_path: Path,
) -> None:
    # An S3Prefix read of …/model.tar.gz downloads …/model.tar.gz.sig too, by its name.
    store = StepStore(tmp_path / "s3", [("s3://b/m/model.tar.gz.sig", make(tmp_path / "sig"))])
    store.record("Train", {}, {"s3://b/m/model.tar.gz": make(tmp_path / "out/model.tar.gz")})
    destination = tmp_path / "dest"
    assert store.materialize("s3://b/m/model.tar.gz", destination, "input 'model'") == 2
    assert sorted(p.name for p in destination.iterdir()) == ["model.tar.gz", "model.tar.gz.sig"]


def test_materialize_reads_the_shared_tree_by_key_prefix_as_outputs_and_mappings(
    tmp_path: Path,
) -> None:
    # The shared tree holds p-other/ and p.csv next to p/: a read of s3://b/d/p gets all
    # three, as SageMaker would; s3://b/d/p/ only p/'s objects.
    make(tmp_path / "s3/b/d/p/in.csv")
    make(tmp_path / "s3/b/d/p-other/o.csv")
    make(tmp_path / "s3/b/d/p.csv")
    make(tmp_path / "s3/b/d/q.csv")
    store = StepStore(tmp_path / "s3")
    destination = tmp_path / "dest"
    assert store.materialize("s3://b/d/p", destination, "input 'p'") == 3
    assert sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*.csv")) == [
        "in.csv",
        "p-other/o.csv",
        "p.csv",
    ]
    assert store.materialize("s3://b/d/p/", tmp_path / "folder", "input 'p'") == 1


def test_fails_with_a_hint_when_nothing_is_there(tmp_path: Path) -> None:
    store = StepStore(tmp_path / "s3")
    with pytest.raises(
        StepError,
        match=r"input 'raw': no objects at s3://b/raw \(put it at .*/s3/b/raw or map the "
        r"prefix to a local path: smpipe run --s3-map s3://b/raw=PATH",
    ):
        store.materialize("s3://b/raw", tmp_path / "d", "input 'raw'")


def test_fails_naming_the_mapped_path_that_does_not_exist(tmp_path: Path) -> None:
    # A relative ResourceMap path read from another working directory (a notebook's %cd):
    # the input is mapped, so the hint names where it looked instead of "map the prefix".
    store = StepStore(tmp_path / "s3", [("s3://b/raw", tmp_path / "ml/data/raw")])
    with pytest.raises(StepError) as raised:
        store.materialize("s3://b/raw", tmp_path / "d", "input 'raw'")
    assert str(raised.value) == (
        f"input 'raw': no objects at s3://b/raw (mapped to {tmp_path / 'ml/data/raw'}, "
        "which does not exist)"
    )


def test_fails_naming_the_step_whose_output_is_empty(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    store = StepStore(tmp_path / "s3")
    store.record("Prep", {}, {"s3://b/p/train": tmp_path / "empty"}, {"s3://b/p/train": "train"})
    with pytest.raises(
        StepError,
        match=r"channel 'train': no objects at s3://b/p/train: the prefix is empty \(step "
        r"'Prep' wrote nothing to its output 'train'\)",
    ):
        store.materialize("s3://b/p/train", tmp_path / "d", "channel 'train'")


def test_a_missing_archive_is_packed_from_the_file_or_directory_beside_it(
    tmp_path: Path,
) -> None:
    make(tmp_path / "code/src/train.py", "print(1)")
    store = StepStore(tmp_path / "s3", [("s3://b/code", tmp_path / "code")])
    located = store.locate("s3://b/code/src.tar.gz")
    assert located is not None
    assert located.kind == "archive"
    store.materialize("s3://b/code/src.tar.gz", tmp_path / "in", "code")
    with tarfile.open(tmp_path / "in/src.tar.gz") as archive:
        assert archive.getnames() == ["train.py"]
    unpack_code(located, tmp_path / "unpacked")
    assert (tmp_path / "unpacked/train.py").read_text() == "print(1)"


def test_an_archive_uri_mapped_to_a_directory_is_the_directory_packed(tmp_path: Path) -> None:
    # --s3-map s3://b/code/train.tar.gz=src, as the missing-object hint suggests.
    make(tmp_path / "src/train.py", "print(1)")
    store = StepStore(tmp_path / "s3", [("s3://b/code/train.tar.gz", tmp_path / "src")])
    located = store.locate("s3://b/code/train.tar.gz")
    assert located is not None
    assert located.kind == "archive"
    assert store.materialize("s3://b/code/train.tar.gz", tmp_path / "in", "code") == 1
    with tarfile.open(tmp_path / "in/train.tar.gz") as archive:
        assert archive.getnames() == ["train.py"]


def test_an_archive_uri_mapped_to_a_file_packs_a_script_but_serves_an_archive_as_is(
    tmp_path: Path,
) -> None:
    # StaticBinder.uploads maps s3://…/train.py.tar.gz to train.py: the script packed. A
    # model.tgz mapped to s3://…/model.tar.gz is an archive already, whatever its name.
    make(tmp_path / "train.py", "print(1)")
    (tmp_path / "src").mkdir()
    make(tmp_path / "src/model.json", "{}")
    with tarfile.open(tmp_path / "model.tgz", "w:gz") as archive:
        archive.add(tmp_path / "src/model.json", arcname="model.json")
    store = StepStore(
        tmp_path / "s3",
        [
            ("s3://b/code/train.py.tar.gz", tmp_path / "train.py"),
            ("s3://b/models/model.tar.gz", tmp_path / "model.tgz"),
        ],
    )

    script = store.locate("s3://b/code/train.py.tar.gz")
    model = store.locate("s3://b/models/model.tar.gz")

    assert script is not None
    assert script.kind == "archive"
    assert model is not None
    assert model.kind == "file"
    store.materialize("s3://b/models/model.tar.gz", tmp_path / "in", "model")
    with tarfile.open(tmp_path / "in/model.tar.gz") as archive:
        assert archive.getnames() == ["model.json"]


def test_fails_to_extract_members_outside_the_destination(tmp_path: Path) -> None:
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as archive:
        payload = make(tmp_path / "payload.txt")
        archive.add(payload, arcname="../escaped.txt")
    with pytest.raises(StepError, match=r"evil\.tar\.gz: refusing to extract"):
        extract(evil, tmp_path / "out")
    assert not (tmp_path / "escaped.txt").exists()


@pytest.mark.parametrize("compressed", [True, False], ids=["tar.gz", "tar"])
def test_fails_to_extract_a_truncated_archive_naming_it(tmp_path: Path, compressed: bool) -> None:
    # A cut-short copy opens fine and breaks mid-way: gzip's EOFError, tar's ReadError.
    whole = tmp_path / "whole.tar.gz"
    with tarfile.open(whole, "w:gz") if compressed else tarfile.open(whole, "w") as archive:
        weights = tmp_path / "weights.bin"
        weights.write_bytes(random.Random(0).randbytes(40_000))  # incompressible
        archive.add(weights, arcname="weights.bin")
    truncated = tmp_path / "model.tar.gz"
    truncated.write_bytes(whole.read_bytes()[:2000])

    with pytest.raises(StepError) as raised:
        extract(truncated, tmp_path / "out")

    assert raised.value.reason.startswith("model.tar.gz is truncated or corrupt (")
    assert raised.value.reason.endswith("): pack it again (tar -czf model.tar.gz -C DIRECTORY .)")


# --- symbolic links in the folders you map: followed, as `aws s3 sync` uploads them ----------


def _mapped_with_linked_folder(tmp_path: Path) -> StepStore:
    make(tmp_path / "elsewhere/images/cat.png", "cat")
    make(tmp_path / "mapped/labels.csv", "cat,1")
    (tmp_path / "mapped/images").symlink_to(tmp_path / "elsewhere/images")
    return StepStore(tmp_path / "s3", [("s3://b/data", tmp_path / "mapped")])


def test_a_linked_folder_of_a_mapped_prefix_is_copied_with_its_files(tmp_path: Path) -> None:
    # A dataset folder linked into the mapped one was silently left out of the input.
    store = _mapped_with_linked_folder(tmp_path)
    destination = tmp_path / "input"

    assert store.materialize("s3://b/data", destination, "input 'raw'") == 2

    assert (destination / "images/cat.png").read_text() == "cat"
    assert not (destination / "images").is_symlink()


def test_a_linked_folder_counts_in_the_code_hash(tmp_path: Path) -> None:
    # The cache key hashes the code it runs: a change behind a link must miss the cache.
    store = _mapped_with_linked_folder(tmp_path)
    located = store.locate("s3://b/data")
    assert located is not None

    def digest() -> str:
        found = hashlib.sha256()
        hash_located(located, found, "code")
        return found.hexdigest()

    before = digest()
    (tmp_path / "elsewhere/images/cat.png").write_text("dog")

    assert digest() != before


def test_a_directory_packed_on_the_fly_holds_what_its_links_point_at(tmp_path: Path) -> None:
    make(tmp_path / "shared/util.py", "X = 1")
    make(tmp_path / "src/train.py", "import util")
    (tmp_path / "src/util.py").symlink_to(tmp_path / "shared/util.py")
    (tmp_path / "src/lib").symlink_to(tmp_path / "shared")
    store = StepStore(tmp_path / "s3", [("s3://b/code/src.tar.gz", tmp_path / "src")])
    store.materialize("s3://b/code/src.tar.gz", tmp_path / "in", "code")

    with tarfile.open(tmp_path / "in/src.tar.gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        assert members["util.py"].isfile()
        assert members["lib/util.py"].isfile()
        extract_all(archive, tmp_path / "out")
    assert (tmp_path / "out/lib/util.py").read_text() == "X = 1"


@pytest.mark.parametrize("use", ["materialize", "unpack_code", "hash", "archive"])
def test_a_loop_of_links_fails_naming_the_field_and_the_link(tmp_path: Path, use: str) -> None:
    # A link to a folder that holds it: copytree made nested copies until the path was too
    # long, then an internal error; the walk listing files skipped it without a word.
    make(tmp_path / "src/train.py", "print(1)")
    (tmp_path / "src/pkg").mkdir()
    (tmp_path / "src/pkg/again").symlink_to(tmp_path / "src")
    store = StepStore(tmp_path / "s3", [("s3://b/code", tmp_path / "src")])
    located = store.locate("s3://b/code")
    assert located is not None

    uses: dict[str, Callable[[], object]] = {
        "materialize": lambda: store.materialize("s3://b/code", tmp_path / "in", "code"),
        "unpack_code": lambda: unpack_code(located, tmp_path / "unpacked"),
        "hash": lambda: hash_located(located, hashlib.sha256(), "code"),
        "archive": lambda: write_archive(tmp_path / "src", tmp_path / "src.tar.gz"),
    }

    with pytest.raises(
        StepError, match=r"^code: .*/src/pkg/again is a symbolic link to .*/src, a folder that "
    ):
        uses[use]()


def test_a_broken_link_in_a_mapped_folder_fails_naming_it(tmp_path: Path) -> None:
    make(tmp_path / "mapped/a.csv")
    (tmp_path / "mapped/b.csv").symlink_to(tmp_path / "gone.csv")
    store = StepStore(tmp_path / "s3", [("s3://b/data", tmp_path / "mapped")])

    with pytest.raises(
        StepError,
        match=r"^input 'raw': .*/mapped/b.csv is a symbolic link to .*/gone.csv, which leads ",
    ):
        store.materialize("s3://b/data", tmp_path / "input", "input 'raw'")


def test_links_change_no_hash_of_a_folder_without_them(tmp_path: Path) -> None:
    # Following links must not change the cache keys of code folders that have none: the
    # files are hashed as before, each folder's files by name, then its folders'.
    make(tmp_path / "src/b.py", "b")
    make(tmp_path / "src/a/z.py", "z")
    make(tmp_path / "src/c.py", "c")
    make(tmp_path / "src/__pycache__/c.pyc", "cache")
    located = StepStore(tmp_path / "s3", [("s3://b/code", tmp_path / "src")]).locate("s3://b/code")
    assert located is not None
    expected = hashlib.sha256()
    for relative, text in (("b.py", "b"), ("c.py", "c"), ("a/z.py", "z")):
        expected.update(relative.encode() + b"\0" + text.encode())

    found = hashlib.sha256()
    hash_located(located, found, "code")

    assert found.hexdigest() == expected.hexdigest()


def test_an_unreadable_folder_of_a_mapped_prefix_fails_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.walk skipped a folder it couldn't list without a word: the step ran without its
    # files. (Denied through os.listdir: this machine's tests may run as root.)
    make(tmp_path / "mapped/private/a.csv")
    private = tmp_path / "mapped/private"
    listdir = os.listdir

    def denying(path: Any) -> list[str]:
        if Path(path) == private:
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", denying)
    store = StepStore(tmp_path / "s3", [("s3://b/data", tmp_path / "mapped")])

    with pytest.raises(
        StepError, match=r"^input 'raw': can't read the folder .*/private: Permission denied"
    ):
        store.materialize("s3://b/data", tmp_path / "input", "input 'raw'")


def test_editor_and_tool_files_are_neither_packed_nor_hashed(tmp_path: Path) -> None:
    # As in the archives the constructs deploy: saving a notebook or opening the folder in
    # an IDE changes neither the step's code nor its cache key, and Emacs' lock file (a link
    # to nowhere) doesn't fail the step.
    source = tmp_path / "src"
    make(source / "train.py", "print('train')")
    make(source / "requirements.txt", "numpy")

    def packed_and_hashed() -> tuple[list[str], str]:
        write_archive(source, tmp_path / "src.tar.gz")
        with tarfile.open(tmp_path / "src.tar.gz") as archive:
            names = sorted(archive.getnames())
        found = hashlib.sha256()
        hash_located(Located("s3://b/code/src.tar.gz", "archive", source, "test"), found, "code")
        return names, found.hexdigest()

    clean = packed_and_hashed()
    assert clean[0] == ["requirements.txt", "train.py"]
    make(source / ".ipynb_checkpoints/train-checkpoint.py", "old")
    make(source / ".vscode/settings.json", "{}")
    make(source / "__pycache__/train.cpython-311.pyc", "x")
    make(source / "train.py.swp", "x")
    make(source / ".DS_Store", "x")
    (source / ".#train.py").symlink_to(tmp_path / "no-such-file")

    assert packed_and_hashed() == clean


def test_reads_are_checked_against_the_key_each_object_is_encrypted_with(tmp_path: Path) -> None:
    from cdk_sagemaker_pipelines.local._errors import AccessDeniedError
    from cdk_sagemaker_pipelines.local.iam import AccessGuard, ObjectKey, RolePolicies, Statement

    output_key = ObjectKey("arn:aws:kms:us-east-1:1:key/Out", "the output key of step 'Prep'")
    bucket_key = ObjectKey("arn:aws:kms:us-east-1:1:key/Data", "the default key of bucket data")
    make(tmp_path / "mapped" / "rows.csv")
    make(tmp_path / "published" / "train.csv")
    store = StepStore(tmp_path / "s3", [("s3://data/curated", tmp_path / "mapped")])
    store.set_default_keys({"data": bucket_key})
    store.record(
        "Prep",
        {},
        {"s3://art/Prep/out": tmp_path / "published"},
        keys={"s3://art/Prep/out": output_key},
    )
    assert store.locate("s3://art/Prep/out/train.csv").key == output_key  # type: ignore[union-attr]
    assert store.locate("s3://data/curated/rows.csv").key == bucket_key  # type: ignore[union-attr]
    # The key is kept with the outputs: a resume or a reuse adopts it from the snapshot.
    adopted = StepStore(tmp_path / "s3")
    adopted.restore(store.snapshot(), ["Prep"], "this execution")
    assert adopted.step_keys == {"Prep": {"s3://art/Prep/out": output_key}}

    def reader(*keys: ObjectKey) -> StepStore:
        statements = [Statement("Allow", ("s3:*",), ("*",))]
        statements += [Statement("Allow", ("kms:Decrypt",), (key.arn,)) for key in keys]
        role = RolePolicies("arn:aws:iam::1:role/R", "R", tuple(statements))
        return adopted.for_reader(AccessGuard([role], "the job of step 'Train'", "aws"))

    reader(output_key).local_file("s3://art/Prep/out/train.csv", "input 'train'")
    with pytest.raises(AccessDeniedError, match="kms:Decrypt on arn:aws:kms:us-east-1:1:key/Out"):
        reader(bucket_key).local_file("s3://art/Prep/out/train.csv", "input 'train'")


def test_a_packed_code_folder_holds_what_its_cdk_archive_holds(tmp_path: Path) -> None:
    # It held folders (an empty one too), the files' own times and modes: an archive of
    # its own, not the one deployed.
    source = tmp_path / "src"
    make(source / "train.py")
    make(source / "run.sh")
    os.chmod(source / "run.sh", 0o775)
    os.chmod(source / "train.py", 0o664)
    (source / "empty").mkdir()
    os.utime(source / "train.py", (1, 1))
    write_archive(source, tmp_path / "code.tar.gz")
    with tarfile.open(tmp_path / "code.tar.gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
    assert list(members) == ["run.sh", "train.py"]
    assert {member.mode for member in members.values()} == {0o755, 0o644}
    assert {member.mtime for member in members.values()} == {315532800}
    first = (tmp_path / "code.tar.gz").read_bytes()
    os.utime(source / "train.py", (2, 2))
    write_archive(source, tmp_path / "code.tar.gz")
    assert (tmp_path / "code.tar.gz").read_bytes() == first


def test_a_file_is_packed_executable_by_its_owner_bit_whoever_packs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # os.access decided: yes for root on any execute bit, no on a noexec mount, so the
    # same checkout packed as root in CI and as its owner gave two asset hashes.
    make(tmp_path / "src/group_only.sh")
    make(tmp_path / "src/owner.sh")
    os.chmod(tmp_path / "src/group_only.sh", 0o654)
    os.chmod(tmp_path / "src/owner.sh", 0o744)
    packed = {}
    for name, allowed in (("root", True), ("noexec", False)):
        monkeypatch.setattr(os, "access", lambda path, mode, allowed=allowed, **_: allowed)
        write_archive(tmp_path / "src", tmp_path / f"{name}.tar.gz")
        with tarfile.open(tmp_path / f"{name}.tar.gz") as archive:
            assert {m.name: m.mode for m in archive.getmembers()} == {
                "group_only.sh": 0o644,
                "owner.sh": 0o755,
            }
        packed[name] = gzip.decompress((tmp_path / f"{name}.tar.gz").read_bytes())
    assert packed["root"] == packed["noexec"]


def test_a_large_code_file_is_streamed_into_its_archive(tmp_path: Path) -> None:
    # It was read whole, then the tar copied whole: a model's weights left in the code
    # folder by mistake took three times their size in memory.
    size = 32 * 1024 * 1024
    big = tmp_path / "src/weights.bin"
    big.parent.mkdir()
    with big.open("wb") as handle:
        handle.truncate(size)
    tracemalloc.start()
    try:
        write_archive(tmp_path / "src", tmp_path / "code.tar.gz")
        stream = io.BytesIO()  # the CDK's archive: the same writer
        with gzip.GzipFile(fileobj=stream, mode="wb", mtime=0) as compressed:
            write_code_tar(tmp_path / "src", compressed)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < size / 4
    with tarfile.open(tmp_path / "code.tar.gz") as archive:
        assert archive.getmember("weights.bin").size == size


def test_unpacked_code_leaves_out_what_its_archive_leaves_out(tmp_path: Path) -> None:
    # A folder mapped to a code URI was copied whole: caches a deployed job never sees.
    source = tmp_path / "src"
    make(source / "train.py")
    make(source / "__pycache__/train.cpython-311.pyc")
    make(source / ".DS_Store")
    for kind in ("dir", "archive"):
        destination = tmp_path / kind
        unpack_code(Located("s3://b/code/src", kind, source, "test"), destination)
        assert sorted(path.name for path in destination.rglob("*")) == ["train.py"]


@pytest.mark.parametrize("use", ["unpack_code", "hash", "archive"])
def test_a_code_name_that_isnt_utf8_is_refused_by_every_packer(tmp_path: Path, use: str) -> None:
    # The digest raised UnicodeEncodeError while the tar writer packed the name as it was.
    make(tmp_path / "src/train.py", "print(1)")
    with open(os.path.join(os.fsencode(tmp_path / "src"), b"\xff.py"), "wb"):
        pass
    store = StepStore(tmp_path / "s3", [("s3://b/code", tmp_path / "src")])
    located = store.locate("s3://b/code")
    assert located is not None
    uses: dict[str, Callable[[], object]] = {
        "unpack_code": lambda: unpack_code(located, tmp_path / "unpacked"),
        "hash": lambda: hash_located(located, hashlib.sha256(), "code"),
        "archive": lambda: write_archive(tmp_path / "src", tmp_path / "src.tar.gz"),
    }
    with pytest.raises(StepError, match=r"^code: '.*/src/\\udcff\.py' has a name that isn't UTF-8"):
        uses[use]()


def test_a_fan_out_of_links_is_refused_not_listed_for_minutes(tmp_path: Path) -> None:
    # Two links each to the next level: 2**levels copies of the last, and no loop to catch.
    root = tmp_path / "src"
    for level in range(9):
        (root / f"l{level}").mkdir(parents=True)
    make(root / "l8/leaf.py")
    for level in range(8):
        for link in ("a", "b"):
            (root / f"l{level}" / link).symlink_to(root / f"l{level + 1}")
    with pytest.raises(
        StepError, match=r"^code: .*/src/l0/a/.* is reached through symbolic links more than 64 "
    ):
        write_archive(root, tmp_path / "src.tar.gz")


def test_only_code_folders_have_a_limit_of_files(tmp_path: Path) -> None:
    for index in range(10_001):
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / f"{index}.csv").touch()
    assert len(list(tree_files(tmp_path / "data", "input 'raw'"))) == 10_001
    with pytest.raises(StepError, match=r"^code: the code folder .*/data holds more than 10,000 "):
        list(tree_files(tmp_path / "data", "code", is_skipped))
