"""Solutions to the exercises of 02_reverse_derivative.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
p = cg.trace(lambda x: x * cg.sin(x), S)
ex1 = cg.trace(lambda x, d: d * (cg.sin(x) + x * cg.cos(x)), S, S)

# %% exercise 2
ex2 = cg.to_jax(R(R(cg.tanh(S))))(jnp.float32(0.3), jnp.float32(1.0), jnp.float32(1.0))[0]

# %% exercise 3
ex3 = pair(pi(S, S, 0), pair(pi(S, S, 0) >> cg.exp(S), pi(S, S, 1)) >> R(cg.sin(S))) >> R(cg.exp(S))
