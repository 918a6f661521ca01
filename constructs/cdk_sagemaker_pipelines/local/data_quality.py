"""A data quality baseline and drift check, computed locally with the standard library.

Stands in for the Model Monitor analyzer of a ``DATA_QUALITY`` QualityCheck step. The
files follow Model Monitor's documented schemas ("Schema for Statistics (statistics.json
file)", "Schema for Constraints (constraints.json file)", "Schema for Violations
(constraint_violations.json file)"). Exact: ``dataset.item_count``, each feature's
``num_present``/``num_missing``, ``sum``, ``mean``, ``min``, ``max``, ``std_dev``
(population, as Deequ computes it), a string feature's ``distinct_count`` and its
categorical buckets. Left out: ``distribution.kll`` sketches (and so the
``baseline_drift_check`` distribution comparison). Approximated: type inference (every
present value parses as a whole number: Integral; as a number: Fractional; else String),
domains (listed for a string feature of at most ``DOMAIN_LIMIT`` distinct values).

Example::

    features, count = read_dataset(folder, {"csv": {"header": True}})
    statistics = compute_statistics(features, count)
    constraints = suggest_constraints(statistics)
    violations = check_constraints(features, count, baseline_constraints)
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

# A string feature with at most this many distinct values gets a domain constraint.
DOMAIN_LIMIT = 20
# monitoring_config's documented defaults.
MONITORING_CONFIG: dict[str, Any] = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 0.1,
    "domain_content_threshold": 0.1,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    },
}


class DatasetError(ValueError):
    """A dataset the local analyzer can't read (the message says why)."""


@dataclass
class Column:
    """One feature's values as read: text (CSV) or JSON values; ``None`` when missing."""

    name: str
    values: list[Any] = field(default_factory=list)


def read_dataset(folder: Path, dataset_format: Mapping[str, Any]) -> tuple[list[Column], int]:
    """The features of every file under ``folder`` (sorted by path) and the record count.

    ``dataset_format`` is the analyzer's ``dataset_format`` environment value, parsed:
    ``{"csv": {"header": true}}`` or ``{"json": {"lines": true}}``. Without a header,
    columns are named ``_c0``, ``_c1``, … as Spark names them (and the SDK's attributes
    read them). Raises ``DatasetError`` for Parquet, JSON that isn't JSON lines, or ragged
    rows.

    Example::

        columns, count = read_dataset(Path("data/train"), {"csv": {"header": False}})
    """
    # Hadoop's input formats, which the analyzer's Spark reads with, skip names starting
    # with "_" or "." (_SUCCESS, .crc checksums, .DS_Store): so does the local analyzer.
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.startswith(("_", ".")) for part in path.relative_to(folder).parts)
    )
    if not files:
        raise DatasetError(f"the dataset ({folder}) holds no file")
    if "csv" in dataset_format:
        header = bool((dataset_format.get("csv") or {}).get("header", True))
        return _read_csv(files, header)
    if "json" in dataset_format:
        if not (dataset_format.get("json") or {}).get("lines", True):
            raise DatasetError(
                "the local analyzer reads JSON lines only (DatasetFormat.json(lines=True))"
            )
        return _read_json_lines(files)
    kinds = ", ".join(dataset_format) or "none"
    raise DatasetError(
        f"the local analyzer reads CSV and JSON lines, not {kinds} (Parquet would need a "
        "library the runner doesn't depend on)"
    )


def _read_csv(files: Sequence[Path], header: bool) -> tuple[list[Column], int]:
    columns: list[Column] = []
    count = 0
    for path in files:
        with _open_text(path) as handle:
            rows = [row for row in csv.reader(handle) if row]
        if header and rows:
            names, rows = rows[0], rows[1:]
            if not columns:
                columns = [Column(name.strip()) for name in names]
            elif [column.name for column in columns] != [name.strip() for name in names]:
                raise DatasetError(f"{path.name}: its header differs from the first file's")
        for line, row in enumerate(rows, start=2 if header else 1):
            if not columns:
                columns = [Column(f"_c{index}") for index in range(len(row))]
            if len(row) != len(columns):
                raise DatasetError(
                    f"{path.name} line {line}: {len(row)} values, {len(columns)} columns"
                )
            for column, value in zip(columns, row, strict=True):
                column.values.append(value if value.strip() else None)
            count += 1
    return columns, count


