"""[CFGBL §6] Iris: linear, dense and hidden-layer classifiers, MSE, per example, gd α = 0.01, 400 epochs.

    python examples/iris.py                 # the three models, 5 seeds, train-on-all and 80/20 split
    python examples/iris.py --optimisers    # also every optimiser on the hidden model

Prints, per model and seed: the train accuracy when training on all 150 examples (the paper's
figure) and, in a separate run, train and test accuracy on a stratified 120 / 30 split.
"""
from __future__ import annotations

import argparse

import numpy as np

from catgrad import experiments as E


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--models", nargs="+", default=["linear", "dense", "hidden"])
    ap.add_argument("--optimisers", action="store_true")
    args = ap.parse_args(argv)
    full, split = E.load("iris", test_fraction=0), E.load("iris", test_fraction=0.2)
    results = {}
    for m in args.models:
        p = E.protocol("iris", m)
        all_acc = [E.train(p, full, s, validation=False).train_accuracy for s in args.seeds]
        runs = [E.train(p, split, s) for s in args.seeds]
        tr, te = [r.train_accuracy for r in runs], [r.test_accuracy for r in runs]
        results[m] = {"all": all_acc, "split_train": tr, "split_test": te}
        fmt = lambda xs: " ".join(f"{x:.3f}" for x in xs)  # noqa: E731
        print(f"{m:7s} train on all 150: {fmt(all_acc)}  (median {np.median(all_acc):.3f})")
        print(f"{'':7s} 120/30 split: train {fmt(tr)} (median {np.median(tr):.3f}); "
              f"test {fmt(te)} (median {np.median(te):.3f})", flush=True)
    if args.optimisers:
        for name in E.OPTIMISERS:
            lr, epochs = E.IRIS_OPTIMISER_SETTINGS[name]
            p = E.protocol("iris", "hidden").replace(optimiser=name, lr=lr, epochs=epochs)
            accs = [E.train(p, full, s, validation=False).train_accuracy for s in args.seeds]
            results[name] = accs
            print(f"hidden, {name:8s} lr {lr:<6} {epochs:3d} epochs: train accuracy "
                  f"{' '.join(f'{a:.3f}' for a in accs)} (median {np.median(accs):.3f})", flush=True)
    return results


if __name__ == "__main__":
    main()
