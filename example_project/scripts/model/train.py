"""Train a random forest classifier (a SageMaker script-mode training script).

Reads ``train.csv`` from the ``train`` channel, fits the model, prints
``train_accuracy=<value>`` (picked up by the metric definition) and saves
``model.joblib`` into the model directory, with the serving script ``inference.py``
(found next to this one) under ``code/``. Python 3.8+, scikit-learn 1.2+.
"""

from __future__ import annotations

import argparse
import os
import shutil

import joblib
import numpy as np
from sklearn.ensemble import RandomForestClassifier


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-estimators", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=0, help="0 means unlimited")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")
    )
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    args = parser.parse_args(argv)

    data = np.loadtxt(os.path.join(args.train, "train.csv"), delimiter=",", skiprows=1, ndmin=2)
    features, target = data[:, 1:], data[:, 0].astype(int)
    model = RandomForestClassifier(
        n_estimators=args.n_estimators,
        max_depth=args.max_depth or None,
        random_state=args.seed,
    )
    model.fit(features, target)
    print(f"train_accuracy={model.score(features, target):.4f}")
    os.makedirs(args.model_dir, exist_ok=True)
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
    # The serving code travels inside model.tar.gz (code/), as the SageMaker SDK's repack
    # puts it: a registered version is then complete on its own, for accounts it is
    # shared with, behind network isolation, and for as long as the version exists.
    code_dir = os.path.join(args.model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    shutil.copyfile(os.path.join(here, "inference.py"), os.path.join(code_dir, "inference.py"))


if __name__ == "__main__":
    main()
