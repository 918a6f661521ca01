"""Local stand-ins for the resources a definition names: S3 locations, images, Lambda functions.

Example::

    ResourceMap(
        s3={"s3://my-bucket/code": "ml/", "s3://my-bucket/raw": "data/"},
        images={"111122223333.dkr.ecr.us-east-1.amazonaws.com/my-image": "python"},
        lambdas={"arn:aws:lambda:us-east-1:111122223333:function:prep": "lambdas/prep.py:handler"},
    )
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition import PipelineDefinitionError, parse_image_uri
from ..definition._suggest import did_you_mean
from ..definition._typecheck import check_fields
from ..definition.images import SERVING_IMAGES
from ._errors import LocalRunError, StepError, UnmappableS3UriError
from ._paths import s3_location_problem

_S3_URI = re.compile(r"s3://(?P<bucket>[^/]+)/?(?P<key>.*)")
PYTHON_ALIASES = frozenset({"python", "python3", "sys.executable"})


def check_types(instance: Any) -> None:
    """Raise ``LocalRunError`` for the first field of ``instance`` given a value of another type.

    The language's own check of dataclass annotations (``max_parallel="2"`` fails here,
    naming the class and field, not deep inside a run). Example::

        check_types(LocalConfig(max_parallel="2"))  # LocalConfig: field 'max_parallel' …
    """
    try:
        check_fields(instance)
    except PipelineDefinitionError as error:
        raise LocalRunError(str(error)) from None


def split_s3_uri(uri: str) -> tuple[str, str]:
    """Split ``s3://bucket/key`` into ``("bucket", "key")`` (key without trailing slash).

    Every URI the runner maps to a local path is split here, so this is where one that
    can't be a local path is refused: ``UnmappableS3UriError`` (a ``StepError``) for a bucket
    that isn't a bucket name or a key with a ``.`` or ``..`` segment (``_paths``);
    ``ValueError`` for a string that isn't an S3 URI at all.

    Example::

        split_s3_uri("s3://my-bucket/raw/")  # ("my-bucket", "raw")
        split_s3_uri("s3://my-bucket/../x")  # UnmappableS3UriError: its key has a '..' segment…
    """
    match = _S3_URI.fullmatch(uri)
    if match is None:
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, key = match["bucket"], match["key"].strip("/")
    problem = s3_location_problem(bucket, key)
    if problem is not None:
        raise UnmappableS3UriError(uri, problem)
    return bucket, key


def normalize_s3_uri(uri: str) -> str:
    """``s3://bucket/key`` without a trailing slash (``s3:/`` joins fixed too)."""
    bucket, key = split_s3_uri(uri)
    return f"s3://{bucket}/{key}" if key else f"s3://{bucket}"


def is_s3_uri(value: Any) -> bool:
    """True for a string that is an S3 URI."""
    return isinstance(value, str) and _S3_URI.fullmatch(value) is not None


def under(uri: str, prefix: str) -> str | None:
    """The part of ``uri`` below ``prefix`` (``""`` if equal), or None if not below it.

    Both are normalized; matching is per path segment.
    """
    if uri == prefix:
        return ""
    if uri.startswith(prefix + "/"):
        return uri[len(prefix) + 1 :]
    return None


def unread_s3_prefixes(
    definition: Mapping[str, Any], prefixes: Iterable[str], values: Iterable[Any] = ()
) -> list[tuple[str, str | None]]:
    """The ``prefixes`` no S3 URI of ``definition`` (or of ``values``) is at, under or above.

    A mapped prefix none of the definition's URIs is near is most likely a typo, and then
    the step reads whatever the local S3 tree holds at the URI it names (old data, say),
    or nothing. Each prefix comes back with the closest literal URI, if one is close.
    The URIs judged are the literal ones: strings of the definition (parameter defaults
    included) and ``values`` (a run's parameter values). A ``Join`` that starts a URI
    with ``s3://`` and a value known only at run time could name any bucket, and so
    could a URI field given a value only a run knows (a Lambda or Callback step's
    output, a property file's ``JsonGet``), whole or as a ``Join``'s start: then no
    prefix is reported.

    Example::

        unread_s3_prefixes({"Steps": [… "s3://b/raw-data/x.csv" …]}, ["s3://b/raw"])
        # [("s3://b/raw", "s3://b/raw-data/x.csv")]
    """
    uris: set[str] = set()
    unknown = False

    def visit(value: Any, key: str = "") -> None:
        nonlocal unknown
        if key.endswith(_URI_FIELD_ENDINGS) and _run_time_start(value):
            unknown = True  # a URI a step's output or a property file gives: any
        if isinstance(value, str):
            if value.startswith("s3://"):
                # A URI no local path can stand for: nothing maps to it.
                with contextlib.suppress(ValueError, StepError):
                    uris.add(normalize_s3_uri(value))
        elif isinstance(value, Mapping):
            join = value.get("Std:Join")
            if isinstance(join, Mapping):
                known = _known_start(join)
                if known is not None and known.startswith("s3:"):
                    if _S3_URI.fullmatch(known) is None:
                        unknown = True  # a bucket known only at run time: any may be read
                    else:
                        with contextlib.suppress(ValueError, StepError):
                            uris.add(normalize_s3_uri(known))
            for name, item in value.items():
                visit(item, str(name))
        elif isinstance(value, list):
            for item in value:
                visit(item, key)

    visit(definition)
    visit(list(values))
    if unknown:
        return []
    unread: list[tuple[str, str | None]] = []
    for prefix in prefixes:
        mapped = normalize_s3_uri(prefix)
        if any(under(uri, mapped) is not None or under(mapped, uri) is not None for uri in uris):
            continue
        unread.append((prefix, _closest(mapped, uris)))
    return unread


