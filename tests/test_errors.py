"""Bad input gets a clear error: the exception type and the content of its message.

Each entry is (id, thunk, exception type, regex the message must match). The messages must
name the types involved (with shapes and dtypes), the wire, or the generator, so no entry
matches only on a generic word.
"""
from __future__ import annotations

import itertools
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad.batch import batch
from catgrad.core.signature import Generator

A = cg.Array((3,))
M = cg.Array((2, 3))
S = cg.Array(())
_counter = itertools.count()


def _throwaway_generator():
    """A fresh generator declared without a reverse derivative (unique name per call)."""
    name = f"throwaway_nodiff_{next(_counter)}"
    return cg.declare(Generator(name=name, typing=lambda dom: dom, jax=lambda x: x, formula="x ↦ x")), name


def _rdiff_without_rule():
    g, name = _throwaway_generator()
    with pytest.raises(cg.NotDifferentiableError, match=rf"generator '{name}' has no reverse derivative"):
        cg.rdiff(cg.exp(A) >> cg.apply(g, A) >> cg.tanh(A))
    raise TypeError("checked")


def _wires_from_two_traces():
    kept = []
    cg.trace(lambda x: kept.append(x) or x, A)
    return cg.trace(lambda y: y + kept[0], A)


BAD = [
    ("compose_shape", lambda: cg.exp(A) >> cg.sin(M), TypeError,
     r"cannot compose f: f32\[3\] → f32\[3\] with g: f32\[2,3\] → f32\[2,3\].*wire 0 differs: f32\[3\] \(shape \(3,\), dtype float32\) vs f32\[2,3\] \(shape \(2, 3\), dtype float32\)"),
    ("compose_dtype", lambda: cg.exp(A) >> cg.exp(cg.Array((3,), "float64")), TypeError,
     r"wire 0 differs: f32\[3\] \(shape \(3,\), dtype float32\) vs f64\[3\] \(shape \(3,\), dtype float64\)"),
    ("compose_arity", lambda: cg.copy(A) >> cg.exp(A), TypeError,
     r"cannot compose f: f32\[3\] → f32\[3\] @ f32\[3\].*f has 2 output wire\(s\) and g has 1 input wire\(s\)"),
    ("compose_non_diagram", lambda: cg.exp(A) >> 3, TypeError, r"cannot compose a Diagram with int 3"),
    ("tensor_non_diagram", lambda: cg.exp(A) @ "x", TypeError, r"cannot tensor a Diagram with str 'x'"),
    ("copy_arity", lambda: cg.copy(A, -1), TypeError, r"copy: the number of copies must be a non-negative int, got -1"),
    ("copy_float_arity", lambda: cg.copy(A, 2.5), TypeError, r"number of copies must be a non-negative int, got 2\.5"),
    ("pair_domains", lambda: cg.pair(cg.exp(A), cg.exp(S)), TypeError,
     r"pair: ⟨f, g⟩ needs f and g with the same domain, got f32\[3\] and f32\[\]"),
    ("wiring_index", lambda: cg.wiring(A @ S, [0, 2]), TypeError,
     r"wiring: output index 2 out of range for a domain of 2 wire\(s\) \(f32\[3\] @ f32\[\]\)"),
    ("proj_index", lambda: cg.proj(A, S, 2), TypeError, r"proj: i must be 0 .* or 1 .*got 2"),
    ("binary_mismatch", lambda: cg.mul(A, cg.Array((4,))), TypeError,
     r"mul: cannot apply to f32\[3\] @ f32\[4\]: shapes \(3,\) and \(4,\) do not broadcast"),
    ("binary_dtype_mismatch", lambda: cg.add(A, cg.Array((3,), "float64")), TypeError,
     r"add: cannot apply to f32\[3\] @ f64\[3\]: both inputs must have the same dtype, got float32 and float64"),
    ("binary_generator_mismatch", lambda: cg.apply("mul", A, cg.Array((1,))), TypeError,
     r"mul: cannot apply to f32\[3\] @ f32\[1\]: both inputs must have the same type"),
    ("unary_on_int", lambda: cg.exp(cg.Array((3,), "int32")), TypeError,
     r"exp: cannot apply to i32\[3\]: expects a floating-point array .* got dtype int32"),
    ("unary_on_bool", lambda: cg.tanh(cg.Array((3,), "bool")), TypeError,
     r"tanh: cannot apply to bool\[3\].*a Z2 wire: use the boolean generators"),
    ("unknown_lookup", lambda: cg.lookup("nope"), cg.UnknownGeneratorError,
     r"unknown generator 'nope'; declared generators are: .*einsum.*sigmoid"),
    ("unknown_apply", lambda: cg.apply("nope", A), cg.UnknownGeneratorError, r"unknown generator 'nope'"),
    ("redeclare", lambda: cg.declare(Generator(name="exp", typing=lambda d: d, jax=lambda x: x, formula="x")), ValueError,
     r"generator 'exp' is already declared"),
    ("rdiff_without_rule", _rdiff_without_rule, TypeError, r"checked"),
    ("rdiff_non_diagram", lambda: cg.rdiff(lambda x: x), TypeError, r"rdiff expects a Diagram, got function"),
    ("einsum_spec_syntax", lambda: cg.einsum("ij", M, A), TypeError, r"einsum: spec 'ij' must look like 'ij,j->i'"),
    ("einsum_rank", lambda: cg.einsum("ij,j->i", M, M), TypeError,
     r"einsum: cannot apply to f32\[2,3\] @ f32\[2,3\]: spec 'ij,j->i' gives 1 indices to an input of rank 2"),
    ("einsum_sizes", lambda: cg.einsum("ij,jk->ik", M, M), TypeError, r"index 'j' has sizes 3 and 2"),
    ("einsum_lonely_index", lambda: cg.einsum("ij,jk->il", M, cg.Array((3, 4))), TypeError,
     r"index 'k' of 'ij,jk->il' appears in one term only"),
    ("einsum_repeat", lambda: cg.einsum("ii,i->i", cg.Array((3, 3)), A), TypeError,
     r"repeats an index within one operand"),
    ("matmul_inner", lambda: cg.matmul(M, cg.Array((4,))), TypeError,
     r"einsum: cannot apply to f32\[2,3\] @ f32\[4\]: index 'j' has sizes 3 and 4"),
    ("matmul_rank", lambda: cg.matmul(cg.Array((2, 3, 4)), A), TypeError,
     r"matmul: expects operands of rank 1 or 2, got ranks 3 and 1"),
    ("reshape_size", lambda: cg.reshape(A, (4,)), TypeError,
     r"reshape: cannot apply to f32\[3\]: cannot reshape 3 elements into shape \(4,\)"),
    ("reshape_not_ints", lambda: cg.reshape(A, "ab"), TypeError, r"reshape: .*shape must be a tuple of ints, got 'ab'"),
    ("sum_axis", lambda: cg.sum(M, axes=(2,)), TypeError, r"sum: cannot apply to f32\[2,3\]: axis 2 out of range for rank 2"),
    ("sum_repeated_axis", lambda: cg.sum(M, axes=(0, -2)), TypeError, r"sum: .*repeated axis"),
    ("softmax_axis", lambda: cg.softmax(M, axis=5), TypeError, r"softmax: cannot apply to f32\[2,3\]: axis 5 out of range"),
    ("transpose_perm", lambda: cg.transpose(M, (0, 0)), TypeError, r"transpose: .*\(0, 0\) is not a permutation of the 2 axes"),
    ("broadcast_axes", lambda: cg.broadcast(A, (2, 3), (1,)), TypeError,
     r"broadcast: cannot apply to f32\[3\]: removing axes \(-1,\) from \(2, 3\) leaves \(2,\), not the input shape \(3,\)"),
    ("broadcast_to", lambda: cg.broadcast_to(A, (4,)), TypeError, r"broadcast_to: cannot broadcast f32\[3\] to shape \(4,\)"),
    ("pow_missing_k", lambda: cg.pow(A), TypeError, r"pow: cannot apply to f32\[3\]: needs exactly the real attribute 'k'"),
    ("scale_nan", lambda: cg.scale(A, float("nan")), TypeError, r"scale: .*'c' must be a finite real number, got nan"),
    ("constant_shape", lambda: cg.constant(A, np.ones(4)), TypeError, r"constant: .*value of shape \(4,\) does not fit f32\[3\]"),
    ("constant_value", lambda: cg.constant(A, "abc"), TypeError, r"constant: .*value must be a number or an array, got str 'abc'"),
    ("bad_dtype", lambda: cg.Array((3,), "complex64"), TypeError, r"Array dtype 'complex64' is not supported"),
    ("bad_shape", lambda: cg.Array((2, -1)), TypeError, r"Array shape must have non-negative sizes, got \(2, -1\)"),
    ("ty_of_int", lambda: cg.Ty(3), TypeError, r"Ty is a product of Array types, got 3"),
    ("object_of_int", lambda: cg.identity(3), TypeError, r"expected an object \(Array or Ty\), got 3 of type int"),
    ("trace_returns_int", lambda: cg.trace(lambda x: 3, A), TypeError,
     r"trace: the function must return a wire or a tuple of wires, got int 3"),
    ("trace_two_builders", _wires_from_two_traces, TypeError, r"add: wires come from different traced diagrams"),
    ("wire_plus_str", lambda: cg.trace(lambda x: x + "a", A), TypeError, r"cannot combine a wire of type f32\[3\] with str 'a'"),
    ("diagram_call_type", lambda: cg.trace(lambda x: cg.exp(S)(x), A), TypeError,
     r"diagram f32\[\] → f32\[\]: input 0 has type f32\[\], got a wire of type f32\[3\]"),
    ("to_jax_non_diagram", lambda: cg.to_jax(jnp.sin), TypeError, r"to_jax expects a Diagram, got"),
    ("to_jax_shape", lambda: cg.to_jax(cg.exp(A))(jnp.ones(4)), TypeError,
     r"argument 0 \(wire 0 of the domain, type f32\[3\]: shape \(3,\), dtype float32\) got an array of shape \(4,\)"),
    ("to_jax_second_wire_shape", lambda: cg.to_jax(cg.mul(A))(jnp.ones(3), jnp.ones((3, 1))), TypeError,
     r"argument 1 \(wire 1 of the domain, type f32\[3\]: shape \(3,\), dtype float32\) got an array of shape \(3, 1\)"),
    ("to_jax_dtype", lambda: cg.to_jax(cg.exp(A))(jnp.ones(3, bool)), TypeError,
     r"argument 0 \(wire 0 of the domain, type f32\[3\].* got an array of dtype bool"),
    ("to_jax_float_on_int_wire", lambda: cg.to_jax(cg.wiring(cg.Array((2,), "int32"), [0]))(jnp.ones(2)), TypeError,
     r"wire 0 of the domain, type i32\[2\]: shape \(2,\), dtype int32\) got an array of dtype float32"),
    ("to_jax_not_array", lambda: cg.to_jax(cg.exp(A))("abc"), TypeError, r"got str 'abc', not an array"),
    ("to_jax_arity", lambda: cg.to_jax(cg.mul(A))(jnp.ones(3)), TypeError,
     r"expects 2 argument\(s\), got 1 \(its domain is f32\[3\] @ f32\[3\]\)"),
    ("compiled_shape", lambda: cg.compile(cg.exp(A))(jnp.ones((2, 3))), TypeError,
     r"compiled <Diagram f32\[3\] → f32\[3\]: 1 op>: argument 0 .* got an array of shape \(2, 3\)"),
    ("compiled_arity", lambda: cg.compile(cg.exp(A))(jnp.ones(3), jnp.ones(3)), TypeError,
     r"expects 1 argument\(s\), got 2"),
    ("to_sympy_arity", lambda: cg.to_sympy(cg.exp(A), [1, 2]), TypeError, r"to_sympy expects 1 argument\(s\), got 2"),
    ("to_sympy_non_diagram", lambda: cg.to_sympy(3), TypeError, r"to_sympy expects a Diagram, got int 3"),
    ("to_networkx_non_diagram", lambda: cg.to_networkx(None), TypeError, r"to_networkx expects a Diagram, got NoneType"),
    ("batch_size", lambda: batch(cg.exp(A), 0), ValueError, r"batch: the batch size must be a positive int, got 0"),
    ("batch_flags", lambda: batch(cg.exp(A), 4, [True, False]), TypeError,
     r"batch: got 2 batched flags for a domain of 1 wires \(f32\[3\]\)"),
]


