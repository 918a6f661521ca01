"""Split raw CSV data into train and test sets (a SageMaker Processing script).

Reads every ``*.csv`` under the input folder (first column ``target``, a header row),
shuffles the rows and writes ``train/train.csv`` and ``test/test.csv``, and
``baseline/baseline.csv``: the training rows as the endpoint receives them (the features,
without the target and without a header row), for the data quality baseline that Model
Monitor compares the endpoint's captured requests with. Runs unchanged in SageMaker's
scikit-learn image and in the local runner; Python 3.8+.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys

import numpy as np

BASE = "/opt/ml/processing"


def read_csv_files(input_dir: str) -> tuple[str, np.ndarray]:
    files = sorted(glob.glob(os.path.join(input_dir, "**", "*.csv"), recursive=True))
    if not files:
        sys.exit(f"preprocess: no CSV files under {input_dir}")
    header: str | None = None
    blocks = []
    for path in files:
        with open(path) as handle:
            first = handle.readline().strip()
        if header is None:
            header = first
        elif first != header:
            sys.exit(f"preprocess: {path} has different columns than {files[0]}")
        blocks.append(np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2))
    assert header is not None
    return header, np.vstack(blocks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--input-dir", default=os.path.join(BASE, "input"))
    parser.add_argument("--output-dir", default=BASE)
    args = parser.parse_args(argv)
    if not 0.0 < args.test_fraction < 1.0:
        sys.exit("preprocess: --test-fraction must be between 0 and 1")

    header, rows = read_csv_files(args.input_dir)
    order = np.random.default_rng(args.seed).permutation(len(rows))
    test_count = max(1, round(len(rows) * args.test_fraction))
    splits = {"test": rows[order[:test_count]], "train": rows[order[test_count:]]}
    for name, data in splits.items():
        folder = os.path.join(args.output_dir, name)
        os.makedirs(folder, exist_ok=True)
        np.savetxt(
            os.path.join(folder, f"{name}.csv"),
            data,
            delimiter=",",
            header=header,
            comments="",
            fmt="%.6g",
        )
        print(f"preprocess: wrote {len(data)} rows to {folder}")
    # What a client sends the endpoint (inference.py: CSV rows of the features, no header,
    # no target), so that the baseline's columns are the captured requests' columns: with
    # the target, or a header naming the columns, every capture would miss a column.
    folder = os.path.join(args.output_dir, "baseline")
    os.makedirs(folder, exist_ok=True)
    features = splits["train"][:, 1:]
    np.savetxt(os.path.join(folder, "baseline.csv"), features, delimiter=",", fmt="%.6g")
    print(f"preprocess: wrote {len(features)} rows of {features.shape[1]} features to {folder}")


if __name__ == "__main__":
    main()
