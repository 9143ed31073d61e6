"""The papers' pictures [CFGBL §2–§4]: a Para with its parameters on top, a lens as two bands,
the supervised learner ``U ; R(model) ; R(loss) ; α`` with each part framed and named.

A *lens picture* has six groups of ports on its frame, named in ``Drawing.extra``:
``fwd_in`` (left, upper band), ``fwd_out`` (right, upper band), ``bwd_in`` (right, lower band),
``bwd_out`` (left, lower band), ``param_in`` and ``param_out`` (top). The upper band is the
forward map, left to right; the lower band the backward map, right to left (the mirror image
of its own layout). The backward map also takes the forward inputs ``A`` (and parameters
``P``): they are copied where they enter and led to the lower band's right side, ``A`` through
the channel between the bands, ``P`` down the right side. Parameter cotangents ``P'`` leave the
lower band on the left and go up to the top.

The learner places its parts as [CFGBL]'s figure does: ``U`` above ``R(model)``, then ``R(loss)``
and ``α`` to the right, connected port to port; at ``depth=1`` each part is one two-band box.
"""
from __future__ import annotations

from .data import Box, Dot, Drawing, Frame, Text, WirePath, text_width
from .layout import LANE, PITCH, TRACK, layout

PAD = 14.0        # between a frame and what it holds
FRAME_TOP = 18.0  # room for a frame's name
GAP = 60.0        # between two parts of a learner


def para(p, *, depth=None, types=True) -> Drawing:
    """``(P, f)``: the map's layout with the parameter wires entering from the top."""
    from ..lens import Lens
    from ..para import paths
    names = list(paths(p.param))
    if isinstance(p.map, Lens):
        return lens(p.map, depth=depth, types=types, params=len(p.wires), names=names)
    return layout(p.map, depth=depth, params=len(p.wires), param_names=names, types=types)


def _h(points, t="", backward=False) -> WirePath:
    return WirePath(tuple(points), t, backward=backward)


def lens(l, *, depth=None, types=True, params: int = 0, names=(), label: str = "") -> Drawing:
    """A lens ``(f, f*)`` as one frame of two bands (see the module docstring)."""
    nP, nA = params, len(l.fwd.dom) - params
    top = layout(l.fwd, depth=depth, params=nP, param_names=names, types=types)
    bot = layout(l.bwd, depth=depth, types=types)
    W = max(top.width, bot.width)
    left = PAD + LANE * (nP + nA)          # the P' lanes and the copy dots of A
    right = PAD + LANE * (nP + nA)         # the lanes of the copies of P and A
    y_top = FRAME_TOP + (LANE * nP if nP else 0)
    top = top.shifted(left + (W - top.width) / 2, y_top)
    channel = PITCH / 2 + TRACK * (nA + 1)
    y_bot = top.height + channel
    bot_m = bot.mirrored().shifted(left + (W - bot.width) / 2, y_bot)
    X0, X1 = 0.0, left + W + right
    H = bot_m.height + PAD
    wires, dots = [], []
    band_r = left + W
    ext = {k: [] for k in ("fwd_in", "fwd_out", "bwd_in", "bwd_out", "param_in", "param_out")}
    # forward inputs A: enter on the left, copied, one branch down the channel to the lower band
    bot_in = bot_m.inputs  # on the right: P, A, B'
    for i, (x, y) in enumerate(top.inputs):
        dx = PAD / 2 + LANE * (nA - i)
        dots.append(Dot(dx, y, "copy"))
        wires.append(_h([(X0, y), (dx, y)], str(l.fwd.dom[nP + i])))
        wires.append(_h([(dx, y), (x, y)]))
        ty = top.height + PITCH / 2 + TRACK * (nA - i)
        lx = band_r + LANE * (nP + i + 1)
        px, py = bot_in[nP + i]
        wires.append(_h([(dx, y), (dx, ty), (lx, ty), (lx, py), (px, py)]))
        ext["fwd_in"].append((X0, y))
    # parameters P: enter on the top, copied, one branch down the right side to the lower band
    for i, (x, y) in enumerate(top.params):
        ry = FRAME_TOP + LANE * (nP - i) - LANE / 2
        dots.append(Dot(x, ry, "copy"))
        wires.append(_h([(x, 0.0), (x, ry)], str(l.fwd.dom[i])))
        wires.append(_h([(x, ry), (x, y)]))
        lx = band_r + LANE * (i + 1)
        px, py = bot_in[i]
        wires.append(_h([(x, ry), (lx, ry), (lx, py), (px, py)]))
        ext["param_in"].append((x, 0.0))
    for (x, y) in top.outputs:
        wires.append(_h([(x, y), (X1, y)]))
        ext["fwd_out"].append((X1, y))
    for (x, y) in bot_in[nP + nA:]:
        wires.append(_h([(X1, y), (x, y)], backward=True))
        ext["bwd_in"].append((X1, y))
    # the lower band's outputs: P' up the left side, A' out on the left
    for i, (x, y) in enumerate(bot_m.outputs):
        if i < nP:
            lx = PAD / 2 + LANE * (nA + 1 + i)
            wires.append(_h([(x, y), (lx, y), (lx, 0.0)], backward=True))
            ext["param_out"].append((lx, 0.0))
        else:
            wires.append(_h([(x, y), (X0, y)], backward=True))
            ext["bwd_out"].append((X0, y))
    body = top.union(bot_m)
    frames = body.frames + ((Frame(label, X0, 0.0, X1 - X0, H),) if label else ())
    return Drawing(boxes=body.boxes, wires=body.wires + tuple(wires), dots=body.dots + tuple(dots),
                   frames=frames, texts=body.texts, inputs=tuple(ext["fwd_in"]), outputs=tuple(ext["fwd_out"]),
                   params=tuple(ext["param_in"]), width=X1, height=H, extra=ext)


