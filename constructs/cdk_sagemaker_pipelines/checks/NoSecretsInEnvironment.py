"""Job environments and hyperparameters carry no literal secrets (passwords, tokens, keys).

SageMaker's API reference says of both a job's ``Environment`` and a training job's
``HyperParameters``: "Do not include any security-sensitive information including account
access IDs, secrets, or tokens" (CreateTrainingJob, CreateProcessingJob). Anyone who may
describe the pipeline or the job reads them, and so does anyone who may list an
execution's parameters when the value is a parameter's default. A model's containers
(CreateModel: "Don't include any sensitive data in your environment variables") and an
inference component's container (an InferenceComponent step's
``Specification.Container.Environment``) are read the same way, by anyone who may
describe the model or the component.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from ._finding import Finding, all_steps, dig, job_arguments

# Environments of jobs (Processing, Training, Transform), tuning, models, the containers
# of registered model versions and the container of an inference component (one deployed
# from an image rather than a model: the InferenceComponent step's Specification).
ENVIRONMENT_FIELDS = (
    "Environment",
    "TrainingJobDefinition.Environment",
    "PrimaryContainer.Environment",
    "Containers[*].Environment",
    "InferenceSpecification.Containers[*].Environment",
    "Specification.Container.Environment",
)
# Hyperparameters of training jobs and of each training job definition of a tuning job.
HYPERPARAMETER_FIELDS = ("HyperParameters", "TrainingJobDefinition.StaticHyperParameters")
# A secret-like word delimited as a whole word of the variable name: DB_PASSWORD,
# HF_TOKEN, OPENAI_API_KEY, DbPassword (words of a camel-case name, as parameters are
# named); not TOKENIZERS_PARALLELISM or MAX_TOKENS.
_SECRET_NAME = re.compile(
    r"(?:^|[^A-Z0-9])(PASSWORD|PASSWD|SECRET|TOKEN|API[_-]?KEY|PRIVATE[_-]?KEY)(?:$|[^A-Z0-9])",
    re.IGNORECASE,
)
# A tokenizer's special tokens (hyperparameters of language models): text, not credentials.
_SPECIAL_TOKEN = re.compile(r"(?:PAD|EOS|BOS|UNK|SEP|CLS|MASK)[_-]TOKEN(?:[_-]ID)?", re.IGNORECASE)
# A switch such as use_auth_token=True holds no secret (the SDK JSON-encodes hyperparameters).
_SWITCH = re.compile(r'"?(?:true|false)"?', re.IGNORECASE)
_ACCESS_KEY = re.compile(r"(AKIA|ASIA)[A-Z0-9]{16}")
_CAMEL_WORD = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# Where a secret is, not the secret: DB_SECRET_ARN, HF_TOKEN_PATH, SecretName. The rule's
# advice is to read secrets at run time, from Secrets Manager: the job is given its ARN
# or name (an ARN value is a reference whatever the variable's name).
_REFERENCE_NAME = re.compile(r"(?:^|[^A-Z0-9])(?:ARN|NAME|ID|PATH|FILE)$", re.IGNORECASE)


def _maps(arguments: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for field in ENVIRONMENT_FIELDS + HYPERPARAMETER_FIELDS:
        head, _, tail = field.partition("[*].")
        if not tail:
            found = dig(arguments, field)
            if isinstance(found, Mapping):
                yield field, found
            continue
        items = dig(arguments, head)
        for index, item in enumerate(items if isinstance(items, list) else []):
            found = dig(item, tail)
            if isinstance(found, Mapping):
                yield f"{head}[{index}].{tail}", found


def _secret_name(name: str) -> bool:
    words = _CAMEL_WORD.sub("_", name)
    if _SPECIAL_TOKEN.fullmatch(words) or _REFERENCE_NAME.search(words):
        return False
    return bool(_SECRET_NAME.search(words))


def looks_secret(name: str, text: str) -> bool:
    """Whether the literal ``text`` of variable ``name`` looks like a secret (this rule's test).

    A value under a secret-like name (``DB_PASSWORD``, ``HfToken``; not ``HF_TOKEN_ARN``,
    ``MAX_TOKENS`` nor ``PAD_TOKEN``), or holding an AWS access key id; never an empty
    value, a switch (``true``/``false``) or an ARN. ``ComponentEndpoint.add_component``
    refuses its ``environment`` on it too.

    Example::

        looks_secret("HF_TOKEN", "hf_abc")  # True
        looks_secret("OPTION_TENSOR_PARALLEL_DEGREE", "1")  # False
    """
    if not text or _SWITCH.fullmatch(text) or text.startswith("arn:"):
        return False
    return _secret_name(name) or bool(_ACCESS_KEY.search(text))


def _literal(value: Any, defaults: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The literal text of ``value`` and the parameter whose default it is, if any."""
    if isinstance(value, str):
        return value, None
    reference = value.get("Get") if isinstance(value, Mapping) and len(value) == 1 else None
    if isinstance(reference, str) and reference.startswith("Parameters."):
        parameter = reference.split(".", 1)[1]
        default = defaults.get(parameter)
        return (default, parameter) if isinstance(default, str) else (None, None)
    return None, None


def check(definition: Mapping[str, Any]) -> list[Finding]:
    """Find literal values under secret-like names, and AWS access key ids, in any of them.

    A value given as a parameter is judged by the parameter's default value (what the
    definition holds in plain text), under the variable's name or the parameter's.
    """
    defaults = {
        str(entry.get("Name")): entry.get("DefaultValue")
        for entry in definition.get("Parameters") or []
        if isinstance(entry, Mapping)
    }
    findings = []
    for step in all_steps(definition):
        for arguments, field_name in job_arguments(step):
            for field, mapping in _maps(arguments):
                for name, value in mapping.items():
                    text, parameter = _literal(value, defaults)
                    if text is None:
                        continue
                    names = [str(name)] + ([parameter] if parameter is not None else [])
                    if any(looks_secret(n, text) for n in names):
                        info = "literal secret"
                        if parameter is not None:
                            info += f" (the default of parameter '{parameter}')"
                        where = f"Arguments.{field_name(field)}['{name}']"
                        findings.append(Finding(str(step.get("Name")), where, info))
    return findings