# The request fields that hold an S3 URI end so: S3Uri, S3OutputPath, ModelDataUrl, ….
_URI_FIELD_ENDINGS = ("Uri", "Url", "OutputPath")


def _run_time_start(value: Any) -> bool:
    """Whether ``value`` is, or a ``Std:Join`` starts with, a value only a run knows.

    A Lambda or Callback step's output (``Steps.<name>.OutputParameters[…]``) or a
    property file's value (``Std:JsonGet``): neither is written in the definition, so
    the URI it gives may be any. Parameters are not: their values are judged.
    """
    if not isinstance(value, Mapping):
        return False
    join = value.get("Std:Join")
    if isinstance(join, Mapping):
        values = join.get("Values")
        return isinstance(values, list) and bool(values) and _run_time_start(values[0])
    get = value.get("Get")
    return "Std:JsonGet" in value or (
        isinstance(get, str) and get.startswith("Steps.") and ".OutputParameters[" in get
    )


def _known_start(join: Mapping[str, Any]) -> str | None:
    """What a ``Std:Join`` is known to start with before run time, to its last whole segment.

    ``["s3://", "bucket", "/", {"Get": …}]`` joined on ``""`` → ``s3://bucket/``; all
    literal values → their whole join. None when the first value is not literal.
    """
    separator, values = join.get("On", ""), join.get("Values")
    if not isinstance(separator, str) or not isinstance(values, list):
        return None
    literal: list[str] = []
    for item in values:
        if not isinstance(item, str):
            break
        literal.append(item)
    else:
        return separator.join(literal)
    if not literal:
        return None
    # The segment the first value known only at run time continues is not whole.
    start = separator.join(literal) + separator
    return start[: start.rfind("/") + 1] if "/" in start else start


def _closest(prefix: str, uris: Iterable[str]) -> str | None:
    """The URI most like ``prefix`` over as many segments, if it is close (a typo)."""
    import difflib  # only for a prefix no URI is under

    best, best_ratio = None, 0.8
    for uri in sorted(uris):
        # As many segments of each, without the scheme, which every URI shares (s3://c is
        # not close to s3://b).
        count = min(uri.count("/"), prefix.count("/")) + 1
        head, start = ("/".join(text.split("/")[:count])[5:] for text in (uri, prefix))
        ratio = difflib.SequenceMatcher(None, head, start).ratio()
        if ratio >= best_ratio:
            best, best_ratio = uri, ratio
    return best


