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
# # 5. Optimisers are lenses
#
# *You will learn to* write gradient descent, momentum, Nesterov and Adam as lenses, and your own optimiser. *Time:* about 40 minutes.
#
# *The idea:* an optimiser is a **reparametrisation lens** $U: (S \times P, S \times P) \to (P, P')$
# [CFGBL §3.4]. Its forward map (get) $(s, p) \mapsto \tilde p$ says *where* the gradient is
# taken; its backward map (put) $((s, p), v) \mapsto (s', p')$ says *how* the parameters and the
# state change, given the signal $v$ sent back by the learning rate ($v = -\alpha g$, or $v = -g$
# for the adaptive optimisers, which carry their own step $\eta$).
#
# | optimiser | state $S$ | get | put |
# |---|---|---|---|
# | `gd` | $1$ | $p$ | $p' = p + v$ |
# | `momentum(γ)` | $P$ | $p$ | $s' = \gamma s + v,\ p' = p + s'$ |
# | `nesterov(γ)` | $P$ | $p + \gamma s$ | $s' = \gamma s + v,\ p' = p + s'$ |
# | `adagrad(η)` | $P$ | $p$ | $s' = s + g^2,\ p' = p - \eta g / (\sqrt{s'} + \epsilon)$ |
# | `rmsprop(η)` | $P$ | $p$ | $s' = \rho s + (1-\rho) g^2,\ p' = p - \eta g / \sqrt{s' + \epsilon}$ |
# | `adam(η)` | $P^2 \times 1$ | $p$ | $m' = \beta_1 m + (1-\beta_1) g,\ w' = \beta_2 w + (1 - \beta_2) g^2,\ p' = p - \eta \hat m / (\sqrt{\hat w} + \epsilon)$ |
#
# Changing the optimiser changes one lens of the learner; nothing else moves.

# %%
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import optax
import sympy as sp

import catgrad as cg
from catgrad import Lens, Para, learn

S = cg.Array(())

# %% [markdown]
# ## An optimiser's lens, drawn and read
#
# Momentum on one scalar parameter: the state $s$ and the parameter $p$ go in; the put map
# returns $(\gamma s + v,\ p + \gamma s + v)$.

# %%
U = learn.momentum(0.9).lens(S)
print(U)
print("get:", cg.to_sympy(U.fwd, sp.symbols("s p")))
print("put:", cg.to_sympy(U.bwd, sp.symbols("s p v")))
U

# %% [markdown]
# ## One problem: fitting a line
#
# The model has two scalar parameters, $\hat y = w x + b$, and the loss is the mean of
# $\tfrac12 (\hat y - y)^2$ over 32 points whose $x$ are centred at 3, not 0: the loss surface is a
# long, narrow valley, where the optimisers behave very differently. The optimum is near $(2, -1)$.

# %%
line = Para.build({"w": S, "b": S}, lambda p, x: p["w"] * x + p["b"], S)
rng = np.random.default_rng(0)
x = rng.normal(3.0, 1.0, size=32).astype(np.float32)
y = (2.0 * x - 1.0 + 0.3 * rng.normal(size=32)).astype(np.float32)
X, Y = jnp.asarray(x), jnp.asarray(y)
p0 = {"w": jnp.float32(-1.0), "b": jnp.float32(3.0)}


def loss(p):
    return jnp.mean(0.5 * (p["w"] * X + p["b"] - Y) ** 2)


STEPS = 100
SETUPS = {  # name: (catgrad optimiser, learning rate α, the same optimiser in optax)
    "gd": (learn.gd(), 0.02, optax.sgd(0.02)),
    "momentum": (learn.momentum(0.9), 0.02, optax.sgd(0.02, momentum=0.9)),
    "nesterov": (learn.nesterov(0.9), 0.02, optax.sgd(0.02, momentum=0.9, nesterov=True)),
    "adagrad": (learn.adagrad(0.5), 1.0, optax.adagrad(0.5)),
    "rmsprop": (learn.rmsprop(0.05, eps=1e-4), 1.0, optax.rmsprop(0.05, eps=1e-4)),
    "adam": (learn.adam(0.1), 1.0, optax.adam(0.1)),
}

