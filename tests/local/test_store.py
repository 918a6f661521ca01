"""The local S3 view: outputs, mappings and the shared tree; copies into a step."""

from __future__ import annotations

import random
import tarfile
from pathlib import Path

import pytest

from cdk_sagemaker_pipelines.local._errors import StepError
from cdk_sagemaker_pipelines.local.store import StepStore, extract, unpack_code


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


def test_fails_with_a_hint_when_nothing_is_there(tmp_path: Path) -> None:
    store = StepStore(tmp_path / "s3")
    with pytest.raises(
        StepError,
        match=r"input 'raw': no objects at s3://b/raw \(put it at .*/s3/b/raw or map the "
        r"prefix to a local path: smpipe run --s3-map s3://b/raw=PATH",
    ):
        store.materialize("s3://b/raw", tmp_path / "d", "input 'raw'")


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
