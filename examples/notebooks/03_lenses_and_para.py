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
# # 3. Lenses and parametrised maps
#
# *You will learn to* compose lenses $(f, R[f])$ and parametrised maps $(P, f)$, and reparametrise them. *Time:* about 40 minutes.
#
# *The idea:* learning needs two more constructions on top of diagrams [CFGBL §2].
#
# * A **lens** $(f, f^*): (A, A') \to (B, B')$ pairs a forward map $f: A \to B$ with a backward
#   map $f^*: A \times B' \to A'$. Lenses compose by the chain rule:
#   $$(f, f^*) ; (g, g^*) = \big(f ; g,\ \langle \pi_0, \langle \pi_0 ; f, \pi_1 \rangle ; g^* \rangle ; f^*\big).$$
#   Every map gives a lens $(f, R[f])$: that is the functor $R: \mathcal{C} \to \mathbf{Lens}(\mathcal{C})$.
# * A **parametrised map** $(P, f: P \times A \to B)$ is a morphism $A \to B$ of $\mathbf{Para}(\mathcal{C})$;
#   the parameter wire enters the box from the top. Composition collects the parameters:
#   $(P, f) ; (Q, g) = (Q \times P,\ (q, p, a) \mapsto g(q, f(p, a)))$. A **reparametrisation**
#   by $r: Q \to P$ gives $(Q, (r \times 1) ; f)$.
#
# A layer is a Para morphism, a model is their composite, and the learner of notebook 4 is one
# Para(Lens) morphism.

# %%
import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

import catgrad as cg
from catgrad import Lens, Para, nn, rdiff as R

S, V = cg.Array(()), cg.Array((3,))

# %% [markdown]
# ## Lenses
#
# `Lens.of(f)` is $(f, R[f])$. Composing the lenses of $\sin$ and $\exp$ gives the lens of their
# composite: its backward map is the chain rule.

# %%
lf, lg = Lens.of(cg.sin(S)), Lens.of(cg.exp(S))
lfg = lf >> lg
print(lfg)
x, d = sp.symbols("x delta")
print("backward of the composite:", cg.to_sympy(lfg.bwd, [x, d]))
print("R[sin ; exp]             :", cg.to_sympy(R(cg.sin(S) >> cg.exp(S)), [x, d]))
lfg

# %% [markdown]
# A lens need not be a derivative. Here is the lens of one step of gradient descent on a scalar
# parameter: forward, hand out the parameter; backward, take the parameter and a change $v$
# and return $p + v$ (this is `learn.gd()`'s lens, notebook 5).

# %%
step = Lens(cg.identity(S), cg.add(S))           # get p;  put (p, v) ↦ p + v
print(step, cg.to_sympy(step.bwd, sp.symbols("p v")))

# %% [markdown]
# Lenses also sit side by side: $(f, f^*) \otimes (g, g^*)$ runs both forward maps and both backward maps.

# %%
both = lf @ lg
print(both.dom, "→", both.cod)
print(cg.to_sympy(both.bwd, sp.symbols("x y dx dy")))

# %% [markdown]
# ## Parametrised maps: layers
#
# `nn.linear(n, m)` is $(\mathbb{R}^{m \times n}, (W, x) \mapsto W x)$, `nn.bias(m)` is
# $(\mathbb{R}^m, (b, x) \mapsto x + b)$ and `nn.dense(n, m, σ)` is their composite followed by
# $\sigma$. The parameter object is a *record*: a dict of array types keyed by layer and name, and the
# parameters themselves are a dict of the same shape (a pytree).

# %%
layer = nn.dense(3, 2, nn.sigmoid)
print(layer)
print("parameter record:", layer.param)
params = layer.init(jax.random.PRNGKey(0))
jax.tree_util.tree_map(jnp.shape, params)

# %%
layer

# %% [markdown]
# Composing two layers joins their records, $P \cup Q$ (the paper's $Q \times P$), and keeps the names
# apart: the second `dense` becomes `dense_1`.

# %%
model = nn.dense(3, 4, nn.tanh) >> nn.dense(4, 2, nn.sigmoid)
print(cg.record.paths(model.param))
model