@dataclass(frozen=True, slots=True)
class LambdaHandler:
    """Local code of a Lambda function.

    A ``.py`` file and a function name, or a directory and Lambda's handler string
    (``module.function``).

    Example::

        LambdaHandler.parse("lambdas/prep.py:handler")
        LambdaHandler.parse("cdk.out/asset.1a2b:index.handler")
    """

    code: Path
    handler: str
    runtime: str | None = None

    @staticmethod
    def parse(spec: str, base: Path | None = None) -> LambdaHandler:
        """Parse ``PATH:HANDLER`` (relative paths against ``base``)."""
        path, sep, handler = spec.rpartition(":")
        if not sep or not path or not handler:
            raise LocalRunError(
                f"Lambda handler {spec!r}: expected FILE.py:function or DIRECTORY:module.function"
            )
        code = Path(path)
        if base is not None and not code.is_absolute():
            code = base / code
        return LambdaHandler(code=code, handler=handler)

    def to_spec(self) -> str:
        """``PATH:HANDLER``."""
        return f"{self.code}:{self.handler}"

    def missing_function(self) -> str | None:
        """Why the handler's module certainly lacks its function, else ``None``.

        Read without importing the module (importing runs its code): a misspelled function
        is found before anything runs, not when the Lambda step's turn comes. A module that
        can't be read or parsed, or that may define names dynamically (``import *``, a
        module ``__getattr__``), is left to the step.

        Example::

            LambdaHandler.parse("lambdas/prep.py:handle").missing_function()
            # "lambdas/prep.py defines no function 'handle' (did you mean 'handler'?)"
        """
        if self.code.is_dir():
            module, _, function = self.handler.rpartition(".")
            path = self.code.joinpath(*module.split(".")).with_suffix(".py")
        else:
            path, function = self.code, self.handler
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
            return None
        names = _top_level_names(tree.body)
        if function in names or "*" in names or "__getattr__" in names:
            return None
        hint = did_you_mean(function, sorted(names))
        return f"{path} defines no function {function!r}" + (f" ({hint})" if hint else "")


