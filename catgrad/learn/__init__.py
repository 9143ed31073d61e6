"""Learning as lenses: losses, learning rates, optimisers, learners and the fit loop."""
from .losses import loss_para, mse, softmax_cross_entropy, binary_cross_entropy, xor_loss
from .rates import learning_rate, identity_rate
from .optimisers import (Optimiser, optimiser_lens, init_state, gd, momentum, nesterov, adagrad, rmsprop, adam, rda,
                         EmptyState, MomentumState, AdagradState, RmspropState, AdamState)
from .learner import Learner, TrainState, CompiledStep, CompiledEpoch, LabelError, supervised, accuracy, correct
from .fit import fit, NonFiniteError
from .dream import dreamer, deep_dream, dream

#: Another name for ``identity_rate``, so that ``supervised(model, xor_loss, identity, rda)`` reads as [RDA].
identity = identity_rate
from .optax_lens import OptaxOptimiser, optax_optimiser
from .checkpoint import save, load, read_manifest, CheckpointError
