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
# # 10. Six views of one learner
#
# *You will learn to* read one learner as a lens, a BaF learner, a symmetric lens, a Moore machine and an open game, check numerically that the views agree step by step, and learn a functor (CycleGAN's schema). *Time:* about 45 minutes.
#
# *The idea:* the papers after [CFGBL] describe a learner in five more ways, each a functor into or
# out of the lens learner of notebook 4. `catgrad.learners` builds every one of them on the same
# diagrams, so we can compute them side by side and watch them agree, step by step:
#
# 1. the **lens learner** $U ; R(\mathrm{model}) ; R(\mathrm{loss}) ; \alpha$ [CFGBL];
# 2. the **BaF learner** $(P, I, U, r)$ of *Backprop as Functor*, with
#    $U(p, a, b) = p - \varepsilon \nabla_p E$ and $r(p, a, b) = a - \nabla_a E$ for $E = \tfrac12\lVert I(p, a) - b\rVert^2$;
# 3. a **symmetric lens**, the span $A \leftarrow P \times A \to B$ [LL];
# 4. a **simple parametrised lens** $(P, (I, \langle U, r\rangle))$ and a **Moore machine** with state $P$ [LLang];
# 5. an **open game** whose player is the parameter [OLOG];
# 6. and, last, a learner of a whole **functor**: CycleGAN's schema [CDL].

# %%
import jax
import numpy as np

import catgrad as cg
from catgrad import learn, nn
from catgrad import learners as ls

# %% [markdown]
# ## One model, one example
#
# A small regression model $I: P \times \mathbb{R}^2 \to \mathbb{R}$ and one example $(a, b)$.

# %%
model = nn.dense(2, 3, nn.tanh) >> nn.dense(3, 1)
eps = 0.1
a, b = np.array([0.5, -1.0], np.float32), np.array([0.3], np.float32)
lens_learner = learn.supervised(model, learn.mse, learn.learning_rate(eps), learn.gd())
state = lens_learner.init(jax.random.PRNGKey(0))
flat = ls.para_parts(model).flatten      # the parameter pytree → the wires of P, in order
p = flat(state.params)
[x.shape for x in p]

# %% [markdown]
# ## 1 and 2: the lens learner and the BaF learner
#
# `L(model, step=ε)` is the functor $L_{\varepsilon, e}: \mathbf{Para} \to \mathbf{Learn}$ with the quadratic error
# $e(x, y) = \tfrac12 (x - y)^2$. Its update is a diagram built from $R$; here it is, drawn:

# %%
baf = ls.L(model, step=eps)
baf.update

# %% [markdown]
# Its maps have formulas too: for the one-weight model $I(p, a) = p\,a$ and $\varepsilon = \tfrac12$, the update is
# $p - \tfrac12\, a\,(p a - b)$ and the request $a - p\,(p a - b)$:

# %%
R1 = cg.Array(())
tiny = ls.L(cg.Para(R1, cg.mul(R1)), step=0.5)
print(cg.formula(tiny.update))
print(cg.formula(tiny.request))

# %% [markdown]
# `learn.mse` is $\tfrac12\lVert\hat y - y\rVert^2$ summed over the components, the same $E$; a batch of one example
# has mean = sum. So one BaF update is one step of the lens learner:

# %%
after_lens = flat(lens_learner.step(state, a[None], b[None]).params)
after_baf = cg.to_jax(baf.update)(*p, a, b)
print(max(float(np.abs(u - v).max()) for u, v in zip(after_lens, after_baf)))

# %% [markdown]
# BaF composes learners by sending each one's *request* back as the previous one's target:
# $(U * V)(p, q, a, c) = (U(p, a, s(q, I(p, a), c)), V(q, I(p, a), c))$. And $L$ is a functor: the learner of the
# composite model is the composite of the two learners. The parameters come in the same order on both sides:
# Learn's composite has $P \times Q$, and `nn`'s layers have named records, so the record of `f >> g` is the union
# `{"dense": P, "dense_1": Q}`, whose wires list $f$'s first. (Anonymous records compose in Para to the pair
# $(Q, P)$; there one would first move the parameters along the swap, `learner.transport(swap, swap)`.)

# %%
f, g = nn.dense(2, 3, nn.tanh), nn.dense(3, 1)
whole = ls.L(f >> g, eps)
parts = ls.L(f, eps) >> ls.L(g, eps)
args = [np.random.default_rng(1).normal(size=t.shape).astype(np.float32) for t in parts.update.dom]
print(max(float(np.abs(u - v).max()) for u, v in zip(cg.to_jax(whole.update)(*args), cg.to_jax(parts.update)(*args))))

# %% [markdown]
# ## 3: a symmetric lens
#
# The learner is the span $A \leftarrow P \times A \to B$: the left leg is the constant-complement lens
# $(p, a) \mapsto a$, the right leg has get $I$ and put $((p, a), b) \mapsto (U(p, a, b), r(p, a, b))$.

# %%
span = ls.learner_to_span(baf)
put = cg.to_jax(span.right.bwd)(*p, a, b)
print(max(float(np.abs(u - v).max()) for u, v in zip(put[:len(p)], after_baf)), "request:", put[-1])

# %% [markdown]
# ## 4: a parametrised simple lens, and a Moore machine
#
# $\mathbf{Learn} \cong \mathbf{Para}(\mathbf{SLens})$: the same data read as the Para(Lens) morphism
# $(P, (I, \langle U, r \rangle))$; the round trip is the identity. As a machine, the state is $P$ and the input
# $(a_t, b_t)$ moves it to $U(p_t, a_t, b_t)$: running the machine over a stream of examples is training.

