"""Solutions to the exercises of 08_boolean_circuits.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
ex1 = cg.trace(lambda x, y: x + y + and_(x, y), B, B)

# %% exercise 2
ex2 = np.zeros((1, 8), dtype=bool)
ex2[0, 1 + 4] = True
