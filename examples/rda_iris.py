"""[RDA] Table 1, Iris: a lookup table learned by reverse derivative ascent, then a better circuit.

Protocol of Wilson & Zanasi (ACT 2020, arXiv:2101.10488): features min-max normalised and
thresholded at 0.5; per class the first 25 rows train, the last 25 test; no shuffle; zero initial
table; one online pass of ``supervised(lookup_table(4, b), xor_loss, identity_rate, rda())``.

    python examples/rda_iris.py
"""
from catgrad.boolean import experiments as ex

if __name__ == "__main__":
    print("[RDA] Table 1, Iris (online, batch 1):")
    for classes, labels in ((2, "binary"), (2, "one-hot"), (3, "binary"), (3, "one-hot")):
        print(" ", ex.iris_table1(classes, labels).line())
    print("  with the UCI file's rows 35 and 38, as the paper read them:")
    print(" ", ex.iris_table1(3, "one-hot", uci_rows=True).line())
    print("batched (one batch of all 75 rows: the XOR of the per-example updates):")
    print(" ", ex.iris_table1(3, "one-hot", batch_size=75).line())
    print("better circuit: 6 lookup tables on the feature pairs, 5-level thermometer code, plurality vote:")
    print(" ", ex.iris_ensemble().line())
