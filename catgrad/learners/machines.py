"""Learners' languages [LLang]: ``Learn ≅ Para(SLens)`` and learners as Moore machines.

**Para(SLens).** A simple lens ``(A, A) → (B, B)`` is ``(get: A → B, put: A × B → A)``; a morphism of
``Para(SLens)`` is a parameter object ``P`` and a simple lens ``(P × A, P × A) → (B, B)``. A learner
``(P, I, U, r)`` is exactly such a thing, with ``get = I`` and ``put = ⟨U, r⟩``:

    ``to_para_lens(P, I, U, r) = (P, (I, ⟨U, r⟩))``,  ``from_para_lens(P, (f, f*)) = (P, f, f* ; π_P, f* ; π_A)``.

These are inverse bijections, and composition agrees (Para(Lens) composes parameters as ``Q × P``,
Learn as ``P × Q``): it is [CFGBL]'s ``Para(Lens)`` before ``R`` fills the backward map with a derivative.

**Machines.** A learner ``A → B`` is a (generalised) Moore machine with state ``P``: at state ``p``
it exposes ``a ↦ I(p, a)`` and ``(a, b) ↦ r(p, a, b)``, and on the input ``(a, b)`` it moves to
``U(p, a, b)``. Running the machine on a stream of examples ``(aₜ, bₜ)`` is training:
``pₜ₊₁ = U(pₜ, aₜ, bₜ)``.

>>> from catgrad import nn
>>> from catgrad.learners import L
>>> m = as_machine(L(nn.dense(2, 1), step=0.1))
>>> sorted(t.shape for t in m.state), m.inputs
([(1,), (1, 2)], Ty(f32[2], f32[1]))
"""
from __future__ import annotations

from dataclasses import dataclass, field

import jax

from ..core.diagram import Diagram, proj, trace
from ..core.objects import Ty
from ..lens import Lens
from ..para import Para
from ..semantics.jax import to_jax
from .learn_category import Learner, call
from .params import para_of, para_parts


def to_para_lens(learner: Learner) -> Para:
    """``(P, I, U, r) ↦ (P, (I, ⟨U, r⟩))``: the learner as a Para(SLens) morphism (a catgrad Para whose
    map is the lens ``(P × A, P × A) → (B, B)``).

    >>> from catgrad import Array
    >>> to_para_lens(Learner.identity(Array((2,)))).map
    <Lens (f32[2], f32[2]) → (f32[2], f32[2])>
    """
    if not isinstance(learner, Learner):
        raise TypeError(f"to_para_lens: expects a Learner, got {type(learner).__name__}")
    P, A, B = learner.param, learner.dom, learner.cod

    def put(*ws):
        return (*call(learner.update, *ws), *call(learner.request, *ws))

    return para_of(P, Lens(learner.implement, trace(put, P @ A @ B)), learner.init_fn)


def from_para_lens(para: Para) -> Learner:
    """``(P, (f, f*)) ↦ (P, f, f* ; π_P, f* ; π_A)`` for a simple lens ``(P × A, P × A) → (B, B)``.

    >>> from catgrad import Array
    >>> from_para_lens(to_para_lens(Learner.identity(Array(())))).param
    Ty()
    """
    if not isinstance(para, Para) or not isinstance(para.map, Lens):
        raise TypeError(f"from_para_lens: expects a Para(Lens) morphism, got {para!r}")
    P, lens, init, _ = para_parts(para, lens=True)
    (A, Ap), (B, Bp) = para.dom, para.cod
    if Ap != A or Bp != B or lens.bwd.cod[:len(P)] != P:
        raise TypeError(f"from_para_lens: needs a simple lens (P × A, P × A) → (B, B), got parameters {P} and "
                        f"({A}, {Ap}) → ({B}, {Bp})")
    put = lens.bwd
    return Learner(P, A, B, lens.fwd, put >> proj(P, A, 0), put >> proj(P, A, 1), init)


@dataclass(frozen=True)
class Machine:
    """A Moore machine with state ``S``: ``update: S × X → S`` on inputs ``X``, and at each state an
    exposed output (here the learner's ``a ↦ I(p, a)`` and ``(a, b) ↦ r(p, a, b)``).

    >>> from catgrad import Array
    >>> as_machine(Learner.identity(Array(()))).update.cod
    Ty()
    """

    state: Ty
    inputs: Ty
    update: Diagram
    learner: Learner
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def expose(self, p) -> tuple:
        """The output at state ``p``: the functions ``a ↦ I(p, a)`` and ``(a, b) ↦ r(p, a, b)``.

        >>> from catgrad import Array
        >>> predict, request = as_machine(Learner.identity(Array(()))).expose([])
        >>> float(request(1.0, 2.0)[0])
        2.0
        """
        p = list(p)
        implement, request = to_jax(self.learner.implement), to_jax(self.learner.request)
        return (lambda *a: implement(*p, *a)), (lambda *ab: request(*p, *ab))

    def run(self, p0, stream) -> list:
        """The state after reading the stream of inputs (arrays with a leading time axis, one per wire of
        ``X``): ``pₜ₊₁ = update(pₜ, xₜ)``, one compiled ``lax.scan``.

        >>> import numpy as np
        >>> from catgrad import Array
        >>> as_machine(Learner.identity(Array(()))).run([], [np.zeros(3, np.float32)] * 2)
        []
        """
        stream = list(stream)
        if len(stream) != len(self.inputs):
            raise TypeError(f"Machine.run: expects {len(self.inputs)} input streams ({self.inputs}), got {len(stream)}")
        if not len(self.state):
            return []
        return list(self._runner()(tuple(p0), tuple(stream)))

    def _runner(self):
        if "run" not in self._cache:
            step = to_jax(self.update)
            n = len(self.state)

            @jax.jit
            def run(p0, xs):
                def body(p, x):
                    return tuple(step(*p, *x))[:n], None
                return jax.lax.scan(body, p0, xs)[0]
            self._cache["run"] = run
        return self._cache["run"]


def as_machine(learner: Learner) -> Machine:
    """The learner ``(P, I, U, r): A → B`` as a Moore machine with state ``P``, inputs ``A × B`` and update
    ``U`` [LLang]; its run over a stream of examples is training by the learner's update.

    >>> from catgrad import Array
    >>> as_machine(Learner.identity(Array(()))).inputs
    Ty(f32[], f32[])
    """
    if not isinstance(learner, Learner):
        raise TypeError(f"as_machine: expects a Learner, got {type(learner).__name__}")
    return Machine(learner.param, learner.dom @ learner.cod, learner.update, learner)
