"""Solutions to the exercises of 05_optimisers.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
LAMBDA = 0.01


ex1 = learn.elementwise("decayed_gd", learn.EmptyState, {}, lambda s, p: p,
                        lambda s, p, v: ({}, cg.scale(p, 1.0 - LAMBDA) + v))

# %% exercise 2
s, p = sp.symbols("s p")
ex2 = p + sp.Rational(9, 10) * s