def lens_box(label: str, counts: dict, *, width=None) -> Drawing:
    """A lens as one box of two bands (``depth=1``), with ``counts[group]`` ports per group."""
    n_fwd = max(counts.get("fwd_in", 0), counts.get("fwd_out", 0), 1)
    n_bwd = max(counts.get("bwd_in", 0), counts.get("bwd_out", 0), 1)
    n_top = counts.get("param_in", 0) + counts.get("param_out", 0)
    w = width or max(text_width(label) + 24, 48.0, (n_top + 1) * LANE * 2)
    h = (n_fwd + n_bwd) * PITCH
    hf = n_fwd * PITCH

    def col(n, y0, hh):
        return [y0 + (k + 0.5) * hh / n for k in range(n)]
    ext = {
        "fwd_in": [(0.0, y) for y in col(counts.get("fwd_in", 0), 0.0, hf)],
        "fwd_out": [(w, y) for y in col(counts.get("fwd_out", 0), 0.0, hf)],
        "bwd_in": [(w, y) for y in col(counts.get("bwd_in", 0), hf, h - hf)],
        "bwd_out": [(0.0, y) for y in col(counts.get("bwd_out", 0), hf, h - hf)],
    }
    tops = [(k + 1) * w / (n_top + 1) for k in range(n_top)]
    n_in = counts.get("param_in", 0)
    ext["param_in"] = [(x, 0.0) for x in tops[:n_in]]
    ext["param_out"] = [(x, 0.0) for x in tops[n_in:]]
    box = Box(label, 0.0, 0.0, w, h, "lens")
    return Drawing(boxes=(box,), width=w, height=h, extra=ext,
                   inputs=tuple(ext["fwd_in"]), outputs=tuple(ext["fwd_out"]), params=tuple(ext["param_in"]))


def _ports(d: Drawing, group: str) -> list:
    return list(d.extra.get(group, ()))


def _link(p, q, t="", backward=False, via_x=None) -> WirePath:
    """A wire from port ``p`` to port ``q``: straight, a bend between them, or through ``via_x``."""
    (x0, y0), (x1, y1) = p, q
    if via_x is None:
        return WirePath(((x0, y0), (x1, y1)), t, backward=backward)
    return WirePath(((x0, y0), (via_x, y0), (via_x, y1), (x1, y1)), t, backward=backward)


def learner(lrn, *, depth=1, types=True) -> Drawing:
    """The supervised learner ``U ; R(model) ; R(loss) ; α`` [CFGBL §3, Fig. of the learner]."""
    model, loss = lrn.model, lrn.loss
    from ..para import paths
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
            "U": lens(U, depth=depth, types=types, label=names["U"]),
            "model": lens(model.lens().map, depth=depth, types=types, params=nPm,
                          names=list(paths(model.param)), label=names["model"]),
            "loss": lens(loss.lens().map, depth=depth, types=types, params=nPl, names=["y"] * nPl, label=names["loss"]),
            "alpha": lens(alpha, depth=depth, types=types, label=names["alpha"]),
        }
    return _assemble(parts, model, loss, U)


