"""Solutions to the exercises of 04_learner.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
ex1 = learn.supervised(nn.dense(4, 3, init=nn.init.normal(0.1)), learn.softmax_cross_entropy,
                       learn.learning_rate(1.0), learn.adam(0.01))
ex1_state, _ = learn.fit(ex1, ex1.init(jax.random.PRNGKey(0)), x_tr, y_tr, epochs=30, batch_size=1,
                         key=jax.random.PRNGKey(1), progress=False)

# %% exercise 2
unit = learn.supervised(model, learn.mse, learn.learning_rate(1.0), learn.gd())
x10, y10 = iris.x[:10], np.eye(3, dtype=np.float32)[iris.y[:10]]
moved = unit.step(state, x10, y10).params
ex2 = jax.tree_util.tree_map(lambda p, q: p - q, state.params, moved)     # = ∇ℓ
