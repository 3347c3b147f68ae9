"""Z3 terms for model/algebra.py: the backend of a symbolic run.

Integers are W-bit signed bit-vectors (None: unbounded Ints) for the values
the scope bounds (epochs, LSNs, replica ids...), and B-bit ones (None: Ints)
for those it does not (payloads, logical session numbers): `numbers(W, B)`
sets both for the terms built inside it. Bit-vectors make Z3 several times
faster; the widths are chosen so that no value of a run in scope wraps
(dirproof/z3/bmc.py, induction.py).
"""

from __future__ import annotations

from typing import Any, Optional

import z3
from z3.z3 import _to_ast_array

_CTX = z3.main_ctx()
_NUM: dict[str, Optional[int]] = {"bits": None, "big": None}
_LITERALS: dict = {}


class numbers:
    """`with numbers(W, big=B):` builds terms of W-bit (B-bit) integers."""

    def __init__(self, bits: Optional[int], big: Any = "same"):
        self.bits, self.big = bits, (bits if big == "same" else big)

    def __enter__(self) -> "numbers":
        self.saved = dict(_NUM)
        _NUM["bits"], _NUM["big"] = self.bits, self.big
        return self

    def __exit__(self, *exc: Any) -> None:
        _NUM.update(self.saved)


def num_sort(big: bool = False) -> z3.SortRef:
    bits = _NUM["big" if big else "bits"]
    return z3.IntSort() if bits is None else z3.BitVecSort(bits)


def is_term(x: Any) -> bool:
    return isinstance(x, z3.ExprRef)


def lit(x: Any, like: Any = None, big: bool = False) -> Any:
    """A Z3 term for x: a Python int becomes a literal of the sort of `like`,
    else of the current bounded (or `big`) sort."""
    if isinstance(x, bool):
        return z3.BoolVal(x)
    if isinstance(x, int):
        if like is not None and is_term(like):
            bits = like.size() if isinstance(like, z3.BitVecRef) else None
        else:
            bits = _NUM["big" if big else "bits"]
        key = (bits, x)
        v = _LITERALS.get(key)
        if v is None:
            v = _LITERALS[key] = z3.IntVal(x) if bits is None else z3.BitVecVal(x, bits)
        return v
    return x


def _bool(x: Any) -> z3.BoolRef:
    return z3.BoolVal(x) if isinstance(x, bool) else x


def and_(xs: list) -> z3.BoolRef:
    arr, n = _to_ast_array([_bool(x) for x in xs])
    return z3.BoolRef(z3.Z3_mk_and(_CTX.ref(), n, arr), _CTX)


def or_(xs: list) -> z3.BoolRef:
    arr, n = _to_ast_array([_bool(x) for x in xs])
    return z3.BoolRef(z3.Z3_mk_or(_CTX.ref(), n, arr), _CTX)


def not_(x: Any) -> z3.BoolRef:
    return z3.BoolRef(z3.Z3_mk_not(_CTX.ref(), _bool(x).as_ast()), _CTX)


def ite(c: Any, a: Any, b: Any) -> Any:
    if is_term(a) and is_term(b) and a.eq(b):
        return a
    a, b = lit(a, like=b), lit(b, like=a)
    if isinstance(a, z3.BoolRef) or isinstance(b, z3.BoolRef):
        a, b = _bool(a), _bool(b)
        cls: type = z3.BoolRef
    else:
        cls = z3.BitVecRef if isinstance(a, z3.BitVecRef) else z3.ArithRef
    return cls(z3.Z3_mk_ite(_CTX.ref(), _bool(c).as_ast(), a.as_ast(), b.as_ast()), _CTX)


def eq(a: Any, b: Any) -> Any:
    if is_term(a) and is_term(b) and a.eq(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = _bool(a), _bool(b)
    a, b = lit(a, like=b), lit(b, like=a)
    return z3.BoolRef(z3.Z3_mk_eq(_CTX.ref(), a.as_ast(), b.as_ast()), _CTX)


_FLIP = {z3.Z3_OP_SLT: lambda a, b: a >= b, z3.Z3_OP_SLEQ: lambda a, b: a > b,
         z3.Z3_OP_SGT: lambda a, b: a <= b, z3.Z3_OP_SGEQ: lambda a, b: a < b,
         z3.Z3_OP_LT: lambda a, b: a >= b, z3.Z3_OP_LE: lambda a, b: a > b,
         z3.Z3_OP_GT: lambda a, b: a <= b, z3.Z3_OP_GE: lambda a, b: a < b}


def complements(c: Any) -> list:
    """Terms that are exactly the negation of the Boolean term `c`: its
    argument if it is a `Not`, the flipped comparison (`a >= b` for
    `a < b`), and `Not(c)` itself (Z3 shares equal terms, so their ids match)."""
    out = [z3.BoolRef(z3.Z3_mk_not(_CTX.ref(), c.as_ast()), _CTX)]
    kind = c.decl().kind()
    if kind == z3.Z3_OP_NOT:
        out.append(c.arg(0))
    elif kind in _FLIP:
        out.append(_FLIP[kind](c.arg(0), c.arg(1)))
    return out


def to_z3(x: Any) -> Any:
    """A Python truth value or term as a Z3 Boolean."""
    return _bool(x) if isinstance(x, bool) else x


def value_of(model: z3.ModelRef, term: Any) -> Any:
    """The value of a term (or plain value) in a Z3 model."""
    if not is_term(term):
        return term
    v = model.eval(term, model_completion=True)
    if z3.is_bool(v):
        return z3.is_true(v)
    return v.as_signed_long() if isinstance(v, z3.BitVecNumRef) else v.as_long()


def substitute(term: Any, pairs: list) -> Any:
    """`term` with each (from, to) of `pairs` replaced: z3.substitute without
    its Python-side sort check, which costs more than the substitution on
    the large relations; Z3's C API checks the sorts itself (a mismatch
    raises z3.Z3Exception), so nothing goes unchecked."""
    term = _bool(term)
    if not pairs:
        return term
    src, dst = (z3.Ast * len(pairs))(), (z3.Ast * len(pairs))()
    for i, (a, b) in enumerate(pairs):
        src[i], dst[i] = a.as_ast(), _bool(b).as_ast()
    return z3.z3._to_expr_ref(z3.Z3_substitute(_CTX.ref(), term.as_ast(), len(pairs), src, dst), _CTX)
