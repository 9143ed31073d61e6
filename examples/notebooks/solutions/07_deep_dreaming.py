"""Solutions to the exercises of 07_deep_dreaming.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
W1, b1 = state.params["dense"]["W"], state.params["dense"]["b"]
W2, b2 = state.params["dense_1"]["W"], state.params["dense_1"]["b"]


def objective(v):
    out = jax.nn.sigmoid(W2 @ jax.nn.sigmoid(W1 @ v + b1) + b2)
    return 0.5 * jnp.sum((out - jax.nn.one_hot(3, 10)) ** 2)


ex1 = x0 - 0.5 * jax.grad(objective)(jnp.asarray(x0))

# %% exercise 2
ex2 = dream(7, steps=100, start=np.zeros(64, np.float32))
