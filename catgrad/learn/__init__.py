"""Learning as lenses: losses, learning rates, optimisers, learners and the fit loop."""
from .losses import loss_para, mse, softmax_cross_entropy, binary_cross_entropy, xor_loss
from .rates import learning_rate, identity_rate
from .optimisers import (Optimiser, elementwise, gd, momentum, nesterov, adagrad, rmsprop, adam, rda,
                         EmptyState, MomentumState, AdagradState, RmspropState, AdamState)
from .learner import Learner, TrainState, Parts, supervised
from .data import LabelError
from .evaluation import accuracy, correct
from .step import CompiledStep, CompiledEpoch
from .fit import fit, NonFiniteError
from .dream import dreamer, deep_dream, dream
from .optax_lens import optax_optimiser
from ..checkpoint import save, load, read_manifest, CheckpointError
