"""catgrad's compiled training step against the same model written by hand in JAX + optax.

    python bench/train_step.py            # full run (a few minutes on 2 cores)
    python bench/train_step.py --quick    # fewer steps and rounds

For each model (batch 128, momentum 0.9, the same initial parameters and data):

- MLP 64-128-10  (sigmoid, sigmoid; MSE) on digits;
- MLP 784-256-10 (relu, logits; softmax cross-entropy) on MNIST;
- the MNIST conv net [conv 3×3 1→3 no bias, relu, maxpool 2, conv 4×4 3→5, relu, maxpool 2,
  flatten 125, dense(125, 10, sigmoid); MSE];

it checks (untimed) that catgrad and the hand-written step give the same parameters after a few
steps, then times

- the step: the hand-written ``jax.jit(value_and_grad + optax.sgd(lr, momentum=0.9))``, catgrad's
  raw jitted step (``jax.jit`` of ``learner.compiled_step(n).apply``: no input checks) and the public
  ``learner.step``; each call
  blocked, the three interleaved in rounds; median per implementation;
- compile time: first call of a fresh step (catgrad: from a fresh learner, so building the step
  diagram — batch, R, lenses, simplify — is included; hand: trace + compile), median of a few;
- one epoch: ``fit``'s scan epoch against a Python loop of jitted steps over the same minibatches
  (and the hand-written step in a Python loop and in a scan);
- per-example cost against the numpy reference implementation's figures (Iris hidden ≈ 50 µs,
  MNIST conv ≈ 3.9 ms per example, measured on this 2-core CPU).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import jax  # noqa: E402
import numpy as np  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import optax  # noqa: E402

from catgrad import datasets, experiments, learn, nn  # noqa: E402
from common import fmt_time, interleaved, machine, markdown, median, timed  # noqa: E402

BATCH = 128
GAMMA = 0.9
REFERENCE = {"iris": 50e-6, "conv": 3.9e-3}  # numpy reference implementation, seconds per example


# -- the models, in catgrad and by hand ------------------------------------------------------------

def _dense(p, x):
    return x @ p["W"].T + p["b"]


def _pool(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def _conv(x, k):
    return jax.lax.conv_general_dilated(x, k, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))


def _mse(pred, y):
    return jnp.mean(0.5 * jnp.sum((pred - y) ** 2, axis=-1))


def _xent(logits, y):
    return jnp.mean(-jnp.sum(y * jax.nn.log_softmax(logits, axis=-1), axis=-1))


def mlp_small():
    model = nn.dense(64, 128, nn.sigmoid) >> nn.dense(128, 10, nn.sigmoid)

    def hand(p, x):
        return jax.nn.sigmoid(_dense(p["dense_1"], jax.nn.sigmoid(_dense(p["dense"], x))))
    d = datasets.digits()
    return dict(name="MLP 64-128-10", model=model, loss=learn.mse, hand=hand, hand_loss=_mse, lr=0.1,
                x=d.x / 16.0, y=d.y, k=10)


def mlp_large():
    model = nn.dense(784, 256, nn.relu) >> nn.dense(256, 10)

    def hand(p, x):
        return _dense(p["dense_1"], jax.nn.relu(_dense(p["dense"], x)))
    d = datasets.mnist(flatten=True)
    return dict(name="MLP 784-256-10", model=model, loss=learn.softmax_cross_entropy, hand=hand, hand_loss=_xent,
                lr=0.05, x=d.x, y=d.y, k=10)


def conv_net():
    model = experiments.mnist_conv()

    def hand(p, x):
        h = _pool(jax.nn.relu(_conv(x, p["conv2d"]["K"])))
        h = _pool(jax.nn.relu(_conv(h, p["conv2d_1"]["K"])))
        return jax.nn.sigmoid(_dense(p["dense"], h.reshape(h.shape[0], -1)))
    d = datasets.mnist()
    return dict(name="MNIST conv", model=model, loss=learn.mse, hand=hand, hand_loss=_mse, lr=0.1,
                x=d.x[:, None], y=d.y, k=10)


def iris_hidden():
    model = experiments.model("iris", "hidden")

    def hand(p, x):
        return jax.nn.sigmoid(_dense(p["dense_1"], jax.nn.sigmoid(_dense(p["dense"], x))))
    d = datasets.iris()
    return dict(name="Iris hidden", model=model, loss=learn.mse, hand=hand, hand_loss=_mse, lr=0.01,
                x=d.x, y=d.y, k=3, gd=True)


MODELS = {"mlp_small": mlp_small, "mlp_large": mlp_large, "conv_net": conv_net}


def make(cfg):
    """The catgrad learner and the hand-written (init, step, epoch) for ``cfg``."""
    opt_c = learn.gd() if cfg.get("gd") else learn.momentum(GAMMA)
    lrn = learn.supervised(cfg["model"], cfg["loss"], learn.learning_rate(cfg["lr"]), opt_c)
    tx = optax.sgd(cfg["lr"]) if cfg.get("gd") else optax.sgd(cfg["lr"], momentum=GAMMA)
    model, loss = cfg["hand"], cfg["hand_loss"]

    def objective(p, x, y):
        return loss(model(p, x), y)

    def step(p, s, x, y):
        value, grads = jax.value_and_grad(objective)(p, x, y)
        updates, s = tx.update(grads, s, p)
        return optax.apply_updates(p, updates), s, value

    def epoch(p, s, bx, by):
        def body(c, b):
            p, s, value = step(*c, *b)
            return (p, s), value
        (p, s), values = jax.lax.scan(body, (p, s), (bx, by))
        return p, s, values

    return lrn, tx, step, epoch


def raw_step(lrn, n):
    """The compiled step without input checks: ``jax.jit`` of ``compiled_step(n).apply`` on one input and target."""
    step = lrn.compiled_step(n)
    return jax.jit(lambda st, x, y: step.apply(st, [x], [y])[0])


def data(cfg):
    x = jnp.asarray(cfg["x"], jnp.float32)
    y = jax.nn.one_hot(jnp.asarray(cfg["y"]), cfg["k"], dtype=jnp.float32)
    return x, y


# -- checks and timings ----------------------------------------------------------------------------

def check_same(cfg, steps=3) -> float:
    """Max |catgrad − hand| over all parameters after ``steps`` steps from the same start (untimed)."""
    lrn, tx, step, _ = make(cfg)
    x, y = data(cfg)
    st = lrn.init(jax.random.PRNGKey(0))
    p, s = st.params, tx.init(st.params)
    hand = jax.jit(step)
    for i in range(steps):
        xb, yb = x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]
        st = lrn.step(st, xb, yb)
        p, s, _ = hand(p, s, xb, yb)
    diffs = jax.tree_util.tree_map(lambda a, b: float(jnp.max(jnp.abs(a - b))), st.params, p)
    return max(jax.tree_util.tree_leaves(diffs))


def batches(x, y, n_batches):
    """``n_batches`` device batches of ``BATCH`` examples (cycled through while timing)."""
    return [(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]) for i in range(n_batches)]


def natural(cfg, n_batches=8):
    """Batches as a user passes them: numpy inputs (float32) and numpy integer class labels."""
    x = np.asarray(cfg["x"], np.float32)
    y = np.asarray(cfg["y"]).astype(np.int64)
    return [(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]) for i in range(n_batches)]


def labels_step(cfg, step):
    """The hand-written step taking integer labels: one-hot inside the jitted function."""
    k = cfg["k"]
    return jax.jit(lambda p, s, x, y: step(p, s, x, jax.nn.one_hot(y, k, dtype=jnp.float32)))


def bench_step(cfg, rounds, steps):
    lrn, tx, step, _ = make(cfg)
    x, y = data(cfg)
    bs = batches(x, y, 8)
    nat = natural(cfg)
    st0 = lrn.init(jax.random.PRNGKey(0))
    hand = jax.jit(step)
    hand_nat = labels_step(cfg, step)
    raw = raw_step(lrn, BATCH)
    state = {"hand": (st0.params, tx.init(st0.params)), "raw": st0, "step": st0, "i": 0,
             "hand natural": (st0.params, tx.init(st0.params)), "step natural": st0}

    def nxt(batch_list=bs):
        state["i"] += 1
        return batch_list[state["i"] % len(batch_list)]

    def run_hand():
        xb, yb = nxt()
        p, s, v = hand(*state["hand"], xb, yb)
        state["hand"] = (p, s)
        return p

    def run_raw():
        xb, yb = nxt()
        state["raw"] = raw(state["raw"], xb, yb)
        return state["raw"].params

    def run_step():
        xb, yb = nxt()
        state["step"] = lrn.step(state["step"], xb, yb)
        return state["step"].params

    def run_hand_natural():
        xb, yb = nxt(nat)
        p, s, v = hand_nat(*state["hand natural"], xb, yb)
        state["hand natural"] = (p, s)
        return p

    def run_step_natural():
        xb, yb = nxt(nat)
        state["step natural"] = lrn.step(state["step natural"], xb, yb)
        return state["step natural"].params

    t, c = interleaved({"hand": run_hand, "catgrad raw": run_raw, "catgrad step": run_step,
                        "hand natural": run_hand_natural, "catgrad step natural": run_step_natural},
                       rounds, steps, cpu=True)
    return {k: median(v) for k, v in t.items()}, {k: median(v) for k, v in c.items()}


# -- the public step on integer labels (issue 13.3) ------------------------------------------------

def mlp_labels():
    """MLP 64-128-10 (sigmoid, logits), softmax cross-entropy, Adam(1e-3), on digits with integer labels."""
    model = nn.dense(64, 128, nn.sigmoid) >> nn.dense(128, 10)

    def hand(p, x):
        return _dense(p["dense_1"], jax.nn.sigmoid(_dense(p["dense"], x)))
    d = datasets.digits()
    return dict(name="MLP 64-128-10, softmax CE, Adam", model=model, loss=learn.softmax_cross_entropy, hand=hand,
                hand_loss=_xent, x=d.x / 16.0, y=d.y, k=10)


def bench_labels(rounds, steps):
    """``learner.step`` on integer labels (numpy, as a user passes them, and on the device) and on one-hot
    targets, against the hand-written ``jax.jit(value_and_grad) + optax.adam`` step taking the same labels
    (one-hot inside the jitted function). Also the Python time of a call: ``learner.step`` minus the raw
    compiled step on the same arguments (process CPU time, medians)."""
    cfg = mlp_labels()
    lrn = learn.supervised(cfg["model"], cfg["loss"], 1.0, learn.adam(1e-3))
    tx = optax.adam(1e-3)

    def step(p, s, x, y):
        value, grads = jax.value_and_grad(lambda p: _xent(cfg["hand"](p, x), y))(p)
        updates, s = tx.update(grads, s, p)
        return optax.apply_updates(p, updates), s, value
    hand = labels_step(cfg, step)
    hand_onehot = jax.jit(step)
    raw = raw_step(lrn, BATCH)
    nat = natural(cfg)
    dev = [(jnp.asarray(xb), jnp.asarray(yb, jnp.int32)) for xb, yb in nat]
    onehot = [(xb, jax.nn.one_hot(yb, 10, dtype=jnp.float32)) for xb, yb in dev]
    st0 = lrn.init(jax.random.PRNGKey(0))
    # the same trajectory (untimed): 3 steps of each
    p, s, st = st0.params, tx.init(st0.params), st0
    for xb, yb in nat[:3]:
        p, s, _ = hand(p, s, xb, yb)
        st = lrn.step(st, xb, yb)
    diff = max(float(jnp.max(jnp.abs(a - b))) for a, b in zip(jax.tree_util.tree_leaves(st.params),
                                                              jax.tree_util.tree_leaves(p)))
    state = {k: (st0.params, tx.init(st0.params)) for k in ("hand", "hand np", "hand one-hot")}
    state.update({k: st0 for k in ("step np", "step jax", "step one-hot", "raw")})
    counter = {"i": 0}

    def runner(name, batch_list, fn, catgrad):
        def run():
            counter["i"] += 1
            xb, yb = batch_list[counter["i"] % len(batch_list)]
            if catgrad:
                state[name] = fn(state[name], xb, yb)
                return state[name].params
            p, s, _ = fn(*state[name], xb, yb)
            state[name] = (p, s)
            return p
        return run

    impls = {"hand (device int labels)": runner("hand", dev, hand, False),
             "hand (numpy int labels)": runner("hand np", nat, hand, False),
             "hand (device one-hot)": runner("hand one-hot", onehot, hand_onehot, False),
             "learner.step (numpy int labels)": runner("step np", nat, lrn.step, True),
             "learner.step (device int labels)": runner("step jax", dev, lrn.step, True),
             "learner.step (device one-hot)": runner("step one-hot", onehot, lrn.step, True),
             "raw compiled step (device int labels)": runner("raw", dev, raw, True)}
    t, c = interleaved(impls, rounds, steps, cpu=True)
    return diff, {k: median(v) for k, v in t.items()}, {k: median(v) for k, v in c.items()}


def bench_compile(cfg, repeats):
    """Median first-call time (trace + compile) of a fresh catgrad learner's step and a fresh hand step,
    with catgrad's split into building the step diagram, JAX tracing/lowering and XLA compilation."""
    x, y = data(cfg)
    xb, yb = x[:BATCH], y[:BATCH]
    res = {"hand": [], "catgrad": [], "build": [], "lower": [], "xla": [], "hand lower": [], "hand xla": []}
    for r in range(repeats):
        lrn, tx, step, _ = make(cfg)
        st = lrn.init(jax.random.PRNGKey(0))
        s0 = tx.init(st.params)
        first = {"catgrad": lambda: lrn.step(st, xb, yb), "hand": lambda: jax.jit(step)(st.params, s0, xb, yb)}
        for name in (["catgrad", "hand"] if r % 2 == 0 else ["hand", "catgrad"]):
            t, _ = timed(first[name])
            res[name].append(t)
        # the split, on another fresh learner
        lrn, tx, step, _ = make(cfg)
        t0 = time.perf_counter()
        fn = lrn.compiled_step(BATCH).apply  # builds the step diagram
        t1 = time.perf_counter()
        lowered = jax.jit(fn).lower(st, [xb], [yb])
        t2 = time.perf_counter()
        lowered.compile()
        t3 = time.perf_counter()
        res["build"].append(t1 - t0)
        res["lower"].append(t2 - t1)
        res["xla"].append(t3 - t2)
        t0 = time.perf_counter()
        lowered = jax.jit(step).lower(st.params, s0, xb, yb)
        t1 = time.perf_counter()
        lowered.compile()
        res["hand lower"].append(t1 - t0)
        res["hand xla"].append(time.perf_counter() - t1)
    return {k: median(v) for k, v in res.items()}