def _assemble(parts: dict, model, loss, U) -> Drawing:
    """Place the parts (``U`` above the model, then the loss and ``α``) and connect their ports."""
    u, m, lo, a = parts["U"], parts["model"], parts["loss"], parts["alpha"]
    n_p = len(_ports(m, "param_in"))
    drop = LANE * (2 * n_p + 2) + PITCH          # room for P going down and P' going up
    ux = PAD + LANE * len(_ports(u, "bwd_out")) + PITCH
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
    top = min(uy, ly, ay, my) - PAD - LANE * (len(_ports(lo, "param_in")) + 2)
    wires, texts = [], []
    tP = [str(t) for t in model.wires]
    # U hands P down into the model; the model's P' goes back up into U's backward band
    for i, (p, q) in enumerate(zip(_ports(u_, "fwd_out"), _ports(m_, "param_in"))):
        vx = ux + u.width + LANE * (i + 1)
        yy = my - LANE * (i + 1) - PITCH / 2
        wires.append(WirePath((p, (vx, p[1]), (vx, yy), (q[0], yy), q), tP[i]))
    for i, (p, q) in enumerate(zip(_ports(m_, "param_out"), _ports(u_, "bwd_in"))):
        vx = ux + u.width + LANE * (n_p + i + 1)
        yy = my - LANE * (n_p + i + 1) - PITCH / 2
        wires.append(WirePath((p, (p[0], yy), (vx, yy), (vx, q[1]), q), tP[i], backward=True))
    # the model's output to the loss and back; the loss value to α and back
    for p, q in zip(_ports(m_, "fwd_out"), _ports(lo_, "fwd_in")):
        wires.append(_link(p, q, str(model.cod[0])))
    for p, q in zip(_ports(lo_, "bwd_out"), _ports(m_, "bwd_in")):
        wires.append(_link(p, q, backward=True))
    for p, q in zip(_ports(lo_, "fwd_out"), _ports(a_, "fwd_in")):
        wires.append(_link(p, q, str(loss.cod[0])))
    for p, q in zip(_ports(a_, "bwd_out"), _ports(lo_, "bwd_in")):
        wires.append(_link(p, q, backward=True))
    # the boundary: x and x' on the left of the model, the state and parameters of U on the left,
    # the target y (and y') on top of the loss
    for p in _ports(m_, "fwd_in"):
        wires.append(_link((PAD / 2, p[1]), p, str(model.dom[0])))
        texts.append(Text("x", PAD / 2, p[1] - 3))
    for p in _ports(m_, "bwd_out"):
        wires.append(_link(p, (PAD / 2, p[1]), backward=True))
        texts.append(Text("x'", PAD / 2, p[1] - 3))
    for k, p in enumerate(_ports(u_, "fwd_in")):
        wires.append(_link((PAD / 2, p[1]), p, str(U.fwd.dom[k])))
    for p in _ports(u_, "bwd_out"):
        wires.append(_link(p, (PAD / 2, p[1]), backward=True))
    if _ports(u_, "fwd_in"):
        ys = [p[1] for p in _ports(u_, "fwd_in")]
        texts.append(Text("S × P", PAD / 2, min(ys) - 4))
    for p in _ports(lo_, "param_in"):
        wires.append(_link((p[0], top + PITCH), p, str(loss.wires[0])))
        texts.append(Text("y", p[0], top + PITCH - 3, "middle"))
    for p in _ports(lo_, "param_out"):
        wires.append(_link(p, (p[0], top + PITCH), backward=True))
        texts.append(Text("y'", p[0], top + PITCH - 3, "middle"))
    body = u_.union(m_).union(lo_).union(a_)
    d = Drawing(boxes=body.boxes, wires=body.wires + tuple(wires), dots=body.dots, frames=body.frames,
                texts=body.texts + tuple(texts), width=ax + a.width + PAD,
                height=max(my + m.height, ly + lo.height, ay + a.height, uy + u.height) + PAD)
    if top < 0:
        d = d.shifted(0, -top)
    return d


def _mean_y(d: Drawing, group: str) -> float:
    ps = _ports(d, group)
    return sum(p[1] for p in ps) / len(ps) if ps else d.height / 4