def _top_level_names(body: list[ast.stmt]) -> set[str]:
    """The names a module's top level binds, in conditional and ``try`` blocks too."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            for block in ("body", "orelse", "finalbody"):
                names |= _top_level_names(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                names |= _top_level_names(handler.body)
    return names


@dataclass(frozen=True, slots=True)
class ResourceMap:
    """Maps a definition's resources to this machine.

    - ``s3``: S3 URI prefixes → local files or directories, read-only (the longest
      prefix wins). Anything else reads from ``<root>/s3/<bucket>/<key>``. A URI
      ``…/name.tar.gz`` that is missing locally but whose ``…/name`` exists is served
      as that file or directory packed on the fly (``StaticBinder(code_prefix=…)``
      names local code that way).
    - ``images``: image URIs (with or without tag) → a Python interpreter (``python``
      means the runner's own). SageMaker framework images (scikit-learn, XGBoost,
      PyTorch, TensorFlow, Hugging Face) need no entry: they run with the runner's Python.
      The large-model serving images (``Image.djl_lmi``, ``Image.huggingface_llm``) run
      nothing here unless mapped: their model servers run no inference script.
    - ``lambdas``: function ARNs or names → local handlers (``file.py:function``).
    - ``pipeline_name``, ``max_parallel``: the deployed pipeline's name and its
      ``ParallelismConfiguration``, when known.

    Example::

        ResourceMap(s3={"s3://my-bucket/code": "example_project/scripts"})
    """

    s3: Mapping[str, str | Path] = field(default_factory=dict)
    images: Mapping[str, str] = field(default_factory=dict)
    lambdas: Mapping[str, str | LambdaHandler] = field(default_factory=dict)
    pipeline_name: str | None = None
    max_parallel: int | None = None

    def __post_init__(self) -> None:
        check_types(self)
        for uri in self.s3:
            if not is_s3_uri(uri):
                raise LocalRunError(f"ResourceMap.s3: {uri!r} is not an s3:// URI")
            try:
                split_s3_uri(uri)
            except UnmappableS3UriError as error:
                raise LocalRunError(f"ResourceMap.s3: {error.reason}") from None

    # -- S3 ---------------------------------------------------------------------

    def s3_mappings(self) -> list[tuple[str, Path]]:
        """(normalized prefix, absolute path) pairs, longest prefix first."""
        pairs = [(normalize_s3_uri(uri), Path(path).resolve()) for uri, path in self.s3.items()]
        return sorted(pairs, key=lambda pair: len(pair[0]), reverse=True)

    # -- images -----------------------------------------------------------------

    def interpreter(self, image: Any, *, step: str, default_python: str) -> str:
        """The Python interpreter that stands in for ``image`` (raises ``StepError``)."""
        if not isinstance(image, str) or not image:
            raise StepError(f"step '{step}': no image URI to run")
        mapped = self._mapped_image(image)
        if mapped is not None:
            return default_python if mapped in PYTHON_ALIASES else mapped
        parsed = parse_image_uri(image)
        if parsed is not None and parsed.framework in SERVING_IMAGES:
            # A model server (LMI, TGI) loads the model itself and runs no inference-toolkit
            # handlers: the runner's Python would run a script the image never would.
            raise StepError(
                f"step '{step}': image {image} is {SERVING_IMAGES[parsed.framework]} "
                f"({parsed.framework}): a model server, which the local runner can't run (it "
                "runs an inference script's model_fn and predict_fn on a Python interpreter, "
                "not a serving image); to run the model's own Python code here, map the image: "
                f"smpipe run --image-map {image}=python "
                f"(or ResourceMap(images={{{image!r}: 'python'}}))"
            )
        if parsed is not None and parsed.framework is not None:
            return default_python
        raise StepError(
            f"step '{step}': image {image} is not a SageMaker framework image, so it can't "
            "run here without Docker; if its code runs with a Python interpreter, map it: "
            f"smpipe run --image-map {image}=python (or ResourceMap(images={{{image!r}: "
            "'python'}}))"
        )

    def _mapped_image(self, image: str) -> str | None:
        if image in self.images:
            return self.images[image]
        repository = re.split(r"[:@]", image.rsplit("/", 1)[-1], maxsplit=1)[0]
        without_tag = image[: image.rfind("/") + 1] + repository
        return self.images.get(without_tag)

    # -- Lambda -----------------------------------------------------------------

    def lambda_handler(self, arn: str) -> LambdaHandler | None:
        """The local handler of a function ARN (exact, unqualified, or by function name)."""
        for candidate in lambda_keys(arn):
            value = self.lambdas.get(candidate)
            if value is not None:
                return value if isinstance(value, LambdaHandler) else LambdaHandler.parse(value)
        return None

    # -- persistence ------------------------------------------------------------

    def to_json(self, relative_to: str | Path | None = None) -> dict[str, Any]:
        """A JSON-able form, as stored with each execution: absolute paths.

        With ``relative_to`` (a directory), local paths are written relative to it, as
        ``from_json(data, base=relative_to)`` reads them back (``save`` does this).
        """
        base = Path(relative_to).resolve() if relative_to is not None else None
        named_base = Path(os.path.abspath(relative_to)) if relative_to is not None else None

        def written(path: str | Path) -> str:
            absolute = Path(path).resolve()
            if base is None or named_base is None:
                return str(absolute)
            # A path under the directory is written as named, not resolved: a symlink of the
            # project (data/ -> a disk of its own) travels with a copy, its target may not.
            named = Path(os.path.abspath(path))
            if named.is_relative_to(named_base):
                return named.relative_to(named_base).as_posix()
            try:
                return Path(os.path.relpath(absolute, base)).as_posix()
            except ValueError:  # another drive (Windows): no relative path leads there
                return str(absolute)

        lambdas: dict[str, Any] = {}
        for key, value in self.lambdas.items():
            handler = value if isinstance(value, LambdaHandler) else LambdaHandler.parse(value)
            lambdas[key] = {
                "code": written(handler.code),
                "handler": handler.handler,
                "runtime": handler.runtime,
            }
        return {
            "s3": {uri: written(path) for uri, path in self.s3.items()},
            "images": dict(self.images),
            "lambdas": lambdas,
            "pipeline_name": self.pipeline_name,
            "max_parallel": self.max_parallel,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any], base: Path | None = None) -> ResourceMap:
        """Read ``to_json`` output or a hand-written resources file (paths relative to ``base``).

        Lambda entries are ``"file.py:function"`` strings or ``{"code", "handler"}`` objects.
        """
        base = base or Path.cwd()
        if not isinstance(data, Mapping):
            raise LocalRunError(
                f"resources: expected a JSON object with s3, images, lambdas, got "
                f"{type(data).__name__}"
            )

        def local(path: str) -> Path:
            candidate = Path(os.path.expanduser(path))
            return candidate if candidate.is_absolute() else (base / candidate)

        unknown = set(data) - {"s3", "images", "lambdas", "pipeline_name", "max_parallel"}
        if unknown:
            raise LocalRunError(f"resources: unknown keys {', '.join(sorted(unknown))}")
        s3 = _string_map(data, "s3", "an S3 URI prefix to a local path")
        images = _string_map(data, "images", "an image URI to a Python interpreter")
        lambdas: dict[str, str | LambdaHandler] = {}
        for key, value in _object(data, "lambdas").items():
            if isinstance(value, str):
                lambdas[key] = LambdaHandler.parse(value, base)
            elif (
                isinstance(value, Mapping)
                and isinstance(value.get("code"), str)
                and isinstance(value.get("handler"), str)
            ):
                lambdas[key] = LambdaHandler(
                    local(value["code"]), value["handler"], value.get("runtime")
                )
            else:
                expected = '"file.py:function" or {"code": PATH, "handler": NAME}'
                raise LocalRunError(
                    f"resources: lambdas[{key!r}]: expected {expected}, got {json.dumps(value)}"
                )
        pipeline_name = data.get("pipeline_name")
        if pipeline_name is not None and not isinstance(pipeline_name, str):
            raise LocalRunError(
                f"resources: pipeline_name: expected a string, got {json.dumps(pipeline_name)}"
            )
        max_parallel = data.get("max_parallel")
        if max_parallel is not None and (
            isinstance(max_parallel, bool) or not isinstance(max_parallel, int) or max_parallel < 1
        ):
            raise LocalRunError(
                "resources: max_parallel: expected an integer of at least 1, got "
                f"{json.dumps(max_parallel)}"
            )
        return ResourceMap(
            s3={uri: local(path) for uri, path in s3.items()},
            images=images,
            lambdas=lambdas,
            pipeline_name=pipeline_name,
            max_parallel=max_parallel,
        )

    def save(self, path: str | Path) -> None:
        """Write the map to the resources file ``path``, for ``smpipe run --resources``.

        Local paths are written relative to the file's directory, as ``load`` reads them:
        a project moved or copied with its resources file runs its own scripts, not those
        of the directory it was written in (which absolute paths would name, silently).

        Example::

            ResourceMap(s3={"s3://my-data/raw": "data/raw"}).save("resources.json")
        """
        file = Path(path)
        # The directory as named (not resolved), as the paths under it are written.
        data = self.to_json(relative_to=Path(os.path.abspath(file)).parent)
        file.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    @staticmethod
    def load(path: str | Path) -> ResourceMap:
        """Read a resources JSON file."""
        file = Path(path)
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LocalRunError(f"resources file {file}: {error}") from None
        try:
            resources = ResourceMap.from_json(data, file.resolve().parent)
        except LocalRunError as error:
            detail = str(error).removeprefix("resources: ")
            raise LocalRunError(f"resources file {file}: {detail}") from None
        for uri, path in resources.s3.items():
            if not can_serve(Path(path)):
                # A typo here would otherwise surface as a missing input in some step.
                raise LocalRunError(
                    f"resources file {file}: s3[{uri!r}] is {path}, which does not exist"
                )
        return resources

    def merged(self, other: ResourceMap) -> ResourceMap:
        """A copy with ``other``'s entries added (``other`` wins).

        A Lambda handler of ``other`` also replaces ``self``'s handlers of the functions
        its key binds: a function name given to override the handler recorded for its
        ARN (``--lambda prep=fixed.py:handler`` on ``--resume``) would otherwise lose to
        it, as the ARN is looked up first.
        """
        lambdas = {
            key: handler
            for key, handler in self.lambdas.items()
            if not any(given in lambda_keys(key) for given in other.lambdas)
        }
        return ResourceMap(
            s3={**self.s3, **other.s3},
            images={**self.images, **other.images},
            lambdas={**lambdas, **other.lambdas},
            pipeline_name=other.pipeline_name or self.pipeline_name,
            max_parallel=other.max_parallel or self.max_parallel,
        )


def lambda_keys(arn: str) -> list[str]:
    """The ``ResourceMap.lambdas`` keys that bind a function ARN, most specific first.

    The ARN itself, the ARN without a version or alias, and the function's name.

    Example::

        lambda_keys("arn:aws:lambda:us-east-1:111122223333:function:prep:live")
        # [the ARN, "arn:aws:lambda:us-east-1:111122223333:function:prep", "prep"]
    """
    keys = [arn]
    if ":function:" in arn:
        prefix, name_part = arn.split(":function:", 1)
        name = name_part.split(":")[0]
        keys += [f"{prefix}:function:{name}", name]
    return keys


def can_serve(path: Path) -> bool:
    """True if an S3 mapping to ``path`` can serve anything.

    That is: it exists, or it is a ``name.tar.gz`` next to an existing ``name`` (packed
    on the fly).
    """
    if path.exists():
        return True
    name = path.name
    return name.endswith(".tar.gz") and path.with_name(name[: -len(".tar.gz")]).exists()


def _object(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise LocalRunError(f"resources: {key}: expected a JSON object, got {json.dumps(value)}")
    return value


def _string_map(data: Mapping[str, Any], key: str, meaning: str) -> dict[str, str]:
    value = _object(data, key)
    for name, item in value.items():
        if not isinstance(item, str) or not item:
            got = json.dumps(item)
            raise LocalRunError(
                f"resources: {key}[{name!r}]: expected a string ({meaning}), got {got}"
            )
    return dict(value)


def default_python() -> str:
    """The interpreter framework images map to: the one running the runner."""
    return sys.executable
