"""Solutions to the exercises of 03_lenses_and_para.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
sq = Lens(cg.trace(lambda x: x * x, S), cg.trace(lambda x, d: 2.0 * x * d, S, S))
ex1 = Lens.of(cg.sin(S)) >> sq

# %% exercise 2
scaling = Para(S, cg.mul(S))
ex2 = scaling.reparam(cg.exp(S))

# %% exercise 3
ex3 = nn.bias(3).reparam(cg.zero(V))
