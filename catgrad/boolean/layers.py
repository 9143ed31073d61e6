"""Boolean layers: parametrised Z2 circuits ``(P, f: P × X → Y)`` for reverse derivative ascent.

Each layer is a ``catgrad.Para`` whose map is a per-example Z2 circuit with the parameter wires
first in its domain (``layer.map: P @ X → Y``), with names and an initialiser taking an explicit
PRNG key. They are the models of [RDA §5]:

- ``lookup_table(k, m)``: any function ``Z2ᵏ → Z2ᵐ`` as a table of ``m × 2ᵏ`` parameter bits,
  ``y_j = Σ_b P[j, b] · e_b(x)`` with the one-hot basis ``e_b(x) = Πᵢ (xᵢ + bᵢ + 1)``: copy, AND
  with the parameters, XOR-sum (the Iris model of the authors' experiments, ``evalModel`` in
  ``statusfailed/act-2020-experiments``, ``src/Iris.hs``);
- ``pseudo_linear(a, m, ratio)``: ``m`` threshold units ``y_j = [#(P_j ∧ x) ≤ ⌊#P_j / ratio⌋]``
  (the MNIST model, ``pseudoLinear`` in ``src/MNIST.hs``, with ``ratio = 4``);
- ``tuple_tables(n, tuples, c)`` (catgrad's own, for the "better circuits" of issue 5): an
  ensemble of lookup tables, one per fixed tuple of input bits (an n-tuple classifier in the
  sense of Bledsoe & Browning, 1959), each ``Z2ᵏ → Z2ᶜ``; read out by a plurality vote
  (``vote``). ``missed_ones_loss`` is the one-sided Z2 loss ``y·(ŷ + 1)`` with which RDA sets
  table bits and never clears them;
- ``gate_layer(a, h)`` / ``gate_network(widths)`` (catgrad's own deeper architecture): each unit
  XORs the inputs selected by two learnable masks, ``u = A x``, ``v = B x`` (matrix products over
  Z2), and applies a learnable two-input gate in algebraic normal form,
  ``y = c₀ + c₁·u + c₂·v + c₃·u·v`` (every one of the 16 gates is one choice of ``c``).

Every layer is a polynomial circuit, so ``rdiff`` gives its reverse derivative from the generator
rules; nothing here is special-cased in ``rdiff`` or the learner.

>>> import catgrad as cg
>>> layer = lookup_table(2, 1)
>>> layer.param, layer.dom, layer.cod
({'lut': {'table': Array((1, 4), 'bool')}}, Ty(bool[2]), Ty(bool[1]))
"""
from __future__ import annotations

from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from ..core.diagram import Diagram, Wire, apply, trace
from ..core.objects import Ty, TyLike, as_ty
from ..para import Para
from ..learn.losses import loss_para
from .gates import Z2, and_, threshold


def zeros(P) -> tuple:
    """All-false parameters for the parameter object ``P`` (a record, or a Ty: one bool array per wire).

    >>> zeros(Z2((2,)) @ Z2(()))
    (Array([False, False], dtype=bool), Array(False, dtype=bool))
    >>> zeros({"mask": Z2((2,))})
    {'mask': Array([False, False], dtype=bool)}
    """
    if isinstance(P, Ty):
        return tuple(jnp.zeros(t.shape, jnp.bool_) for t in P)
    return jax.tree_util.tree_map(lambda t: jnp.zeros(t.shape, jnp.bool_), P)


def _layer(name: str, params: dict, f, X, init) -> Para:
    """The Para ``({name: params}, (p, x) ↦ f(p, x))``, ``f`` given the layer's own dict of parameter wires."""
    return Para.build({name: params}, lambda p, x: f(p[name], x), X, init=lambda key: {name: init(key)})


def z2_constant(w: Wire, value) -> Wire:
    """A Z2 constant in the diagram that ``w`` belongs to."""
    v = np.asarray(value, dtype=bool)
    return apply("constant", into=w.builder, type=Z2(v.shape), value=v)


