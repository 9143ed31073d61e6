"""The layered layout of a diagram, left to right [Sugiyama et al. 1981].

1. **Layers** by longest path: the domain is layer 0, every box or dot one layer after the
   latest of its inputs, sources (``zero``, constants) just before their first use, the
   codomain last. A wire used twice or more gets a copy dot, an unused one a discard dot.
2. **Dummy points** on every wire that skips layers, one per layer crossed.
3. **Crossing reduction**: a few barycentre sweeps (each node moves to the mean position of its
   neighbours in the previous layer, then the next), keeping the order with the fewest crossings.
   The domain and codomain keep their order.
4. **Coordinates**: a layer is a column as wide as its widest box; within a column the nodes
   keep their order, at least their half-heights plus a gap apart, as close as possible to their
   neighbours' ports (an isotonic regression, solved exactly by pooling adjacent violators).
   Boxes are sized to their label in the fixed-width font, so no two boxes overlap.
5. **Wires** run horizontally through columns and bend between them; parameter wires
   (the first ``params`` domain wires of a ``Para``'s map) enter their box from the top, each
   named right of its wire, at its top end (less the path of the layer box it enters: ``W`` into
   ``dense``); a box is wide enough, and the lanes beside a column
   far enough apart, that a name ends before the next parameter wire (else it is shortened), so a
   parameter wire led further up (in a lens, a learner) never strikes a name.
   After each column a *label zone* as wide as its longest type label (at most ``GAP_MAX``) is
   kept straight: every wire leaving the column runs horizontally through it, and a wire's type
   label sits on that stretch, above its own wire, so no wire or edge strikes it; the bends come
   after. Two wires with the same ends (a copy feeding an addition twice) are bowed apart.

An opened loop is one node the size of its frame, its body laid out as a picture of its own inside
(:mod:`catgrad.drawing.loops`), so nothing outside enters the frame but at its ports.

Everything is computed from the diagram's data in a fixed order, so the same diagram gives
the same drawing, whatever ``PYTHONHASHSEED`` is.
"""
from __future__ import annotations

from . import loops
from .data import Box, Dot, Drawing, Text, WirePath, shorten, text_width
from .graph import Hypergraph, nodes
from .measure import painted_path

PITCH = 20.0          # vertical distance between two ports, or two wires
BOX_PAD = 8.0         # horizontal padding of a label inside its box
MIN_BOX_WIDTH = 28.0
DOT_RADIUS = 3.5
VGAP = 14.0           # vertical gap between two boxes of one column
GAP_MIN = 36.0        # horizontal gap between two columns
GAP_MAX = 96.0        # type labels longer than this are shortened
BEND = 28.0           # horizontal room for the bends after a label zone
BOW = 10.0            # distance between two bowed wires with the same ends, at their middle
LABEL_GAP = 3.0       # between a node's right edge and the type label of its output
NAME_MAX = 64.0       # parameter names longer than this are shortened to their end (``…ion.Wq``)
LANE = 8.0            # distance between parameter wires coming down one gap
MARGIN = 10.0
SWEEPS = 4
LABEL_ROW = 11.0      # height of the row of parameter names on top
SPAN_MAX = 8          # a wire skipping more layers runs along a track under the drawing
TRACK = 8.0           # distance between two such tracks
BUNDLE = 17.0         # length of the bundled parameter wire P above its fan (room for its label)

_POINT = ("dom", "cod", "param", "dummy")
_DOTS = ("copy", "discard", "add", "zero", "one")


def layout(f: Hypergraph, *, depth=None, params: int = 0, param_names=(), bundle: str = "", types: bool = True,
           sweeps: int = SWEEPS) -> Drawing:
    """The drawing of ``f``: boxes, dots and wires placed left to right (see the module docstring).

    Args:
        f: the diagram, as plain data (``Diagram.hypergraph()``).
        depth: ``None`` draws every generator; ``k`` draws one box per scope of depth ``k``.
        params: how many leading domain wires are parameters (drawn entering from the top).
        param_names: a label per parameter wire.
        bundle: if given, the parameter wires are one wire ``P`` entering from the top, labelled ``bundle``
            (``P = {dense: W, b}``), that fans out into them [CFGBL §2.2]; the names are then not shown.
        types: whether wires carry their type as a label.
        sweeps: the number of barycentre sweeps.
    """
    # a bundle names no parameter, so its fan needs no room for names: its ports a lane apart
    g = _Graph(f, depth, params, () if bundle else param_names, dict(types=types, sweeps=sweeps),
               port_pitch=LANE if bundle else PITCH)
    g.assign_layers()
    g.add_dummies()
    g.order(sweeps)
    g.place()
    return g.drawing(types, param_names, bundle)


