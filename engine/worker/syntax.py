"""What a lesson's source says about one of its lines, read once per file and line: the
`with` blocks around it and at it, the names it calls, and its text."""

from __future__ import annotations

import ast
from functools import cache


@cache
def tree(filename: str) -> ast.Module:
    with open(filename, encoding="utf-8") as source:
        return ast.parse(source.read())


@cache
def _lines(filename: str) -> list[str]:
    with open(filename, encoding="utf-8") as source:
        return source.read().splitlines()


def source_line(filename: str, line: int) -> str:
    """The line's text, stripped ("" past the end)."""
    lines = _lines(filename)
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def _withs(filename: str) -> list[ast.With | ast.AsyncWith]:
    return [node for node in ast.walk(tree(filename)) if isinstance(node, ast.With | ast.AsyncWith)]


@cache
def held_at(filename: str, line: int) -> list[str]:
    """The context expressions of the `with` blocks whose body holds `line`."""
    return [
        ast.unparse(item.context_expr)
        for node in _withs(filename)
        if node.body[0].lineno <= line <= (node.end_lineno or node.lineno)
        for item in node.items
    ]


@cache
def entered_at(filename: str, line: int) -> list[str]:
    """The context expressions of the `with` blocks whose header is `line`."""
    return [
        ast.unparse(item.context_expr)
        for node in _withs(filename)
        if node.lineno <= line < node.body[0].lineno
        for item in node.items
    ]


@cache
def called_at(filename: str, line: int) -> tuple[str, ...]:
    """The names of the functions called on `line` (`client.get(...)` calls `get`), in the
    order the source walks them."""
    names = []
    for node in ast.walk(tree(filename)):
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or line):
            called = node.func
            names.append(
                called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            )
    return tuple(names)
