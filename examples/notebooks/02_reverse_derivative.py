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
# # 2. The reverse derivative is a diagram
#
# *You will learn to* compute the reverse derivative $R[f]$ as another diagram, read it as the formula $J_f(x)^\top \delta y$, differentiate it again, and check the axioms RD.1–RD.7 exactly and draw them as equations. *Time:* about 45 minutes.
#
# *The idea:* backpropagation is a **functor** $R$ from diagrams to diagrams. For $f: A \to B$,
#
# $$ R[f] : A \times B \to A, \qquad R[f](x, \delta y) = J_f(x)^{\top}\, \delta y, $$
#
# what `jax.vjp(f, x)[1](dy)` computes. Because $R[f]$ is again a diagram of the same
# generators, it can be printed, drawn, read as a formula and differentiated again: $R[R[f]]$.
# $R$ is fixed by a rule per generator (e.g. $R[\sin](x, \delta y) = \delta y \cos x$) and by the
# seven axioms of a **reverse derivative category** [RDC, Def. 13; CFGBL Def. 2], which we check
# below exactly, with sympy.

# %%
import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

import catgrad as cg
from catgrad import rdiff as R

S = cg.Array(())

# %% [markdown]
# ## $R[f]$ for a function of two variables
#
# $f(x, y) = (y \sin x,\; e^{xy})$. Its reverse derivative takes the point $(x, y)$ and the
# cotangents $(\delta_0, \delta_1)$ of the two outputs and returns the cotangents of the inputs.

# %%
f = cg.trace(lambda x, y: (cg.sin(x) * y, cg.exp(x * y)), S, S)
Rf = R(f)
print("R[f]:", Rf.dom, "→", Rf.cod, f"({Rf.size} operations for f's {f.size})")
Rf

# %% [markdown]
# Read as an equation, with the inputs $x$ and the cotangents $dy$ named apart:

# %%
cg.formula(f, rdiff=True, simplify=True)

# %%
x, y, d0, d1 = sp.symbols("x y delta0 delta1")
ours = sp.Matrix(cg.to_sympy(Rf, [x, y, d0, d1]))
ours

# %% [markdown]
# The oracle is sympy's own Jacobian, transposed and applied to the cotangent:

# %%
J = sp.Matrix([y * sp.sin(x), sp.exp(x * y)]).jacobian([x, y])
assert sp.simplify(ours - J.T * sp.Matrix([d0, d1])) == sp.zeros(2, 1)
print("R[f] = Jᵀ δ exactly")

# %% [markdown]
# Every operation remembers the layer that built it, and $R$ keeps track: the backward operations
# of a layer `dense` belong to `R(dense)`. Drawn one box per layer (`depth=1`), $R$ of a two-layer
# network reads as the backward pass of backpropagation, last layer first:

# %%
from catgrad import nn

net = nn.dense(3, 4, nn.tanh) >> nn.dense(4, 2, nn.sigmoid)
cg.draw(R(net.map), depth=1)

# %% [markdown]
# ## Agreement with `jax.vjp`
#
# The same on arrays: a map $\mathbb{R}^4 \times \mathbb{R}^4 \to \mathbb{R}^4$ and JAX's
# vector-Jacobian product at random points.

# %%
V = cg.Array((4,))
g = cg.trace(lambda u, v: cg.tanh(u * v) + cg.exp(-u), V, V)
Rg = cg.to_jax(R(g))

key = jax.random.PRNGKey(0)
u, v, dy = jax.random.normal(key, (3, 4))
ours = Rg(u, v, dy)
_, vjp = jax.vjp(lambda u, v: jnp.tanh(u * v) + jnp.exp(-u), u, v)
for a, b in zip(ours, vjp(dy)):
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
print("R[g] agrees with jax.vjp")

# %% [markdown]
# ## $R[R[f]]$: the derivative of the derivative
#
# For a scalar $h$, $R[h](x, \delta) = h'(x)\,\delta$ is a map of two variables, so
#
# $$ R[R[h]]\big((x, \delta), \varepsilon\big) = \big(h''(x)\,\delta\,\varepsilon,\; h'(x)\,\varepsilon\big). $$

# %%
h = cg.sin(S) >> cg.exp(S)                       # h(x) = exp(sin x)
RRh = R(R(h))
xx, dd, ee = sp.symbols("x delta epsilon")
second = cg.to_sympy(RRh, [xx, dd, ee])
H = sp.exp(sp.sin(xx))
assert sp.simplify(second[0] - sp.diff(H, xx, 2) * dd * ee) == 0
assert sp.simplify(second[1] - sp.diff(H, xx) * ee) == 0
print(RRh.dom, "→", RRh.cod)
second