def _select(x: Wire, i: int) -> Wire:
    """``xᵢ`` of a vector wire, as the Z2 dot product ``Σⱼ xⱼ·δᵢⱼ``."""
    e = np.zeros(x.shape, dtype=bool)
    e[i] = True
    return apply("sum", and_(x, z2_constant(x, e)), axes=(-1,))


def _basis(x: Wire) -> Wire:
    (k,) = x.shape
    n = 2 ** k
    patterns = (np.arange(n)[:, None] >> np.arange(k)) & 1  # bit i of b
    e = None
    for i in range(k):
        xi = apply("broadcast", _select(x, i), shape=(n,), axes=(-1,))
        lit = xi + z2_constant(x, patterns[:, i] == 0)  # xᵢ + bᵢ + 1
        e = lit if e is None else and_(e, lit)
    return e


def one_hot_basis(x) -> Diagram | Wire:
    """The one-hot basis ``e: Z2ᵏ → Z2^(2ᵏ)``, ``e_b(x) = Πᵢ (xᵢ + bᵢ + 1)`` (1 iff ``x = b``).

    Entry ``b`` reads ``b``'s binary digits little-endian: bit ``i`` of ``b`` is ``xᵢ``. Given an
    int ``k`` it returns the diagram; given a wire, the wire ``e(x)``.

    >>> from catgrad import to_jax
    >>> import jax.numpy as jnp
    >>> to_jax(one_hot_basis(2))(jnp.array([True, False]))[0].astype(int)  # x = 1 + 0·2
    Array([0, 1, 0, 0], dtype=int32)
    """
    if isinstance(x, Wire):
        if x.dtype != "bool" or x.type.ndim != 1:
            raise TypeError(f"one_hot_basis: expects a Z2 vector wire, got {x.type}")
        return _basis(x)
    if not isinstance(x, int) or x < 1:
        raise TypeError(f"one_hot_basis: expects the number of input bits k ≥ 1, got {x!r}")
    return trace(_basis, Z2((x,)))


def lookup_table(k: int, m: int = 1) -> Para:
    """[RDA]'s lookup-table model of a function ``Z2ᵏ → Z2ᵐ``: ``y_j = Σ_b P[j, b]·e_b(x)``.

    Parameters ``P: Z2((m, 2ᵏ))`` (named ``("lut", "table")``), initially all zero; ``P[j, b]`` is
    output ``j`` on the input whose little-endian binary number is ``b``. Circuit: the one-hot basis,
    copied to every output (``broadcast``), ANDed with the table and XOR-summed. The circuit's
    polynomial is multilinear, so ``R`` is the boolean difference:
    ``R[f]_P((P, x), dy) = dy ⊗ e(x)``, ``R[f]_x = Σ_j dy_j·(P_j·∂e/∂x)``.

    >>> import jax.numpy as jnp
    >>> from catgrad import to_jax
    >>> f = to_jax(lookup_table(2, 1).map)
    >>> table = jnp.array([[0, 1, 1, 0]], bool)  # XOR as a table
    >>> [bool(f(table, jnp.array(x, bool))[0][0]) for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
    [False, True, True, False]
    """
    for v, name in ((k, "k"), (m, "m")):
        if not isinstance(v, int) or v < 1:
            raise TypeError(f"lookup_table: {name} must be a positive int, got {v!r}")
    n = 2 ** k
    P = Z2((m, n))

    def f(p, x):
        e = apply("broadcast", _basis(x), shape=(m, n), axes=(0,))
        return apply("sum", and_(p, e), axes=(-1,))

    return _layer("lut", {"table": P}, lambda p, x: f(p["table"], x), Z2((k,)), lambda key: zeros({"table": P}))