class _Graph:
    """The layout graph in flat lists indexed by node id (kept lean for 10⁵ dummy points)."""

    def __init__(self, f: Hypergraph, depth, params: int, param_names=(), inner=None, port_pitch: float = PITCH):
        self.port_pitch = port_pitch  # the distance between two parameter ports on a box's top edge
        ns = nodes(f, depth)
        nd, nn = len(f.dom), len(ns)
        self.kind, self.label = [], []
        self.nin, self.nout = [], []
        for i in range(nd):
            self._add("param" if i < params else "dom", "", 0, 1)
        for n in ns:
            self._add(n.kind, n.label, len(n.ins), len(n.outs))
        cod0 = nd + nn
        for _ in f.cod:
            self._add("cod", "", 1, 0)
        uses: dict = {}
        for j, n in enumerate(ns):
            for p, w in enumerate(n.ins):
                uses.setdefault(w, []).append((nd + j, p))
        for j, w in enumerate(f.cod):
            uses.setdefault(w, []).append((cod0 + j, 0))
        # edges: [u, pu, v, pv, type, top]; a copy dot fans a wire out, a discard dot ends it
        self.edges = []
        self.topo = []
        wire_names = f.names()
        self.name = {}  # edge index -> the name of its wire (the edge leaving the wire's source)

        def wire_from(u, pu, w):
            us = uses.get(w, ())
            t = f.wires[w]
            top = self.kind[u] == "param"
            if w in wire_names and not top:
                self.name[len(self.edges)] = wire_names[w]
            if len(us) == 1:
                self.edges.append([u, pu, us[0][0], us[0][1], t, top])
                return
            d = self._add("copy" if us else "discard", "", 1, len(us))
            self.edges.append([u, pu, d, 0, t, top])
            for k, (v, pv) in enumerate(us):
                self.edges.append([d, k, v, pv, "", False])
            self.topo.append(d)

        for i, w in enumerate(f.dom):
            self.topo.append(i)
            wire_from(i, 0, w)
        for j, n in enumerate(ns):
            self.topo.append(nd + j)
            for p, w in enumerate(n.outs):
                wire_from(nd + j, p, w)
        self.topo.extend(range(cod0, cod0 + len(f.cod)))
        self.n_dom, self.n_params, self.cod0, self.n_cod = nd, params, cod0, len(f.cod)
        # which input ports are entered from the top
        tops = [set() for _ in self.kind]
        for u, pu, v, pv, t, top in self.edges:
            if top:
                tops[v].add(pv)
        self.top_in = [tuple(sorted(s)) for s in tops]
        # each parameter's name (less the path of the layer box it enters: ``W`` into ``dense``), and the
        # width its wire needs on its right for it
        self.names = [param_names[u] if u < len(param_names) else "" for u in range(params)]
        for u, pu, v, pv, t, top in self.edges:
            prefix = ns[v - nd].name.replace("/", ".") + "." if top and self.kind[v] == "layer" else None
            if prefix and self.names[u].startswith(prefix):
                self.names[u] = self.names[u][len(prefix):]
        self.name_w = [min(text_width(n, small=True), NAME_MAX) + 2 * LABEL_GAP if n else 0.0 for n in self.names]
        self.top_room = [0.0] * len(self.kind)
        for u, pu, v, pv, t, top in self.edges:
            if top:
                self.top_room[v] = max(self.top_room[v], self.name_w[u])
        self.loops = {nd + j: loops.picture(n, self.top_in[nd + j], lambda g, **kw: layout(g, **kw, **(inner or {})))
                      for j, n in enumerate(ns) if n.kind == "loop"}

    def _add(self, kind, label, nin, nout) -> int:
        self.kind.append(kind)
        self.label.append(label)
        self.nin.append(nin)
        self.nout.append(nout)
        return len(self.kind) - 1

    # -- 1. layers --------------------------------------------------------------------
    def assign_layers(self):
        N = len(self.kind)
        preds = [[] for _ in range(N)]
        succs = [[] for _ in range(N)]
        for u, pu, v, pv, t, top in self.edges:
            if not top:
                preds[v].append(u)
                succs[u].append(v)
        layer = [0] * N
        for v in self.topo:
            k = self.kind[v]
            if k in ("dom", "param"):
                layer[v] = 0
            elif k != "cod":
                layer[v] = 1 + max((layer[u] for u in preds[v]), default=0)
        for v in reversed(self.topo):  # sources as late as their first use allows
            if self.kind[v] not in ("dom", "param", "cod") and not preds[v] and succs[v]:
                later = [layer[s] for s in succs[v] if self.kind[s] != "cod"]
                if later:
                    layer[v] = max(1, min(later) - 1)
        last = 1 + max((layer[v] for v in range(N) if self.kind[v] not in ("cod",)), default=0)
        for v in range(self.cod0, self.cod0 + self.n_cod):
            layer[v] = last
        self.layer = layer
        self.n_layers = last + 1

    # -- 2. dummy points ---------------------------------------------------------------
    def add_dummies(self):
        layer = self.layer
        self.chains = []
        self.long = []
        for k, e in enumerate(self.edges):
            u, pu, v, pv, t, top = e
            chain = [u]
            if not top and layer[v] - layer[u] > SPAN_MAX:
                self.long.append(k)
            elif not top:
                for l in range(layer[u] + 1, layer[v]):
                    d = self._add("dummy", "", 1, 1)
                    layer.append(l)
                    self.top_in.append(())
                    chain.append(d)
            chain.append(v)
            self.chains.append(chain)
        # segments between consecutive layers: per node, (neighbour, its port, my port)
        N = len(self.kind)
        self.up = [[] for _ in range(N)]
        self.down = [[] for _ in range(N)]
        long = set(self.long)
        for j, (e, chain) in enumerate(zip(self.edges, self.chains)):
            if e[5] or j in long:
                continue
            for k in range(len(chain) - 1):
                a, b = chain[k], chain[k + 1]
                pa = e[1] if k == 0 else 0
                pb = e[3] if k == len(chain) - 2 else 0
                self.down[a].append((b, pb, pa))
                self.up[b].append((a, pa, pb))

    # -- 3. crossing reduction --------------------------------------------------------
    def order(self, sweeps: int):
        layers = [[] for _ in range(self.n_layers)]
        for v in range(len(self.kind)):
            if self.kind[v] != "param":
                layers[self.layer[v]].append(v)
        self.pos = pos = [0] * len(self.kind)
        for ids in layers:
            for i, v in enumerate(ids):
                pos[v] = i
        best, best_x = [list(l) for l in layers], self.crossings(layers)
        for s in range(sweeps):
            down = s % 2 == 0
            rng = range(1, self.n_layers - 1) if down else range(self.n_layers - 2, 0, -1)
            for l in rng:
                self._sort(layers[l], self.up if down else self.down)
            x = self.crossings(layers)
            if x < best_x:
                best, best_x = [list(l) for l in layers], x
            if best_x == 0:
                break
        for ids in best:
            for i, v in enumerate(ids):
                pos[v] = i
        self.layers = best

    def _sort(self, ids: list, nbrs: list):
        pos, nout, nin, top_in = self.pos, self.nout, self.nin, self.top_in
        keys = {}
        for v in ids:
            ns = nbrs[v]
            if ns:
                total = 0.0
                for (u, pu, _) in ns:
                    total += pos[u] + (pu + 0.5) / (1 + max(nout[u], nin[u]))
                keys[v] = total / len(ns)
            elif top_in[v]:
                keys[v] = -1.0
            else:
                keys[v] = pos[v]
        ids.sort(key=lambda v: (keys[v], pos[v]))
        for i, v in enumerate(ids):
            pos[v] = i

    def crossings(self, layers) -> int:
        """The number of crossings between consecutive layers (inversions, counted by merge sort)."""
        pos, down = self.pos, self.down
        for ids in layers:
            for i, v in enumerate(ids):
                pos[v] = i
        total = 0
        for ids in layers[:-1]:
            pairs = []
            for v in ids:
                pv_ = pos[v]
                for (w, pw, p) in down[v]:
                    pairs.append((pv_, p, pos[w], pw))
            if len(pairs) > 1:
                pairs.sort()
                total += _inversions([(c, d) for _, _, c, d in pairs])
        return total

    # -- 4. coordinates ----------------------------------------------------------------
    def _size(self, v):
        k = self.kind[v]
        if k in _POINT:
            return 0.0, 0.0
        if k in _DOTS:
            return 2 * DOT_RADIUS, 2 * DOT_RADIUS
        if k == "loop":
            return self.loops[v].width, self.loops[v].height
        n_top = len(self.top_in[v])
        n_left = self.nin[v] - n_top
        w = max(text_width(self.label[v]) + 2 * BOX_PAD, MIN_BOX_WIDTH, n_top * max(self.port_pitch, self.top_room[v]))
        return w, max(n_left, self.nout[v], 1) * PITCH

    def _extent(self, v):
        """Space needed above and below the centre of ``v`` within its column."""
        k = self.kind[v]
        if k in _POINT:
            return PITCH / 2, PITCH / 2
        h = self.h[v]
        up = h / 2 + (VGAP / 2 if k not in _DOTS else PITCH / 2 - h / 2)
        if self.top_in[v]:
            up += LANE
        return up, up - (LANE if self.top_in[v] else 0)

    def _port_offsets(self):
        """Per node: the y offsets (from its centre) of its left inputs and right outputs."""
        N = len(self.kind)
        self.in_off = [None] * N
        self.out_off = [None] * N
        for v in range(N):
            h = self.h[v]
            if h == 0 or self.kind[v] in _DOTS:
                self.in_off[v] = [0.0] * max(self.nin[v], 1)
                self.out_off[v] = [0.0] * max(self.nout[v], 1)
                continue
            if v in self.loops:  # the ports are where its body's picture puts them
                pic = self.loops[v]
                self.in_off[v] = [0.0 if p in pic.tops else y - h / 2 for p, (_, y) in enumerate(pic.ins)] or [0.0]
                self.out_off[v] = [y - h / 2 for _, y in pic.outs] or [0.0]
                continue
            tops = self.top_in[v]
            left = [p for p in range(self.nin[v]) if p not in tops]
            offs = [0.0] * max(self.nin[v], 1)
            for k, p in enumerate(left):
                offs[p] = -h / 2 + (k + 0.5) * h / len(left)
            self.in_off[v] = offs
            n = self.nout[v]
            self.out_off[v] = [-h / 2 + (k + 0.5) * h / n for k in range(n)] or [0.0]

    def place(self):
        N = len(self.kind)
        sizes = [self._size(v) for v in range(N)]
        self.w = [s[0] for s in sizes]
        self.h = [s[1] for s in sizes]
        self._port_offsets()
        ext = [self._extent(v) for v in range(N)]
        self.ext = ext
        y = [0.0] * N
        for ids in self.layers:  # start: each column stacked from 0
            c = 0.0
            for i, v in enumerate(ids):
                if i:
                    c += ext[ids[i - 1]][1] + ext[v][0]
                y[v] = c
        self.y = y
        L = self.n_layers
        for sweep, rng in enumerate((range(L), range(L - 1, -1, -1), range(L), range(L - 1, -1, -1))):
            for l in rng:
                self._place_layer(self.layers[l], use_up=sweep == 0 or sweep > 1 or l == L - 1,
                                  use_down=sweep > 0 or l == 0)

    def _place_layer(self, ids, use_up: bool, use_down: bool):
        y, ext, in_off, out_off = self.y, self.ext, self.in_off, self.out_off
        desired = []
        for v in ids:
            total, n = 0.0, 0
            if use_up:
                for (u, pu, pv) in self.up[v]:
                    total += y[u] + out_off[u][pu] - in_off[v][pv]
                    n += 1
            if use_down:
                for (w, pw, pv) in self.down[v]:
                    total += y[w] + in_off[w][pw] - out_off[v][pv]
                    n += 1
            desired.append(total / n if n else y[v])
        seps = [ext[ids[i - 1]][1] + ext[ids[i]][0] for i in range(1, len(ids))]
        for v, c in zip(ids, _pav(desired, seps)):
            y[v] = c

    # -- 5. the drawing ----------------------------------------------------------------
    def drawing(self, types: bool, param_names, bundle: str = "") -> Drawing:
        kind, layer, y, w, h = self.kind, self.layer, self.y, self.w, self.h
        L = self.n_layers
        col_w = [0.0] * L
        for v in range(len(kind)):
            if kind[v] != "param":
                col_w[layer[v]] = max(col_w[layer[v]], w[v])
        self.col_w = col_w
        # the gap after each column: its type labels, then the lanes of long and parameter wires
        labw = [0.0] * L
        top_lanes, src_lanes, tgt_lanes = ([[] for _ in range(L)] for _ in range(3))
        for k, e in enumerate(self.edges):
            u, pu, v, pv, t, top = e
            if top:
                if self._needs_lane(v):
                    top_lanes[layer[v]].append(k)
            elif self._text(k, types):
                room = text_width(self._text(k, types), small=True) + 2 * LABEL_GAP + 2 - (col_w[layer[u]] - w[u]) / 2
                labw[layer[u]] = max(labw[layer[u]], min(room, GAP_MAX))
        for k in self.long:
            u, pu, v, pv = self.edges[k][:4]
            src_lanes[layer[u]].append(k)
            tgt_lanes[layer[v]].append(k)
        for l in range(L):  # lanes ordered so that the wires to and from them do not cross them
            src_lanes[l].sort(key=lambda k: -self._port_y(self.edges[k], out=True))
            tgt_lanes[l].sort(key=lambda k: self._port_y(self.edges[k], out=False))
        gap = [GAP_MIN] * L
        for l in range(L - 1):
            lanes = len(src_lanes[l]) + len(tgt_lanes[l + 1])
            gap[l] = max(GAP_MIN, labw[l] + BEND + LANE * lanes + sum(map(self._lane_room, top_lanes[l + 1])))
        col_x = [MARGIN] * L
        for l in range(1, L):
            col_x[l] = col_x[l - 1] + col_w[l - 1] + gap[l - 1]
        self.col_x = col_x
        self.zone_end = [col_x[l] + col_w[l] + labw[l] for l in range(L)]
        self.x = x = [col_x[layer[v]] + (col_w[layer[v]] - w[v]) / 2 if kind[v] != "param" else 0.0
                      for v in range(len(kind))]
        lane_x = {}
        for l in range(L - 1):
            base = col_x[l] + col_w[l] + labw[l] + BEND / 4
            for i, k in enumerate(src_lanes[l]):
                lane_x[("src", k)] = base + LANE * i
            base += LANE * len(src_lanes[l])
            for i, k in enumerate(tgt_lanes[l + 1]):
                lane_x[("tgt", k)] = base + LANE * i
            right = col_x[l + 1] - 6
            for k in top_lanes[l + 1]:
                right -= self._lane_room(k) - LANE
                lane_x[("top", k)] = right
                right -= LANE
        placed = [v for v in range(len(kind)) if kind[v] != "param"]
        top_y = min((y[v] - self.ext[v][0] for v in placed), default=0.0) - PITCH / 2
        bottom = max((y[v] + self.ext[v][1] for v in placed), default=0.0)
        track_y = self._tracks(bottom)
        boxes, dots, inside = [], [], Drawing()
        for v in placed:
            k = kind[v]
            if k == "loop":
                inside = inside.union(self.loops[v].placed(x[v], y[v] - h[v] / 2))
            elif k in _DOTS:
                dots.append(Dot(x[v] + w[v] / 2, y[v], k, {"zero": "0", "one": "1"}.get(k, "")))
            elif k not in _POINT:
                boxes.append(Box(self.label[v], x[v], y[v] - h[v] / 2, w[v], h[v], k))
        wires, param_x, tops = [], {}, []
        for k, (e, chain) in enumerate(zip(self.edges, self.chains)):
            if e[5]:
                tops.append(len(wires))
                wires.append(self._top_wire(e, top_y, lane_x.get(("top", k)), param_x))
            else:
                pts = self._points(e, chain, track_y.get(k), lane_x.get(("src", k)), lane_x.get(("tgt", k)))
                wires.append(self._labelled(k, pts, types))
        wires = [wp._replace(points=_simplified(wp.points)) for wp in self._bowed(wires)]
        width = col_x[-1] + col_w[-1] + MARGIN
        if bundle and param_x:
            wires, params, texts, top = bundled(wires, tops, bundle, top_y)
            width = max(width, params[0][0] + 3 + text_width(bundle, small=True) + MARGIN)
        else:
            texts, params = self._param_labels(param_x, self.names, top_y)
            top = top_y - LABEL_ROW * bool(texts)
        inputs = tuple((x[v], y[v]) for v in range(self.n_params, self.n_dom))
        outputs = tuple((x[v], y[v]) for v in range(self.cod0, self.cod0 + self.n_cod))
        d = Drawing(boxes=tuple(boxes) + inside.boxes, wires=tuple(wires) + inside.wires,
                    dots=tuple(dots) + inside.dots, frames=inside.frames, texts=tuple(texts) + inside.texts,
                    inputs=inputs, outputs=outputs, params=params, width=width)
        low = min([top] + [y[v] - self.ext[v][0] for v in placed]) - MARGIN
        high = max([bottom] + list(track_y.values())) + MARGIN
        return d.shifted(0, -low).with_(height=high - low)

    def _port_y(self, e, out: bool) -> float:
        u, pu, v, pv = e[:4]
        return self.y[u] + self.out_off[u][pu] if out else self.y[v] + self.in_off[v][pv]

    def _tracks(self, bottom: float) -> dict:
        """A horizontal track under the drawing for each long wire; wires whose layers do not
        overlap share a track (interval partitioning, first fit)."""
        ends, out = [], {}
        layer = self.layer
        for k in sorted(self.long, key=lambda k: (layer[self.edges[k][0]], layer[self.edges[k][2]], k)):
            lu, lv = layer[self.edges[k][0]], layer[self.edges[k][2]]
            t = next((i for i, end in enumerate(ends) if end < lu), None)
            if t is None:
                t = len(ends)
                ends.append(lv)
            ends[t] = lv
            out[k] = bottom + TRACK * (t + 1)
        return out

    def _points(self, e, chain, track, src_x, tgt_x) -> list:
        """The points of a wire: through its column, its dummy points (or down to its track), into its port."""
        u, pu, v, pv = e[:4]
        x, y, w, col_x, col_w, layer = self.x, self.y, self.w, self.col_x, self.col_w, self.layer
        ux = x[u] + (w[u] / 2 if self.kind[u] in _DOTS else w[u])
        uy = y[u] + self.out_off[u][pu]
        lu = layer[u]
        pts = [(ux, uy), (col_x[lu] + col_w[lu], uy), (self.zone_end[lu], uy)]
        vx = x[v] + (w[v] / 2 if self.kind[v] in _DOTS else 0.0)
        vy = y[v] + self.in_off[v][pv]
        if track is not None:
            pts += [(src_x, uy), (src_x, track), (tgt_x, track), (tgt_x, vy)]
        for d in chain[1:-1]:
            pts.append((col_x[layer[d]], y[d]))
            pts.append((col_x[layer[d]] + col_w[layer[d]], y[d]))
            pts.append((self.zone_end[layer[d]], y[d]))
        pts.append((col_x[layer[v]], vy))
        pts.append((vx, vy))
        return _dedupe(pts)

    def _text(self, k, types: bool) -> str:
        """The label of edge ``k``: its wire's name and type (``x: f32[3]``), the type alone, the name alone
        (``types=False``) or nothing (a copy's branches)."""
        u, t = self.edges[k][0], self.edges[k][4]
        if self.kind[u] == "copy":
            return ""
        return wire_text(self.name.get(k, ""), t if types else "")

    def _labelled(self, k, pts, types) -> WirePath:
        """The wire through ``pts`` with its label (``_text``) on its straight stretch through the label zone, right
        of its node (of a dot too), shortened to end before the zone does."""
        u, t = self.edges[k][0], self.edges[k][4]
        text = self._text(k, types)
        if not text:
            return WirePath(tuple(pts), t)
        start = self.x[u] + self.w[u] + LABEL_GAP
        uy = pts[0][1]
        room = self.zone_end[self.layer[u]] - start - LABEL_GAP
        name = self.name.get(k, "")
        head = text_width(name + ": ", small=True) if name else 0.0
        label = wire_text(name, shorten(t, room - head, small=True) if types else "")
        if text_width(label, small=True) > room:
            label = shorten(label, room, small=True)
        return WirePath(tuple(pts), t, label, (start, uy - LABEL_GAP) if label else ())

    def _bowed(self, wires: list) -> list:
        """The wires, those painted along the same path (two wires from a copy into one node) bowed apart: each
        runs to its end through a middle point ``BOW`` from the next one's (after the label zone of its start,
        unless its ends are level)."""
        ends: dict = {}
        for k, wp in enumerate(wires):  # only wires with the same ends can be painted alike
            ends.setdefault((wp.points[0], wp.points[-1]), []).append(k)
        same: dict = {}
        for ks in ends.values():
            for k in ks if len(ks) > 1 else ():
                same.setdefault(painted_path(wires[k].points), []).append(k)
        out = list(wires)
        for ks in same.values():
            for i, k in enumerate(ks if len(ks) > 1 else ()):
                out[k] = wires[k]._replace(points=self._bow(wires[k].points, (i - (len(ks) - 1) / 2) * BOW))
        return out

    def _bow(self, pts, offset: float) -> tuple:
        ends = set(self.zone_end)
        level = abs(pts[0][1] - pts[-1][1]) < 1e-9  # a bow of ±BOW/2 about a level wire strikes no label
        j = 0 if level else next((i for i, p in enumerate(pts) if i and p[0] in ends), 0)
        (x0, y0), (x1, y1) = pts[j], pts[-1]
        return tuple(pts[:j + 1]) + (((x0 + x1) / 2, (y0 + y1) / 2 + offset), pts[-1])

    def _lane_room(self, k) -> float:
        """The room a parameter wire coming down a lane takes: ``LANE``, or its name's width."""
        return max(LANE, self.name_w[self.edges[k][0]])

    def _needs_lane(self, v) -> bool:
        """Whether a parameter wire into ``v`` must come down beside its column (a box or dot is above)."""
        if self.kind[v] == "cod":
            return True
        l, p = self.layer[v], self.pos[v]
        return any(self.kind[u] not in _POINT for u in self.layers[l][:p])

    def _top_wire(self, e, top_y, lx, param_x) -> WirePath:
        u, pu, v, pv, t, _ = e
        x, y, w, h = self.x, self.y, self.w, self.h
        kind = self.kind[v]
        if kind in _DOTS:
            px, py = x[v] + w[v] / 2, y[v]
        elif kind == "cod":
            px, py = x[v], y[v]
        elif kind == "loop":
            px, py = x[v] + self.loops[v].ins[pv][0], y[v] - h[v] / 2
        else:
            tops = self.top_in[v]
            k = tops.index(pv)
            px, py = x[v] + (k + 0.5) * w[v] / len(tops), y[v] - h[v] / 2
        if lx is None:
            pts = [(px, top_y), (px, py)]
        else:
            if kind in ("cod",) + _DOTS:
                pts = [(lx, top_y), (lx, py), (px, py)]
            else:
                pts = [(lx, top_y), (lx, py - LANE), (px, py - LANE), (px, py)]
        param_x[u] = pts[0][0]
        return WirePath(tuple(pts), t)

    def _param_labels(self, param_x, names, top_y) -> tuple:
        """The parameter names, each right of its wire at its top end, shortened to end before the next
        parameter wire to the right; and the parameter points."""
        texts = []
        params = tuple((param_x[u], top_y) for u in range(self.n_params) if u in param_x)
        order = sorted(param_x, key=lambda u: (param_x[u], u))
        for n, u in enumerate(order):
            name = shorten(names[u] if u < len(names) else "", NAME_MAX, small=True, tail=True)
            if n + 1 < len(order):
                name = shorten(name, param_x[order[n + 1]] - param_x[u] - 2 * LABEL_GAP, small=True, tail=True)
            if name:
                texts.append(Text(name, param_x[u] + LABEL_GAP, top_y - LABEL_GAP))
        return texts, params