# %% [markdown]
# `formula` names it so, with the inputs $x$, $\delta y$ (`dy`) and the cotangent of $R[h]$'s output (`ddx`):

# %%
cg.formula(h, rdiff=2)

# %% [markdown]
# and it is a diagram like any other, one box per generator:

# %%
cg.draw(RRh)

# %% [markdown]
# ## The axioms RD.1–RD.7, checked exactly
#
# Each axiom is an equation between two diagrams built from identities, projections, pairings,
# zero and addition [RDC Def. 13; CFGBL Def. 2] (the docs' *Mathematics* page, §3). We build both sides *literally* and compare their formulas.
# The pieces: $0: X \to Y$ is ${!} ; 0$; $f + g = \langle f, g\rangle ; +$; the injections
# $\iota_0 = \langle 1, 0\rangle$, $\iota_1 = \langle 0, 1\rangle$; and
# $\mathrm{ex}: (A \times B) \times (C \times D) \to (A \times C) \times (B \times D)$.

# %%
one, pi, pair = cg.identity, cg.proj, cg.pair


def zero(X, Y):
    return cg.discard(X) >> cg.zero(Y)


def plus(f, g):
    n = len(f.cod)
    adds = cg.identity(cg.Ty())
    for t in f.cod:
        adds = adds @ cg.add(t)
    return pair(f, g) >> cg.wiring(f.cod @ f.cod, [j for i in range(n) for j in (i, i + n)]) >> adds


def iota0(X, Y):
    return pair(one(X), zero(X, Y))


def iota1(X, Y):
    return pair(zero(Y, X), one(Y))


def ex(A, B, C, D):
    return cg.wiring(A @ B @ C @ D, [0, 2, 1, 3])          # here A, B, C, D are single wires


def same(lhs, rhs):
    """Equal types and, for every output, formulas whose difference simplifies to 0."""
    assert lhs.dom == rhs.dom and lhs.cod == rhs.cod, (lhs.dom, rhs.dom, lhs.cod, rhs.cod)
    xs = cg.symbols(lhs.dom)
    for a, b in zip(cg.to_sympy(lhs, xs), cg.to_sympy(rhs, xs)):
        assert sp.simplify(a - b) == 0, (a, b)
    return True

# %% [markdown]
# We check them on $f(x, y) = (y \sin x, e^{xy})$ above and $k(x, y) = \cos(x)\,y$ (so $f$ and
# $k$ have the same domain), $A = S \times S$.

# %%
A = S @ S
B = f.cod
k = cg.trace(lambda x, y: (cg.cos(x) * y, x * x), S, S)
a_, b_ = len(A), len(B)
X3 = A @ B @ B
pa, pb, pc = cg.wiring(X3, range(a_)), cg.wiring(X3, range(a_, a_ + b_)), cg.wiring(X3, range(a_ + b_, a_ + 2 * b_))

axioms = {  # name: (left-hand side, right-hand side), both diagrams
    "RD.1  R[f + k] = R[f] + R[k]": (R(plus(f, k)), plus(R(f), R(k))),
    "RD.1  R[0] = 0": (R(zero(A, B)), zero(A @ B, A)),
    "RD.2  ⟨a, b + c⟩ ; R[f] = ⟨a, b⟩ ; R[f] + ⟨a, c⟩ ; R[f]":
        (pair(pa, plus(pb, pc)) >> R(f), plus(pair(pa, pb) >> R(f), pair(pa, pc) >> R(f))),
    "RD.2  ⟨a, 0⟩ ; R[f] = 0": (pair(one(A), zero(A, B)) >> R(f), zero(A, A)),
    "RD.3  R[1] = π₁": (R(one(A)), pi(A, A, 1)),
    "RD.3  R[π₀] = π₁ ; ι₀": (R(pi(S, S, 0)), pi(A, S, 1) >> iota0(S, S)),
    "RD.3  R[π₁] = π₁ ; ι₁": (R(pi(S, S, 1)), pi(A, S, 1) >> iota1(S, S)),
    "RD.4  R[⟨f, k⟩] = (1 × π₀) ; R[f] + (1 × π₁) ; R[k]":
        (R(pair(f, k)), plus((one(A) @ pi(B, k.cod, 0)) >> R(f), (one(A) @ pi(B, k.cod, 1)) >> R(k))),
    "RD.4  R[!] = 0": (R(cg.discard(A)), zero(A, A)),
    "RD.5  R[f ; k'] = ⟨π₀, ⟨π₀ ; f, π₁⟩ ; R[k']⟩ ; R[f]":
        (R(f >> k), pair(pi(A, k.cod, 0), pair(pi(A, k.cod, 0) >> f, pi(A, k.cod, 1)) >> R(k)) >> R(f)),
}
for name, sides in axioms.items():
    print("✓" if same(*sides) else "✗", name)

