"""Serve the model (the SageMaker scikit-learn inference handler functions).

Accepts CSV rows of the 30 features (no header, no target) and returns one predicted
class per line. Used by real-time endpoints and batch transform. Python 3.8+.
"""

from __future__ import annotations

import io
import os
from typing import Any

import joblib
import numpy as np


def model_fn(model_dir: str) -> Any:
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def input_fn(request_body: str | bytes, content_type: str = "text/csv") -> np.ndarray:
    if content_type != "text/csv":
        raise ValueError(f"unsupported content type {content_type!r}; send text/csv")
    if isinstance(request_body, bytes):
        request_body = request_body.decode("utf-8")
    return np.loadtxt(io.StringIO(request_body), delimiter=",", ndmin=2)


def predict_fn(features: np.ndarray, model: Any) -> np.ndarray:
    predictions: np.ndarray = model.predict(features)
    return predictions


def output_fn(prediction: np.ndarray, accept: str = "text/csv") -> str:
    if accept not in ("text/csv", "*/*"):
        raise ValueError(f"unsupported accept type {accept!r}; accept text/csv")
    return "\n".join(str(int(value)) for value in prediction) + "\n"
