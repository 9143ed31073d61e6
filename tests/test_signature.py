"""The generator record and the one interpreter (issue: one record, one interpreter).

Oracles: the records' own fields are compared with the public functions (identity, not a copy);
R[g] against jax.vjp; the functor laws of ``interpret`` with meanings that share no code with the
JAX semantics (counting, strings); the source of the package for the loops over ``.ops``.
"""
import ast
import dataclasses
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings

import catgrad as cg
from catgrad import Generator, declare
from catgrad.boolean import gates
from catgrad.core import conv, pool
from catgrad.core.signature import SIGNATURE
from catgrad.semantics.functor import interpret

from strategies import cases

A = cg.Array((3,))

PUBLIC_RECORDS = [cg.neg, cg.exp, cg.log, cg.sin, cg.cos, cg.sqrt, cg.sigmoid, cg.tanh, cg.relu, cg.heaviside,
                  cg.scale, cg.pow, cg.sum, cg.broadcast, cg.reshape, cg.transpose, cg.softmax, cg.logsumexp,
                  cg.argmax, cg.einsum, cg.add, cg.mul, cg.div, cg.zero, cg.constant, conv.conv, conv.reverse,
                  pool.reduce_max, pool.max_hit, gates.and_, gates.one, gates.threshold, gates.threshold_flips]


@pytest.mark.parametrize("g", PUBLIC_RECORDS, ids=lambda g: g.name)
def test_the_public_function_is_the_declared_record(g):
    assert isinstance(g, Generator)
    assert SIGNATURE[g.name] is g
    assert g.__doc__.startswith(g.summary) and g.formula in g.__doc__
    if g.rdiff is not None:
        assert g.rdiff_formula in g.__doc__


def test_help_shows_typing_meaning_and_reverse_derivative():
    doc = cg.sigmoid.__doc__
    assert "Typing: sigmoid: A → A" in doc
    assert "Meaning: σ(x) = 1 / (1 + e^(−x))" in doc
    assert "Reverse derivative: R[σ](x, dy) = dy·y·(1 − y)" in doc
    import pydoc
    assert "R[σ](x, dy)" in pydoc.render_doc(cg.sigmoid)


def test_every_R_formula_is_in_the_module_table_read_off_the_records():
    from catgrad.core import generators
    for g in generators.SMOOTH:
        assert g.rdiff_formula in generators.__doc__


def test_record_fields_are_keyword_only():
    with pytest.raises(TypeError):
        Generator("x", lambda d: d, lambda x: x)  # positional callables are refused
    assert all(f.kw_only for f in dataclasses.fields(Generator))


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="g_no_formula", typing=lambda d: d, jax=lambda x: x), "formula"),
    (dict(name="g_no_rformula", typing=lambda d: d, jax=lambda x: x, formula="x", rdiff=lambda x, d: [d]),
     "rdiff_formula"),
    (dict(name="g_half_z2", typing=lambda d: d, z2_jax=lambda x: x, formula="x"), "GF\\(2\\) meaning"),
    (dict(name="g_no_jax", typing=lambda d: d, sympy=lambda x: x, formula="x"), "needs a JAX meaning"),
    (dict(name="g_bad_sympy", typing=lambda d: d, jax=lambda x: x, sympy=3, formula="x"), "sympy must be callable"),
    (dict(name="not an identifier", typing=lambda d: d, jax=lambda x: x, formula="x"), "identifier"),
])
def test_declare_checks_the_record_is_complete_for_what_it_claims(kwargs, words):
    with pytest.raises(ValueError, match=words):
        declare(Generator(**kwargs))
    assert kwargs["name"] not in SIGNATURE


def test_declare_refuses_a_non_record():
    with pytest.raises(TypeError, match="declare expects a Generator record"):
        declare(lambda x: x)


