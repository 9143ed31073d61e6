# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9. Your own generator
#
# *You will learn to* declare your own generator (typing, meanings, reverse derivative) and check its rule against `jax.vjp`. *Time:* about 35 minutes.
#
# *The idea:* the syntax is **free** on its generators: declare a new primitive by saying what it
# is, and every construction of the previous notebooks works with it. A generator is one record
# holding, in one place,
#
# * its **typing** rule (the codomain from the domain, refusing bad input),
# * its **meanings**: JAX (numbers) and sympy (formulas),
# * its **reverse derivative** $R[g](x, \delta y)$, written *as a diagram of generators*, so that
#   $R[R[g]]$ exists too,
# * and the text of its documentation: the formulas of the meaning and of the rule.
#
# Here: $\mathrm{softplus}(x) = \log(1 + e^{x})$, elementwise, with
# $R[\mathrm{softplus}](x, \delta y) = \delta y \cdot \sigma(x)$.

# %%
import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

import catgrad as cg
from catgrad import datasets, learn, nn, rdiff as R

# %% [markdown]
# ## Declaring it

# %%
def softplus_typing(dom):
    if len(dom) != 1 or not dom[0].is_float:
        raise TypeError(f"softplus: expects one floating-point array, got {dom}")
    return dom


softplus = cg.declare(cg.Generator(
    name="softplus",
    typing=softplus_typing,
    jax=jax.nn.softplus,
    sympy=np.vectorize(lambda x: sp.log(1 + sp.exp(x)), otypes=[object]),
    rdiff=lambda x, dy: [dy * cg.sigmoid(x)],          # a diagram: the generators mul and sigmoid
    summary="The softplus activation, a smooth relu.",
    signature="A → A, elementwise, A a float array",
    formula="softplus(x) = log(1 + exp x)",
    rdiff_formula="R[softplus](x, dy) = dy·σ(x)",
    label="softplus",
    example=">>> from catgrad import Array\n>>> softplus(Array((3,))).cod\nTy(f32[3])",
), replace=True)                                         # replace: so that this cell can run twice

help(softplus)

# %% [markdown]
# The record *is* the function: applied to a type it gives a one-box diagram, applied to wires
# inside `trace` it gives wires. Declaring checks the record: a generator without the formula of
# its meaning, say, is refused.

# %%
A = cg.Array((4,))
f = cg.trace(lambda x: softplus(x) * x, A)
print(softplus(A), "|", f)
f

# %%
try:
    cg.declare(cg.Generator(name="mystery", typing=softplus_typing, jax=jnp.sin))
except ValueError as err:
    print("ValueError:", err)

# %% [markdown]
# ## Checking it
#
# **Against JAX.** The reverse derivative of a composite using it agrees with `jax.vjp`:

# %%
x, dy = jax.random.normal(jax.random.PRNGKey(0), (2, 4))
(ours,) = cg.to_jax(R(f))(x, dy)
(theirs,) = jax.vjp(lambda v: jax.nn.softplus(v) * v, x)[1](dy)
np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
print("R[f] = jax.vjp")

# %% [markdown]
# **Against sympy.** The rule is the derivative of the meaning, exactly, and so is the rule of the
# rule: $R[R[\mathrm{softplus}]]$ is built from $R[\cdot]$ and $R[\sigma]$ with no new code.

# %%
S = cg.Array(())
t, d, e = sp.symbols("t delta epsilon")
sp_softplus = sp.log(1 + sp.exp(t))
(first,) = cg.to_sympy(R(softplus(S)), [t, d])
assert sp.simplify(first - sp.diff(sp_softplus, t) * d) == 0
second = cg.to_sympy(R(R(softplus(S))), [t, d, e])
assert sp.simplify(second[0] - sp.diff(sp_softplus, t, 2) * d * e) == 0
print("R[softplus](t, δ) =", sp.simplify(first))
print("R[R[softplus]]    =", [sp.simplify(v) for v in second])

