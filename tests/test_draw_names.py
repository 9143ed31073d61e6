"""Wires carry names (issue 19, point 2): ``R[f](x, dy)``, a traced function's arguments, a Para's parameter
paths (one bundled wire ``P = {…}`` at depth ≤ 1, one wire per path opened), the learner's ``S``, ``P``, ``X``,
``Y`` and their primes.

Oracles: ``jax.vjp`` (which input of ``R[f]`` is the point and which the cotangent, read off the drawing's
labels), the Python function's own signature, the parameter record's keys (read with ``jax.tree_util``),
and the picture's geometry (which wires start at the top boundary or end on a box's top edge); never the
naming code itself.
"""
from __future__ import annotations

import inspect
from collections import Counter

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import catgrad as cg
from catgrad import experiments as E
from catgrad import learn, nn
from catgrad.drawing import draw
from catgrad.drawing.layout import LABEL_GAP

from strategies import cases, inputs

EPS = 1e-6
A = cg.Array((3,))


def same(p, q) -> bool:
    return abs(p[0] - q[0]) < EPS and abs(p[1] - q[1]) < EPS


def boundary_labels(d, side: str) -> list:
    """The label of the wire leaving each input point (``side="inputs"``) or entering each output point."""
    pts = getattr(d, side)
    at = 0 if side == "inputs" else -1
    return [next(w.label for w in d.wires if same(w.points[at], p) and (at == 0 or w.label))
            if any(same(w.points[at], p) and (at == 0 or w.label) for w in d.wires) else None for p in pts]


def names(labels) -> list:
    return [lab.split(":")[0] if lab else lab for lab in labels]


# -- R[f](x, dy) ------------------------------------------------------------------------

def _by_name(d, r, values: dict) -> list:
    """The arguments of ``r`` placed where the drawing's input labels say each name goes."""
    where = names(boundary_labels(d, "inputs"))
    return [values[n] for n in where]


def test_rdiff_inputs_read_x_and_dy_as_jax_vjp_takes_them():
    """The input labelled ``x`` is the point and ``dy`` the cotangent: feeding them by name gives jax.vjp."""
    f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)  # x ↦ σ(x)², the picture
    r = cg.rdiff(f)
    d = draw(r)
    assert names(boundary_labels(d, "inputs")) == ["x", "dy"]
    assert names(boundary_labels(d, "outputs")) == ["dx"]
    x, dy = np.array([0.3, -1.2, 2.0], np.float32), np.array([1.5, 0.25, -0.7], np.float32)
    (got,) = cg.to_jax(r)(*_by_name(d, r, {"x": x, "dy": dy}))
    ref = lambda t: jax.nn.sigmoid(t) ** 2  # noqa: E731
    np.testing.assert_allclose(got, jax.vjp(ref, x)[1](dy)[0], rtol=1e-5)


def test_rdiff_of_a_traced_function_names_the_cotangents_after_its_arguments():
    f = cg.trace(lambda h, x: cg.tanh(h * x), A, A)
    r = cg.rdiff(f)
    d = draw(r)
    assert names(boundary_labels(d, "inputs")) == ["h", "x", "dy"]
    assert names(boundary_labels(d, "outputs")) == ["dh", "dx"]
    h, x, dy = (np.asarray(v, np.float32) for v in inputs(f.dom @ f.cod, seed=3))
    got = cg.to_jax(r)(*_by_name(d, r, {"h": h, "x": x, "dy": dy}))
    want = jax.vjp(lambda a, b: jax.numpy.tanh(a * b), h, x)[1](dy)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_r_r_f_names_its_inputs_x_dy_ddx():
    r2 = cg.rdiff(cg.rdiff(cg.sin(cg.Array(()))))
    assert names(boundary_labels(draw(r2), "inputs")) == ["x", "dy", "ddx"]


