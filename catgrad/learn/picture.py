"""The picture of a supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §3, Fig. of the learner].

The learner's parts as lens pictures (at ``depth=1`` each one two-band box, below that the two-band picture
of its lens, framed and named), placed by ``catgrad.drawing.pictures.learner_figure``.

The wires carry the papers' names: the state ``S`` and parameters ``P`` entering ``U``, ``P`` handed down
into the model, the input ``X`` and the target ``Y``, and their primes (``S'``, ``P'``, ``X'``, ``Y'``) on the
way back. At ``depth=1`` each of them is one wire (``P`` bundles every parameter, as [CFGBL] draws it), and a
legend above ``U`` says what ``P`` and ``S`` are (``P = {dense: W, b; dense_1: W, b}``); opened, each
parameter array is its own wire.
"""
from __future__ import annotations

from ..drawing.data import Drawing
from ..drawing.layout import SWEEPS
from ..drawing.pictures import learner_figure, lens_box
from ..record import paths, summary
from ..rdiff import numbered


def learner_drawing(lrn, *, depth=1, types: bool = True, sweeps: int = SWEEPS) -> Drawing:
    """The supervised learner ``lrn`` as ``U ; R(model) ; R(loss) ; α`` (see the module docstring).

    >>> import catgrad as cg
    >>> from catgrad import nn, learn
    >>> model, loss = nn.dense(2, 1, nn.sigmoid), learn.mse(cg.Array((1,)))
    >>> lrn = learn.supervised(model, loss, learn.learning_rate(0.1), learn.gd())
    >>> d = learner_drawing(lrn)
    >>> sorted(b.label for b in d.boxes)
    ['R(loss)', 'R(model)', 'U = gd', 'α = 0.1']
    >>> [t.text for t in d.texts]
    ['P = {dense: W, b}', 'P', "P'", 'X', "X'", 'P', "P'", 'Y', "Y'"]
    """
    model, loss = lrn.model, lrn.loss
    U = lrn.optimiser.lens(model.param)  # a catgrad or an optax optimiser
    alpha = lrn.lr.lens(loss.cod)
    names = {
        "U": f"U = {lrn.optimiser.name}",
        "model": "R(model)",
        "loss": "R(loss)",
        "alpha": f"α = {lrn.lr.alpha:g}" if hasattr(lrn.lr, "alpha") else "α = identity",
    }
    nPm, nPl = len(model.wires), len(loss.wires)
    bundled = depth is not None and depth <= 1
    wires = _wires(lrn, U, bundled)
    if bundled:
        def box(name, fwd_in, fwd_out, bwd_in, bwd_out, p_in=0, p_out=0):
            return lens_box(names[name], dict(fwd_in=fwd_in, fwd_out=fwd_out, bwd_in=bwd_in, bwd_out=bwd_out,
                                              param_in=p_in, param_out=p_out))
        nU, nY = len(wires["S, P"]), len(wires["Y"])
        parts = {
            "U": box("U", nU, len(wires["P"]), len(wires["P"]), nU),
            "model": box("model", len(model.dom), len(model.cod), len(model.cod), len(model.dom), len(wires["P"]),
                         len(wires["P"])),
            "loss": box("loss", len(loss.dom), len(loss.cod), len(loss.cod), len(loss.dom), nY, nY),
            "alpha": box("alpha", len(alpha.fwd.dom), 0, 0, len(alpha.bwd.cod)),
        }
    else:
        parts = {
            "U": U.to_drawing(depth=depth, types=types, sweeps=sweeps, label=names["U"]),
            "model": model.lens().map.to_drawing(depth=depth, types=types, sweeps=sweeps, params=nPm,
                                                 param_names=list(paths(model.param)), label=names["model"]),
            "loss": loss.lens().map.to_drawing(depth=depth, types=types, sweeps=sweeps, params=nPl,
                                               param_names=numbered("Y", nPl), label=names["loss"]),
            "alpha": alpha.to_drawing(depth=depth, types=types, sweeps=sweeps, label=names["alpha"]),
        }
    return learner_figure(parts, wires, (str(model.cod[0]), str(loss.cod[0])))


def _wires(lrn, U, bundled: bool) -> dict:
    """The boundary wires of the learner's parts as ``(name, type)`` per port: ``S, P`` into ``U`` (the
    same, primed, out of it), ``P`` down into the model, ``X`` into the model, ``Y`` into the loss, and the
    ``legend`` (``P = {…}``, ``S = {…}``); bundled, one wire each for ``S``, ``P`` and ``Y``."""
    model, loss = lrn.model, lrn.loss
    P, nP = [str(t) for t in model.wires], len(model.wires)
    S = [str(t) for t in U.fwd.dom[:len(U.fwd.dom) - nP]]
    Y = [str(t) for t in loss.wires]
    X = list(zip(numbered("X", len(model.dom)), map(str, model.dom)))
    if not bundled:
        return {"S, P": [("S × P" if k == 0 else "", t) for k, t in enumerate(S + P)],
                "P": [("", t) for t in P], "X": X, "Y": list(zip(numbered("Y", len(Y)), Y)), "legend": []}
    product = " × ".join
    legend = [f"P = {summary(model.param)}"] + ([f"S = {summary(lrn.optimiser.state(model.param))}"] if S else [])
    return {"S, P": [("S", product(S))] * bool(S) + [("P", product(P))] * bool(P), "P": [("P", product(P))] * bool(P),
            "X": X, "Y": [("Y", product(Y))] * bool(Y), "legend": legend}
