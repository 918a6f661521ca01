"""QualityCheck steps of a ``DATA_QUALITY`` check: the baseline computed here, then checked.

SageMaker runs the Model Monitor analyzer; locally ``local/data_quality.py`` computes
``statistics.json`` and ``constraints.json`` from the dataset and checks them against the
baseline, with the flags' documented semantics ("Baseline calculation, drift detection
and lifecycle with ClarifyCheck and QualityCheck steps", SageMaker guide):

====================  ==========  ==================================================
SkipCheck / Register  drift check  ``BaselineUsedForDriftCheck*``
====================  ==========  ==================================================
False / False         yes          the previous baseline (supplied, else the registry's)
False / True          yes          the calculated baseline
True / False          no           the previous baseline (supplied, else the registry's)
True / True           no           the calculated baseline
====================  ==========  ==================================================

``CalculatedBaseline*`` is always the calculated baseline. The previous baseline is the
step's ``SuppliedBaseline*``, else the ``DriftCheckBaselines.ModelDataQuality`` of the
latest ``Approved`` version of ``ModelPackageGroupName`` in the local registry; a drift
check, or ``RegisterNewBaseline`` False, without one fails the step ("the previous
baseline of the configured check type must be available").

Values given with ``--callback-output`` still stand in for the step (they take
precedence); model quality checks need them, as Clarify checks do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...definition.entries import StepSpec
from .. import data_quality
from .._errors import StepError
from ._base import StepContext, StepResult
from ._outputs import supplied
from .external import ExternalExecutor

CHECK_TYPE = "DATA_QUALITY"
# The SDK's name of the check's output (definition/steps/check.py).
QUALITY_OUTPUT_NAME = "quality_check_output"
STATISTICS = "statistics.json"
CONSTRAINTS = "constraints.json"
VIOLATIONS = "constraint_violations.json"


def runs_locally(step_type: str, entry: Mapping[str, Any]) -> bool:
    """True for a step the runner computes itself: a QualityCheck of ``DATA_QUALITY``.

    Example::

        runs_locally("QualityCheck", {"CheckType": "DATA_QUALITY"})  # True
    """
    return step_type == "QualityCheck" and entry.get("CheckType") == CHECK_TYPE


class QualityCheckExecutor:
    """Computes a data quality baseline and checks it; other check types need stand-ins.

    Example::

        QualityCheckExecutor().run(spec, ctx).properties["CalculatedBaselineStatistics"]
    """

    def run(self, step: StepSpec, ctx: StepContext) -> StepResult:
        """Run the check (or complete it from ``--callback-output`` values)."""
        if supplied(ctx.settings.external_outputs, step.name) is not None:
            return ExternalExecutor().run(step, ctx)
        if not runs_locally(step.step_type, step.entry):
            return ExternalExecutor().run(step, ctx)
        return _DataQualityRun(step, ctx).run()


class _DataQualityRun:
    def __init__(self, step: StepSpec, ctx: StepContext) -> None:
        self.step = step
        self.ctx = ctx
        self.arguments: Mapping[str, Any] = ctx.arguments or {}

    def flag(self, name: str, default: bool) -> bool:
        value = self.ctx.evaluator.resolve(self.step.entry.get(name, default))
        if isinstance(value, str):
            return value.strip().lower() == "true"
        return bool(value)

    def resolved(self, name: str) -> Any:
        return self.ctx.evaluator.resolve(self.step.entry.get(name))

    def run(self) -> StepResult:
        ctx = self.ctx
        skip_check = self.flag("SkipCheck", False)
        register_new = self.flag("RegisterNewBaseline", False)
        fail_on_violation = self.flag("FailOnViolation", True)
        environment = self.arguments.get("Environment") or {}
        for script in ("record_preprocessor_script", "post_analytics_processor_script"):
            if environment.get(script):
                raise StepError(
                    f"the local analyzer doesn't run a {script} (only the analyzer's image "
                    "does); supply the step's baselines instead: --callback-output "
                    f"{self.step.name}.CalculatedBaselineStatistics=s3://… (and "
                    "…CalculatedBaselineConstraints, …)"
                )
        try:
            dataset_format = json.loads(str(environment.get("dataset_format") or '{"csv": {}}'))
        except ValueError:
            raise StepError(
                f"Environment dataset_format is not JSON: {environment.get('dataset_format')!r}"
            ) from None
        source = self._dataset_input()
        folder = ctx.attempt_dir / "dataset"
        ctx.store.materialize(str(source["S3Uri"]), folder, "input 'baseline_dataset_input'")
        try:
            columns, count = data_quality.read_dataset(folder, dataset_format)
            statistics = data_quality.compute_statistics(columns, count)
        # OSError and EOFError: a .gz file that isn't gzip, or is cut short.
        except (data_quality.DatasetError, UnicodeDecodeError, OSError, EOFError) as error:
            raise StepError(f"ClientError: the baseline dataset: {error}") from None
        constraints = data_quality.suggest_constraints(statistics)

        output_uri = self._output_uri()
        target = ctx.staging / "outputs" / QUALITY_OUTPUT_NAME
        target.mkdir(parents=True, exist_ok=True)
        _write(target / STATISTICS, statistics)
        _write(target / CONSTRAINTS, constraints)
        calculated = {
            "Statistics": f"{output_uri}/{STATISTICS}",
            "Constraints": f"{output_uri}/{CONSTRAINTS}",
        }

        previous = self._previous_baseline()
        if not skip_check and previous.get("Constraints") is None:
            raise StepError(
                "ClientError: SkipCheck is False but there is no baseline to check against: "
                "supply one (supplied_baseline_constraints=…) or register a model version with "
                "DriftCheckBaselines.ModelDataQuality in "
                f"{self._group() or 'ModelPackageGroupName (none given)'} and approve it; on "
                "a first run, SkipCheck=True and RegisterNewBaseline=True"
            )
        if register_new:
            used = dict(calculated)
        else:
            missing = [kind for kind in ("Statistics", "Constraints") if kind not in previous]
            if missing:
                raise StepError(
                    "ClientError: RegisterNewBaseline is False, so the previous baseline's "
                    f"{' and '.join(kind.lower() for kind in missing)} must be available: "
                    "supply them (supplied_baseline_statistics=…, "
                    "supplied_baseline_constraints=…) or register and approve a model version "
                    f"with DriftCheckBaselines.ModelDataQuality in "
                    f"{self._group() or 'ModelPackageGroupName (none given)'}"
                )
            used = {kind: previous[kind][0] for kind in ("Statistics", "Constraints")}

        violation_report: str | None = None
        if not skip_check:
            uri, local = previous["Constraints"]
            baseline = _read_json(local, f"the baseline constraints {uri}")
            violations = data_quality.check_constraints(columns, count, baseline)
            if violations:
                _write(target / VIOLATIONS, {"violations": violations})
                violation_report = f"{output_uri}/{VIOLATIONS}"
                if fail_on_violation:
                    listed = "\n".join(
                        f"  {item['feature_name']}: {item['constraint_check_type']}: "
                        f"{item['description']}"
                        for item in violations
                    )
                    raise StepError(
                        f"ClientError: the data quality check found {len(violations)} "
                        f"violation(s) of the baseline constraints {uri}:\n{listed}"
                    )
        arn = ctx.arn("processing-job")
        properties = {
            "CalculatedBaselineStatistics": calculated["Statistics"],
            "CalculatedBaselineConstraints": calculated["Constraints"],
            "BaselineUsedForDriftCheckStatistics": used["Statistics"],
            "BaselineUsedForDriftCheckConstraints": used["Constraints"],
        }
        metadata = {
            "CheckType": CHECK_TYPE,
            **properties,
            "ModelPackageGroupName": self._group(),
            "ViolationReport": violation_report,
            "CheckJobArn": arn,
            "SkipCheck": skip_check,
            "RegisterNewBaseline": register_new,
        }
        return StepResult(
            properties=properties,
            outputs={output_uri: target},
            output_names={output_uri: QUALITY_OUTPUT_NAME},
            metadata={"QualityCheck": {k: v for k, v in metadata.items() if v is not None}},
        )

    def _dataset_input(self) -> Mapping[str, Any]:
        for item in self.arguments.get("ProcessingInputs") or []:
            source = item.get("S3Input") or {}
            if item.get("InputName") == "baseline_dataset_input" and source.get("S3Uri"):
                return source
        raise StepError("the check's request has no baseline_dataset_input with an S3Uri")

    def _output_uri(self) -> str:
        outputs = (self.arguments.get("ProcessingOutputConfig") or {}).get("Outputs") or []
        for item in outputs:
            uri = (item.get("S3Output") or {}).get("S3Uri")
            if isinstance(uri, str) and uri:
                self.ctx.store.check(uri, f"output '{item.get('OutputName')}'")
                return uri.rstrip("/")
        raise StepError("the check's request has no output with an S3Uri")

    def _group(self) -> str | None:
        group = self.resolved("ModelPackageGroupName")
        return str(group) if group else None

    def _previous_baseline(self) -> dict[str, tuple[str, Path]]:
        """Each previous baseline file (``Statistics``, ``Constraints``): its URI, local file.

        The supplied one wins (each file on its own), else the latest approved version's.
        """
        found: dict[str, tuple[str, Path]] = {}
        for kind in ("Statistics", "Constraints"):
            uri = self.resolved(f"SuppliedBaseline{kind}")
            if isinstance(uri, str) and uri:
                found[kind] = (uri, self.ctx.store.local_file(uri, f"SuppliedBaseline{kind}"))
        group = self._group()
        if group is None or len(found) == 2:
            return found
        package = self.ctx.registry.latest(group, "Approved")
        if package is None:
            return found
        baselines = (package.description.get("DriftCheckBaselines") or {}).get(
            "ModelDataQuality"
        ) or {}
        for kind in ("Statistics", "Constraints"):
            source = baselines.get(kind)
            if kind in found or not isinstance(source, Mapping) or not source.get("S3Uri"):
                continue
            local = source.get("LocalPath")
            path = Path(local) if local else self.ctx.store.local_file(str(source["S3Uri"]), kind)
            found[kind] = (str(source["S3Uri"]), path)
        return found


def _write(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def _read_json(path: Path, what: str) -> Mapping[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StepError(f"ClientError: can't read {what}: {error}") from None
    if not isinstance(document, Mapping):
        raise StepError(f"ClientError: {what} is not a JSON object")
    return document