def bench_epoch(cfg, rounds, batch_size=BATCH):
    """One epoch over the dataset: fit's scan epoch, Python loops of jitted steps, the hand-written scan."""
    lrn, tx, step, epoch = make(cfg)
    x, y = data(cfg)
    n = x.shape[0]
    nb = n // batch_size
    st0 = lrn.init(jax.random.PRNGKey(0))
    run = lrn.epoch(n, batch_size)  # what fit runs (it replays an epoch guarded only after a NaN)
    raw = raw_step(lrn, batch_size)
    hand_step = jax.jit(step)

    @jax.jit
    def minibatches(key):  # the same permutation as fit's epoch
        perm = jax.random.permutation(key, n)[: nb * batch_size].reshape(nb, batch_size)
        return x[perm], y[perm]

    def hand_fit_epoch(p, s, key):  # as fit: shuffle and gather inside the compiled epoch
        bx, by = minibatches(key)
        return epoch(p, s, bx, by)
    hand_epoch = jax.jit(hand_fit_epoch)

    key = jax.random.PRNGKey(1)
    # the Python loops get their minibatches ready-made, as separate device arrays (untimed)
    bx, by = minibatches(key)
    loop_batches = [(bx[i], by[i]) for i in range(nb)]
    state = {"scan": st0, "raw": st0, "step": st0, "hand": (st0.params, tx.init(st0.params)), "hand scan": (st0.params, tx.init(st0.params))}

    def fit_epoch():
        st, losses, accs, bad = run(state["scan"], [x], [y], key)
        state["scan"] = st
        return st.params

    def loop_raw():
        st = state["raw"]
        for xb, yb in loop_batches:
            st = raw(st, xb, yb)
        state["raw"] = st
        return st.params

    def loop_step():
        st = state["step"]
        for xb, yb in loop_batches:
            st = lrn.step(st, xb, yb)
        state["step"] = st
        return st.params

    def loop_hand():
        p, s = state["hand"]
        for xb, yb in loop_batches:
            p, s, _ = hand_step(p, s, xb, yb)
        state["hand"] = (p, s)
        return p

    def scan_hand():
        p, s, _ = hand_epoch(*state["hand scan"], key)
        state["hand scan"] = (p, s)
        return p

    impls = {"catgrad fit (scan)": fit_epoch, "catgrad loop (raw step)": loop_raw, "catgrad loop (learner.step)": loop_step,
             "hand loop": loop_hand, "hand scan": scan_hand}
    t, c = interleaved(impls, rounds, 1, warmup=2, cpu=True)
    return {k: median(v) for k, v in t.items()}, {k: median(v) for k, v in c.items()}, nb * batch_size