# %% [markdown]
# ## From Para(C) to Para(Lens(C))
#
# `Para.lens()` applies $R$ inside: $(P, f) \mapsto (P, (f, R[f]))$, drawn as a lens: the forward
# map on top, left to right, and the backward map below, right to left. Its backward map returns the
# cotangents of the parameters *and* of the input: the gradient with respect to the weights is
# the first part. We check it against `jax.vjp` of the same layer written in plain JAX.

# %%
cg.draw(model.lens(), depth=1)

# %% [markdown]
# Read as formulas, the lens of one layer is its get map $f$ and its put map $f^*$, in matrix notation
# ($\odot$ is the entrywise product):

# %%
cg.formula(layer.lens())

# %%
L = layer.lens()
W, b = params["dense"]["W"], params["dense"]["b"]  # wire order: the record's, W then b
xv, dy = jnp.array([0.5, -1.0, 2.0]), jnp.array([1.0, -0.5])
dW, db, dx = cg.to_jax(L.map.bwd)(W, b, xv, dy)

_, vjp = jax.vjp(lambda W, b, x: jax.nn.sigmoid(W @ x + b), W, b, xv)
for ours, theirs in zip((dW, db, dx), vjp(dy)):
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
print("dW =\n", dW)

# %% [markdown]
# ## Reparametrisation: tied weights
#
# Two linear maps $\mathbb{R}^3 \to \mathbb{R}^3$ in a row have parameters $P \times P$. Reparametrising
# by the copy $\Delta: P \to P \times P$ **ties** them: one matrix $W$, used twice,
# $x \mapsto W(Wx)$. Since $R[\Delta]$ is addition, the gradient of the tied weight is the *sum*
# of the gradients of its two uses; no special code is needed.

# %%
two = nn.linear(3, 3, name="first") >> nn.linear(3, 3, name="second")
P = cg.Array((3, 3))
tied = two.reparam(cg.copy(P), {"W": P})
print(two.param, "→", tied.param)
tied

# %%
Wt = jax.random.normal(jax.random.PRNGKey(1), (3, 3))
g_tied, _ = cg.to_jax(R(tied.map))(Wt, xv, jnp.ones(3))
g_ref = jax.grad(lambda W: jnp.sum(W @ (W @ xv)))(Wt)
np.testing.assert_allclose(g_tied, g_ref, rtol=1e-5)
print("gradient of the tied weight = jax.grad of x ↦ W(Wx)")

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Compose by hand: take the lenses $\ell_1 = (\sin, R[\sin])$ and
# $\ell_2 = (x \mapsto x^2, (x, \delta) \mapsto 2x\delta)$, with $\ell_2$ built with `Lens(...)`
# from two `trace`d diagrams. Check that the backward map of $\ell_1 ; \ell_2$ is
# $(x, \delta) \mapsto 2 \sin(x) \cos(x)\,\delta$.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
(back,) = cg.to_sympy(ex1.bwd, [x, d])
assert sp.simplify(back - 2 * sp.sin(x) * sp.cos(x) * d) == 0, back
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** A positive parameter: reparametrise the scaling $(S, (p, x) \mapsto p\,x)$ by
# $\exp: S \to S$, so the learned number is $s$ with $p = e^{s}$. What is the reverse derivative
# with respect to $s$? Build the reparametrised map and check.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
s_, x_, d_ = sp.symbols("s x delta")
ds, dx = cg.to_sympy(R(ex2.map), [s_, x_, d_])
assert sp.simplify(ds - sp.exp(s_) * x_ * d_) == 0 and sp.simplify(dx - sp.exp(s_) * d_) == 0
print("Exercise 2: correct")

# %% [markdown]
# **Exercise 3.** Freeze a parameter: reparametrise `nn.bias(3)` by the constant map
# $0: 1 \to \mathbb{R}^3$ (`cg.zero`), so it has no parameters left and is the identity.

# %% tags=["exercise"]
# Exercise 3: your answer here. Replace each `...`; the next cell checks it.
ex3 = ...

# %%
assert ex3 is not ..., "Exercise 3: replace the ... in the cell above with your answer"
assert ex3.wires == cg.Ty()
np.testing.assert_allclose(cg.to_jax(ex3.map)(xv)[0], xv)
print("Exercise 3: correct")
