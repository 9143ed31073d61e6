"""The primitives of the papers' pictures [CFGBL §2–§4]: a lens as two bands, a lens as one box,
ports and the wires linking them. The constructions draw themselves with these (``Lens.to_drawing``,
``Para.to_drawing``, the learner's picture in ``catgrad.learn.picture``); this module knows none of them.

A *lens picture* has six groups of ports on its frame, named in ``Drawing.extra``:
``fwd_in`` (left, upper band), ``fwd_out`` (right, upper band), ``bwd_in`` (right, lower band),
``bwd_out`` (left, lower band), ``param_in`` and ``param_out`` (top). The upper band is the
forward map, left to right; the lower band the backward map, right to left (the mirror image
of its own layout). The backward map also takes the forward inputs ``A`` (and parameters
``P``): they are copied where they enter and led to the lower band's right side, ``A`` through
the channel between the bands, ``P`` down the right side. Parameter cotangents ``P'`` leave the
lower band on the left and go up to the top.

A learner places its parts as [CFGBL]'s figure does: ``U`` above ``R(model)``, then ``R(loss)``
and ``α`` to the right, connected port to port (``link``); at ``depth=1`` each part is one two-band box
(``lens_box``): ``learner_figure``.
"""
from __future__ import annotations

from .data import FONT_SIZE, Box, Dot, Drawing, Frame, Text, WirePath, text_width
from .measure import text_box
from .layout import LABEL_ROW, LANE, PITCH, TRACK

PAD = 14.0        # between a frame and what it holds
FRAME_TOP = 18.0  # room for a frame's name
GAP = 60.0        # between two parts of a learner


def _h(points, t="", backward=False) -> WirePath:
    return WirePath(tuple(points), t, backward=backward)


def bands(top: Drawing, bot: Drawing, inputs, params=(), label: str = "") -> Drawing:
    """A lens ``(f, f*)`` as one frame of two bands (see the module docstring): ``top`` is the picture of
    ``f`` (its parameter wires entering from the top), ``bot`` that of ``f*``; ``inputs`` and ``params``
    are the type labels of ``f``'s inputs ``A`` and parameters ``P``; ``label`` names the frame. Where ``top``
    bundles its parameters into one wire ``P`` (one point in ``top.params``), ``P`` and ``P'`` are one wire
    each on the frame too, running as a bus along the lower band's ports."""
    nA = len(inputs)
    nP = len(top.params)  # the parameter wires entering from the top: one per parameter, or one bundle
    bus = [i if nP == len(params) else 0 for i in range(len(params))]  # the lane of each lower-band port
    W = max(top.width, bot.width)
    # the P' lanes go up on the left, right of the frame's name (which they would strike)
    lane0 = max(PAD / 2 + LANE * (nA + 1), frame_label_end(label) + LANE if label and nP else 0.0)
    left = max(PAD + LANE * (nP + nA), lane0 + LANE * nP + PAD / 2)   # the P' lanes and the copy dots of A
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
        wires.append(_h([(X0, y), (dx, y)], inputs[i]))
        wires.append(_h([(dx, y), (x, y)]))
        ty = top.height + PITCH / 2 + TRACK * (nA - i)
        lx = band_r + LANE * (nP + i + 1)
        px, py = bot_in[len(params) + i]
        wires.append(_h([(dx, y), (dx, ty), (lx, ty), (lx, py), (px, py)]))
        ext["fwd_in"].append((X0, y))
    # parameters P: enter on the top, copied, one branch down the right side to the lower band
    for i, (x, y) in enumerate(top.params):
        ry = FRAME_TOP + LANE * (nP - i) - LANE / 2
        dots.append(Dot(x, ry, "copy"))
        wires.append(_h([(x, 0.0), (x, ry)], params[i] if nP == len(params) else " × ".join(params)))
        wires.append(_h([(x, ry), (x, y)]))
        lx = band_r + LANE * (i + 1)
        for k in (k for k, lane in enumerate(bus) if lane == i):
            px, py = bot_in[k]
            wires.append(_h([(x, ry), (lx, ry), (lx, py), (px, py)]))
        ext["param_in"].append((x, 0.0))
    for (x, y) in top.outputs:
        wires.append(_h([(x, y), (X1, y)]))
        ext["fwd_out"].append((X1, y))
    for (x, y) in bot_in[len(params) + nA:]:
        wires.append(_h([(X1, y), (x, y)], backward=True))
        ext["bwd_in"].append((X1, y))
    # the lower band's outputs: P' up the left side, A' out on the left
    for i, (x, y) in enumerate(bot_m.outputs):
        if i < len(params):
            lx = lane0 + LANE * bus[i]
            wires.append(_h([(x, y), (lx, y), (lx, 0.0)], backward=True))
            if (lx, 0.0) not in ext["param_out"]:
                ext["param_out"].append((lx, 0.0))
        else:
            wires.append(_h([(x, y), (X0, y)], backward=True))
            ext["bwd_out"].append((X0, y))
    body = top.union(bot_m)
    frames = body.frames + ((Frame(label, X0, 0.0, X1 - X0, H),) if label else ())
    return Drawing(boxes=body.boxes, wires=body.wires + tuple(wires), dots=body.dots + tuple(dots),
                   frames=frames, texts=body.texts, inputs=tuple(ext["fwd_in"]), outputs=tuple(ext["fwd_out"]),
                   params=tuple(ext["param_in"]), width=X1, height=H, extra=ext)