def _simplified(pts) -> tuple:
    """``pts`` without the middle points of straight horizontal or vertical runs (the same painted path)."""
    out = list(pts[:1])
    for k in range(1, len(pts) - 1):
        a, b, c = out[-1], pts[k], pts[k + 1]
        if (a[0] == b[0] == c[0] and (b[1] - a[1]) * (c[1] - b[1]) >= 0) or \
           (a[1] == b[1] == c[1] and (b[0] - a[0]) * (c[0] - b[0]) >= 0):
            continue
        out.append(b)
    return tuple(out + list(pts[len(pts) - 1:]) if len(pts) > 1 else out)


def bundled(wires: list, tops: list, label: str, top_y: float) -> tuple:
    """The parameter wires ``wires[k]`` for ``k`` in ``tops`` (entering at height ``top_y``) bundled into one
    wire ``P``: it enters from the top left of them, labelled ``label``, and runs along height ``top_y`` (a bus)
    from which each of them goes down as it did. Returns the wires, the one parameter point, no texts, and the
    top of what was drawn."""
    bx = min(wires[k].points[0][0] for k in tops) - LANE
    out = list(wires)
    for k in tops:
        out[k] = wires[k]._replace(points=((bx, top_y),) + tuple(wires[k].points))
    top = top_y - BUNDLE
    p = WirePath(((bx, top), (bx, top_y)), " × ".join(wires[k].type for k in tops), label, (bx + 3, top_y - 4))
    return out + [p], ((bx, top),), [], top