def pseudo_linear(a: int, m: int = 1, ratio: int = 4) -> Para:
    """[RDA]'s pseudo-linear layer: ``m`` threshold units ``y_j = [#(P_j ∧ x) ≤ ⌊#P_j / ratio⌋]``.

    Parameters ``P: Z2((m, a))`` (named ``("pseudo_linear", "mask")``), initially all zero (every
    unit then outputs 1). Each unit is ``catgrad.boolean.threshold``; its reverse derivative is the
    boolean difference, exactly.

    >>> layer = pseudo_linear(784, 1)
    >>> layer.param, layer.cod
    ({'pseudo_linear': {'mask': Array((1, 784), 'bool')}}, Ty(bool[1]))
    """
    for v, name in ((a, "a"), (m, "m"), (ratio, "ratio")):
        if not isinstance(v, int) or v < 1:
            raise TypeError(f"pseudo_linear: {name} must be a positive int, got {v!r}")
    P = Z2((m, a))

    def f(p, x):
        return threshold(p, apply("broadcast", x, shape=(m, a), axes=(0,)), ratio=ratio)

    return _layer("pseudo_linear", {"mask": P}, lambda p, x: f(p["mask"], x), Z2((a,)),
                  lambda key: zeros({"mask": P}))


def _z2_matvec(A: Wire, x: Wire) -> Wire:
    """``A x`` over Z2: ``(A x)_j = Σᵢ A_ji·xᵢ`` (AND, then XOR-sum)."""
    h, a = A.shape
    return apply("sum", and_(A, apply("broadcast", x, shape=(h, a), axes=(0,))), axes=(-1,))


GATE_NAMES = ("A", "B", "c0", "c1", "c2", "c3")


def gate_layer(a: int, h: int, name: str = "gates") -> Para:
    """``h`` learnable two-input gates on learnable inputs: ``y = c₀ + c₁u + c₂v + c₃uv``, ``u = Ax``, ``v = Bx``.

    Parameters (in order, named ``(name, "A")``, …): masks ``A, B: Z2((h, a))`` and gate
    coefficients ``c₀…c₃: Z2((h,))``. A mask row with one bit picks one input; more bits XOR
    several. The initialiser draws each mask row as a random one-hot vector and the gates at
    random: the all-zero parameters are a fixed point of RDA for this layer (with ``A = 0`` and
    ``c = 0`` no update reaches ``A``, ``B``, ``c₁``, ``c₂``, ``c₃``).

    >>> import jax, jax.numpy as jnp
    >>> from catgrad import to_jax
    >>> layer = gate_layer(3, 2)
    >>> p = layer.init(jax.random.PRNGKey(0))
    >>> {k: v.shape for k, v in p["gates"].items()}
    {'A': (2, 3), 'B': (2, 3), 'c0': (2,), 'c1': (2,), 'c2': (2,), 'c3': (2,)}
    >>> to_jax(layer)(p, jnp.array([1, 0, 1], bool))[0].shape
    (2,)
    """
    for v, nm in ((a, "a"), (h, "h")):
        if not isinstance(v, int) or v < 1:
            raise TypeError(f"gate_layer: {nm} must be a positive int, got {v!r}")
    M, c = Z2((h, a)), Z2((h,))
    P = {g: M if g in "AB" else c for g in GATE_NAMES}

    def f(p, x):
        u, v = _z2_matvec(p["A"], x), _z2_matvec(p["B"], x)
        return p["c0"] + and_(p["c1"], u) + and_(p["c2"], v) + and_(p["c3"], and_(u, v))

    def init(key):
        ka, kb, kc = jax.random.split(key, 3)
        ia = jax.random.randint(ka, (h,), 0, a)
        ib = (ia + jax.random.randint(kb, (h,), 1, a)) % a if a > 1 else ia  # another input than A's
        cs = jax.random.bernoulli(kc, 0.5, (4, h))
        masks = (jax.nn.one_hot(ia, a, dtype=jnp.int32).astype(bool), jax.nn.one_hot(ib, a, dtype=jnp.int32).astype(bool))
        return dict(zip(GATE_NAMES, (*masks, *(cs[i] for i in range(4)))))

    return _layer(name, P, f, Z2((a,)), init)