@settings(max_examples=15, deadline=None)
@given(cases(max_ops=3, depth=1))
def test_rdiff_of_random_diagrams_names_points_cotangents_and_results(case):
    """Every input of ``R[f]`` is named ``x``/``x0, x1, …`` then ``dy``/``dy0, …``, every output ``dx``/``dx0, …``,
    each label followed by its wire's type."""
    f = case.f
    n, m = len(f.dom), len(f.cod)

    def seq(p, k):
        return [p] if k == 1 else [f"{p}{i}" for i in range(k)]
    d = draw(cg.rdiff(f))
    labels = boundary_labels(d, "inputs")
    assert names(labels) == seq("x", n) + seq("dy", m)
    assert [lab.split(": ")[1] for lab in labels] == [str(t) for t in f.dom @ f.cod]
    outs = boundary_labels(d, "outputs")
    assert [o for o in names(outs) if o] == [o for o, lab in zip(seq("dx", n), outs) if lab]


# -- traced functions, composition -----------------------------------------------------------

def test_a_traced_function_names_its_inputs_after_its_arguments():
    def step(hidden, x_t):
        return cg.tanh(hidden + x_t)
    f = cg.trace(step, A, A)
    d = draw(f)
    want = list(inspect.signature(step).parameters)
    assert boundary_labels(d, "inputs") == [f"{a}: {t}" for a, t in zip(want, f.dom)]
    # no name without one parameter per wire
    assert all(":" not in lab for lab in boundary_labels(draw(cg.trace(lambda *ws: ws[0] * ws[1], A, A)), "inputs"))


def test_names_travel_through_composition_and_leave_the_semantics_alone():
    f = cg.trace(lambda a, b: (cg.exp(a) * b, a), A, A).with_names(cod=["u", "v"])
    g = cg.trace(lambda p, q: cg.sin(p) + q, A, A)
    h = f >> g
    assert h.dom_names == ("a", "b") and h.cod_names == g.cod_names == ()
    assert (f >> cg.identity(A @ A)).cod_names == ()
    assert (f @ cg.exp(A)).dom_names == ("a", "b", "")
    assert (cg.exp(A) @ cg.exp(A)).dom_names == ()
    assert h.simplify().dom_names == ("a", "b") and h.named("layer").dom_names == ("a", "b")
    xs = [np.asarray(v, np.float32) for v in inputs(h.dom, seed=1)]
    np.testing.assert_array_equal(cg.to_jax(h)(*xs)[0], cg.to_jax(h.with_names((), ()))(*xs)[0])
    with pytest.raises(TypeError, match="dom names must be 2 str"):
        h.with_names(["only_one"])


def test_a_lens_names_its_four_boundaries_as_its_formula_does():
    d = draw(cg.Lens.of(cg.sigmoid(A)))
    got = Counter(names(w.label for w in d.wires if w.label and ":" in w.label))
    assert {k: got[k] for k in ("x", "y", "dy", "dx")} == {"x": 2, "y": 1, "dy": 1, "dx": 1}  # x feeds both bands


# -- a Para's parameters: bundled at depth ≤ 1, one wire per path opened ------------------------

LAYERS = (
    lambda n, m: nn.dense(n, m),
    lambda n, m: nn.dense(n, m, "sigmoid"),
    lambda n, m: nn.linear(n, m),
    lambda n, m: nn.linear(n, n) if n == m else nn.dense(n, m, "tanh"),
)


@st.composite
def paras(draw_):
    """A random chain of layers (dense, linear, activations) of random widths."""
    widths = draw_(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    p = None
    for n, m in zip(widths, widths[1:]):
        layer = draw_(st.sampled_from(LAYERS))(n, m)
        p = layer if p is None else p >> layer
    return p


def record_text(record) -> str:
    """The record as ``{k: a, b; k2: c}`` from its keys (the shape of the layers' records, two levels)."""
    return "{" + "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(record.items())) + "}"


def top_wires(d) -> list:
    """The wires that start at a point where parameters enter from the top."""
    return [w for w in d.wires if any(same(w.points[0], p) for p in d.params)]


