# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Morphisms as string diagrams
#
# *You will learn to* build models as string diagrams from generators with `>>` and `@`, and read them as numbers (JAX), formulas (sympy) and pictures. *Time:* about 30 minutes.
#
# *The idea:* a model is a **morphism** of a category, and a morphism is a **string diagram**:
# boxes (generators such as `σ`, `×`, `exp`) joined by typed wires. We build diagrams from a few
# pieces, and only then give them a meaning: numbers (JAX), formulas (sympy), pictures.
#
# This is the syntax of [CFGBL §2] (Cruttwell, Gavranović, Ghani, Wilson, Zanasi, *Categorical
# Foundations of Gradient-Based Learning*, ESOP 2022): a **cartesian left-additive category**.
#
# | piece | type | meaning |
# |---|---|---|
# | composition `f >> g` | $A \to B$, $B \to C$ gives $A \to C$ | first $f$, then $g$ (written $f ; g$) |
# | tensor `f @ g` | $A \to B$, $C \to D$ gives $A \times C \to B \times D$ | side by side |
# | `copy(A)` ($\Delta$) | $A \to A \times A$ | $x \mapsto (x, x)$ |
# | `discard(A)` ($!$) | $A \to 1$ | forget $x$ |
# | `add(A)` ($+$) | $A \times A \to A$ | $(x, y) \mapsto x + y$ |
# | `zero(A)` ($0$) | $1 \to A$ | the constant $0$ |

# %%
import jax.numpy as jnp
import numpy as np
import sympy as sp

import catgrad as cg

# %% [markdown]
# ## Types
#
# A wire carries an array of a fixed shape and dtype: `Array(shape)`. Products of types are
# written with `@`, and the empty product `Ty()` is the unit $1$.

# %%
A = cg.Array((3,))        # a vector of 3 floats
S = cg.Array(())          # a scalar
print(A @ S, "|", A @ cg.Ty() == A, "|", len(A @ A @ S))

# %% [markdown]
# ## Generators and composition
#
# Applying a generator to a type gives a one-box diagram. `>>` composes in diagrammatic order:
# `f >> g` is "first `f`, then `g`". Here $f(x) = \sigma(x)^2$ (elementwise), built as
# "apply $\sigma$, copy the wire, multiply the two copies":
#
# $$ f = \sigma ; \Delta ; \times \qquad f(x) = \sigma(x) \cdot \sigma(x). $$

# %%
f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)
print(f.dom, "→", f.cod, "with", f.size, "operations")
print(f)

# %% [markdown]
# A diagram draws itself (catgrad writes its own SVG; data flows left to right, the copy is a dot):

# %%
f

# %% [markdown]
# Composition checks types. A wrong composite is refused, with both types named:

# %%
try:
    cg.sigmoid(A) >> cg.mul(A)          # mul needs two wires; sigmoid gives one
except TypeError as err:
    print("TypeError:", err)

# %% [markdown]
# ## Meanings: numbers and formulas
#
# A diagram means nothing until a **functor** interprets it. `to_jax` gives a JAX function,
# `to_sympy` gives formulas in fresh symbols `x0, x1, …`:

# %%
(y,) = cg.to_jax(f)(jnp.array([0.0, 1.0, -2.0]))
print(y)
x = jnp.array([0.0, 1.0, -2.0])
np.testing.assert_allclose(y, (1 / (1 + np.exp(-x))) ** 2, rtol=1e-6)   # checked by hand

(expr,) = cg.to_sympy(cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S))
print(expr)

# %% [markdown]
# `cg.formula` names the inputs and reads the same meaning as an equation (rendered in LaTeX):

# %%
cg.formula(cg.sigmoid(S) >> cg.copy(S) >> cg.mul(S))

