"""``catgrad train DATASET --boolean``: the RDA experiments of ``catgrad.boolean.experiments`` from the
command line (called by ``catgrad.cli``)."""
from __future__ import annotations

import argparse

from .experiments import (Result, digits_ensemble, iris_ensemble, iris_forest, iris_table1, mnist01,
                          mnist01_ensemble)

MODELS = {
    "iris": ("ensemble", "table", "table-binary", "table-uci", "forest"),
    "digits": ("tuples", "tuples-xor"),
    "mnist": ("pseudo-linear", "tuples"),
}


def train_cli(args: argparse.Namespace) -> list:
    """``catgrad train DATASET --boolean``: run the RDA experiments for ``args.dataset``, print, return Results.

    Reads ``args.dataset`` (``iris`` | ``digits`` | ``mnist``), ``args.epochs`` (None: 1, the
    [RDA] protocol; 3 for the Iris forest), ``args.seed`` (the ensembles' random tuples), ``args.data`` (MNIST IDX
    directory or None: MNIST rows are taken in file order, as [RDA]) and ``args.model`` (None:
    the default of ``MODELS[dataset]``; for Iris the paper's Table 1 is printed too).
    """
    dataset = getattr(args, "dataset", None)
    if dataset not in MODELS:
        raise ValueError(f"--boolean: dataset must be one of {', '.join(MODELS)}, got {dataset!r}")
    model = getattr(args, "model", None) or MODELS[dataset][0]
    if model not in MODELS[dataset]:
        raise ValueError(f"--boolean: model for {dataset} must be one of {', '.join(MODELS[dataset])}, got {model!r}")
    epochs = getattr(args, "epochs", None) or 1
    seed = getattr(args, "seed", None) or 0
    path = getattr(args, "data", None)
    results = []

    def report(r: Result):
        print(r.line(), flush=True)
        results.append(r)

    if dataset == "iris":
        if getattr(args, "model", None) is None:
            print("[RDA] Table 1 (lookup table, one online pass, zero initial table):")
            for c, lab in ((2, "binary"), (2, "one-hot"), (3, "binary"), (3, "one-hot")):
                report(iris_table1(c, lab))
            report(iris_table1(3, "one-hot", uci_rows=True))
            print("better circuit:")
        if model == "ensemble":
            report(iris_ensemble(epochs=epochs, log=print))
        elif model == "forest":
            report(iris_forest(seed=seed, epochs=getattr(args, "epochs", None) or 3, log=print))
        else:
            labels = "binary" if model == "table-binary" else "one-hot"
            report(iris_table1(3, labels, uci_rows=model == "table-uci", epochs=epochs, log=print))
    elif dataset == "digits":
        report(digits_ensemble(seed=seed, loss="xor" if model == "tuples-xor" else "missed-ones", epochs=epochs,
                               log=print))
    elif model == "tuples":
        report(mnist01_ensemble(path, seed=seed, epochs=epochs, log=print))
    else:
        report(mnist01(path, log=print))
    return results


__all__ = ["MODELS", "train_cli"]
