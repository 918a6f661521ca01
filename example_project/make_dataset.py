"""Write ``data/breast_cancer.csv`` from the dataset bundled with scikit-learn (no download).

Run ``python -m example_project.make_dataset``; the CSV is committed so synth needs no
scikit-learn. Columns: ``target`` first, then the 30 features.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.datasets import load_breast_cancer

DATASET = Path(__file__).resolve().parent / "data" / "breast_cancer.csv"


def main() -> None:
    """Write the CSV."""
    bunch = load_breast_cancer()
    names = ["target", *(name.replace(" ", "_") for name in bunch.feature_names)]
    DATASET.parent.mkdir(parents=True, exist_ok=True)
    with DATASET.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for features, target in zip(bunch.data, bunch.target, strict=True):
            writer.writerow([int(target), *(f"{value:.6g}" for value in features)])


if __name__ == "__main__":
    main()
