"""Solutions to the exercises of 06_conv_mnist.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
ex1 = 6 * 5 * 5          # 28 → 24 → 12 → 10 → 5, with 6 channels

# %% exercise 2
ex2 = float(np.mean(np.argmax(np.asarray(learner.predict(state.params, x_te)), axis=1) == y_te))
