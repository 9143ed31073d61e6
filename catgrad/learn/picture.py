"""The picture of a supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §3, Fig. of the learner].

``U`` (the optimiser's lens) sits above ``R(model)``, then ``R(loss)`` and ``α`` to the right, connected port
to port; at ``depth=1`` each part is one two-band box (``catgrad.drawing.pictures.lens_box``), below that each
is the two-band picture of its lens, framed and named. Built from drawing's primitives and the learner's
public attributes (``model``, ``loss``, ``lr``, ``optimiser``).

The wires carry the papers' names: the state ``S`` and parameters ``P`` entering ``U``, ``P`` handed down
into the model, the input ``X`` and the target ``Y``, and their primes (``S'``, ``P'``, ``X'``, ``Y'``) on the
way back. At ``depth=1`` each of them is one wire (``P`` bundles every parameter, as [CFGBL] draws it), and a
legend above ``U`` says what ``P`` and ``S`` are (``P = {dense: W, b; dense_1: W, b}``); opened, each
parameter array is its own wire.
"""
from __future__ import annotations

from ..drawing.data import Drawing, Text, WirePath
from ..drawing.layout import LABEL_ROW, LANE, PITCH, SWEEPS
from ..drawing.pictures import GAP, PAD, lens_box, link, ports
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
    return _assemble(parts, model, loss, wires)


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


def _assemble(parts: dict, model, loss, names: dict) -> Drawing:
    """Place the parts (``U`` above the model, then the loss and ``α``) and connect their ports."""
    u, m, lo, a = parts["U"], parts["model"], parts["loss"], parts["alpha"]
    n_p = len(ports(m, "param_in"))
    drop = LANE * (2 * n_p + 2) + PITCH          # room for P going down and P' going up
    ux = PAD + LANE * len(ports(u, "bwd_out")) + PITCH
    uy = PAD + (LABEL_ROW * len(names["legend"]) + PAD / 2 if names["legend"] else 0.0)
    mx = ux + u.width + LANE * (2 * n_p + 2) + PITCH
    my = uy + u.height + drop
    m_ = m.shifted(mx, my)
    u_ = u.shifted(ux, uy)
    lx = mx + m.width + GAP
    ly = my + _mean_y(m, "fwd_out") - _mean_y(lo, "fwd_in")
    lo_ = lo.shifted(lx, ly)
    ax = lx + lo.width + GAP
    ay = ly + _mean_y(lo, "fwd_out") - _mean_y(a, "fwd_in")
    a_ = a.shifted(ax, ay)
    top = min(uy, ly, ay, my) - PAD - LANE * (len(ports(lo, "param_in")) + 2)
    wires, texts = [], [Text(t, PAD / 2, PAD + LABEL_ROW * (k + 1) - 3) for k, t in enumerate(names["legend"])]
    # U hands P down into the model; the model's P' goes back up into U's backward band
    for i, (p, q) in enumerate(zip(ports(u_, "fwd_out"), ports(m_, "param_in"))):
        vx = ux + u.width + LANE * (i + 1)
        yy = my - LANE * (i + 1) - PITCH / 2
        name, t = names["P"][i]
        wires.append(WirePath((p, (vx, p[1]), (vx, yy), (q[0], yy), q), t))
        texts += [Text(name, vx + 3, p[1] - 3)] if name else []
    for i, (p, q) in enumerate(zip(ports(m_, "param_out"), ports(u_, "bwd_in"))):
        vx = ux + u.width + LANE * (n_p + i + 1)
        yy = my - LANE * (n_p + i + 1) - PITCH / 2
        name, t = names["P"][i]
        wires.append(WirePath((p, (p[0], yy), (vx, yy), (vx, q[1]), q), t, backward=True))
        texts += [Text(name + "'", vx + 3, q[1] - 3)] if name else []
    # the model's output to the loss and back; the loss value to α and back
    for (d, out), (e, into), label in (((m_, "fwd_out"), (lo_, "fwd_in"), str(model.cod[0])),
                                       ((lo_, "bwd_out"), (m_, "bwd_in"), None),
                                       ((lo_, "fwd_out"), (a_, "fwd_in"), str(loss.cod[0])),
                                       ((a_, "bwd_out"), (lo_, "bwd_in"), None)):
        wires += [link(p, q, label or "", backward=label is None) for p, q in zip(ports(d, out), ports(e, into))]
    # the boundary: X and X' on the left of the model, the state and parameters of U (S, P; S', P') on the
    # left, the target Y (and Y') on top of the loss
    for group, ins, outs, x_ in (("X", ports(m_, "fwd_in"), ports(m_, "bwd_out"), PAD / 2),
                                 ("S, P", ports(u_, "fwd_in"), ports(u_, "bwd_out"), PAD / 2)):
        for (name, t), p in zip(names[group], ins):
            wires.append(link((x_, p[1]), p, t))
            texts += [Text(name, x_, p[1] - 3)] if name else []
        for (name, t), p in zip(names[group], outs):
            wires.append(link(p, (x_, p[1]), t, backward=True))
            texts += [Text(_primed(name), x_, p[1] - 3)] if name else []
    for (name, t), p in zip(names["Y"], ports(lo_, "param_in")):
        wires.append(link((p[0], top + PITCH), p, t))
        texts.append(Text(name, p[0], top + PITCH - 3, "middle"))
    for (name, t), p in zip(names["Y"], ports(lo_, "param_out")):
        wires.append(link(p, (p[0], top + PITCH), t, backward=True))
        texts.append(Text(name + "'", p[0], top + PITCH - 3, "middle"))
    body = u_.union(m_).union(lo_).union(a_)
    d = Drawing(boxes=body.boxes, wires=body.wires + tuple(wires), dots=body.dots, frames=body.frames,
                texts=body.texts + tuple(texts), width=ax + a.width + PAD,
                height=max(my + m.height, ly + lo.height, ay + a.height, uy + u.height) + PAD)
    if top < 0:
        d = d.shifted(0, -top)
    return d


def _primed(name: str) -> str:
    """``X'`` for ``X``; ``S' × P'`` for ``S × P``."""
    return " × ".join(n + "'" for n in name.split(" × "))


def _mean_y(d: Drawing, group: str) -> float:
    ps = ports(d, group)
    return sum(p[1] for p in ps) / len(ps) if ps else d.height / 4