# -- main ------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (≈ 200 steps per implementation)")
    ap.add_argument("--models", default="mlp_small,mlp_large,conv_net", help="comma-separated subset of the models")
    ap.add_argument("--no-epochs", action="store_true", help="skip the epoch and per-example measurements")
    ap.add_argument("--no-labels", action="store_true", help="skip the integer-label step measurement")
    ap.add_argument("--only-labels", action="store_true", help="only the integer-label step measurement")
    args = ap.parse_args(argv)
    rounds, steps = (20, 10) if args.quick else (40, 10)
    compile_repeats = 2 if args.quick else 3
    epoch_rounds = 5 if args.quick else 11

    m = machine()
    print(f"machine: {m['cpu']}, {m['cores']} cores; python {m['python']}, jax {m['jax']} (jaxlib {m['jaxlib']}), "
          f"optax {m['optax']}, backend {m['backend']}")
    print(f"batch {BATCH}; step times: median of {rounds * steps} blocked calls per implementation, "
          f"interleaved in {rounds} rounds\n")

    cfgs = [] if args.only_labels else [MODELS[name]() for name in args.models.split(",")]
    print("same parameters after 3 steps (max |catgrad − hand|):")
    for cfg in cfgs:
        d = check_same(cfg)
        print(f"  {cfg['name']:16s} {d:.2e}  {'ok' if d < 1e-5 else 'MISMATCH'}")
    print()

    step_rows, natural_rows, compile_rows, epoch_rows = [], [], [], []
    if not args.no_labels:
        diff, t, c = bench_labels(rounds, steps)
        base, base_c = t["hand (device int labels)"], c["hand (device int labels)"]
        label_rows = [[name, fmt_time(t[name]), fmt_time(c[name]), f"{t[name] / base:.3f}", f"{c[name] / base_c:.3f}"]
                      for name in t]
        overhead = c["learner.step (device int labels)"] - c["raw compiled step (device int labels)"]
        overhead_np = c["learner.step (numpy int labels)"] - c["hand (numpy int labels)"]
        print(f"\n### {mlp_labels()['name']}, batch {BATCH}: integer labels (max |catgrad − hand| after 3 steps "
              f"{diff:.1e}; median of {rounds * steps} steps each; ratios to the hand-written step on device labels)\n")
        print(markdown(label_rows, ["implementation", "wall", "CPU time", "/ hand (wall)", "/ hand (CPU time)"]))
        print(f"\nPython time per call of learner.step (CPU time, learner.step − raw compiled step, device labels): "
              f"{fmt_time(overhead)}; numpy labels, learner.step − hand step on the same numpy labels: "
              f"{fmt_time(overhead_np)}\n", flush=True)
    if args.only_labels:
        return
    for cfg in cfgs:
        t, c = bench_step(cfg, rounds, steps)
        step_rows.append([cfg["name"], fmt_time(t["hand"]), fmt_time(t["catgrad raw"]), fmt_time(t["catgrad step"]),
                          f"{t['catgrad raw'] / t['hand']:.3f}", f"{t['catgrad step'] / t['hand']:.3f}",
                          f"{c['catgrad raw'] / c['hand']:.3f}", f"{c['catgrad step'] / c['hand']:.3f}"])
        natural_rows.append([cfg["name"], fmt_time(t["hand natural"]), fmt_time(t["catgrad step natural"]),
                             f"{t['catgrad step natural'] / t['hand natural']:.3f}",
                             f"{c['catgrad step natural'] / c['hand natural']:.3f}"])
        print(f"{cfg['name']}: step hand {fmt_time(t['hand'])}, catgrad raw {fmt_time(t['catgrad raw'])}, "
              f"learner.step {fmt_time(t['catgrad step'])}  (cpu: {fmt_time(c['hand'])}, {fmt_time(c['catgrad raw'])}, "
              f"{fmt_time(c['catgrad step'])})", flush=True)
    for cfg in cfgs:
        c = bench_compile(cfg, compile_repeats)
        compile_rows.append([cfg["name"], fmt_time(c["hand"]), fmt_time(c["catgrad"]), f"{c['catgrad'] / c['hand']:.2f}",
                             fmt_time(c["build"]), fmt_time(c["lower"]), fmt_time(c["xla"]),
                             fmt_time(c["hand lower"]), fmt_time(c["hand xla"])])
        print(f"{cfg['name']}: compile hand {fmt_time(c['hand'])}, catgrad {fmt_time(c['catgrad'])}", flush=True)

    print(f"\n### Step time, batch {BATCH} (median of {rounds * steps} steps per implementation; ratio < 1: catgrad faster)\n")
    print(markdown(step_rows, ["model", "hand jit(value_and_grad)+optax", "catgrad raw jitted step", "catgrad learner.step",
                               "raw / hand", "learner.step / hand", "raw / hand (CPU time)", "learner.step / hand (CPU time)"]))
    print(f"\n### Step time on each model's natural inputs: numpy float32 inputs and numpy integer labels, as a user "
          f"passes them (the hand-written step makes them one-hot inside its jitted function)\n")
    print(markdown(natural_rows, ["model", "hand", "catgrad learner.step", "learner.step / hand",
                                  "learner.step / hand (CPU time)"]))
    print(f"\n### Compile time: first call of a fresh step, trace + compile (median of {compile_repeats})\n")
    print(markdown(compile_rows, ["model", "hand", "catgrad (fresh learner)", "catgrad / hand", "catgrad: build step diagram",
                                  "catgrad: JAX trace+lower", "catgrad: XLA compile", "hand: trace+lower", "hand: XLA compile"]))
    if args.no_epochs:
        return

    iris = iris_hidden()
    per_example = {}
    for cfg, bsz in [(c, BATCH) for c in cfgs] + [(iris, 1)]:
        t, c, n_ex = bench_epoch(cfg, epoch_rounds, bsz)
        scan = t["catgrad fit (scan)"]
        epoch_rows.append([f"{cfg['name']} (N={n_ex}, batch {bsz})", fmt_time(scan), fmt_time(t["catgrad loop (raw step)"]),
                           fmt_time(t["catgrad loop (learner.step)"]), fmt_time(t["hand scan"]), fmt_time(t["hand loop"]),
                           f"{t['catgrad loop (learner.step)'] / scan:.2f}", f"{scan / t['hand scan']:.2f}"])
        per_example[cfg["name"]] = (scan / n_ex, c["catgrad fit (scan)"] / n_ex)
        print(f"{cfg['name']} epoch: fit scan {fmt_time(scan)}, loop of learner.step "
              f"{fmt_time(t['catgrad loop (learner.step)'])}, hand scan {fmt_time(t['hand scan'])}", flush=True)

    print(f"\n### One epoch (median of {epoch_rounds})\n")
    print(markdown(epoch_rows, ["model", "catgrad fit (scan)", "loop of raw jitted step", "loop of learner.step",
                                "hand scan", "hand loop", "learner.step loop / fit", "fit / hand scan"]))
    print("\n### Per-example cost (catgrad fit epoch time / examples) against the numpy reference implementation\n")
    rows = []
    for name, label in [("Iris hidden", "Iris hidden 4-20-3 (batch 1, scan)"), ("MNIST conv", "MNIST conv (batch 128, scan)")]:
        if name not in per_example:
            continue
        wall, cpu_t = per_example[name]
        ref = REFERENCE["iris" if name == "Iris hidden" else "conv"]
        rows.append([label, fmt_time(wall), fmt_time(cpu_t), fmt_time(ref), f"{ref / wall:.0f}×"])
    print(markdown(rows, ["model", "catgrad per example (wall)", "(CPU time)", "numpy reference", "speed-up (wall)"]))


if __name__ == "__main__":
    main()