# %% [markdown]
# Each run is the same learner with a different optimiser lens, stepped 100 times on the full batch.
# We record the point where each gradient is taken: the get map's $\tilde p$ (for Nesterov the
# look-ahead point $p + \gamma s$; for the others $p$ itself).

# %%
def catgrad_run(opt, alpha):
    learner = learn.supervised(line, learn.mse, learn.learning_rate(alpha), opt)
    state = learn.TrainState(p0, learner.optimiser.init(p0))
    points, losses = [], []
    for _ in range(STEPS):
        if opt.name == "nesterov":                    # the state is MomentumState(velocity), like the params
            v = state.opt_state.velocity
            points.append((state.params["w"] + 0.9 * v["w"], state.params["b"] + 0.9 * v["b"]))
        else:
            points.append((state.params["w"], state.params["b"]))
        losses.append(loss(state.params))
        state = learner.step(state, X, Y)
    return np.array(points, np.float64), np.array(losses)


runs = {name: catgrad_run(opt, alpha) for name, (opt, alpha, _) in SETUPS.items()}

# %%
ws, bs = np.meshgrid(np.linspace(-1.5, 3.0, 120), np.linspace(-3.5, 4.0, 120))
surface = np.mean(0.5 * (ws[..., None] * x + bs[..., None] - y) ** 2, axis=-1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.contour(ws, bs, np.log(surface), levels=25, cmap="Greys")
for name, (pts, _) in runs.items():
    ax1.plot(pts[:, 0], pts[:, 1], ".-", ms=2, lw=1, label=name)
ax1.set_xlabel("w"); ax1.set_ylabel("b"); ax1.set_title("trajectories"); ax1.legend(fontsize=8)
for name, (_, ls) in runs.items():
    ax2.semilogy(ls, label=name)
ax2.set_xlabel("step"); ax2.set_ylabel("loss"); ax2.set_title("loss"); ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## The same trajectories as optax
#
# optax is the oracle: the same update rules, written independently, driven by `jax.grad` of the
# same loss. Every one of the 100 points agrees (the tolerance allows for float32 rounding).

# %%
def optax_run(tx):
    grad, update = jax.jit(jax.grad(loss)), jax.jit(tx.update)
    state, p, points = tx.init(p0), p0, []
    for _ in range(STEPS):
        points.append((p["w"], p["b"]))
        updates, state = update(grad(p), state, p)
        p = optax.apply_updates(p, updates)
    return np.array(points, np.float64)


for name, (_, _, tx) in SETUPS.items():
    ours, theirs = runs[name][0], optax_run(tx)
    err = np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs))
    assert err < 1e-4, (name, err)
    print(f"{name:9s} = optax over {STEPS} steps (max relative difference {err:.1e})")

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Write your own optimiser: gradient descent with weight decay,
# put $p' = (1 - \lambda) p + v$, given on one parameter array and mapped over the record by
# `learn.elementwise(name, state_class, fields, get, put)` (no state: `learn.EmptyState`, `{}`; `get(s, p)`
# and `put(s, p, v) -> (new state fields, p')` act on wires). With $v = -\alpha g$ this is
# `optax.chain(optax.add_decayed_weights(λ/α), optax.sgd(α))`; the check compares the trajectories.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
LAMBDA = ...
ex1 = ...

# %%
assert LAMBDA is not ..., "Exercise 1: replace the ... in the cell above with your answer"
ours, _ = catgrad_run(ex1, 0.02)
theirs = optax_run(optax.chain(optax.add_decayed_weights(LAMBDA / 0.02), optax.sgd(0.02)))
np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** Read Nesterov's get map as a formula: which point does it hand to the model
# when the state is $s$ and the parameter $p$? Write the sympy expression.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
s = ...
p = ...
ex2 = ...

# %%
assert s is not ..., "Exercise 2: replace the ... in the cell above with your answer"
(get,) = cg.to_sympy(learn.nesterov(0.9).lens(S).fwd, [s, p])
assert sp.simplify(sp.nsimplify(get) - ex2) == 0, get
print("Exercise 2: correct")
