"""Learning functors [CDL]: a schema, its parametrised models, and the learner of a model.

A **schema** is a finitely presented category: objects, generating morphisms ``g: X → Y`` and path
equations ``p = q`` between paths with the same ends (a path is a tuple of generator names in diagrammatic
order; ``()`` is the identity). CycleGAN's schema has ``f: A → B``, ``g: B → A``, ``f ; g = 1_A`` and
``g ; f = 1_B``.

A **model** assigns to each generator a Para map between its objects' types (here every object is one
vector wire ``ℝ^d``): a parametrised functor from the free category (``SchemaModel.path``), whose
parameters are the union of the generators' parameters.

The **objective** of a model on a batch of ``n`` samples of each object (unpaired: no sample of one object
corresponds to a sample of another) is one diagram ``P × Dⁿ_X₁ × … → ℝ``:

    ``Σ_{p = q at X} mean_i ‖p(xᵢ) − q(xᵢ)‖²``  (each path equation, on the data of its source)
    ``+ λ Σ_{g: X → Y} d(g(x), y)``               (the image of each generator matches its target's data)

with ``d`` the moment distance ``d(U, V) = ‖μ_U − μ_V‖² + ‖C_U − C_V‖²_F`` (means and covariances over
the batch; CycleGAN uses an adversarial discriminator instead). The learner is the lens composite
``(U ⊗ 1) ; R(objective) ; α`` of [CFGBL] (``schema_learner``), whose backward map is one training step.

>>> s = cyclegan_schema(2, 2)
>>> s.generators
{'f': ('A', 'B'), 'g': ('B', 'A')}
>>> s.equations
((('f', 'g'), ()), (('g', 'f'), ()))
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from math import cos, pi, sin
from typing import Any, Sequence

import jax

from ..core.diagram import Diagram, trace
from ..core.generators import broadcast, einsum, scale
from ..core.generators import sum as cg_sum
from ..core.objects import Array, Ty
from ..lens import Lens
from ..learn import learning_rate
from ..para import Para
from ..semantics.jax import to_jax
from .learn_category import call
from .params import optimiser_parts, para_parts


@dataclass(frozen=True)
class Schema:
    """A finitely presented category: ``objects`` (name → dimension ``d``: the object is ``ℝ^d``),
    ``generators`` (name → (source, target)) and ``equations`` (pairs of paths with the same ends).

    >>> s = Schema({"A": 2}, {"f": ("A", "A")}, [(("f", "f"), ())])   # an involution
    >>> s.ends(("f", "f"), "A")
    ('A', 'A')
    """

    objects: dict
    generators: dict
    equations: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "objects", dict(self.objects))
        object.__setattr__(self, "generators", {k: tuple(v) for k, v in self.generators.items()})
        object.__setattr__(self, "equations", tuple((tuple(p), tuple(q)) for p, q in self.equations))
        for g, (x, y) in self.generators.items():
            for o in (x, y):
                if o not in self.objects:
                    raise ValueError(f"Schema: generator {g}: {x} → {y} names an unknown object {o!r}")
        for p, q in self.equations:
            if not p and not q:
                raise ValueError("Schema: an equation needs a nonempty side")
            src = self.generators[(p or q)[0]][0] if (p or q)[0] in self.generators else None
            if src is None:
                raise ValueError(f"Schema: equation {p} = {q} names an unknown generator")
            if self.ends(p, src) != self.ends(q, src):
                raise ValueError(f"Schema: the sides of {'; '.join(p) or '1'} = {'; '.join(q) or '1'} do not have "
                                 f"the same ends ({self.ends(p, src)} vs {self.ends(q, src)})")

    def ends(self, path: Sequence[str], source: str) -> tuple:
        """``(source, target)`` of a path starting at ``source`` (checking that it composes).

        >>> cyclegan_schema(2, 2).ends(("f", "g"), "A")
        ('A', 'A')
        """
        at = source
        for g in path:
            if g not in self.generators:
                raise ValueError(f"Schema: unknown generator {g!r}")
            x, y = self.generators[g]
            if x != at:
                raise ValueError(f"Schema: the path {' ; '.join(path)} does not compose at {g}: {x} → {y} after {at}")
            at = y
        return source, at

    def source(self, p: Sequence[str], q: Sequence[str]) -> str:
        """The common source of the equation ``p = q``.

        >>> cyclegan_schema(2, 2).source(("g", "f"), ())
        'B'
        """
        return self.generators[(p or q)[0]][0]

    def svg(self) -> str:
        """The schema as a picture (SVG text): objects on a circle, generators as labelled arrows,
        the equations written below.

        >>> cyclegan_schema(2, 2).svg().startswith("<svg")
        True
        """
        names = list(self.objects)
        W, H, R = 320, 220 + 18 * len(self.equations), 70
        cx, cy = W / 2, 110
        pos = {o: (cx + R * cos(pi + 2 * pi * i / len(names)), cy + R * sin(pi + 2 * pi * i / len(names)))
               for i, o in enumerate(names)}
        out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="monospace">',
               '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
               'orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
        seen: dict = {}
        for g, (x, y) in self.generators.items():
            (x0, y0), (x1, y1) = pos[x], pos[y]
            k = seen.setdefault((x, y), 0)
            seen[(x, y)] += 1
            if x == y:   # a loop above the object
                d = f"M{x0 - 8},{y0 - 16} C{x0 - 40},{y0 - 70} {x0 + 40},{y0 - 70} {x0 + 8},{y0 - 16}"
                lx, ly = x0, y0 - 62 - 14 * k
            else:
                mx, my = (x0 + x1) / 2, (y0 + y1) / 2
                nx, ny = -(y1 - y0), (x1 - x0)
                norm = max((nx * nx + ny * ny) ** 0.5, 1e-9)
                bend = 0.35 + 0.2 * k
                qx, qy = mx + bend * R * nx / norm, my + bend * R * ny / norm
                sx, sy = x0 + 18 * (qx - x0) / max(abs(qx - x0) + abs(qy - y0), 1e-9), y0 + 18 * (qy - y0) / max(abs(qx - x0) + abs(qy - y0), 1e-9)
                ex, ey = x1 + 18 * (qx - x1) / max(abs(qx - x1) + abs(qy - y1), 1e-9), y1 + 18 * (qy - y1) / max(abs(qx - x1) + abs(qy - y1), 1e-9)
                d = f"M{sx:.1f},{sy:.1f} Q{qx:.1f},{qy:.1f} {ex:.1f},{ey:.1f}"
                lx, ly = mx + (bend + 0.12) * R * nx / norm, my + (bend + 0.12) * R * ny / norm
            out.append(f'<path d="{d}" fill="none" stroke="black" marker-end="url(#arrow)"/>')
            out.append(f'<text x="{lx:.1f}" y="{ly + 5:.1f}" text-anchor="middle" font-style="italic">{escape(g)}</text>')
        for o, (x, y) in pos.items():
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16" fill="white" stroke="black"/>')
            out.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="middle">{escape(o)}</text>')
        for i, (p, q) in enumerate(self.equations):
            src = self.source(p, q)
            side = lambda path: " ; ".join(path) if path else f"1_{src}"  # noqa: E731
            out.append(f'<text x="{cx}" y="{215 + 18 * i}" text-anchor="middle">{escape(side(p))} = {escape(side(q))}</text>')
        out.append("</svg>")
        return "\n".join(out)

    def _repr_svg_(self):
        return self.svg()


def cyclegan_schema(dim_a: int, dim_b: int) -> Schema:
    """CycleGAN's schema: ``f: A → B``, ``g: B → A``, ``f ; g = 1_A``, ``g ; f = 1_B`` [CDL].

    >>> cyclegan_schema(2, 3).objects
    {'A': 2, 'B': 3}
    """
    return Schema({"A": dim_a, "B": dim_b}, {"f": ("A", "B"), "g": ("B", "A")}, [(("f", "g"), ()), (("g", "f"), ())])


@dataclass(frozen=True)
class SchemaModel:
    """A parametrised functor from the free category on ``schema``: a Para map ``ℝ^{d_X} → ℝ^{d_Y}`` per
    generator ``X → Y``. Its parameters are the generators' parameters, in the schema's generator order.

    >>> from catgrad import nn
    >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
    >>> len(m.param)
    4
    """

    schema: Schema
    maps: dict

    def __post_init__(self):
        s = self.schema
        if set(self.maps) != set(s.generators):
            raise ValueError(f"SchemaModel: need one Para per generator {sorted(s.generators)}, got {sorted(self.maps)}")
        for g, (x, y) in s.generators.items():
            P, f = para_parts(self.maps[g])[:2]
            want_dom, want_cod = Ty(Array((s.objects[x],))), Ty(Array((s.objects[y],)))
            if f.dom[len(P):] != want_dom or f.cod != want_cod:
                raise TypeError(f"SchemaModel: generator {g}: {x} → {y} needs a Para {want_dom} → {want_cod}, "
                                f"got {f.dom[len(P):]} → {f.cod}")

    @property
    def param(self) -> Ty:
        out = Ty()
        for g in self.schema.generators:
            out = out @ para_parts(self.maps[g]).param
        return out

    def init(self, key) -> list:
        """Initial parameters of every generator (one key each), in wire order.

        >>> import jax
        >>> from catgrad import nn
        >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
        >>> len(m.init(jax.random.PRNGKey(0)))
        4
        """
        keys = jax.random.split(key, len(self.schema.generators))
        out = []
        for k, g in zip(keys, self.schema.generators):
            init = para_parts(self.maps[g]).init
            if init is None:
                raise ValueError(f"SchemaModel: generator {g} has no initialiser")
            out += list(init(k))
        return out

    def _slices(self) -> dict:
        at, out = 0, {}
        for g in self.schema.generators:
            n = len(para_parts(self.maps[g]).param)
            out[g] = (at, at + n)
            at += n
        return out

    def path(self, path: Sequence[str], source: str) -> Para:
        """The Para composite of a path (the identity Para for ``()``): the functor on morphisms.

        >>> from catgrad import nn
        >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
        >>> m.path(("f", "g"), "A").dom
        Ty(f32[2])
        """
        self.schema.ends(path, source)
        out = Para.identity(Array((self.schema.objects[source],)))
        for g in path:
            out = out >> self.maps[g]
        return out


    def split(self, params: Sequence) -> dict:
        """Parameters in wire order → generator name → its parameters (a list).

        >>> import jax
        >>> from catgrad import nn
        >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
        >>> [len(v) for v in m.split(m.init(jax.random.PRNGKey(0))).values()]
        [2, 2]
        """
        params = list(params)
        if len(params) != len(self.param):
            raise TypeError(f"SchemaModel: expected {len(self.param)} parameter arrays ({self.param}), got {len(params)}")
        return {g: params[lo:hi] for g, (lo, hi) in self._slices().items()}

    def run(self, params: Sequence, path: Sequence[str], source: str, x) -> jax.Array:
        """The path applied to a batch ``x`` (rows are samples of ``source``), generator by generator.

        >>> import jax, numpy as np
        >>> from catgrad import nn
        >>> m = SchemaModel(cyclegan_schema(2, 3), {"f": nn.dense(2, 3), "g": nn.dense(3, 2)})
        >>> m.run(m.init(jax.random.PRNGKey(0)), ("f",), "A", np.zeros((5, 2), np.float32)).shape
        (5, 3)
        """
        self.schema.ends(path, source)
        per = self.split(params)
        for g in path:
            f = to_jax(para_parts(self.maps[g]).map)
            x = jax.vmap(lambda v, g=g, f=f: f(*per[g], v)[0])(x)
        return x


def moment_distance(u, v):
    """On wires (inside ``trace``): ``‖μ_U − μ_V‖² + ‖C_U − C_V‖²_F`` for batches ``U, V: (n, d)``.

    >>> from catgrad import Array, trace
    >>> trace(moment_distance, Array((5, 2)), Array((7, 2))).cod
    Ty(f32[])
    """
    def moments(x):
        n, d = x.shape
        mu = scale(cg_sum(x, axes=(0,)), 1.0 / n)
        c = x - broadcast(mu, shape=(n, d), axes=(0,))
        return mu, scale(einsum(c, c, spec="nd,ne->de"), 1.0 / n)

    (mu, cu), (mv, cv) = moments(u), moments(v)
    dm, dc = mu - mv, cu - cv
    return cg_sum(dm * dm) + cg_sum(dc * dc)


def objective(model: SchemaModel, batch: int, match_weight: float = 1.0) -> Diagram:
    """The schema's loss on ``batch`` unpaired samples of each object: a diagram
    ``P × Dⁿ_{X₁} × … × Dⁿ_{X_k} → ℝ`` (module docstring; objects in the schema's order).

    >>> from catgrad import nn
    >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
    >>> objective(m, 8).dom[4:], objective(m, 8).cod
    (Ty(f32[8,2], f32[8,2]), Ty(f32[]))
    """
    s, n = model.schema, int(batch)
    objects = list(s.objects)
    slices = model._slices()
    batched = {g: para_parts(model.maps[g].batched(n)) for g in s.generators}
    data_types = Ty(*(Array((n, s.objects[o])) for o in objects))
    P = model.param
    nP = len(P)

    def run_path(params, path, x):
        for g in path:
            lo, hi = slices[g]
            x = call(batched[g].map, *params[lo:hi], x)[0]
        return x

    def loss(*ws):
        params, data = ws[:nP], dict(zip(objects, ws[nP:]))
        terms = []
        for p, q in s.equations:
            x = data[s.source(p, q)]
            d = run_path(params, p, x) - run_path(params, q, x)
            terms.append(scale(cg_sum(d * d), 1.0 / n))
        for g, (x, y) in s.generators.items():
            terms.append(scale(moment_distance(run_path(params, (g,), data[x]), data[y]), float(match_weight)))
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total

    return trace(loss, P @ data_types)


@dataclass(frozen=True, eq=False)
class SchemaLearner:
    """The learner of a schema model: the lens composite ``(U ⊗ 1) ; R(objective) ; α``, its backward map
    one training step ``(s, p, data) ↦ (s', p')``, compiled once.

    >>> import jax, numpy as np
    >>> from catgrad import nn, learn
    >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
    >>> lrn = schema_learner(m, batch=8, optimiser=learn.gd(), lr=0.1)
    >>> st = lrn.init(jax.random.PRNGKey(0))
    >>> a = np.zeros((8, 2), np.float32)
    >>> float(lrn.loss(st[1], [a, a])) >= 0
    True
    """

    model: SchemaModel
    lens: Lens
    objective: Diagram
    step_diagram: Diagram
    optimiser: Any
    _cache: dict = field(default_factory=dict, repr=False)

    def init(self, key) -> tuple:
        """``(s, p)``: the optimiser state and the parameters (lists of arrays in wire order)."""
        p = self.model.init(key)
        return optimiser_parts(self.optimiser, self.model.param, p)[1], p

    def step(self, state: tuple, data: Sequence) -> tuple:
        """One training step on one batch of each object (in the schema's object order)."""
        if "step" not in self._cache:
            self._cache["step"] = jax.jit(to_jax(self.step_diagram))
        s, p = state
        out = self._cache["step"](*s, *p, *data)
        return list(out[:len(s)]), list(out[len(s):])

    def loss(self, params, data) -> jax.Array:
        """The objective's value."""
        if "loss" not in self._cache:
            self._cache["loss"] = jax.jit(to_jax(self.objective))
        return self._cache["loss"](*params, *data)[0]


def schema_learner(model: SchemaModel, batch: int, optimiser, lr: float = 1.0,
                   match_weight: float = 1.0) -> SchemaLearner:
    """``(U ⊗ 1_D) ; R(objective) ; α`` with ``U = optimiser.parameter_lens(P)`` and ``α = learning_rate(lr)``
    (``lr = 1`` for adaptive optimisers, which carry their own step).

    >>> from catgrad import nn, learn
    >>> m = SchemaModel(cyclegan_schema(2, 2), {"f": nn.dense(2, 2), "g": nn.dense(2, 2)})
    >>> step = schema_learner(m, 4, learn.adam(0.01)).step_diagram   # (s, p, a, b) ↦ (s', p')
    >>> step.cod == step.dom[:-2]
    True
    """
    O = objective(model, batch, match_weight)
    P = model.param
    D = O.dom[len(P):]
    U = optimiser_parts(optimiser, P, [])[0]
    S = U.fwd.dom[:len(U.fwd.dom) - len(P)]
    lens = (U @ Lens.identity(D)) >> Lens.of(O) >> learning_rate(lr).lens(O.cod)
    nSP = len(S @ P)
    step = trace(lambda *ws: call(lens.bwd, *ws)[:nSP], S @ P @ D)
    return SchemaLearner(model, lens, O, step, optimiser)
