"""A file-based model registry: model package groups, versions, approval status, metrics.

Layout under ``<root>/registry``::

    <group>/group.json
    <group>/<version>/package.json     DescribeModelPackage-shaped
    <group>/<version>/model.tar.gz     copies, so a version outlives its execution
    <group>/<version>/code/…, metrics/…, drift-check-baselines/…

Versions are allocated by creating their directory (atomic), so concurrent executions
registering into one group get distinct versions.

Example::

    registry = ModelRegistry(Path(".smpipe"))
    latest = registry.latest("breast-cancer")
    registry.approve("breast-cancer", latest.version)
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import math
import os
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..definition._suggest import did_you_mean
from ._errors import LocalRunError
from ._paths import name_problem
from .store import copy_tree

APPROVAL_STATUSES = ("Approved", "Rejected", "PendingManualApproval")
ACCOUNT = "000000000000"
REGION = "local"


@dataclass(frozen=True, slots=True)
class ModelPackage:
    """One registered model version.

    Example::

        package = registry.get("breast-cancer", 1)
        package.approval_status, package.model_data, package.metrics["ModelQuality"]
    """

    group: str
    version: int
    directory: Path
    description: Mapping[str, Any]

    @property
    def arn(self) -> str:
        """``arn:aws:sagemaker:local:000000000000:model-package/<group>/<version>``."""
        return str(self.description["ModelPackageArn"])

    @property
    def approval_status(self) -> str:
        """``PendingManualApproval``, ``Approved`` or ``Rejected``."""
        return str(self.description["ModelApprovalStatus"])

    @property
    def model_data(self) -> Path | None:
        """The local copy of the first container's model data."""
        path = self.directory / "model.tar.gz"
        return path if path.exists() else None

    @property
    def metrics(self) -> dict[str, Any]:
        """``ModelMetrics`` with each report's local copy parsed when it is JSON.

        Example::

            package.metrics["ModelQuality"]["Statistics"]["metrics"]["accuracy"]["value"]
        """
        return self._reports("ModelMetrics")

    @property
    def drift_check_baselines(self) -> dict[str, Any]:
        """``DriftCheckBaselines`` with each file's local copy parsed when it is JSON.

        Example::

            package.drift_check_baselines["Bias"]["ConfigFile"]["label"]
        """
        return self._reports("DriftCheckBaselines")

    def _reports(self, member: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for kind, reports in (self.description.get(member) or {}).items():
            for report, source in (reports or {}).items():
                local = source.get("LocalPath") if isinstance(source, Mapping) else None
                value: Any = source
                if local and Path(local).is_file():
                    try:
                        value = json.loads(Path(local).read_text(encoding="utf-8"))
                    except ValueError:
                        value = Path(local).read_text(encoding="utf-8", errors="replace")
                found.setdefault(kind, {})[report] = value
        return found

    @property
    def created(self) -> str:
        """``CreationTime`` (ISO 8601)."""
        return str(self.description.get("CreationTime", ""))


class ModelRegistry:
    """The local model registry under ``<root>/registry``.

    Example::

        ModelRegistry(root).versions("breast-cancer")[-1].approval_status
    """

    def __init__(self, root: Path) -> None:
        self.directory = Path(root) / "registry"

    def groups(self) -> list[str]:
        """Names of the model package groups."""
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if (p / "group.json").exists())

    def versions(self, group: str) -> list[ModelPackage]:
        """The group's versions, oldest first."""
        folder = self._folder(group)
        if not folder.is_dir():
            return []
        packages = []
        for item in folder.iterdir():
            if item.name.isdigit() and (item / "package.json").exists():
                packages.append(self.get(group, int(item.name)))
        return sorted(packages, key=lambda package: package.version)

    def get(self, group: str, version: int) -> ModelPackage:
        """One version (raises ``LocalRunError`` if absent)."""
        self.check_group(group)
        folder = self.directory / group / str(version)
        path = folder / "package.json"
        try:
            description = json.loads(path.read_text(encoding="utf-8"))
        except OSError:
            known = ", ".join(str(p.version) for p in self.versions(group)) or "none"
            raise LocalRunError(
                f"model package group '{group}' has no version {version} (versions: {known})"
            ) from None
        except ValueError as error:
            raise LocalRunError(
                f"model package '{group}' version {version}: can't read {path}: {error}"
            ) from None
        if not isinstance(description, dict):
            raise LocalRunError(
                f"model package '{group}' version {version}: {path} is not a JSON object"
            )
        return ModelPackage(group, version, folder, description)

    def _folder(self, group: str) -> Path:
        """``<registry>/<group>`` (``LocalRunError`` for a name that would be another path)."""
        problem = name_problem(group)
        if problem is not None:
            raise LocalRunError(f"{group!r} is not a model package group name: {problem}")
        return self.directory / group

    def check_group(self, group: str) -> None:
        """Raise ``LocalRunError`` naming the known groups if ``group`` does not exist."""
        groups = self.groups()
        if group in groups:
            return
        hint = did_you_mean(group, groups)
        raise LocalRunError(
            f"no model package group '{group}' under {self.directory} "
            f"(groups: {', '.join(groups) or 'none'})" + (f"; {hint}" if hint else "")
        )

    def latest(self, group: str, approval_status: str | None = None) -> ModelPackage | None:
        """The newest version (optionally with ``approval_status``), or None."""
        versions = self.versions(group)
        if approval_status is not None:
            versions = [v for v in versions if v.approval_status == approval_status]
        return versions[-1] if versions else None

    def register(
        self,
        group: str,
        description: Mapping[str, Any],
        files: Mapping[str, Path],
        now: dt.datetime,
    ) -> ModelPackage:
        """Add a version; ``files`` maps names inside the version directory to sources."""
        group_folder = self._folder(group)
        group_folder.mkdir(parents=True, exist_ok=True)
        group_file = group_folder / "group.json"
        if not group_file.exists():
            _write_json(
                group_file,
                {
                    "ModelPackageGroupName": group,
                    "ModelPackageGroupArn": (
                        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{group}"
                    ),
                    "CreationTime": now.isoformat(),
                    "ModelPackageGroupStatus": "Completed",
                },
            )
        version = 1 + max((p.version for p in self.versions(group)), default=0)
        while True:
            folder = group_folder / str(version)
            try:
                folder.mkdir()
                break
            except FileExistsError:
                version += 1
        try:
            for name, source in files.items():
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    copy_tree(source, target, f"the registered version's {name}")
                else:
                    shutil.copyfile(source, target)
            record = dict(description)
            record.update(
                ModelPackageGroupName=group,
                ModelPackageVersion=version,
                ModelPackageArn=(
                    f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{group}/{version}"
                ),
                ModelPackageStatus="Completed",
                CreationTime=now.isoformat(),
                LastModifiedTime=now.isoformat(),
            )
            _write_json(folder / "package.json", _localize(record, folder))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return self.get(group, version)

    def approve(
        self,
        group: str,
        version: int,
        status: str = "Approved",
        description: str | None = None,
        by: str | None = None,
    ) -> ModelPackage:
        """Set a version's ``ModelApprovalStatus`` (as ``UpdateModelPackage`` does).

        The change is recorded as DescribeModelPackage shows one: ``LastModifiedTime``,
        ``LastModifiedBy`` (``{"UserProfileName": by}``; Default: the OS user) and
        ``ApprovalDescription``, which is this change's: a change without one drops the
        previous change's, which would otherwise read as the reason for this one.
        """
        if status not in APPROVAL_STATUSES:
            raise LocalRunError(
                f"approval status {status!r} must be one of {', '.join(APPROVAL_STATUSES)}"
            )
        if by is not None and (not by.strip() or not by.isprintable()):
            # An audit record: `--by "$APPROVER"` with the variable unset must not fall back
            # to the OS user (a CI runner's), and a control character would forge a line.
            raise LocalRunError(
                f"--by {by!r} must name who changes the status: printable text, not empty"
            )
        package = self.get(group, version)
        record = dict(package.description)
        record["ModelApprovalStatus"] = status
        record["LastModifiedTime"] = dt.datetime.now(dt.UTC).isoformat()
        record["LastModifiedBy"] = {"UserProfileName": by or _os_user()}
        record.pop("ApprovalDescription", None)
        if description is not None:
            record["ApprovalDescription"] = description
        _write_json(package.directory / "package.json", record)
        return self.get(group, version)


