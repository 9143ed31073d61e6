"""The picture of a supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §3, Fig. of the learner].

``U`` (the optimiser's lens) sits above ``R(model)``, then ``R(loss)`` and ``α`` to the right, connected port
to port; at ``depth=1`` each part is one two-band box (``catgrad.drawing.pictures.lens_box``), below that each
is the two-band picture of its lens, framed and named. Built from drawing's primitives and the learner's
public attributes (``model``, ``loss``, ``lr``, ``optimiser``).
"""
from __future__ import annotations

from ..drawing.data import Drawing, Text, WirePath
from ..drawing.layout import LANE, PITCH, SWEEPS
from ..drawing.pictures import GAP, PAD, lens_box, link, ports
from ..para import paths


def learner_drawing(lrn, *, depth=1, types: bool = True, sweeps: int = SWEEPS) -> Drawing:
    """The supervised learner ``lrn`` as ``U ; R(model) ; R(loss) ; α`` (see the module docstring).

    >>> import catgrad as cg
    >>> from catgrad import nn, learn
    >>> model, loss = nn.dense(2, 1, nn.sigmoid), learn.mse(cg.Array((1,)))
    >>> lrn = learn.supervised(model, loss, learn.learning_rate(0.1), learn.gd())
    >>> sorted(b.label for b in learner_drawing(lrn).boxes)
    ['R(loss)', 'R(model)', 'U = gd', 'α = 0.1']
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
    if depth is not None and depth <= 1:
        def box(name, fwd_in, fwd_out, bwd_in, bwd_out, p_in=0, p_out=0):
            return lens_box(names[name], dict(fwd_in=fwd_in, fwd_out=fwd_out, bwd_in=bwd_in, bwd_out=bwd_out,
                                              param_in=p_in, param_out=p_out))
        parts = {
            "U": box("U", len(U.fwd.dom), len(U.fwd.cod), len(U.bwd.dom) - len(U.fwd.dom), len(U.bwd.cod)),
            "model": box("model", len(model.dom), len(model.cod), len(model.cod), len(model.dom), nPm, nPm),
            "loss": box("loss", len(loss.dom), len(loss.cod), len(loss.cod), len(loss.dom), nPl, nPl),
            "alpha": box("alpha", len(alpha.fwd.dom), 0, 0, len(alpha.bwd.cod)),
        }
    else:
        parts = {
            "U": U.to_drawing(depth=depth, types=types, sweeps=sweeps, label=names["U"]),
            "model": model.lens().map.to_drawing(depth=depth, types=types, sweeps=sweeps, params=nPm,
                                                 param_names=list(paths(model.param)), label=names["model"]),
            "loss": loss.lens().map.to_drawing(depth=depth, types=types, sweeps=sweeps, params=nPl,
                                               param_names=["y"] * nPl, label=names["loss"]),
            "alpha": alpha.to_drawing(depth=depth, types=types, sweeps=sweeps, label=names["alpha"]),
        }
    return _assemble(parts, model, loss, U)


def _assemble(parts: dict, model, loss, U) -> Drawing:
    """Place the parts (``U`` above the model, then the loss and ``α``) and connect their ports."""
    u, m, lo, a = parts["U"], parts["model"], parts["loss"], parts["alpha"]
    n_p = len(ports(m, "param_in"))
    drop = LANE * (2 * n_p + 2) + PITCH          # room for P going down and P' going up
    ux = PAD + LANE * len(ports(u, "bwd_out")) + PITCH
    uy = PAD
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
    wires, texts = [], []
    tP = [str(t) for t in model.wires]
    # U hands P down into the model; the model's P' goes back up into U's backward band
    for i, (p, q) in enumerate(zip(ports(u_, "fwd_out"), ports(m_, "param_in"))):
        vx = ux + u.width + LANE * (i + 1)
        yy = my - LANE * (i + 1) - PITCH / 2
        wires.append(WirePath((p, (vx, p[1]), (vx, yy), (q[0], yy), q), tP[i]))
    for i, (p, q) in enumerate(zip(ports(m_, "param_out"), ports(u_, "bwd_in"))):
        vx = ux + u.width + LANE * (n_p + i + 1)
        yy = my - LANE * (n_p + i + 1) - PITCH / 2
        wires.append(WirePath((p, (p[0], yy), (vx, yy), (vx, q[1]), q), tP[i], backward=True))
    # the model's output to the loss and back; the loss value to α and back
    for (d, out), (e, into), label in (((m_, "fwd_out"), (lo_, "fwd_in"), str(model.cod[0])),
                                       ((lo_, "bwd_out"), (m_, "bwd_in"), None),
                                       ((lo_, "fwd_out"), (a_, "fwd_in"), str(loss.cod[0])),
                                       ((a_, "bwd_out"), (lo_, "bwd_in"), None)):
        wires += [link(p, q, label or "", backward=label is None) for p, q in zip(ports(d, out), ports(e, into))]
    # the boundary: x and x' on the left of the model, the state and parameters of U on the left,
    # the target y (and y') on top of the loss
    for p in ports(m_, "fwd_in"):
        wires.append(link((PAD / 2, p[1]), p, str(model.dom[0])))
        texts.append(Text("x", PAD / 2, p[1] - 3))
    for p in ports(m_, "bwd_out"):
        wires.append(link(p, (PAD / 2, p[1]), backward=True))
        texts.append(Text("x'", PAD / 2, p[1] - 3))
    for k, p in enumerate(ports(u_, "fwd_in")):
        wires.append(link((PAD / 2, p[1]), p, str(U.fwd.dom[k])))
    for p in ports(u_, "bwd_out"):
        wires.append(link(p, (PAD / 2, p[1]), backward=True))
    if ports(u_, "fwd_in"):
        ys = [p[1] for p in ports(u_, "fwd_in")]
        texts.append(Text("S × P", PAD / 2, min(ys) - 4))
    for p in ports(lo_, "param_in"):
        wires.append(link((p[0], top + PITCH), p, str(loss.wires[0])))
        texts.append(Text("y", p[0], top + PITCH - 3, "middle"))
    for p in ports(lo_, "param_out"):
        wires.append(link(p, (p[0], top + PITCH), backward=True))
        texts.append(Text("y'", p[0], top + PITCH - 3, "middle"))
    body = u_.union(m_).union(lo_).union(a_)
    d = Drawing(boxes=body.boxes, wires=body.wires + tuple(wires), dots=body.dots, frames=body.frames,
                texts=body.texts + tuple(texts), width=ax + a.width + PAD,
                height=max(my + m.height, ly + lo.height, ay + a.height, uy + u.height) + PAD)
    if top < 0:
        d = d.shifted(0, -top)
    return d


def _mean_y(d: Drawing, group: str) -> float:
    ps = ports(d, group)
    return sum(p[1] for p in ps) / len(ps) if ps else d.height / 4