def test_calling_on_types_and_on_wires_agree():
    d = cg.sigmoid(A)
    t = cg.trace(lambda x: cg.sigmoid(x), A)
    assert [op.gen for op in d.ops] == [op.gen for op in t.ops] == [cg.sigmoid]
    # positional attributes fill the record's params
    assert cg.scale(A, 2.0).ops[0].kwargs == {"c": 2.0}
    assert cg.einsum("ij,j->i", cg.Array((2, 3)), A).cod == cg.Array((2,))
    with pytest.raises(TypeError, match=r"sigmoid: takes no positional attributes, got \[2.0\]"):
        cg.sigmoid(A, 2.0)
    with pytest.raises(TypeError, match="mixes wires and types"):
        cg.trace(lambda x: cg.mul(x, A), A)


def test_nullary_records_take_their_codomain():
    z = cg.zero(A @ cg.Array(()))
    assert z.dom == cg.Ty() and z.cod == A @ cg.Array(()) and z.size == 2
    c = cg.constant(A, 1.5)
    (v,) = cg.to_jax(c)()
    np.testing.assert_array_equal(v, np.full(3, 1.5, np.float32))
    assert gates.one(3).cod == cg.Array((3,), "bool")


def test_broadcasting_is_decided_once_for_types_and_wires():
    f = cg.add(cg.Array((2, 3)), cg.Array((3,)))
    g = cg.trace(lambda x, y: x + y, cg.Array((2, 3)), cg.Array((3,)))
    x, y = jnp.ones((2, 3)), jnp.arange(3.0)
    np.testing.assert_array_equal(cg.to_jax(f)(x, y)[0], cg.to_jax(g)(x, y)[0])
    np.testing.assert_array_equal(cg.to_jax(f)(x, y)[0], x + y)


@pytest.mark.parametrize("g", [cg.sigmoid, cg.tanh, cg.exp, cg.sqrt], ids=lambda g: g.name)
def test_rules_that_reuse_the_forward_output_agree_with_vjp_and_recompute_nothing(g):
    r = cg.rdiff(g(A))
    assert sum(op.gen is g for op in r.ops) == 1  # the forward value, computed once and reused
    x, dy = jnp.array([0.3, 1.2, 2.0]), jnp.array([1.0, -2.0, 0.5])
    fn = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "exp": jnp.exp, "sqrt": jnp.sqrt}[g.name]
    np.testing.assert_allclose(cg.to_jax(r)(x, dy)[0], jax.vjp(fn, x)[1](dy)[0], rtol=1e-6)


def _keys(d):
    return [(op.gen.name, op.attrs, op.ins) for op in d.ops]


def test_rdiff_is_minimal_each_computation_once():
    f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)  # σ(x)²
    r = cg.rdiff(f)
    assert len(set(_keys(r))) == len(_keys(r))
    assert [op.gen.name for op in r.ops].count("sigmoid") == 1
    assert [op.gen.name for op in r.ops].count("mul") <= 3


@settings(max_examples=40, deadline=None)
@given(cases())
def test_rdiff_has_no_repeated_operation(case):
    r = cg.rdiff(case.f)
    assert len(set(_keys(r))) == len(_keys(r))


def _count(op, args, types):
    return [sum(args) + 1] * len(op.outs)


@settings(max_examples=40, deadline=None)
@given(cases(), cases())
def test_interpret_is_a_functor(cf, cg_):
    """interpret(f ; g) = interpret(g) ∘ interpret(f) and interpret(f ⊗ g) = interpret(f) × interpret(g),
    for a meaning that counts operations along paths (it shares nothing with the JAX meaning)."""
    f, g = cf.f, cg_.f
    x = list(range(len(f.dom)))
    y = list(range(len(g.dom)))
    assert interpret(f @ g, _count, x + y) == interpret(f, _count, x) + interpret(g, _count, y)
    if f.cod == g.dom:
        assert interpret(f >> g, _count, x) == interpret(g, _count, list(interpret(f, _count, x)))
    assert interpret(cg.identity(f.dom), _count, x) == tuple(x)