def _os_user() -> str:
    """Who runs this process, as the OS names them (``getpass.getuser``)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name nor passwd entry (some containers)
        return "unknown"


def package_json(package: ModelPackage) -> dict[str, Any]:
    """A version's record as ``smpipe registry show --json`` prints it.

    The DescribeModelPackage-shaped record, with every local copy as an absolute path
    (``LocalModelData``, ``LocalCode``, reports' ``LocalPath``) and the version's folder
    as ``LocalDirectory``.

    Example::

        package_json(registry.get("breast-cancer", 3))["InferenceSpecification"]
        # {"Containers": [{"ModelDataUrl": "s3://…/model.tar.gz",
        #                  "LocalModelData": "/…/.smpipe/registry/breast-cancer/3/model.tar.gz",
        #                  …}]}
    """
    record = json.loads(json.dumps(package.description, default=str))
    for container in (record.get("InferenceSpecification") or {}).get("Containers") or []:
        for member in ("LocalModelData", "LocalCode"):
            # Stored relative to the version's folder (it can be moved with its files).
            if isinstance(container.get(member), str):
                container[member] = str(package.directory / container[member])
    record["LocalDirectory"] = str(package.directory)
    result: dict[str, Any] = record
    return result


# The label column of `smpipe registry show`'s first block: its longest label, "Repository:".
_FIELD_WIDTH = len("Repository:")


def render_package_text(package: ModelPackage) -> str:
    """``smpipe registry show``: a version's status, files, reports and where it came from.

    Example output::

        breast-cancer v3: PendingManualApproval
          ARN:        arn:aws:sagemaker:local:000000000000:model-package/breast-cancer/3
          Created:    2024-05-01 10:12:03 UTC by execution p4jn9xou8a8s (smpipe show p4jn9xou8a8s)
          Commit:     4f1c2ab
          Repository: https://github.com/acme/churn
          Metadata:   input-data=s3://bucket/curated/
                      risk-tier=1
          Directory:  .smpipe/registry/breast-cancer/3
        Container 1: 246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-scikit-learn:1.2-1
          Model data: s3://bucket/pipelines-p4jn…/output/model.tar.gz
                      .smpipe/registry/breast-cancer/3/model.tar.gz
        Model metrics:
          ModelQuality Statistics: s3://bucket/evaluation/evaluation.json
                                   .smpipe/registry/breast-cancer/3/metrics/ModelQuality-Statistics.json
            accuracy=0.95
          Bias PostTrainingReport: s3://bucket/model-bias/analysis.json
                                   .smpipe/registry/breast-cancer/3/metrics/Bias-PostTrainingReport.json
            post-training, facet gender=0: DPPL=0.12, DI=0.85
        Drift check baselines: none
        Approve it: smpipe registry approve breast-cancer 3
    """
    from ._paths import shown_path
    from .progress import _model_quality_values

    record = package_json(package)
    metadata = record.get("MetadataProperties") or {}
    execution_arn = record.get("LocalExecutionArn") or metadata.get("GeneratedBy")

    def field(label: str, value: str) -> str:
        # One column for every label of the block, so the values line up.
        return f"  {f'{label}:' if label else '':<{_FIELD_WIDTH}} {value}"

    lines = [f"{package.group} v{package.version}: {package.approval_status}"]
    approval = _approval_text(record)
    if approval:
        lines.append(field("Approval", approval))
    lines.append(field("ARN", package.arn))
    created = package.created[:19].replace("T", " ")
    if isinstance(execution_arn, str) and execution_arn:
        execution = execution_arn.rsplit("/", 1)[-1]
        # A GeneratedBy the definition set (a CI run) is not a local execution: shown whole.
        if "/execution/" in execution_arn and ":pipeline/" in execution_arn:
            created += f" UTC by execution {execution} (smpipe show {execution})"
        else:
            created += f" UTC by {execution_arn}"
    else:
        created += " UTC"
    lines.append(field("Created", created))
    if metadata.get("CommitId"):
        lines.append(field("Commit", metadata["CommitId"]))
    # Where the version came from and what the pipeline recorded with it (the run's data,
    # parameters): what a reviewer asks of a version, so shown, not left to --json.
    for label, member in (("Repository", "Repository"), ("Project", "ProjectId")):
        if metadata.get(member):
            lines.append(field(label, _printable(metadata[member])))
    customer = record.get("CustomerMetadataProperties")
    pairs = sorted(customer.items()) if isinstance(customer, Mapping) else []
    for index, (key, value) in enumerate(pairs):
        label = "Metadata" if index == 0 else ""
        lines.append(field(label, f"{_printable(key)}={_printable(value)}"))
    lines.append(field("Directory", shown_path(package.directory)))
    containers = (record.get("InferenceSpecification") or {}).get("Containers") or []
    for index, container in enumerate(containers, start=1):
        lines.append(f"Container {index}: {container.get('Image', '(no image)')}")
        model_label, model_uri = "Model data", container.get("ModelDataUrl")
        source = container.get("ModelDataSource")
        if model_uri is None and isinstance(source, Mapping):
            # An uncompressed model (ModelData.uncompressed) names its S3 prefix here.
            s3_source = source.get("S3DataSource")
            if isinstance(s3_source, Mapping):
                model_label, model_uri = "Model data (uncompressed)", s3_source.get("S3Uri")
        for label, uri, local in (
            (model_label, model_uri, container.get("LocalModelData")),
            ("Code", None, container.get("LocalCode")),
        ):
            if uri is None and local is None:
                continue
            lines.extend(_located(f"  {label}: ", uri, local, shown_path))
    for title, member in (
        ("Model metrics", "ModelMetrics"),
        ("Drift check baselines", "DriftCheckBaselines"),
    ):
        reports = record.get(member) or {}
        if not reports:
            lines.append(f"{title}: none")
            continue
        lines.append(f"{title}:")
        parsed = package.metrics if member == "ModelMetrics" else {}
        for kind, named in reports.items():
            for report, source in (named or {}).items():
                source = source if isinstance(source, Mapping) else {}
                lines.extend(
                    _located(
                        f"  {kind} {report}: ",
                        source.get("S3Uri"),
                        source.get("LocalPath"),
                        shown_path,
                    )
                )
                document = parsed.get(kind, {}).get(report)
                values = _model_quality_values(document)
                if values:
                    lines.append("    " + ", ".join(f"{name}={value}" for name, value in values))
                lines.extend(f"    {line}" for line in _clarify_summary(document))
    if package.approval_status != "Approved":
        lines.append(f"Approve it: smpipe registry approve {package.group} {package.version}")
    return "\n".join(lines) + "\n"


def _approval_text(record: Mapping[str, Any]) -> str | None:
    """The last approval change: status, time, who (``smpipe registry approve``), why."""
    changed_by = record.get("LastModifiedBy")
    by = changed_by.get("UserProfileName") if isinstance(changed_by, Mapping) else None
    description = record.get("ApprovalDescription")
    if not by:
        # Registered, never changed (or changed before changes recorded who).
        return _printable(description) if description else None
    when = str(record.get("LastModifiedTime", ""))[:19].replace("T", " ")
    line = f"{record['ModelApprovalStatus']} {when} UTC by {_printable(by)}"
    # The description is free text (ApprovalDescription's pattern is ".*"): a newline or a
    # terminal escape in it would forge lines of the summary.
    return line + (f": {_printable(description)}" if description else "")


# Clarify's analysis.json sections of bias metrics, as the summary names them.
_BIAS_SECTIONS = (
    ("pre_training_bias_metrics", "pre-training"),
    ("post_training_bias_metrics", "post-training"),
)
# The most influential features shown of a SHAP analysis, per label: a summary, not the report.
_SHAP_FEATURES_SHOWN = 3


def _clarify_summary(report: object) -> list[str]:
    """A Clarify report's figures (``analysis.json``), one line per facet group or label.

    Bias: ``<section>_bias_metrics.facets.<facet>`` is a list of groups, each with its
    ``value_or_threshold`` and ``metrics`` (``name``, ``value``), as SageMaker's guide
    "Analysis Results" lays it out. Explainability: ``explanations.kernel_shap.<label>.
    global_shap_values`` (feature → mean absolute SHAP value), the largest shown. Anything
    else (a model quality report, text) gives no lines.
    """
    if not isinstance(report, Mapping):
        return []
    lines: list[str] = []
    for section, title in _BIAS_SECTIONS:
        facets = report.get(section, {})
        facets = facets.get("facets") if isinstance(facets, Mapping) else None
        if not isinstance(facets, Mapping):
            continue
        for facet, groups in facets.items():
            for group in groups if isinstance(groups, list) else []:
                if not isinstance(group, Mapping):
                    continue
                metrics = group.get("metrics")
                shown = [
                    f"{_printable(metric['name'])}={_printable(metric['value'])}"
                    for metric in (metrics if isinstance(metrics, list) else [])
                    if isinstance(metric, Mapping)
                    and isinstance(metric.get("name"), str)
                    and isinstance(metric.get("value"), int | float | str)
                    and not isinstance(metric.get("value"), bool)
                ]
                if shown:
                    where = (
                        f"{_printable(facet)}={_printable(group.get('value_or_threshold', '?'))}"
                    )
                    lines.append(f"{title}, facet {where}: {', '.join(shown)}")
    shap = report.get("explanations", {})
    shap = shap.get("kernel_shap") if isinstance(shap, Mapping) else None
    for label, explanation in shap.items() if isinstance(shap, Mapping) else ():
        values = explanation.get("global_shap_values") if isinstance(explanation, Mapping) else None
        if not isinstance(values, Mapping):
            continue
        numbers = [
            (str(feature), value)
            for feature, value in values.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        ]
        # NaN compares false with everything, so it would land anywhere in a sort by size;
        # it is no influence to rank: last, in the report's order (the sort is stable).
        numbers.sort(key=lambda item: (_is_nan(item[1]), -abs(item[1])))
        if numbers:
            largest = numbers[:_SHAP_FEATURES_SHOWN]
            top = ", ".join(f"{_printable(feature)}={value}" for feature, value in largest)
            more = len(numbers) - _SHAP_FEATURES_SHOWN
            suffix = f" (+{more} more)" if more > 0 else ""
            lines.append(f"SHAP, label {_printable(label)}: {top}{suffix}")
    return lines


def _is_nan(value: float) -> bool:
    """Whether ``value`` is NaN (an int, even one too large for a float, never is)."""
    return isinstance(value, float) and math.isnan(value)


def _printable(name: object) -> str:
    r"""``name`` as text, ``repr``-escaped if it holds a character that isn't printable.

    A report's names are its author's text: a newline (or a terminal escape) in one would
    break the summary's one-line-per-figure layout, so ``'gen\nder'`` shows it instead.
    """
    text = str(name)
    return text if text.isprintable() else repr(text)


def _located(label: str, uri: Any, local: Any, shown: Callable[[Path], str]) -> list[str]:
    """``label`` with the S3 URI, then the local path under it (aligned)."""
    values = [str(uri) if uri else None, shown(Path(local)) if local else None]
    present = [value for value in values if value]
    if not present:
        return []
    indent = " " * len(label)
    return [label + present[0], *(indent + value for value in present[1:])]


def _localize(record: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Point LocalPath members at the copies inside the version folder."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            result = {key: walk(item) for key, item in value.items()}
            local = result.get("LocalPath")
            if isinstance(local, str) and not os.path.isabs(local):
                result["LocalPath"] = str(folder / local)
            return result
        if isinstance(value, list):
            return [walk(item) for item in value]
        return value

    result: dict[str, Any] = walk(record)
    return result


def _write_json(path: Path, data: Any) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temporary.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    os.replace(temporary, path)
