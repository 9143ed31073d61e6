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
# # 7. Deep dreaming: the input is the parameter
#
# *You will learn to* make the input the parameter and dream a digit with the same learner machinery. *Time:* about 30 minutes.
#
# *The idea:* a model $(P, f: P \times X \to \hat Y)$ treats its two inputs alike; which one we call
# "the parameter" is a choice. Swapping them [CFGBL §4.2],
#
# $$ \mathrm{dreamer}(P, f) \;=\; (X,\ \sigma_{X, P} ; f) : P \to \hat Y, $$
#
# gives a Para morphism whose parameter is the *input* and whose input is the *weights*. Plugged
# into the very same learner $U ; R(\mathrm{dreamer}) ; R(\mathrm{loss}) ; \alpha$, with the
# trained weights as data and a chosen class as target, each training step changes the image, not
# the weights, to make the model see that class more strongly:
#
# $$ x \leftarrow x - \alpha\, \nabla_x\, \ell\big(\mathrm{onehot}(c),\ f(p, x)\big). $$

# %%
import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import catgrad as cg
from catgrad import datasets, learn, nn

# %% [markdown]
# ## A classifier to dream with
#
# A small network on the UCI $8 \times 8$ digits (shipped with catgrad), pixels scaled to $[0, 1]$.

# %%
digits = datasets.digits()
x, y = digits.x / 16.0, digits.y
model = nn.dense(64, 32, nn.sigmoid) >> nn.dense(32, 10, nn.sigmoid)
learner = learn.supervised(model, learn.mse, learn.learning_rate(1.0), learn.adam(1e-2))
state, history = learn.fit(learner, learner.init(jax.random.PRNGKey(0)), x, y, epochs=10, batch_size=16,
                           key=jax.random.PRNGKey(1), progress=False)
print("train accuracy:", history["accuracy"][-1])

# %% [markdown]
# ## The dreamer
#
# `learn.dreamer(model)` swaps the roles: its parameter object is the $8 \times 8$ image (64 numbers)
# and its domain is the list of the model's weight arrays.

# %%
dreamer = learn.dreamer(model)
print(dreamer)
dreamer

# %% [markdown]
# `learn.deep_dream(model)` is the supervised learner built on it (gradient descent, here with
# $\alpha = 0.5$). Its data are the trained weights (a batch of one) and its target is the one-hot
# class we want to see. Each step is compiled once and reused for every class.

# %%
dream_learner = learn.deep_dream(model, lr=learn.learning_rate(0.5))
weights = [w[None] for w in jax.tree_util.tree_leaves(state.params)]  # the weights, in the record's order
x0 = x.mean(axis=0)                                   # start from the average digit


def dream(c, steps=60, start=x0):
    s = learn.TrainState({"input": {"x0": jnp.asarray(start)}}, None)
    s = s._replace(opt_state=dream_learner.optimiser.init(s.params))
    target = np.eye(10, dtype=np.float32)[[c]]
    for _ in range(steps):
        s = dream_learner.step(s, weights, target)
    return np.asarray(s.params["input"]["x0"])


dreams = np.stack([dream(c) for c in range(10)])
scores = np.asarray(learner.predict(state.params, dreams))
print("class the model sees:", np.argmax(scores, axis=1))
print("its score           :", np.round(scores.max(axis=1), 3))

# %%
fig, axes = plt.subplots(2, 11, figsize=(11, 2.4))
axes[0, 0].imshow(x0.reshape(8, 8), cmap="gray_r"); axes[0, 0].set_title("start")
axes[1, 0].axis("off")
for c in range(10):
    axes[0, c + 1].imshow(dreams[c].reshape(8, 8), cmap="gray_r"); axes[0, c + 1].set_title(str(c))
    axes[1, c + 1].imshow((dreams[c] - x0).reshape(8, 8), cmap="RdBu_r", vmin=-0.5, vmax=0.5)
for ax in axes.flat:
    ax.set_xticks([]); ax.set_yticks([])
axes[1, 1].set_ylabel("change")
plt.show()

# %% [markdown]
# The changes are small and spread out: the model's idea of a digit is not ours. (That is also
# how adversarial examples are made.)
#
# ## Exercises
#
# **Exercise 1.** One step of the dreaming learner with gradient descent is
# $x' = x - \alpha \nabla_x \tfrac12 \lVert f(p, x) - \mathrm{onehot}(c) \rVert^2$. Write $f$ directly
# in JAX ($\sigma(W_2\, \sigma(W_1 x + b_1) + b_2)$, with the trained weights), compute $x'$ for
# $c = 3$ and $\alpha = 0.5$ from $x_0$ with `jax.grad`, and compare with one step of `dream_learner`.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
np.testing.assert_allclose(dream(3, steps=1), ex1, rtol=1e-5, atol=1e-6)
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** Dream a 7 starting from a blank image (all zeros). Choose the number of steps so
# that the model's score for class 7 exceeds 0.9.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
score = np.asarray(learner.predict(state.params, ex2[None]))[0]
assert np.argmax(score) == 7 and score[7] > 0.9, score
print(f"Exercise 2: correct (score {score[7]:.3f})")
