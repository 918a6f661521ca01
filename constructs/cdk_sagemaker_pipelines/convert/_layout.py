"""Python source as a small tree, laid out the way ``ruff format`` lays it out.

A node that fits on its line is written flat; one that doesn't is exploded, one item per
line with a trailing comma. The trailing comma is ruff's "magic trailing comma": ruff keeps
such a bracket exploded at any line length. The output is ruff-format clean at the line
length it is laid out for: ruff's default (88), what a project without its own setting
gets, unless ``width`` says otherwise.

Example::

    layout(Call("Join", [Keyword("on", Atom('"/"'))]))  # 'Join(on="/")'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True, slots=True)
class Atom:
    """Source text that is never broken (a name, a literal, an attribute chain)."""

    text: str


@dataclass(frozen=True, slots=True)
class Keyword:
    """``name=value`` in a call."""

    name: str
    value: Node


@dataclass(frozen=True, slots=True)
class Pair:
    """``key: value`` in a dict display."""

    key: Node
    value: Node


@dataclass(frozen=True, slots=True)
class Bracketed:
    """``prefix(items…)``, ``[items…]`` or ``{items…}``."""

    prefix: str
    opening: str
    closing: str
    items: Sequence[Node]


@dataclass(frozen=True, slots=True)
class Subscript:
    """``base[key]``: ruff breaks a line that is too long inside the last brackets.

    Unless the line up to them is too long: then inside the last brackets before them
    whose opening line fits, or the first brackets if none does. ``earlier`` holds those
    splits, right to left, as ``(head, key, tail)``: ``head[key]tail`` is the same code.
    """

    base: str
    key: str
    earlier: tuple[tuple[str, str, str], ...] = ()


Node = Atom | Keyword | Pair | Bracketed | Subscript


def Call(function: str, items: Sequence[Node]) -> Bracketed:
    """A call: ``function(items…)``."""
    return Bracketed(function, "(", ")", items)


def List(items: Sequence[Node]) -> Bracketed:
    """A list display."""
    return Bracketed("", "[", "]", items)


def Dict(items: Sequence[Pair]) -> Bracketed:
    """A dict display."""
    return Bracketed("", "{", "}", items)


def string(value: str) -> Atom:
    """A string literal as ruff writes it: double quotes unless that needs more escapes."""
    quote = "'" if value.count('"') > value.count("'") else '"'
    out = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + quote)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF:
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return Atom(quote + "".join(out) + quote)


def literal(value: bool | int | float | str | None) -> Atom:
    """A JSON scalar as a Python literal."""
    if isinstance(value, str):
        return string(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value!r} is not a JSON number")
    return Atom(repr(value))


def flat(node: Node) -> str:
    """The node on one line."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Subscript):
        return f"{node.base}[{node.key}]"
    if isinstance(node, Keyword):
        return f"{node.name}={flat(node.value)}"
    if isinstance(node, Pair):
        return f"{flat(node.key)}: {flat(node.value)}"
    inner = ", ".join(flat(item) for item in node.items)
    return f"{node.prefix}{node.opening}{inner}{node.closing}"


def layout(
    node: Node, indent: int = 0, used: int = 0, trailing: int = 0, width: int = LINE_LENGTH
) -> str:
    """The node's source starting at column ``used`` of a line indented ``indent`` levels.

    ``trailing`` counts the characters that follow it on its last line (a comma);
    ``width`` is the line length.
    """
    text = flat(node)
    if used + len(text) + trailing <= width or not _breakable(node):
        return text
    if isinstance(node, Keyword):
        head = f"{node.name}="
        return head + layout(node.value, indent, used + len(head), trailing, width)
    if isinstance(node, Pair):
        head = f"{flat(node.key)}: "
        return head + layout(node.value, indent, used + len(head), trailing, width)
    if isinstance(node, Subscript):
        inner = INDENT * (indent + 1)
        head, key, tail = node.base, node.key, ""
        if used + len(head) + 1 > width:
            head, key, tail = next(
                (split for split in node.earlier if used + len(split[0]) + 1 <= width),
                node.earlier[-1] if node.earlier else (head, key, tail),
            )
        return f"{head}[\n{inner}{key}\n{INDENT * indent}]{tail}"
    assert isinstance(node, Bracketed)
    inner = INDENT * (indent + 1)
    lines = [f"{node.prefix}{node.opening}"]
    for item in node.items:
        lines.append(inner + layout(item, indent + 1, len(inner), 1, width) + ",")
    lines.append(INDENT * indent + node.closing)
    return "\n".join(lines)


def _breakable(node: Node) -> bool:
    if isinstance(node, Keyword | Pair):
        return _breakable(node.value)
    return isinstance(node, Subscript) or (isinstance(node, Bracketed) and bool(node.items))


def statement(target: str, value: Node, width: int = LINE_LENGTH) -> str:
    """``target = value`` as one laid-out statement, in lines of ``width`` characters."""
    head = f"{target} = "
    text = flat(value)
    if isinstance(value, Atom) and len(head) + len(text) > width:
        # ruff parenthesizes a value that fits on a line of its own then.
        if len(INDENT) + len(text) <= width:
            return f"{head}(\n{INDENT}{text}\n)"
        return head + text
    return head + layout(value, 0, len(head), 0, width)