# %% [markdown]
# ## Tensor, copy, discard, add, zero
#
# With copy ($\Delta$) we can **pair** two maps with the same domain, $\langle f, g\rangle = \Delta ; (f \times g)$,
# and with add, **sum** them: $f + g = \langle f, g \rangle ; +$. Discard ($!$) forgets a wire;
# projections are discards in disguise: $\pi_0 = 1 \times {!}$.

# %%
h = cg.pair(cg.exp(S), cg.sin(S)) >> cg.add(S)        # x ↦ exp x + sin x
print(cg.to_sympy(h))
h

# %%
two_wires = cg.exp(S) @ cg.neg(S)                        # (x, y) ↦ (exp x, −y)
print(two_wires.dom, "→", two_wires.cod, cg.to_sympy(two_wires))
print("swap:", cg.to_sympy(cg.swap(S, A)))
print("π₀ :", cg.to_sympy(cg.proj(S, S, 0)), " zero:", cg.to_sympy(cg.zero(S)))

# %% [markdown]
# ## Diagrams from Python functions: `trace`
#
# Writing wiring by hand gets long. `trace` runs a Python function on *wires* and records the
# diagram it builds; using a wire twice is a copy, not using it is a discard, and `+`, `*`, `-`
# on wires are the generators `add`, `mul`, `neg`.

# %%
def softplus_gate(x, y):
    return cg.log(1.0 + cg.exp(x)) * y, x

g = cg.trace(softplus_gate, S, S)
print(g.dom, "→", g.cod)
print(cg.to_sympy(g))
g

# %% [markdown]
# ## The laws hold in every meaning
#
# Composition is associative and the **interchange law** holds:
# $(f \times g) ; (h \times k) = (f ; h) \times (g ; k)$. Two different diagrams, one formula:

# %%
f1, g1, h1, k1 = cg.exp(S), cg.sin(S), cg.cos(S), cg.neg(S)
lhs = (f1 @ g1) >> (h1 @ k1)
rhs = (f1 >> h1) @ (g1 >> k1)
print(cg.to_sympy(lhs), cg.to_sympy(rhs))
assert all(sp.simplify(a - b) == 0 for a, b in zip(cg.to_sympy(lhs), cg.to_sympy(rhs)))

# %% [markdown]
# ## Exercises
#
# Each exercise cell holds a placeholder `...`: replace it with your answer and run the check below it.
# (Solutions: `examples/notebooks/solutions/01_string_diagrams.py`.)
#
# **Exercise 1.** Build $g_1: S \to S$, $x \mapsto x \cdot e^{x}$, from `copy`, `exp`,
# `identity` and `mul` with `>>` and `@` (no `trace`).

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
xs = sp.Symbol("x0")
assert ex1.dom == S and ex1.cod == S
assert sp.simplify(cg.to_sympy(ex1)[0] - xs * sp.exp(xs)) == 0, "not x·exp(x)"
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** Build $g_2: S \times S \to S \times S$, $(x, y) \mapsto (y, x + y)$ (one step
# of the Fibonacci recurrence) from `copy`, `swap`, `add` and `identity`.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
fib = cg.to_jax(ex2)
a, b = jnp.float32(0.0), jnp.float32(1.0)
for _ in range(10):
    a, b = fib(a, b)
assert (float(a), float(b)) == (55.0, 89.0), (a, b)          # the Fibonacci numbers F10, F11
print("Exercise 2: correct")

# %% [markdown]
# **Exercise 3.** The counit law of copying says that copying and then discarding one copy does
# nothing: $\Delta ; ({!} \times 1) = 1$. Build the left-hand side on $A$ = `cg.Array((3,))` and check it.

# %% tags=["exercise"]
# Exercise 3: your answer here. Replace each `...`; the next cell checks it.
ex3 = ...

# %%
assert ex3 is not ..., "Exercise 3: replace the ... in the cell above with your answer"
assert ex3.dom == A and ex3.cod == A
(out,) = cg.to_sympy(ex3)
assert out == cg.symbols(A)[0], out
print("Exercise 3: correct")