# %%
machine = ls.as_machine(baf)
stream_a = np.random.default_rng(2).normal(size=(20, 2)).astype(np.float32)
stream_b = np.sin(stream_a[:, :1])
p_machine = machine.run(p, [stream_a, stream_b])
st = state
for t in range(20):
    st = lens_learner.step(st, stream_a[t:t + 1], stream_b[t:t + 1])
print(max(float(np.abs(u - v).max()) for u, v in zip(p_machine, flat(st.params))))

# %% [markdown]
# ## 5: an open game
#
# Play is $I$, coplay is $r$, and the player's best response to the continuation $k$ (here: the constant
# continuation at the target $b$) is $\beta_k(p, a) = U(p, a, k(I(p, a)))$. An **equilibrium** is a
# parameter that is its own best response: a fixed point of the update, a zero of the gradient.

# %%
game = ls.learner_to_game(baf)
beta = cg.to_jax(game.respond(game.constant_continuation(), game.R))
print(max(float(np.abs(u - v).max()) for u, v in zip(beta(b, *p, a), after_baf)))
print("p an equilibrium?", game.is_equilibrium(p, [a], [b]))

# %% [markdown]
# ## 6: learning a functor: CycleGAN's schema
#
# A schema presents a category: objects $A, B$, generators $f: A \to B$, $g: B \to A$ and the equations
# $f ; g = 1_A$, $g ; f = 1_B$. A model is a Para map per generator; the loss adds the path equations'
# distances and, per generator, a distance between the moments of $f(A)$ and $B$ (and of $g(B)$ and $A$):
#
# $$\mathcal{L} = \operatorname{mean}\lVert g(f(a)) - a\rVert^2 + \operatorname{mean}\lVert f(g(b)) - b\rVert^2
#   + d(f(A), B) + d(g(B), A),\quad d(U, V) = \lVert\mu_U - \mu_V\rVert^2 + \lVert C_U - C_V\rVert_F^2.$$

# %%
schema = ls.cyclegan_schema(2, 2)
schema

# %%
rng = np.random.default_rng(0)
M, shift = np.array([[1.5, 0.0], [1.0, 0.5]]), np.array([3.0, 1.0])
sample_a = lambda m: rng.normal(size=(m, 2)).astype(np.float32)
sample_b = lambda m: (rng.normal(size=(m, 2)) @ M.T + shift).astype(np.float32)
mlp = lambda: nn.dense(2, 8, nn.tanh) >> nn.dense(8, 2)
cyc = ls.SchemaModel(schema, {"f": mlp(), "g": mlp()})
cyc_learner = ls.schema_learner(cyc, batch=256, optimiser=learn.adam(0.02))
cyc.maps["f"]


# %%
def mmd2(x, y):
    k = lambda u, v: np.exp(-((u[:, None] - v[None]) ** 2).sum(-1) / 2)
    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


test_a, test_b = sample_a(500), sample_b(500)


def measure(params):
    fa = np.asarray(cyc.run(params, ("f",), "A", test_a))
    gfa = np.asarray(cyc.run(params, ("f", "g"), "A", test_a))
    return round(mmd2(fa, test_b), 4), round(float(np.linalg.norm(gfa - test_a, axis=1).mean()), 3)


cstate = cyc_learner.init(jax.random.PRNGKey(0))
print("before: MMD²(f(A), B), cycle error", measure(cstate[1]))
for _ in range(300):
    cstate = cyc_learner.step(cstate, [sample_a(256), sample_b(256)])
print("after:  MMD²(f(A), B), cycle error", measure(cstate[1]))

# %% [markdown]
# ## Exercises
#
# Each exercise cell holds a placeholder `...`: replace it with your answer and run the check below it.
# (Solutions: `examples/notebooks/solutions/10_six_views.py`.)
#
# **Exercise 1.** With the quadratic error scaled by $c$, `ls.quadratic(c)`, the request becomes
# $a - \nabla_a E / c$ while $E$ itself is $c$ times larger. Choose a scale $c \ne 1$ and build the learner
# `L(model, eps / c, quadratic(c))`; the check compares its update with that of `L(model, eps)`.

# %% tags=["exercise"]
# Exercise 1: your answer here. Replace each `...`; the next cell checks it.
c = ...
ex1 = ...

# %%
assert ex1 is not ..., "Exercise 1: replace the ... in the cell above with your answer"
assert c != 1, "choose a scale c other than 1"
new_scaled = cg.to_jax(ex1.update)(*p, a, b)
assert max(float(np.abs(u - v).max()) for u, v in zip(new_scaled, after_baf)) < 1e-6
print("Exercise 1: correct")

# %% [markdown]
# **Exercise 2.** The identity learner $(1, 1_A, !, \pi_2)$, `ls.Learner.identity(A)`, is a unit: composing it
# after `baf` changes nothing. Build the composite; the check compares its request with `baf`'s.

# %% tags=["exercise"]
# Exercise 2: your answer here. Replace each `...`; the next cell checks it.
ex2 = ...

# %%
assert ex2 is not ..., "Exercise 2: replace the ... in the cell above with your answer"
assert ex2.param == baf.param and ex2.dom == baf.dom and ex2.cod == baf.cod
r1, r2 = cg.to_jax(ex2.request)(*p, a, b), cg.to_jax(baf.request)(*p, a, b)
assert np.allclose(r1[0], r2[0])
print("Exercise 2: correct")
