"""Learning functors [CDL; MATH.md §9]: schemas, models, the schema's objective and its learner.

Oracles: the objective against a jax.numpy transcription written here (path equations as mean squared
distances, moment distances per generator); one compiled step with ``learn.gd()`` against
``p − α ∇ objective`` by ``jax.grad`` of that transcription; CycleGAN's schema learned from unpaired
samples of two generated 2-D Gaussians, measured by numpy: the kernel MMD² between each map's image and
its target's data, and the cycle errors ``‖g(f(a)) − a‖``, ``‖f(g(b)) − b‖``, before and after training.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import catgrad as cg
from catgrad import learn, nn
from catgrad.learners import Schema, SchemaModel, cyclegan_schema, objective, schema_learner


def mlp(d_in, d_out):
    return nn.dense(d_in, 8, nn.tanh) >> nn.dense(8, d_out)


def ref_objective(model, params, data, weight=1.0):
    """The objective in jax.numpy, from the generators' own maps (applied per sample)."""
    s = model.schema
    per = model.split(params)
    run1 = {g: cg.to_jax(model.maps[g].map) for g in s.generators}

    def path(p, x):
        for g in p:
            x = jax.vmap(lambda v, g=g: run1[g](*per[g], v)[0])(x)
        return x

    def moments(x):
        mu = x.mean(0)
        c = x - mu
        return mu, c.T @ c / x.shape[0]

    objs = dict(zip(s.objects, data))
    total = 0.0
    for p, q in s.equations:
        x = objs[s.source(p, q)]
        total = total + jnp.sum((path(p, x) - path(q, x)) ** 2) / x.shape[0]
    for g, (x, y) in s.generators.items():
        (m1, c1), (m2, c2) = moments(path((g,), objs[x])), moments(objs[y])
        total = total + weight * (jnp.sum((m1 - m2) ** 2) + jnp.sum((c1 - c2) ** 2))
    return total


def test_objective_and_one_step_match_the_transcription():
    rng = np.random.default_rng(0)
    model = SchemaModel(cyclegan_schema(2, 3), {"f": mlp(2, 3), "g": mlp(3, 2)})
    n = 16
    data = [rng.normal(size=(n, 2)).astype(np.float32), rng.normal(size=(n, 3)).astype(np.float32)]
    lrn = schema_learner(model, n, learn.gd(), lr=0.05, match_weight=0.5)
    s, p = lrn.init(jax.random.PRNGKey(1))
    np.testing.assert_allclose(float(lrn.loss(p, data)), float(ref_objective(model, p, data, 0.5)), rtol=1e-5)
    grads = jax.jit(jax.grad(lambda ps: ref_objective(model, ps, data, 0.5)))(p)
    _, new = lrn.step((s, p), data)
    for a, b, g in zip(new, p, grads):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b - 0.05 * g), rtol=1e-4, atol=1e-6)


def mmd2(x, y, h=1.0):
    """The squared maximum mean discrepancy with a Gaussian kernel of bandwidth h (numpy)."""
    def k(a, b):
        return np.exp(-((a[:, None, :] - b[None, :, :]) ** 2).sum(-1) / (2 * h * h))
    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


def cyclegan_run(steps: int, n: int = 256, seed: int = 0) -> dict:
    """CycleGAN's schema on two 2-D Gaussians: A = N(0, I), B = M·N(0, I) + (3, 1); returns the MMD² of
    f(A) to B and g(B) to A, and the mean cycle errors, before and after ``steps`` Adam steps."""
    rng = np.random.default_rng(seed)
    M, shift = np.array([[1.5, 0.0], [1.0, 0.5]]), np.array([3.0, 1.0])
    sample_a = lambda m: rng.normal(size=(m, 2)).astype(np.float32)  # noqa: E731
    sample_b = lambda m: (rng.normal(size=(m, 2)) @ M.T + shift).astype(np.float32)  # noqa: E731
    test_a, test_b = sample_a(1000), sample_b(1000)
    model = SchemaModel(cyclegan_schema(2, 2), {"f": mlp(2, 2), "g": mlp(2, 2)})
    lrn = schema_learner(model, n, learn.adam(0.02))
    state = lrn.init(jax.random.PRNGKey(seed))

    def measure(p):
        fa, gb = np.asarray(model.run(p, ("f",), "A", test_a)), np.asarray(model.run(p, ("g",), "B", test_b))
        gfa, fgb = np.asarray(model.run(p, ("f", "g"), "A", test_a)), np.asarray(model.run(p, ("g", "f"), "B", test_b))
        return {"mmd2_fA_B": mmd2(fa, test_b), "mmd2_gB_A": mmd2(gb, test_a),
                "cycle_A": float(np.linalg.norm(gfa - test_a, axis=1).mean()),
                "cycle_B": float(np.linalg.norm(fgb - test_b, axis=1).mean())}

    before = measure(state[1])
    for _ in range(steps):
        state = lrn.step(state, [sample_a(n), sample_b(n)])     # unpaired: fresh independent samples
    return {"before": before, "after": measure(state[1]), "baseline_mmd2": mmd2(sample_a(1000), test_a)}


def test_cyclegan_schema_transports_one_distribution_onto_the_other():
    r = cyclegan_run(400)
    b, a = r["before"], r["after"]
    print("CycleGAN", r)
    assert a["mmd2_fA_B"] < 0.1 * b["mmd2_fA_B"] and a["mmd2_gB_A"] < 0.2 * b["mmd2_gB_A"], r
    assert a["cycle_A"] < 0.3 and a["cycle_B"] < 0.3 and a["cycle_A"] < 0.3 * b["cycle_A"], r


def test_schema_checks_and_draws():
    with pytest.raises(ValueError, match="unknown object"):
        Schema({"A": 2}, {"f": ("A", "C")})
    with pytest.raises(ValueError, match="same ends"):
        Schema({"A": 2, "B": 2}, {"f": ("A", "B")}, [(("f",), ())])
    with pytest.raises(TypeError, match="generator f"):
        SchemaModel(cyclegan_schema(2, 3), {"f": mlp(2, 2), "g": mlp(3, 2)})
    svg = cyclegan_schema(2, 2).svg()
    assert svg.count("<circle") == 2 and svg.count("marker-end") == 2 and "f ; g = 1_A" in svg
