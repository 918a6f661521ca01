"""``Pipeline.definition`` as a read-only dict: a change after the construct exists is refused.

The ``Pipeline`` compiles, validates and derives its roles from the definition when it is
created, and writes it into the template then. A change made later (in an Aspect, or by
code that runs after the constructor) would deploy nothing, or deploy unchecked: it fails
at once instead, saying what to do. The structures are ``dict`` and ``list`` subclasses,
so reading, ``json.dumps`` and comparing with plain dicts and lists work as before, and
``copy.deepcopy`` (or ``copy.copy``) gives a plain, changeable copy.
"""

from __future__ import annotations

from typing import Any, NoReturn, SupportsIndex

REFUSED = (
    "Pipeline.definition is read-only: the Pipeline compiled and validated it, derived its "
    "roles from it and wrote it into the template when it was created, so a change now "
    "would deploy unchecked or not at all. Change the PipelineDefinition (or the JSON) "
    "before creating the Pipeline, or take copy.deepcopy(pipeline.definition) to build "
    "another one"
)


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise TypeError(REFUSED)


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes (``Pipeline.definition`` and the objects inside it).

    Example::

        pipeline.definition["Steps"][0]["Name"]  # reads as a dict
        copy.deepcopy(pipeline.definition)  # a plain dict, to change
    """

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        thawed: dict[str, Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (thaw(self),))


class FrozenList(list[Any]):
    """A list that refuses changes (the lists inside ``Pipeline.definition``)."""

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    append = extend = insert = remove = clear = sort = reverse = _refuse
    __iadd__ = __imul__ = _refuse

    def pop(self, index: SupportsIndex = -1) -> NoReturn:
        _refuse()

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        thawed: list[Any] = thaw(self)
        return thawed

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (thaw(self),))


def freeze(value: Any) -> Any:
    """``value`` with every dict and list in it made read-only (a new structure)."""
    if isinstance(value, dict):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList([freeze(item) for item in value])
    return value


def thaw(value: Any) -> Any:
    """A plain, changeable copy of ``value`` (of dicts and lists, read-only or not)."""
    if isinstance(value, dict):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list):
        return [thaw(item) for item in value]
    return value