# %% [markdown]
# **Against the axioms.** The chain rule RD.5 for a composite through the new generator, and RD.6–RD.7
# (the second- and third-order axioms of notebook 2), exactly in sympy.

# %%
one, pi, pair = cg.identity, cg.proj, cg.pair


def zero(X, Y):
    return cg.discard(X) >> cg.zero(Y)


def iota0(X, Y):
    return pair(one(X), zero(X, Y))


def same(lhs, rhs):
    assert lhs.dom == rhs.dom and lhs.cod == rhs.cod
    xs = cg.symbols(lhs.dom)
    return all(sp.simplify(a - b) == 0 for a, b in zip(cg.to_sympy(lhs, xs), cg.to_sympy(rhs, xs)))


g, h = softplus(S), cg.sin(S)
rd5 = same(R(g >> h), pair(pi(S, S, 0), pair(pi(S, S, 0) >> g, pi(S, S, 1)) >> R(h)) >> R(g))
rd6_lhs = pair(one(S) @ pi(S, S, 0), zero(S, S) @ pi(S, S, 1)) >> (iota0(S @ S, S) @ one(S @ S)) >> R(R(R(g))) \
    >> pi(S @ S, S, 1)
rd6 = same(rd6_lhs, (one(S) @ pi(S, S, 1)) >> R(g))
inner = (iota0(S, S) @ one(S)) >> R(R(g)) >> pi(S, S, 1)
side = (iota0(S @ S, S) @ one(S @ S)) >> R(R(inner)) >> pi(S @ S, S, 1)
rd7 = same(side, cg.wiring(S @ S @ S @ S, [0, 2, 1, 3]) >> side)
assert rd5 and rd6 and rd7
print("RD.5, RD.6, RD.7 hold for softplus")

# %% [markdown]
# ## Using it
#
# As an activation layer (a Para with no parameters) between dense layers, trained on Iris by the
# learner of notebook 4. The learner's one compiled step contains the new generator and its rule.

# %%
softplus_layer = nn.Layer(lambda T: cg.Para.of(softplus(T[0])), "softplus")
model = nn.dense(4, 16) >> softplus_layer >> nn.dense(16, 3)
iris = datasets.iris()
learner = learn.supervised(model, learn.softmax_cross_entropy, learn.learning_rate(1.0), learn.adam(0.02))
state, history = learn.fit(learner, learner.init(jax.random.PRNGKey(0)), iris.x, iris.y, epochs=20,
                           batch_size=16, key=jax.random.PRNGKey(1), progress=False)
print("train accuracy after 20 epochs:", history["accuracy"][-1])
assert history["accuracy"][-1] > 0.9

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Declare `leaky_relu` with a positional attribute `alpha` (`params=("alpha",)`):
# $\mathrm{leaky}(x) = \max(x, \alpha x)$ for $0 < \alpha < 1$, with
# $R[\mathrm{leaky}](x, \delta y) = \delta y \cdot (\alpha + (1 - \alpha) H(x))$, $H$ = `cg.heaviside`.
# The rule receives the attribute as a keyword argument, as the meanings do.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
xs = jnp.array([-2.0, -0.5, 0.3, 1.5])
(ours,) = cg.to_jax(R(ex1(A, 0.1)))(xs, jnp.ones(4))
(theirs,) = jax.vjp(lambda v: jax.nn.leaky_relu(v, 0.1), xs)[1](jnp.ones(4))
np.testing.assert_allclose(cg.to_jax(ex1(A, 0.1))(xs)[0], jax.nn.leaky_relu(xs, 0.1), rtol=1e-6)
np.testing.assert_allclose(ours, theirs, rtol=1e-6)
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** A wrong rule is caught by the same check. Declare `bad_softplus`, identical to
# `softplus` except for the rule $\delta y \cdot \sigma(x)^2$, and show that `jax.vjp` disagrees:
# set `ex2` to the largest absolute difference between the two cotangents at `x`, `dy` above.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
assert ex2 > 1e-2, "the check should see the wrong rule"
print(f"Exercise 2: correct (the wrong rule is off by up to {ex2:.3f})")
