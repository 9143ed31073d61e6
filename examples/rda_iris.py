"""[RDA] Table 1, Iris: a lookup table learned by reverse derivative ascent, then a better circuit.

Protocol of Wilson & Zanasi (ACT 2020, arXiv:2101.10488): features min-max normalised and
thresholded at 0.5; per class the first 25 rows train, the last 25 test; no shuffle; zero initial
table; one online pass of ``supervised(lookup_table(4, b), xor_loss, identity_rate, rda())``.

    python examples/rda_iris.py
    python examples/rda_iris.py --ablation   # smaller forests, leaves learned against leaves fixed
"""
import sys

import numpy as np

from catgrad.boolean import experiments as ex

def ablation():
    """Mean test accuracy over seeds 0-4 of forests with learned and with fixed (random) leaves."""
    for trees, fan_in, leaf_bits in ((8, 4, 4), (16, 4, 4), (16, 2, 4), (32, 4, 2), (16, 4, 3), (64, 4, 4)):
        means = [np.mean([ex.iris_forest(trees, fan_in, leaf_bits, seed=s, learn_leaves=ll).test_accuracy
                          for s in range(5)]) for ll in (True, False)]
        print(f"  {trees:3d} trees of {fan_in} leaves on {leaf_bits} bits: learned leaves {100 * means[0]:.1f}%, "
              f"fixed leaves {100 * means[1]:.1f}%", flush=True)


if __name__ == "__main__" and "--ablation" in sys.argv:
    ablation()
elif __name__ == "__main__":
    print("[RDA] Table 1, Iris (online, batch 1):")
    for classes, labels in ((2, "binary"), (2, "one-hot"), (3, "binary"), (3, "one-hot")):
        print(" ", ex.iris_table1(classes, labels).line())
    print("  with the UCI file's rows 35 and 38, as the paper read them:")
    print(" ", ex.iris_table1(3, "one-hot", uci_rows=True).line())
    print("batched (one batch of all 75 rows: the XOR of the per-example updates):")
    print(" ", ex.iris_table1(3, "one-hot", batch_size=75).line())
    print("better circuit: 6 lookup tables on the feature pairs, 5-level thermometer code, plurality vote:")
    print(" ", ex.iris_ensemble().line())
    print("a deeper circuit: a forest of 64 two-level table trees, leaves and roots trained by RDA, seeds 0-4;")
    print("then the same forests with their leaves fixed at random (reparametrised by a constant):")
    for learn_leaves in (True, False):
        runs = [ex.iris_forest(seed=seed, learn_leaves=learn_leaves) for seed in range(5)]
        for r in runs:
            print(" ", r.line())
        print(f"  mean test accuracy {100 * sum(r.test_accuracy for r in runs) / len(runs):.1f}%")
