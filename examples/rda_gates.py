"""How far plain RDA trains ``gate_network``, catgrad's deeper boolean architecture.

Each unit XORs the inputs picked by two learnable masks and applies a learnable two-input gate.
Trained by the one RDA learner (online, examples shuffled each epoch, 50 epochs), from the
layer's random initialisation, on all 64 inputs of four 6-bit functions and on three-class Iris
(5-level thermometer codes, [RDA]'s 25/25 split per class). Accuracy is an exact match.

    python examples/rda_gates.py
"""
import itertools

import jax
import numpy as np

from catgrad import learn
from catgrad.boolean import experiments as ex
from catgrad.boolean import gate_network

X = np.array(list(itertools.product([0, 1], repeat=6)), bool)
TARGETS = {
    "parity of x0..x2": X[:, :3].sum(1) % 2 == 1,
    "x0 x1 + x2 x3 (or)": (X[:, 0] & X[:, 1]) | (X[:, 2] & X[:, 3]),
    "majority of x0..x2": X[:, :3].sum(1) >= 2,
    "multiplexer x0 ? x1 : x2": np.where(X[:, 0], X[:, 1], X[:, 2]),
}


def train(widths, x, y, seed, epochs=50):
    lrn = ex.rda_learner(gate_network(widths))
    state, _ = learn.fit(lrn, lrn.init(jax.random.PRNGKey(seed)), x, y, epochs=epochs, batch_size=1,
                         key=jax.random.PRNGKey(seed), progress=False)
    return lrn, state


if __name__ == "__main__":
    seeds = range(5)
    for name, y in TARGETS.items():
        for widths in ([6, 1], [6, 8, 1], [6, 16, 8, 1]):
            accs = [lrn.evaluate(st.params, X, y[:, None])["accuracy"]
                    for lrn, st in (train(widths, X, y[:, None], s) for s in seeds)]
            print(f"{name:26s} {str(widths):14s} train accuracy over seeds 0-4: "
                  f"{' '.join(f'{a:.2f}' for a in accs)}", flush=True)
    xtr, ytr, xte, yte = ex.iris_binary(3, levels=5)
    Ytr, Yte = ex.one_hot_labels(ytr, 3), ex.one_hot_labels(yte, 3)
    for widths in ([20, 3], [20, 16, 3]):
        res = []
        for s in seeds:
            lrn, st = train(widths, xtr, Ytr, s)
            res.append(f"{lrn.evaluate(st.params, xtr, Ytr)['accuracy']:.2f}/{lrn.evaluate(st.params, xte, Yte)['accuracy']:.2f}")
        print(f"{'Iris three-class':26s} {str(widths):14s} train/test over seeds 0-4: {' '.join(res)}", flush=True)
