"""Labels from the mathematics (issue 19, point 4) and the legend.

Each generator's record states its drawing label (``Generator.drawing_label``); the tests read the
label back as mathematics and check it against an independent oracle: a product label ``Wᵀ·x`` is
evaluated with numpy and compared with ``numpy.einsum`` of the spec, a constant's label parsed back
to its value, a power's superscript to its exponent, a comparison's symbol run as Python's operator.
The legend must explain every symbol of the pictures the course and the docs show.
"""
from __future__ import annotations

import operator
import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

import catgrad as cg
from catgrad import Array, Ty, experiments as E
from catgrad.core.registry import SIGNATURE
from catgrad.drawing import legend
from catgrad.drawing.examples import drawings
from catgrad.drawing.legend import explain, unexplained

NAMES = frozenset(SIGNATURE)


def label(diagram):
    """The labels of the boxes of ``diagram`` drawn at full depth."""
    return [b.label for b in cg.draw(diagram).boxes]


# -- einsum: products read as products ------------------------------------------------------

def _evaluate(lab: str, first, second):
    """The meaning of a product label such as ``Wᵀ·x`` or ``x⊗y`` with numpy, the operands named as the
    legend says: a matrix W and a vector x; else A, B (matrices) or x, y (vectors) by position."""
    ranks = (first.ndim, second.ndim)
    if sorted(ranks) == [1, 2]:
        env = {"W": first if ranks[0] == 2 else second, "x": first if ranks[0] == 1 else second}
    else:
        env = dict(zip("AB" if ranks[0] == 2 else "xy", (first, second)))
    m = re.fullmatch(r"([WABxy])(ᵀ?)([·⊗])([WABxy])(ᵀ?)", lab)
    assert m, f"{lab!r} is not a product"
    left, right = env[m[1]], env[m[4]]
    left, right = (left.T if m[2] else left), (right.T if m[5] else right)
    return np.outer(left, right) if m[3] == "⊗" else left @ right


@st.composite
def products(draw):
    """A spec of a matrix–vector, vector–matrix, matrix–matrix, dot or outer product, with random index
    letters, operands transposed or not, and maybe a leading batch index in all three terms."""
    i, j, k, z = draw(st.permutations("abcdijkmnpqz"))[:4]
    case = draw(st.sampled_from(["Wx", "xW", "AB", "dot", "outer"]))
    t1, t2 = draw(st.booleans()), draw(st.booleans())
    a, b, out = {"Wx": (i + j, j, i), "xW": (j, j + k, k), "AB": (i + j, j + k, i + k),
                 "dot": (j, j, ""), "outer": (i, k, i + k)}[case]
    a = a[::-1] if t1 else a
    b = b[::-1] if t2 else b
    if draw(st.booleans()):
        a, b, out = z + a, z + b, z + out
    return f"{a},{b}->{out}"


@given(products(), st.integers(0, 2 ** 31 - 1))
def test_einsum_products_are_labelled_as_products_that_mean_the_einsum(spec, seed):
    rng = np.random.default_rng(seed)
    (a, b), _ = spec.split("->")[0].split(","), None
    sizes = {c: n for c, n in zip("abcdijkmnpqz", rng.integers(2, 5, 12))}
    x, y = (rng.normal(size=[sizes[c] for c in t]) for t in (a, b))
    dom = Ty(Array(x.shape), Array(y.shape))
    lab = cg.einsum.drawing_label(dom, {"spec": spec})
    expected = np.einsum(spec, x, y)
    batch = [c for c in spec.split("->")[1] if c in a and c in b]
    if batch:  # per entry of the batch index
        got = np.stack([_evaluate(lab, x[n], y[n]) for n in range(x.shape[0])])
    else:
        got = _evaluate(lab, x, y)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("spec, expected", [
    ("ij,j->i", "W·x"), ("ij,i->j", "Wᵀ·x"), ("i,j->ij", "x⊗y"), ("i,i->", "x·y"), ("ij,jk->ik", "A·B"),
    ("ai,oi->ao", "A·Bᵀ"), ("ij,zj->zi", "B·Aᵀ"), ("hts,shd->thd", "A·B"),
    ("ijk,kl->ijl", "einsum ijk,kl→ijl"), ("ij,ij->", "einsum ij,ij→"), ("i,i->i", "einsum i,i→i"),
])
def test_einsum_labels_from_the_record(spec, expected):
    a, b = spec.split("->")[0].split(",")
    dims = dict(zip("ijklhtsdaoz", (2, 3, 4, 5, 2, 3, 4, 5, 2, 3, 4)))
    d = cg.einsum(spec, Array(tuple(dims[c] for c in a)), Array(tuple(dims[c] for c in b)))
    assert label(d) == [expected]


def test_matmul_and_a_dense_layer_read_w_dot_x():
    assert label(cg.matmul(Array((2, 3)), Array((3,)))) == ["W·x"]
    assert "W·x" in label(E.model("iris", "hidden").map)


# -- the other records' labels --------------------------------------------------------------