def test_interpret_with_a_string_meaning_prints_the_term():
    show = lambda op, args, types: [f"{op.gen.name}({', '.join(args)})"] * len(op.outs)  # noqa: E731
    f = cg.trace(lambda x, y: cg.exp(x) * y, A, A)
    assert interpret(f, show, ["x", "y"]) == ("mul(exp(x), y)",)


def test_z2_meaning_is_stated_by_each_record():
    """A generator acting on bool wires states its JAX meaning there and its GF(2) meaning, both explicit."""
    on_z2 = [g for g in SIGNATURE.values() if g.z2_jax is not None]
    assert {"add", "sum", "zero", "constant", "broadcast", "reshape", "transpose", "and_", "one", "threshold"} <= {
        g.name for g in on_z2}
    assert all(g.z2 is not None for g in on_z2)
    assert cg.add.jax is not cg.add.z2_jax  # XOR is not the JAX meaning of + on reals
    x, y = jnp.array([True, True, False]), jnp.array([True, False, False])
    np.testing.assert_array_equal(cg.to_jax(cg.add(cg.Array((3,), "bool")))(x, y)[0], x ^ y)


def reads_of_ops(source: str) -> list:
    """The lines of ``source`` that read a diagram's operations: any ``x.ops`` (looped over, aliased, mapped,
    zipped, sliced, indexed in a ``while``, measured) and ``getattr(x, "ops")``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "ops" and isinstance(node.ctx, ast.Load):
            found.append(node.lineno)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "ops"):
            found.append(node.lineno)
    return sorted(set(found))


@pytest.mark.parametrize("spelling", [
    "for op in f.ops: pass",
    "for k, op in enumerate(reversed(f.ops)): pass",
    "ops = f.ops\nfor op in ops: pass",
    "names = list(map(lambda op: op.gen.name, f.ops))",
    "pairs = zip(f.ops, range(3))",
    "first = f.ops[1:]",
    "names = [op.gen.name for op in f.ops]",
    "i = 0\nwhile i < n:\n    op = f.ops[i]\n    i += 1",
    "ops = getattr(f, 'ops')",
    "def g(d):\n    return sum(1 for _ in d.ops)",
])
def test_the_ops_loop_check_catches_every_spelling(spelling):
    assert reads_of_ops(spelling) != []
    assert reads_of_ops(spelling.replace("ops", "edges")) == []


def test_no_module_outside_the_interpreter_rdiff_and_batch_loops_over_ops():
    """Only the syntax itself (``core/diagram.py``), the interpreter and the two functors that build syntax
    read a diagram's operations; everything else goes through ``interpret`` (drawing gets a plain hypergraph)."""
    root = pathlib.Path(cg.__file__).parent
    allowed = {"semantics/functor.py", "rdiff.py", "batch.py", "core/diagram.py"}
    found = [f"{path.relative_to(root).as_posix()}:{line}" for path in sorted(root.rglob("*.py"))
             if path.relative_to(root).as_posix() not in allowed for line in reads_of_ops(path.read_text())]
    assert found == []


def test_scopes_name_layers_and_R_keeps_them():
    from catgrad import nn
    d = nn.dense(2, 3, nn.sigmoid)
    assert {op.scope[0] for op in d.map.ops} == {"dense"}
    r = cg.rdiff(d.map)
    scopes = {op.scope[0] for op in r.ops if op.scope}
    assert scopes == {"dense", "R(dense)"}
    b = cg.batch(d.map, 4, [False, False, True])
    assert {op.scope[0] for op in b.ops if op.scope} == {"dense"}
    assert cg.sigmoid(A).named("act").named("model").ops[0].scope == ("model", "act")
    with pytest.raises(TypeError, match="scope name must be a non-empty str"):
        cg.sigmoid(A).named("")


def test_argmax_of_symbols_is_a_clear_error():
    with pytest.raises(cg.SemanticsError, match="argmax has no symbolic meaning"):
        cg.to_sympy(cg.argmax(cg.Array((3,))))
    import sympy as sp
    assert cg.to_sympy(cg.argmax(cg.Array((3,))), [sp.Matrix([1, 5, 2])]) == (1,)
