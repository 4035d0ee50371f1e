"""Expressions of the declarative mapping (``expr:``), evaluated by simpleeval — never by ``eval``.

An expression sees ``value`` (the field's value after the earlier steps; ``None`` when ``expr`` is the source),
``record`` (the whole source record) and every top-level field of the record whose name is an identifier
(``pagu * 1000``, ``join(' ', gelar_depan, nama)``). A name the record does not have is an error naming it; use
``field('a.b')`` for an optional or nested field. Only the functions of :data:`FUNCTIONS` can be called.

:func:`compile_expr` checks the text once, when the mapping is loaded (syntax, one expression, known functions),
so a typo is reported with the mapping file's line before any record is read.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from typing import Any

from simpleeval import EvalWithCompoundTypes, InvalidExpression, NameNotDefined

from connectors.paths import get_path
from connectors.transforms import Invalid, parse_number, to_string


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _substr(text: Any, start: int, length: int | None = None) -> str:
    """1-based like the regulations count positions: ``substr(nip, 1, 8)`` is the birth date of a NIP."""
    text = to_string(text)
    begin = max(int(start) - 1, 0)
    return text[begin:] if length is None else text[begin:begin + int(length)]


def _join(sep: str, *parts: Any) -> str:
    return str(sep).join(to_string(p).strip() for p in parts if not _empty(p))


def _coalesce(*values: Any) -> Any:
    return next((v for v in values if not _empty(v)), None)


def _number(value: Any) -> int | float:
    return parse_number(value)


FUNCTIONS: dict[str, Any] = {
    "substr": _substr, "join": _join, "concat": lambda *parts: _join("", *parts), "coalesce": _coalesce,
    "number": _number, "str": to_string, "int": int, "float": float, "round": round, "abs": abs,
    "min": min, "max": max, "len": len,
}
_RESERVED = {"value", "record", "field", *FUNCTIONS}


_LOCAL = threading.local()


def _evaluator() -> EvalWithCompoundTypes:
    """One evaluator per thread (building one costs more than evaluating a short expression)."""
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:
        evaluator = _LOCAL.evaluator = EvalWithCompoundTypes(names={}, functions=dict(FUNCTIONS))
    return evaluator


class ExpressionError(ValueError):
    """The text cannot be an expression of a mapping (raised when the mapping is loaded)."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.AST

    def evaluate(self, value: Any, record: Any) -> Any:
        names: dict[str, Any] = {}
        if isinstance(record, dict):
            names.update({k: v for k, v in record.items() if isinstance(k, str) and k.isidentifier()
                          and k not in _RESERVED})
        names.update(value=value, record=record)
        evaluator = _evaluator()
        evaluator.names = names
        evaluator.functions["field"] = lambda path: get_path(record, str(path))
        try:
            return evaluator.eval(self.text, previously_parsed=self.tree)
        except NameNotDefined as exc:
            raise Invalid("mapping.expr_name", expr=self.text, name=getattr(exc, "name", "?")) from None
        except Invalid:
            raise
        except (InvalidExpression, ArithmeticError, TypeError, ValueError, KeyError, IndexError,
                AttributeError) as exc:
            raise Invalid("mapping.expr_failed", expr=self.text, detail=_detail(exc)) from None


def _detail(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def compile_expr(text: str) -> Expression:
    """Parse ``text`` once; :class:`ExpressionError` says why it cannot be used."""
    source = str(text).strip()
    if not source:
        raise ExpressionError("empty expression")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"syntax error{where}: {exc.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id not in FUNCTIONS and node.func.id != "field":
                known = ", ".join(sorted([*FUNCTIONS, "field"]))
                raise ExpressionError(f"unknown function {node.func.id}(); available: {known}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"attribute {node.attr} is not allowed")
        elif isinstance(node, ast.Lambda | ast.NamedExpr):
            raise ExpressionError("lambda and := are not allowed")
    return Expression(source, EvalWithCompoundTypes.parse(source))