def _read_json_lines(files: Sequence[Path]) -> tuple[list[Column], int]:
    records: list[Mapping[str, Any]] = []
    for path in files:
        with _open_text(path) as handle:
            lines = handle.read().splitlines()
        for line, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                raise DatasetError(f"{path.name} line {line}: not JSON ({error})") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{path.name} line {line}: not a JSON object")
            records.append(record)
    # A key any record has is a feature; a record without it is missing the value.
    names = list(dict.fromkeys(key for record in records for key in record))
    columns = [Column(name, [record.get(name) for record in records]) for name in names]
    return columns, len(records)


def _open_text(path: Path) -> IO[str]:
    """``path`` as text: gunzipped when it ends in ``.gz`` (as Spark reads it), BOM dropped.

    A byte order mark (a spreadsheet's CSV export) would otherwise become part of the
    first feature's name, which then matches no baseline's.
    """
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


# Numbers as the analyzer's type inference reads them: ASCII digits, an optional sign,
# fraction and exponent. Python's float() also takes "nan", "inf", "1_000" and non-ASCII
# digits, which the analyzer counts as strings.
_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_INTEGER_TEXT = re.compile(r"[+-]?\d+", re.ASCII)


def _number(value: Any) -> float | None:
    """``value`` as a finite number, or None (a JSON boolean is not a number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # a JSON integer beyond a double's range
            return None
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        number = float(value)
    else:
        return None
    return number if math.isfinite(number) else None


def _kind(value: Any) -> str:
    """``Integral``, ``Fractional`` or ``String``: the narrowest type of one value."""
    number = _number(value)
    if number is None:
        return "String"
    if isinstance(value, int) or (isinstance(value, str) and _is_integer_text(value)):
        return "Integral"
    return "Fractional"


def _is_integer_text(text: str) -> bool:
    return _INTEGER_TEXT.fullmatch(text.strip()) is not None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def infer_type(values: Sequence[Any]) -> str:
    """The type of a feature's present values, ``Unknown`` when none is present."""
    kinds = {_kind(value) for value in values if value is not None}
    if not kinds:
        return "Unknown"
    if kinds == {"Integral"}:
        return "Integral"
    if kinds <= {"Integral", "Fractional"}:
        return "Fractional"
    return "String"


def compute_statistics(columns: Sequence[Column], item_count: int) -> dict[str, Any]:
    """``statistics.json`` of the columns (see the module's note on what is exact).

    Example::

        compute_statistics([Column("age", ["31", None])], 2)["features"][0]["inferred_type"]
        # 'Integral'
    """
    features = []
    for column in columns:
        present = [value for value in column.values if value is not None]
        common = {"num_present": len(present), "num_missing": item_count - len(present)}
        kind = infer_type(present)
        feature: dict[str, Any] = {"name": column.name, "inferred_type": kind}
        if kind in ("Integral", "Fractional"):
            numbers = [n for n in (_number(value) for value in present) if n is not None]
            total, mean, std_dev = _moments(column.name, numbers)
            feature["numerical_statistics"] = {
                "common": common,
                "mean": mean,
                "sum": total,
                "std_dev": std_dev,
                "min": min(numbers),
                "max": max(numbers),
            }
        else:
            counts = Counter(_text(value) for value in present)
            feature["string_statistics"] = {
                "common": common,
                "distinct_count": float(len(counts)),
                "distribution": {
                    "categorical": {
                        "buckets": [
                            {"value": value, "count": count}
                            for value, count in sorted(counts.items())
                        ]
                    }
                },
            }
        features.append(feature)
    return {"version": 0.0, "dataset": {"item_count": item_count}, "features": features}


def _moments(name: str, numbers: Sequence[float]) -> tuple[float, float, float]:
    """Sum, mean and population standard deviation of ``numbers`` (not empty)."""
    try:
        total = math.fsum(numbers)
    except OverflowError:
        # JSON has no infinity to write: say so rather than fail with a traceback.
        raise DatasetError(
            f"feature '{name}': the sum of its values is beyond a double's range"
        ) from None
    mean = total / len(numbers)
    try:
        variance = math.fsum((n - mean) ** 2 for n in numbers) / len(numbers)
        return total, mean, math.sqrt(variance)
    except OverflowError:
        # Squares of large values overflow where the deviation itself doesn't: scale first.
        scale = max(abs(n) for n in numbers)
        scaled = math.fsum((n / scale - mean / scale) ** 2 for n in numbers) / len(numbers)
        return total, mean, scale * math.sqrt(scaled)