def gate_network(widths: Sequence[int]) -> Para:
    """Gate layers ``widths[0] → widths[1] → … → widths[-1]`` composed in Para (``layer1 ; layer2 ; …``).

    Parameters are named ``("gates1", "A")``, …, ``("gatesL", "c3")``; as for any Para composite
    the parameters of the later layer come first in the domain.

    >>> net = gate_network([4, 3, 1])
    >>> net.dom, net.cod, len(net.wires)
    (Ty(bool[4]), Ty(bool[1]), 12)
    """
    widths = list(widths)
    if len(widths) < 2:
        raise TypeError(f"gate_network: needs at least an input and an output width, got {widths!r}")
    net = None
    for i, (a, h) in enumerate(zip(widths, widths[1:]), start=1):
        layer = gate_layer(a, h, name=f"gates{i}")
        net = layer if net is None else net >> layer
    return net


def _tuple_basis(x: Wire, tuples: np.ndarray) -> Wire:
    """``e: Z2ⁿ → Z2^(m × 2ᵏ)``: row ``t`` is the one-hot basis of the bits ``x[tuples[t]]``."""
    (n,) = x.shape
    m, k = tuples.shape
    sel = np.zeros((m, k, n), dtype=bool)
    sel[np.arange(m)[:, None], np.arange(k)[None, :], tuples] = True
    xs = apply("sum", and_(apply("broadcast", x, shape=(m, k, n), axes=(0, 1)), z2_constant(x, sel)), axes=(-1,))
    nb = 2 ** k
    patterns = (np.arange(nb)[:, None] >> np.arange(k)) & 1
    e = None
    for i in range(k):
        col = np.zeros((m, k), dtype=bool)
        col[:, i] = True
        xi = apply("sum", and_(xs, z2_constant(x, col)), axes=(-1,))  # (m,): bit i of every tuple
        lit = apply("broadcast", xi, shape=(m, nb), axes=(-1,)) + z2_constant(x, np.broadcast_to(patterns[:, i] == 0, (m, nb)))
        e = lit if e is None else and_(e, lit)
    return e


def tuple_tables(n: int, tuples, c: int = 1, name: str = "tuples") -> Para:
    """An ensemble of lookup tables on fixed tuples of input bits: ``y[t, j] = Σ_b P[t, j, b]·e_b(x[tuples[t]])``.

    ``tuples`` is an int array ``(m, k)`` of input positions (``0 ≤ · < n``); table ``t`` is
    [RDA]'s ``lookup_table(k, c)`` applied to the bits ``x[tuples[t]]`` (selected inside the
    circuit by a Z2 matrix product with a constant 0/1 matrix). Parameters
    ``P: Z2((m, c, 2ᵏ))`` named ``(name, "tables")``, initially zero; output ``Z2((m, c))``.
    Trained with targets replicated over the ``m`` rows (``replicate``) each table learns on its
    own (``R_P = dy ⊗ e``); ``vote`` reads out the class with the most table votes.

    >>> import numpy as np, jax.numpy as jnp
    >>> from catgrad import to_jax
    >>> layer = tuple_tables(3, np.array([[0, 1], [1, 2]]), 1)
    >>> layer.wires, layer.cod
    (Ty(bool[2,1,4]), Ty(bool[2,1]))
    >>> P = jnp.zeros((2, 1, 4), bool).at[0, 0, 3].set(True)   # table 0: AND of x0, x1
    >>> to_jax(layer.map)(P, jnp.array([1, 1, 0], bool))[0].ravel()
    Array([ True, False], dtype=bool)
    """
    t = _check_tuples("tuple_tables", n, tuples, c)
    m, k = t.shape
    P = Z2((m, c, 2 ** k))
    return _layer(name, {"tables": P}, lambda p, x: _tables(p["tables"], x, t), Z2((n,)),
                  lambda key: zeros({"tables": P}))