@pytest.mark.parametrize("value", [1.0, 0.5, -2.0, 1e-5, -0.01, 3.0])
def test_a_scalar_constant_shows_its_value(value):
    (lab,) = label(cg.constant(Array((3,)), value))
    assert float(lab.replace("−", "-")) == pytest.approx(value)


def test_small_constant_arrays_show_their_values_big_ones_their_type():
    v = np.array([1.0, -2.0, 0.5])
    (lab,) = label(cg.constant(Array((3,)), v))
    assert [float(t.replace("−", "-")) for t in lab.strip("[]").split(", ")] == v.tolist()
    (lab,) = label(cg.constant(Array((3, 3)), np.eye(3)))
    assert lab == f"c: {Array((3, 3))}"


@pytest.mark.parametrize("k", [2, 3, -1, 10, 0.5])
def test_pow_is_drawn_as_x_to_the_k(k):
    (lab,) = label(cg.pow(Array((3,)), k))
    digits = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
    assert lab.startswith("x") and float(lab[1:].lstrip("^").translate(digits)) == k


def test_negation_root_scale_and_sigma():
    A = Array((3,))
    assert label(cg.neg(A)) == ["−x"] and label(cg.sqrt(A)) == ["√x"] and label(cg.sigmoid(A)) == ["σ"]
    assert label(cg.scale(A, 0.25)) == ["×0.25"]


@pytest.mark.parametrize("kernel, stride", [((3, 3), 1), ((5, 2), 1), ((3, 3), 2)])
def test_conv_is_labelled_by_its_kernel_shape(kernel, stride):
    x, w = Array((1, 12, 12)), Array((2, 1, *kernel))
    lab = label(cg.conv2d(x, w, stride=stride))
    assert lab == [f"conv {kernel[0]}×{kernel[1]}" + ("" if stride == 1 else f" /{stride}×{stride}")]


def test_conv_label_survives_full_depth_of_the_mnist_learner():
    labels = [b.label for b in cg.draw(E.learner(E.protocol("mnist", "conv")), depth=None).boxes]
    assert "conv 3×3" in labels and "⋆" not in labels and "·" not in labels


def test_max_pool_is_named_when_collapsed_and_reads_max_window_opened():
    f = cg.max_pool2d(Array((1, 4, 4)))
    assert {op.scope for op in f.ops} == {("max-pool 2×2",)}
    assert [b.label for b in cg.draw(f, depth=1).boxes] == ["max-pool 2×2"]
    assert label(f) == ["reshape", "max 2×2"]


@pytest.mark.parametrize("op", sorted(cg.core.select.COMPARISONS))
def test_comparisons_are_their_relation_symbols(op):
    (lab,) = label(cg.compare(Array((2,)), Array((2,)), op))
    python = {"<": "lt", "≤": "le", ">": "gt", "≥": "ge", "=": "eq", "≠": "ne"}[lab]
    assert getattr(operator, python) is cg.core.select.COMPARISONS[op]


def test_a_record_label_is_a_string_a_function_or_the_name():
    A = Ty(Array((3,)))
    assert cg.sigmoid.drawing_label(A, {}) == "σ" and cg.exp.drawing_label(A, {}) == "exp"
    assert cg.pow.drawing_label(A, (("k", 2),)) == "x²"
    with pytest.raises(ValueError, match="label must be a str or a function"):
        cg.core.signature.declare(cg.Generator(name="bad_label", typing=lambda dom: dom, jax=lambda x: x,
                                               formula="x", label=3))


# -- the legend ------------------------------------------------------------------------------

def test_the_legend_has_each_dot_and_the_symbols_the_issue_names():
    symbols = {s.symbol for s in legend()}
    assert {"●", "○", "1", "σ", "W·x", "⇉", "c: f32[3,3]", "lens", "layer", "wire from the top"} <= symbols
    assert all(s.meaning for s in legend())
    assert explain("⋆") is None and explain("cmp") is None and explain("c") is None


def _course_pictures():
    pictures = {name: cg.draw(x, depth=depth) for name, (x, depth) in drawings().items()}
    for ds, model in [("iris", "hidden"), ("mnist", "conv"), ("digits", "hidden")]:
        m = E.model(ds, model)
        pictures[f"{ds} R"] = cg.draw(cg.rdiff(m.map))
        pictures[f"{ds} learner"] = cg.draw(E.learner(E.protocol(ds, model)), depth=None)
        pictures[f"{ds} lens"] = cg.draw(m.lens(), depth=None)
    pictures["gru"] = cg.draw(cg.nn.gru(2, 3)(Array((5, 2))))
    pictures["transformer"] = cg.draw(cg.nn.transformer_block(8, 2, 16)(Array((4, 8))))
    pictures["R R sigmoid"] = cg.draw(cg.rdiff(cg.rdiff(cg.sigmoid(Array((3,))))))
    return pictures


def test_every_symbol_of_the_docs_and_cli_pictures_is_in_the_legend():
    for name, d in _course_pictures().items():
        assert unexplained(d, NAMES) == [], name