def paths_of(record) -> list:
    """Each parameter's path ``layer.name`` read from the record with jax.tree_util."""
    return [".".join(str(k.key) for k in path) for path, _ in jax.tree_util.tree_flatten_with_path(record)[0]]


@settings(max_examples=20, deadline=None)
@given(paras(), st.sampled_from([0, 1]))
def test_a_paras_parameters_are_one_wire_at_depth_at_most_one(p, depth):
    d = draw(p, depth=depth)
    (P,) = top_wires(d)
    assert len(d.params) == 1 and P.label == f"P = {record_text(p.param)}"
    assert P.points[0][1] < min(b.y for b in d.boxes)
    # it fans out into every parameter port: one wire per parameter leaves the end of P
    assert sum(same(w.points[0], P.points[-1]) for w in d.wires) == len(p.wires)
    assert not d.texts  # the paths are not spelt out


@settings(max_examples=20, deadline=None)
@given(paras())
def test_opened_each_parameter_is_its_own_wire_named_by_its_path(p):
    d = draw(p)
    assert len(top_wires(d)) == len(d.params) == len(p.wires)
    assert Counter(t.text for t in d.texts) == Counter(paths_of(p.param))
    assert all(c == 1 for c in Counter(t.text for t in d.texts).values())
    # each name starts just right of its own wire's entry point (beside it, never struck by it)
    assert all(t.anchor == "start" for t in d.texts)
    assert sorted(t.x for t in d.texts) == pytest.approx(sorted(q[0] + LABEL_GAP for q in d.params))


def test_iris_para_at_depth_one_reads_p_as_its_record():
    p = E.model("iris", "hidden")
    (P,) = top_wires(draw(p, depth=1))
    assert P.label == "P = " + record_text(p.param) == "P = {dense: W, b; dense_1: W, b}"
    lens = draw(p.lens(), depth=1)
    assert len(lens.params) == 1 and len(lens.extra["param_out"]) == 1  # P in, P' out: one wire each


def test_a_deeply_nested_record_is_shortened():
    inner = {"attn": {"Wq": A, "Wk": A, "Wv": A}, "ln": {"g": A, "b": A}, "mlp": {"W1": A, "W2": A}}
    text = cg.record.summary({"block": inner, "block_1": inner})
    assert len(text) <= cg.record.SUMMARY_MAX and text.startswith("{block: ") and "block_1" in text


# -- the learner ----------------------------------------------------------------------------------

def on_top_edge(p, b) -> bool:
    return abs(p[1] - b.y) < EPS and b.x - EPS <= p[0] <= b.x + b.width + EPS


@pytest.mark.parametrize("opt", ["gd", "adam"])
def test_the_learner_at_depth_one_names_s_p_x_y_and_bundles_p(opt):
    model = E.model("iris", "hidden")
    optimiser = learn.gd() if opt == "gd" else learn.adam(0.01)
    lrn = learn.supervised(model, learn.mse(cg.Array((3,))), learn.learning_rate(0.1), optimiser)
    d = draw(lrn, depth=1)
    texts = Counter(t.text for t in d.texts)
    has_state = bool(jax.tree_util.tree_leaves(optimiser.state(model.param)))
    want = {"X", "X'", "Y", "Y'", "P", "P'"} | ({"S", "S'"} if has_state else set())
    assert want <= set(texts) and ("S" in texts) == has_state
    assert f"P = {record_text(model.param)}" in texts
    # one wire P enters the model's lens from the top and one wire P' leaves it (not one per parameter)
    m = next(b for b in d.boxes if b.label == "R(model)")
    assert sum(on_top_edge(w.points[-1], m) for w in d.wires) == 1
    assert sum(on_top_edge(w.points[0], m) for w in d.wires) == 1
    opened = draw(lrn, depth=None)
    assert {"X", "Y"} <= {t.text for t in opened.texts}
    assert set(paths_of(model.param)) <= {t.text for t in opened.texts}
