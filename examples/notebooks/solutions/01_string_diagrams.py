"""Solutions to the exercises of 01_string_diagrams.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
ex1 = cg.copy(S) >> (cg.identity(S) @ cg.exp(S)) >> cg.mul(S)

# %% exercise 2
ex2 = (cg.identity(S) @ cg.copy(S)) >> (cg.swap(S, S) @ cg.identity(S)) >> (cg.identity(S) @ cg.add(S))

# %% exercise 3
ex3 = cg.copy(A) >> (cg.discard(A) @ cg.identity(A))