def suggest_constraints(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """``constraints.json`` suggested from ``statistics``, as the analyzer's baseline does.

    Example::

        suggest_constraints(statistics)["features"][0]["completeness"]  # 1.0
    """
    item_count = statistics["dataset"]["item_count"]
    features = []
    for feature in statistics["features"]:
        kind = feature["inferred_type"]
        numeric = feature.get("numerical_statistics")
        stats = numeric or feature.get("string_statistics") or {}
        present = stats.get("common", {}).get("num_present", 0)
        constraint: dict[str, Any] = {
            "name": feature["name"],
            "inferred_type": kind,
            "completeness": present / item_count if item_count else 0.0,
        }
        if numeric is not None:
            constraint["num_constraints"] = {"is_non_negative": numeric["min"] >= 0}
        else:
            buckets = stats.get("distribution", {}).get("categorical", {}).get("buckets", [])
            if 0 < len(buckets) <= DOMAIN_LIMIT:
                constraint["string_constraints"] = {
                    "domains": [bucket["value"] for bucket in buckets]
                }
        features.append(constraint)
    return {"version": 0.0, "features": features, "monitoring_config": dict(MONITORING_CONFIG)}


def check_constraints(
    columns: Sequence[Column], item_count: int, constraints: Mapping[str, Any]
) -> list[dict[str, str]]:
    """The violations of ``constraints`` by the dataset, as ``constraint_violations.json`` lists.

    Checks columns (missing, extra), completeness, type (the share of values not of the
    baseline's type above ``datatype_check_threshold``), ``is_non_negative`` (any negative
    value) and domains (the share of values outside them above ``domain_content_threshold``).
    Not the ``baseline_drift_check``: it compares KLL distributions, which aren't computed.

    Example::

        check_constraints(columns, 3, constraints)
        # [{'feature_name': 'age', 'constraint_check_type': 'completeness_check', …}]
    """
    config = {**MONITORING_CONFIG, **(constraints.get("monitoring_config") or {})}
    type_threshold = float(config.get("datatype_check_threshold", 0.1))
    domain_threshold = float(config.get("domain_content_threshold", 0.1))
    by_name = {column.name: column for column in columns}
    expected = [item for item in constraints.get("features") or [] if isinstance(item, Mapping)]
    violations: list[dict[str, str]] = []

    def flag(name: str, kind: str, description: str) -> None:
        violations.append(
            {"feature_name": name, "constraint_check_type": kind, "description": description}
        )

    known = {str(item.get("name")) for item in expected}
    for item in expected:
        name = str(item.get("name"))
        column = by_name.get(name)
        if column is None:
            flag(name, "missing_column_check", f"the dataset has no feature '{name}'")
            continue
        present = [value for value in column.values if value is not None]
        completeness = len(present) / item_count if item_count else 0.0
        wanted = item.get("completeness")
        if isinstance(wanted, (int, float)) and completeness < float(wanted):
            flag(
                name,
                "completeness_check",
                f"completeness {completeness:.4g} is below the baseline's {float(wanted):.4g}",
            )
        kind = item.get("inferred_type")
        if kind in ("Integral", "Fractional") and present:
            allowed = {"Integral"} if kind == "Integral" else {"Integral", "Fractional"}
            off = sum(1 for value in present if _kind(value) not in allowed)
            if off / len(present) > type_threshold:
                flag(
                    name,
                    "data_type_check",
                    f"{off} of {len(present)} values are not {kind} (above the "
                    f"datatype_check_threshold {type_threshold:g})",
                )
        numeric = item.get("num_constraints") or {}
        if numeric.get("is_non_negative"):
            negative = [n for n in (_number(value) for value in present) if n is not None and n < 0]
            if negative:
                flag(
                    name,
                    "non_negative_check",
                    f"{len(negative)} negative values (min {min(negative):g}) where the "
                    "baseline has none",
                )
        domains = (item.get("string_constraints") or {}).get("domains")
        if isinstance(domains, list) and present:
            outside = [value for value in present if _text(value) not in set(domains)]
            if len(outside) / len(present) > domain_threshold:
                shown = ", ".join(sorted({repr(_text(value)) for value in outside})[:5])
                flag(
                    name,
                    "categorical_values_check",
                    f"{len(outside)} of {len(present)} values are outside the baseline's "
                    f"domain (above the domain_content_threshold {domain_threshold:g}): {shown}",
                )
    for column in columns:
        if column.name not in known:
            flag(column.name, "extra_column_check", "the baseline has no such feature")
    return violations
