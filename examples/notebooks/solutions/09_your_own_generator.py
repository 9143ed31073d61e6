"""Solutions to the exercises of 09_your_own_generator.ipynb, one `# %% exercise N` cell per exercise,
substituted for the notebook's cells tagged "exercise" (in order) by docs/_ext/course.py."""

# %% exercise 1
def leaky_typing(dom, alpha):
    if len(dom) != 1 or not dom[0].is_float or not 0 < alpha < 1:
        raise TypeError(f"leaky_relu: expects one float array and 0 < alpha < 1, got {dom}, alpha={alpha!r}")
    return dom


ex1 = cg.declare(cg.Generator(
    name="leaky_relu", typing=leaky_typing, params=("alpha",),
    jax=lambda x, alpha: jnp.where(x > 0, x, alpha * x),
    rdiff=lambda x, dy, alpha: [dy * (alpha + cg.scale(cg.heaviside(x), 1.0 - alpha))],
    formula="leaky_relu(x) = max(x, αx)", rdiff_formula="R[leaky_relu](x, dy) = dy·(α + (1 − α)·H(x))",
), replace=True)

# %% exercise 2
bad = cg.declare(cg.Generator(
    name="bad_softplus", typing=softplus_typing, jax=jax.nn.softplus,
    rdiff=lambda x, dy: [dy * cg.sigmoid(x) * cg.sigmoid(x)],
    formula="softplus(x) = log(1 + exp x)", rdiff_formula="(wrong) dy·σ(x)²",
), replace=True)
(wrong,) = cg.to_jax(R(bad(A)))(x, dy)
(right,) = jax.vjp(jax.nn.softplus, x)[1](dy)
ex2 = float(jnp.max(jnp.abs(wrong - right)))