def test_at_least_twenty_bad_inputs():
    assert len(BAD) >= 20
    assert len({b[0] for b in BAD}) == len(BAD)


@pytest.mark.parametrize("name,thunk,exc,pattern", BAD, ids=[b[0] for b in BAD])
def test_bad_input(name, thunk, exc, pattern):
    with pytest.raises(exc, match=pattern) as info:
        thunk()
    # never a deep JAX traceback: the error is raised by catgrad, not inside jax
    origin = str(info.traceback[-1].path)
    assert "/jax/" not in origin and "/numpy/" not in origin, origin


def test_float64_wire_without_x64():
    """A float64 wire needs x64: the message names the wire and the fix."""
    assert not jax.config.jax_enable_x64
    f = cg.exp(cg.Array((3,), "float64"))
    with pytest.raises(TypeError, match=r"wire 0 has type f64\[3\], which needs float64: enable it with "
                                        r"jax.config.update\('jax_enable_x64', True\)"):
        cg.to_jax(f)(np.ones(3))


def test_errors_under_jit_name_the_wire():
    """The compiled function checks its arguments while tracing, with the same message."""
    f = cg.compile(cg.mul(M))
    with pytest.raises(TypeError, match=re.escape("argument 1 (wire 1 of the domain, type f32[2,3]: shape (2, 3), "
                                                  "dtype float32) got an array of shape (3, 2)")):
        f(jnp.ones((2, 3)), jnp.ones((3, 2)))


def test_not_differentiable_error_is_a_type_error():
    g, name = _throwaway_generator()
    with pytest.raises(TypeError, match=f"rdiff: generator '{name}' has no reverse derivative; remove it from the "
                                        "diagram or declare its rdiff rule"):
        cg.rdiff(cg.apply(g, A))
    # a diagram that does not use the generator on the path to the output still needs its rule:
    with pytest.raises(cg.NotDifferentiableError, match=name):
        cg.rdiff(cg.copy(A) >> (cg.apply(g, A) @ cg.exp(A)))
