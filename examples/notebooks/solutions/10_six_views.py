"""Solutions to the exercises of 10_six_views.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
c = 4.0
ex1 = ls.L(model, eps / c, ls.quadratic(c))

# %% exercise 2
ex2 = baf >> ls.Learner.identity(baf.cod)