def wire_text(name: str, t: str) -> str:
    """A wire's label: its name and its type ``x: f32[3]``, or whichever of the two it has.

    >>> wire_text("x", "f32[3]"), wire_text("", "f32[3]"), wire_text("dy", "")
    ('x: f32[3]', 'f32[3]', 'dy')
    """
    return f"{name}: {t}" if name and t else name or t



def _dedupe(pts: list) -> list:
    out = [pts[0]]
    for p in pts[1:]:
        if abs(p[0] - out[-1][0]) > 1e-9 or abs(p[1] - out[-1][1]) > 1e-9:
            out.append(p)
    return out


def _pav(desired: list, seps: list) -> list:
    """Centres ``c`` with ``c[i+1] ≥ c[i] + seps[i]`` minimising ``Σ (c[i] − desired[i])²``.

    Substituting ``z[i] = c[i] − o[i]`` (``o`` the running sum of ``seps``) makes it isotonic
    regression of ``desired − o``, solved by pooling adjacent violators.
    """
    offs = [0.0]
    for s in seps:
        offs.append(offs[-1] + s)
    blocks = []  # [sum, count]
    for d, o in zip(desired, offs):
        blocks.append([d - o, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            s, n = blocks.pop()
            blocks[-1][0] += s
            blocks[-1][1] += n
    out = []
    i = 0
    for s, n in blocks:
        m = s / n
        for _ in range(n):
            out.append(m + offs[i])
            i += 1
    return out


def _inversions(seq: list) -> int:
    """The number of pairs ``i < j`` with ``seq[i] > seq[j]`` (merge sort)."""
    if len(seq) < 2:
        return 0
    mid = len(seq) // 2
    a, b = seq[:mid], seq[mid:]
    n = _inversions(a) + _inversions(b)
    a.sort()
    b.sort()
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] <= b[j]:
            i += 1
        else:
            n += len(a) - i
            j += 1
    return n
