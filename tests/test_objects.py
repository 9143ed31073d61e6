"""Objects: array types and their products form a strict monoid."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg

arrays = st.builds(cg.Array, st.lists(st.integers(0, 4), max_size=3).map(tuple),
                   st.sampled_from(["float32", "float64", "bool", "int32"]))
tys = st.lists(arrays, max_size=3).map(lambda xs: cg.Ty(*xs))


@settings(max_examples=50)
@given(tys, tys, tys)
def test_strict_monoid(a, b, c):
    assert (a @ b) @ c == a @ (b @ c)
    assert cg.Ty() @ a == a == a @ cg.Ty()
    assert len(a @ b) == len(a) + len(b)
    assert hash((a @ b) @ c) == hash(a @ (b @ c))


def test_array_basics():
    a = cg.Array((2, 3))
    assert a.dtype == "float32" and a.ndim == 2 and a.size == 6 and a.is_float
    assert cg.Array(3) == cg.Array((3,))
    assert cg.Array((), "float64") != cg.Array(())
    assert str(cg.Array((2, 3), "bool")) == "bool[2,3]" and not cg.Array((), "bool").is_float
    assert a == cg.Ty(a) and cg.Ty(a) == a
    assert repr(a @ cg.Array(())) == "Ty(f32[2,3], f32[])"
    assert str(cg.Ty()) == "1"
    assert (a @ a)[1:] == cg.Ty(a)


@pytest.mark.parametrize("bad,match", [
    (lambda: cg.Array((2, -1)), "non-negative sizes"),
    (lambda: cg.Array((2,), "int8"), "Array dtype 'int8' is not supported"),
    (lambda: cg.Array((2,), "no-such-dtype"), "is not a dtype"),
    (lambda: cg.Array("ab"), "Array shape must be a tuple of ints, got 'ab'"),
    (lambda: cg.Ty(cg.Array(()), 5), "Ty is a product of Array types, got 5"),
])
def test_bad_objects(bad, match):
    with pytest.raises(TypeError, match=match):
        bad()


def test_integer_sizes_of_any_integer_type_are_python_ints():
    import jax.numpy as jnp
    import numpy as np
    a = cg.Array((np.int64(2), jnp.int32(3)))
    assert a == cg.Array((2, 3)) and all(type(n) is int for n in a.shape)
    assert cg.Array(np.array([4, 5])).shape == (4, 5) and cg.Array(np.int32(6)).shape == (6,)


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda v: not v.is_integer()))
@settings(max_examples=30)
def test_a_fractional_size_is_never_truncated(v):
    with pytest.raises(TypeError, match=r"Array shape must be a tuple of ints, got .*: size 1 is float .*, not an int"):
        cg.Array((3, v))
