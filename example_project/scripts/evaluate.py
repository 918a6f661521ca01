"""Evaluate the trained model on the test set (a SageMaker Processing script).

Unpacks ``model.tar.gz``, scores ``test.csv`` and writes ``evaluation.json``:
``{"metrics": {"accuracy": {"value": …}, "precision": …, "recall": …, "f1": …}}``,
the property file the pipeline's condition reads. Python 3.8+.
"""

from __future__ import annotations

import argparse
import json
import os
import tarfile
import tempfile

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score

BASE = "/opt/ml/processing"


def _extract_all(archive: tarfile.TarFile, destination: str) -> None:
    """Extract with the ``"data"`` filter where the image's Python has it.

    Python 3.12+ warns (DeprecationWarning, in the step's log) when no filter is given and
    3.14 makes ``"data"`` the default; older patch versions (before 3.8.17, 3.9.17,
    3.10.12, 3.11.4), as the sklearn image may run, have no ``filter`` parameter at all.
    """
    if hasattr(tarfile, "data_filter"):
        archive.extractall(destination, filter="data")
    else:
        archive.extractall(destination)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", default=os.path.join(BASE, "model"))
    parser.add_argument("--test-dir", default=os.path.join(BASE, "test"))
    parser.add_argument("--output-dir", default=os.path.join(BASE, "evaluation"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as unpacked:
        with tarfile.open(os.path.join(args.model_dir, "model.tar.gz")) as archive:
            _extract_all(archive, unpacked)
        model = joblib.load(os.path.join(unpacked, "model.joblib"))

    data = np.loadtxt(os.path.join(args.test_dir, "test.csv"), delimiter=",", skiprows=1, ndmin=2)
    features, target = data[:, 1:], data[:, 0].astype(int)
    predicted = model.predict(features)
    metrics = {
        "accuracy": accuracy_score(target, predicted),
        "precision": precision_score(target, predicted, zero_division=0),
        "recall": recall_score(target, predicted, zero_division=0),
        "f1": f1_score(target, predicted, zero_division=0),
    }
    report = {
        "metrics": {name: {"value": round(float(value), 6)} for name, value in metrics.items()}
    }
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "evaluation.json"), "w") as handle:
        json.dump(report, handle, indent=2)
    print("evaluate: " + ", ".join(f"{name}={value:.4f}" for name, value in metrics.items()))


if __name__ == "__main__":
    main()
