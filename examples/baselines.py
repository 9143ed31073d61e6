"""Hand-written baselines in plain JAX + optax for the MNIST models of catgrad.experiments.

Not library code: this is the reference that catgrad's compiled learners are compared with
(examples/mnist_conv.py, examples/mnist_dense.py, tests/test_experiments.py). The models are
written directly with ``jax.lax.conv_general_dilated`` and ``jax.lax.reduce_window``, the
gradient comes from ``jax.grad`` and the update from ``optax.sgd(lr, momentum=γ)``.

Parameters are the nested dicts catgrad's initialisers produce (``catgrad.experiments.model(...)
.init(key)``), so both sides start from the same arrays. The batch order is the one documented
by ``catgrad.learn.fit``: per epoch ``key, sub = split(key)``, a permutation of the examples
from ``sub``, ``⌊N / batch⌋`` full batches.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax


def pool_reduce_window(h):
    """2×2 max-pool with ``jax.lax.reduce_window``; its derivative gives each window's cotangent to ONE
    maximal entry (``select_and_scatter_add``)."""
    return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def pool_blocks(h):
    """2×2 max-pool as ``jnp.max`` over reshaped blocks; its derivative SHARES the cotangent equally
    among tied maxima, as catgrad's ``R[max_pool2d]`` does (MNIST has exact ties: saturated pixels)."""
    n, c, hh, ww = h.shape
    h = h[:, :, : hh // 2 * 2, : ww // 2 * 2].reshape(n, c, hh // 2, 2, ww // 2, 2)
    return jnp.max(h, axis=(3, 5))


def conv_forward(params, x, pool=pool_reduce_window):
    """``x`` (n, 1, 28, 28) → (n, 10): conv 3×3 1→3, relu, pool 2, conv 4×4 3→5, relu, pool 2, dense, sigmoid."""
    dn = ("NCHW", "OIHW", "NCHW")
    h = jax.lax.conv_general_dilated(x, params["conv2d"]["K"], (1, 1), "VALID", dimension_numbers=dn)
    h = pool(jax.nn.relu(h))
    h = jax.lax.conv_general_dilated(h, params["conv2d_1"]["K"], (1, 1), "VALID", dimension_numbers=dn)
    h = pool(jax.nn.relu(h))
    h = h.reshape(h.shape[0], -1)
    return jax.nn.sigmoid(h @ params["dense"]["W"].T + params["dense"]["b"])


def dense_forward(params, x):
    """``x`` (n, 784) → (n, 10): dense 784→128 relu, dense 128→10 sigmoid."""
    h = jax.nn.relu(x @ params["dense"]["W"].T + params["dense"]["b"])
    return jax.nn.sigmoid(h @ params["dense_1"]["W"].T + params["dense_1"]["b"])


def conv_forward_tied(params, x):
    """``conv_forward`` with :func:`pool_blocks` (tied maxima share the gradient)."""
    return conv_forward(params, x, pool_blocks)


FORWARD = {"conv": conv_forward, "conv-tied": conv_forward_tied, "dense": dense_forward}


def mse(forward, params, x, y):
    """Mean over the batch of ``½‖ŷ − y‖²``."""
    return jnp.mean(0.5 * jnp.sum((forward(params, x) - y) ** 2, axis=1))


def train(forward, params, x, y, *, lr: float, momentum: float, epochs: int, batch_size: int, key,
          n_classes: int = 10):
    """Train with ``optax.sgd(lr, momentum)`` on the MSE loss; returns the final parameters."""
    x = jnp.asarray(x)
    y1h = jax.nn.one_hot(jnp.asarray(y), n_classes, dtype=jnp.float32)
    n = x.shape[0]
    nb = n // batch_size
    opt = optax.sgd(lr, momentum=momentum)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    state = opt.init(params)

    @jax.jit
    def epoch(params, state, sub):
        perm = jax.random.permutation(sub, n)[: nb * batch_size].reshape(nb, batch_size)

        def body(carry, idx):
            p, s = carry
            g = jax.grad(lambda q: mse(forward, q, x[idx], y1h[idx]))(p)
            updates, s = opt.update(g, s, p)
            return (optax.apply_updates(p, updates), s), None

        (params, state), _ = jax.lax.scan(body, (params, state), perm)
        return params, state

    for _ in range(epochs):
        key, sub = jax.random.split(key)
        params, state = epoch(params, state, sub)
    return params


def accuracy(forward, params, x, y) -> float:
    """Fraction of examples whose largest output is the label."""
    pred = jax.jit(forward)(params, jnp.asarray(x))
    return float(np.mean(np.asarray(jnp.argmax(pred, axis=1)) == np.asarray(y)))