def frame_label_end(label: str) -> float:
    """How far right of its frame's left edge a frame's name reaches (it is set at ``x + 6``, ``11`` px)."""
    return 6 + text_box(label, 0, 0, FONT_SIZE - 1)[2]


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


def ports(d: Drawing, group: str) -> list:
    """The ports of one group of a lens picture (``fwd_in``, ``fwd_out``, ``bwd_in``, ``bwd_out``,
    ``param_in``, ``param_out``): a list of points, empty if it has none."""
    return list(d.extra.get(group, ()))


def link(p, q, t="", backward=False, via_x=None) -> WirePath:
    """A wire from port ``p`` to port ``q``: straight, a bend between them, or through ``via_x``."""
    (x0, y0), (x1, y1) = p, q
    if via_x is None:
        return WirePath(((x0, y0), (x1, y1)), t, backward=backward)
    return WirePath(((x0, y0), (via_x, y0), (via_x, y1), (x1, y1)), t, backward=backward)


def learner_figure(parts: dict, names: dict, labels: tuple) -> Drawing:
    """[CFGBL]'s learner: the lens pictures ``parts`` (``"U"``, ``"model"``, ``"loss"``, ``"alpha"``) placed and
    linked port to port, the boundary wires named by ``names`` (``"S, P"``, ``"P"``, ``"X"``, ``"Y"``: a
    ``(name, type)`` per port; ``"legend"``: lines above ``U``); ``labels``: the prediction's and the
    loss value's types.

    >>> box = lambda n: lens_box(n, dict(fwd_in=1, fwd_out=1, bwd_in=1, bwd_out=1, param_in=1, param_out=1))
    >>> parts = {"U": box("U"), "model": box("R(f)"), "loss": box("R(l)"), "alpha": box("α")}
    >>> d = learner_figure(parts, {"S, P": [("P", "f32")], "P": [("P", "f32")], "X": [("X", "f32")],
    ...                           "Y": [("Y", "f32")], "legend": []}, ("f32[1]", "f32[]"))
    >>> [t.text for t in d.texts]
    ['P', "P'", 'X', "X'", 'P', "P'", 'Y', "Y'"]
    """
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
    for (d, out), (e, into), label in (((m_, "fwd_out"), (lo_, "fwd_in"), labels[0]),
                                       ((lo_, "bwd_out"), (m_, "bwd_in"), None),
                                       ((lo_, "fwd_out"), (a_, "fwd_in"), labels[1]),
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
