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
# # 8. Boolean circuits and reverse derivative ascent
#
# *You will learn to* learn Boolean circuits over $\mathbb{Z}_2$ by reverse derivative ascent. *Time:* about 35 minutes.
#
# *The idea:* nothing in $R$, lenses, Para or the learner assumes real numbers. Polynomial circuits
# over $\mathbb{Z}_2 = \{0, 1\}$ (with $+$ the XOR and $\cdot$ the AND) form a reverse derivative
# category too [RDA; CFGBL §5], with
#
# $$ R[\oplus](x, y, \delta) = (\delta, \delta), \qquad R[\wedge](x, y, \delta) = (y\,\delta,\ x\,\delta), $$
#
# and the same supervised learner, with the loss $\hat y + y$ (XOR: 1 where the prediction is wrong),
# the learning rate $\alpha = $ identity and the optimiser $p' = p + v$, learns circuits:
# **reverse derivative ascent** (RDA), $p' = p + \pi_P\, R[f]\big((p, x),\ f(p, x) + y\big)$.

# %%
import itertools

import jax
import jax.numpy as jnp
import numpy as np

import catgrad as cg
from catgrad import learn
from catgrad.boolean import Z2, and_, experiments, lookup_table, or_, to_gf2

B = Z2(())                      # one bit

# %% [markdown]
# ## A circuit: the full adder
#
# Sum $a + b + c$ and carry $ab + c(a + b)$, over $\mathbb{Z}_2$. On bool wires `+` is `xor`.

# %%
adder = cg.trace(lambda a, b, c: (a + b + c, and_(a, b) + and_(c, a + b)), B, B, B)
print(to_gf2(adder))
adder

# %% [markdown]
# Checked by brute force against integer arithmetic, on all 8 inputs:

# %%
run = cg.to_jax(adder)
for a, b, c in itertools.product([0, 1], repeat=3):
    s, carry = run(jnp.bool_(a), jnp.bool_(b), jnp.bool_(c))
    assert (int(s), int(carry)) == ((a + b + c) % 2, (a + b + c) // 2)
print("adds correctly")

# %% [markdown]
# ## Its reverse derivative is the boolean difference
#
# Over $\mathbb{Z}_2$, the derivative of a polynomial in $x_i$ is the **boolean difference**
# $\partial_i f(x) = f(x|_{x_i = 1}) + f(x|_{x_i = 0})$: does flipping $x_i$ flip the output?
# So $R[f](x, \delta)_i = \sum_j \delta_j\, \partial_i f_j(x)$. We check `rdiff` against that,
# by brute force over all $2^3 \times 2^2$ inputs and cotangents.

# %%
r_adder = cg.to_jax(cg.rdiff(adder))
f_int = lambda a, b, c: ((a + b + c) % 2, (a + b + c) // 2)   # noqa: E731
for x in itertools.product([0, 1], repeat=3):
    for d in itertools.product([0, 1], repeat=2):
        expected = []
        for i in range(3):
            hi, lo = list(x), list(x)
            hi[i], lo[i] = 1, 0
            diff = [u ^ v for u, v in zip(f_int(*hi), f_int(*lo))]
            expected.append((d[0] & diff[0]) ^ (d[1] & diff[1]))
        ours = [int(v) for v in r_adder(*map(jnp.bool_, x + d))]
        assert ours == expected, (x, d, ours, expected)
print("R[adder] = the boolean difference, on all 32 cases")

# %% [markdown]
# ## A learner of circuits
#
# [RDA]'s model for a function $\mathbb{Z}_2^k \to \mathbb{Z}_2^m$ is a **lookup table**
# $P \in \mathbb{Z}_2^{m \times 2^k}$: $y_j = \sum_b P[j, b]\, e_b(x)$ with the one-hot basis
# $e_b(x) = \prod_i (x_i + b_i + 1)$. Here it learns the 3-bit majority function from its
# eight examples, in one online pass, from the zero table.

# %%
table = lookup_table(3, 1)
print(table)
table

# %%
rda = learn.supervised(table, learn.xor_loss, learn.identity_rate, learn.rda())
xs = np.array(list(itertools.product([0, 1], repeat=3)), dtype=bool)
ys = (xs.sum(axis=1) >= 2)[:, None]
state, _ = learn.fit(rda, rda.init(jax.random.PRNGKey(0)), xs, ys, epochs=1, batch_size=1, shuffle=False,
                     progress=False)
print("learned table:", np.asarray(state.params["lut"]["table"]).astype(int))
print("accuracy:", rda.evaluate(state.params, xs, ys)["accuracy"])

# %% [markdown]
# The learner is the same lens composite as in notebook 4, now on bool wires:

# %%
rda

# %% [markdown]
# ## [RDA] Table 1
#
# The paper's experiments, run with the paper's protocol (Iris features thresholded at 0.5,
# 25 training and 25 test rows per class, one online pass from zero; `catgrad.boolean.experiments`).
# From [docs/boolean.md](../../docs/boolean.md):
#
# | experiment | catgrad test accuracy | paper |
# |---|---|---|
# | Iris two-class, binary label | **98.0 %** | 98.0 % |
# | Iris two-class, one-hot label | **98.0 %** | 98.0 % |
# | Iris three-class, one-hot (or binary) label | **74.7 %** | 73.3 % |
# | MNIST 0 vs 1, full MNIST | **99.2 %** | 99.2 % |
#
# The Iris rows take seconds, so we run them here:

# %%
for classes, labels in [(2, "binary"), (2, "one-hot"), (3, "one-hot")]:
    r = experiments.iris_table1(classes, labels)
    print(f"Iris {classes}-class, {labels:7s}: test {100 * r.test_accuracy:.1f} %   (paper {r.paper} %)")
    assert round(100 * r.test_accuracy, 1) >= r.paper

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Build `or` from `xor` and `and`: $x \vee y = x + y + xy$, as a traced circuit, and
# check it against `catgrad.boolean.or_` and Python's `|` on all inputs.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
mine, theirs = cg.to_jax(ex1), cg.to_jax(cg.trace(or_, B, B))
for a, b in itertools.product([0, 1], repeat=2):
    assert int(mine(jnp.bool_(a), jnp.bool_(b))[0]) == int(theirs(jnp.bool_(a), jnp.bool_(b))[0]) == (a | b)
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** One RDA step on a lookup table flips exactly the entry of the example's input when
# the prediction is wrong: $P' = P + (f(P, x) + y)\, e(x)^{\top}$. Starting from the zero table, which
# table does one step on the example $x = (1, 0, 1)$, $y = 1$ give? (The entry index of $x$ is its
# little-endian binary number: $x_0 + 2 x_1 + 4 x_2$.)

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
start = rda.init(jax.random.PRNGKey(0))
after = rda.step(start, np.array([[1, 0, 1]], bool), np.array([[1]], bool))
assert np.array_equal(np.asarray(after.params["lut"]["table"]), ex2)
print("Exercise 2: correct")
