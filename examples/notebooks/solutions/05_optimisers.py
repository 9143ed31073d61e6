"""Solutions to the exercises of 05_optimisers.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
LAMBDA = 0.01


def decay_lens(A):
    return Lens(cg.identity(A), cg.trace(lambda p, v: cg.scale(p, 1.0 - LAMBDA) + v, A, A))


ex1 = learn.Optimiser("decayed_gd", lambda A: cg.Ty(), lambda p: (), decay_lens, adaptive=False)

# %% exercise 2
s, p = sp.symbols("s p")
ex2 = p + sp.Rational(9, 10) * s