# %% [markdown]
# RD.6 says $R[f](x, \cdot)$ is linear, stated with $R[R[R[f]]]$; RD.7 says mixed partial derivatives
# are symmetric, stated with $R[R[\,\cdot\,]]$ of a map built from $R[R[f]]$ (typing as in [RDC Def. 13]).
# They involve third derivatives, so we check them on the scalar $h(x) = e^{\sin x}$.

# %%
def rd6_sides(f):
    A, B = f.dom, f.cod
    first = pair(one(A) @ pi(B, B, 0), zero(A, A) @ pi(B, B, 1))
    lhs = first >> (iota0(A @ B, A) @ one(A @ B)) >> R(R(R(f))) >> pi(A @ B, A, 1)
    return lhs, (one(A) @ pi(B, B, 1)) >> R(f)


def rd7_sides(f):
    A, B = f.dom, f.cod
    g = (iota0(A, B) @ one(A)) >> R(R(f)) >> pi(A, B, 1)
    side = (iota0(A @ A, B) @ one(A @ A)) >> R(R(g)) >> pi(A @ A, B, 1)
    return side, ex(A, A, A, A) >> side


axioms["RD.6  linearity of R[h](x, ·)"] = rd6_sides(h)
axioms["RD.7  symmetry of mixed partials"] = rd7_sides(h)
print("✓" if same(*rd6_sides(h)) else "✗", "RD.6  linearity of R[h](x, ·)")
print("✓" if same(*rd7_sides(h)) else "✗", "RD.7  symmetry of mixed partials")

# %% [markdown]
# ## The axioms as pictures
#
# The papers draw each axiom as an equation between two string diagrams. `cg.draw_equation(lhs, rhs)`
# does the same: both sides side by side with $=$ between them. Under each picture, the interpreter
# checks the equation numerically: `cg.to_jax` runs the *same two diagrams* at a random point and the
# results agree. (The drawing page of the docs explains every symbol: black dots copy or discard, white
# dots add or start at zero.)

# %%
from IPython.display import display


def numerically_same(lhs, rhs, seed=0):
    """Both diagrams run by the JAX interpreter at one random point give the same outputs."""
    keys = jax.random.split(jax.random.PRNGKey(seed), len(lhs.dom))
    xs = [jax.random.normal(key, t.shape) for key, t in zip(keys, lhs.dom)]
    for a, b in zip(cg.to_jax(lhs)(*xs), cg.to_jax(rhs)(*xs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    return True


for name, (lhs, rhs) in axioms.items():
    assert numerically_same(lhs, rhs), name
    print("✓ (to_jax)", name)
    display(cg.draw_equation(lhs, rhs))

# %% [markdown]
# A wrong equation is caught: the chain rule with $f$ and $k$ in the wrong order is not $R[f ; k]$.

# %%
s1, s2 = cg.sin(S), cg.exp(S)
wrong = pair(pi(S, S, 0), pair(pi(S, S, 0) >> s2, pi(S, S, 1)) >> R(s1)) >> R(s2)
try:
    same(R(s1 >> s2), wrong)
    print("accepted?!")
except AssertionError:
    print("the wrong chain rule is rejected")

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Write by hand, with `trace`, the reverse derivative of $p(x) = x \sin x$ as a
# diagram $S \times S \to S$, $(x, \delta) \mapsto \ldots$, and check it against `rdiff`.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
p = ...
ex1 = ...

# %%
assert p is not ..., "Exercise 1: replace the ... in the cell above with your answer"
assert same(ex1, R(p))
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** Read $\tanh''(0.3)$ off $R[R[\tanh]]$ evaluated by `to_jax` (which inputs give
# $h''(x)\,\delta\,\varepsilon$ with $\delta = \varepsilon = 1$?).

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
np.testing.assert_allclose(ex2, jax.grad(jax.grad(jnp.tanh))(0.3), rtol=1e-5)
print("Exercise 2: correct")

# %% [markdown]
# **Exercise 3.** Check the chain rule RD.5 for $c = \exp ; \sin$ on $S$: build the right-hand side
# $\langle \pi_0, \langle \pi_0 ; \exp, \pi_1\rangle ; R[\sin]\rangle ; R[\exp]$.

# %% tags=["exercise"]
# Exercise 3: your answer here. Replace each `...`; the next cell checks it.
ex3 = ...

# %%
assert ex3 is not ..., "Exercise 3: replace the ... in the cell above with your answer"
assert same(R(cg.exp(S) >> cg.sin(S)), ex3)
print("Exercise 3: correct")