def _check_tuples(who: str, n: int, tuples, c: int) -> np.ndarray:
    t = np.asarray(tuples)
    if t.ndim != 2 or t.size == 0 or not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"{who}: tuples must be a nonempty int array of shape (m, k), got {tuples!r}")
    for v, nm in ((n, "n"), (c, "c")):
        if not isinstance(v, int) or v < 1:
            raise TypeError(f"{who}: {nm} must be a positive int, got {v!r}")
    if t.min() < 0 or t.max() >= n:
        raise ValueError(f"{who}: tuple entries must lie in 0..{n - 1}, got {t.min()}..{t.max()}")
    if t.shape[1] > 16:
        raise ValueError(f"{who}: tuples of {t.shape[1]} bits give tables of 2^{t.shape[1]} entries; use ≤ 16")
    return t


def _tables(p: Wire, x: Wire, tuples: np.ndarray) -> Wire:
    """``y[t, j] = Σ_b p[t, j, b]·e_b(x[tuples[t]])``: one lookup table per tuple (AND, then XOR-sum)."""
    e = apply("broadcast", _tuple_basis(x, tuples), shape=p.shape, axes=(1,))
    return apply("sum", and_(p, e), axes=(-1,))


def table_forest(n: int, leaf_tuples, fan_in: int, c: int = 1, name: str = "forest") -> Para:
    """A forest of two-level lookup-table trees: ``y[t] = R_t(h[t·k], …, h[t·k + k − 1])``, ``hᵢ = L_i(x[leaf_tuples[i]])``.

    Leaf ``i`` is a table ``Z2^{k₁} → Z2`` on the input bits ``leaf_tuples[i]``; tree ``t`` has the
    ``k = fan_in`` consecutive leaves ``t·k … t·k + k − 1`` and a root table ``Z2ᵏ → Z2ᶜ`` on their
    outputs, so a tree reads ``k·k₁`` input bits with ``k·2^{k₁} + c·2ᵏ`` parameters instead of the
    ``c·2^{k·k₁}`` of one table. Every leaf feeds one root (fan-out 1): the reverse derivative a
    leaf receives is the boolean difference of its own root, ``R[f]_h = Σ_j d_j·(R_{t,j}(h ⊕ eᵢ) + R_{t,j}(h))``,
    never an XOR of several consumers' signals. Output ``Z2((T, c))`` for ``T = len(leaf_tuples) / k``,
    read out like ``tuple_tables`` (targets ``replicate``d, ``vote``).

    Parameters ``(name, "leaves"): Z2((L, 2^{k₁}))`` and ``(name, "roots"): Z2((T, c, 2ᵏ))``. The
    initialiser draws the leaves at random and the roots at zero: with constant roots no signal
    reaches the leaves, and with constant leaves the roots see one pattern.

    >>> import numpy as np, jax
    >>> from catgrad import to_jax
    >>> f = table_forest(4, np.array([[0, 1], [2, 3]]), fan_in=2, c=1)
    >>> f.wires, f.cod
    (Ty(bool[2,4], bool[1,1,4]), Ty(bool[1,1]))
    >>> leaves = np.zeros((2, 4), bool); leaves[:, 3] = True        # each leaf: AND of its two bits
    >>> roots = np.zeros((1, 1, 4), bool); roots[0, 0, 1:] = True    # the root: OR of the two leaves
    >>> [bool(to_jax(f)({"forest": {"leaves": leaves, "roots": roots}}, np.array(x, bool))[0][0, 0]) for x in ([1, 1, 0, 0], [1, 0, 1, 0])]
    [True, False]
    """
    t = _check_tuples("table_forest", n, leaf_tuples, c)
    if not isinstance(fan_in, int) or fan_in < 1 or len(t) % fan_in:
        raise ValueError(f"table_forest: fan_in must be a positive int dividing the {len(t)} leaves, got {fan_in!r}")
    n_leaves, k1 = t.shape
    trees = n_leaves // fan_in
    PL, PR = Z2((n_leaves, 2 ** k1)), Z2((trees, c, 2 ** fan_in))
    groups = np.arange(n_leaves).reshape(trees, fan_in)

    def f(p, x):
        h = _tables(apply("reshape", p["leaves"], shape=(n_leaves, 1, 2 ** k1)), x, t)  # (L, 1): one output per leaf
        return _tables(p["roots"], apply("reshape", h, shape=(n_leaves,)), groups)

    return _layer(name, {"leaves": PL, "roots": PR}, f, Z2((n,)),
                  lambda key: {"leaves": random_bits(key, PL)[0], "roots": zeros(PR)})


def replicate(y, m: int) -> np.ndarray:
    """Targets ``(N, c)`` copied to ``(N, m, c)``: one copy for each table of ``tuple_tables``.

    >>> replicate(np.array([[1, 0]], bool), 3).shape
    (1, 3, 2)
    """
    y = np.asarray(y)
    return np.broadcast_to(y[:, None], (y.shape[0], m, *y.shape[1:])).copy()


def vote(pred) -> np.ndarray:
    """Plurality vote of an ensemble's outputs ``(N, m, c)``: ``argmax_j Σ_t pred[:, t, j]`` (ties: lowest j).

    >>> vote(np.array([[[1, 0, 0], [0, 1, 0], [0, 1, 0]]], bool))
    array([1])
    """
    p = np.asarray(pred)
    return np.argmax(p.sum(axis=1), axis=-1)


def missed_ones_loss(B) -> Para:
    """The one-sided Z2 loss ``(B, (y, ŷ) ↦ y·(ŷ + 1))``: 1 exactly where the target is 1 and ŷ is 0.

    Its reverse derivative in ŷ is ``(y, ŷ, d) ↦ y·d``, so with the identity learning rate and
    ``rda`` the signal reaching a prediction bit is ``y·(ŷ + 1)``: a lookup-table bit is set where a
    true class was missed and never cleared (a table then records every pattern seen with each
    class). A Para of generators like ``learn.xor_loss``; nothing in the learner changes.

    >>> from catgrad import to_jax
    >>> import jax.numpy as jnp
    >>> loss = missed_ones_loss(Z2((3,)))
    >>> to_jax(loss.map)(jnp.array([1, 1, 0], bool), jnp.array([1, 0, 1], bool))[0].astype(int)
    Array([0, 1, 0], dtype=int32)
    """
    B = as_ty(B)
    for t in B:
        if t.dtype != "bool":
            raise TypeError(f"missed_ones_loss: expects boolean (Z2) predictions, got {B}")
    n = len(B)

    def f(*ws):
        return tuple(and_(y, yhat + apply("one", into=y.builder, type=y.type)) for y, yhat in zip(ws[:n], ws[n:]))

    return loss_para(B, trace(f, B @ B))


def random_bits(key, P: TyLike, p: float = 0.5) -> tuple:
    """Random parameters for ``P``: each bit true with probability ``p`` (an explicit PRNG key).

    >>> [t.shape for t in random_bits(jax.random.PRNGKey(0), Z2((2, 3)))]
    [(2, 3)]
    """
    P = as_ty(P)
    keys = jax.random.split(key, max(len(P), 1))
    return tuple(jax.random.bernoulli(k, p, t.shape) for k, t in zip(keys, P))


__all__ = ["zeros", "random_bits", "one_hot_basis", "lookup_table", "pseudo_linear", "gate_layer",
           "gate_network", "GATE_NAMES", "tuple_tables", "table_forest", "replicate", "vote", "missed_ones_loss"]
