"""catgrad: gradient-based learning as parametrised lenses in a reverse-derivative category.

Models, losses, learning rates and optimisers are morphisms of one syntax (string
diagrams over array types); ``rdiff`` gives each its reverse derivative as another
diagram; ``compile`` turns any diagram into one jitted JAX function.

>>> import catgrad as cg
>>> A = cg.Array((3,))
>>> f = cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)
>>> cg.rdiff(f).dom
Ty(f32[3], f32[3])
"""
from .core.objects import Array, Ty
from .core.diagram import Diagram, Wire, identity, swap, copy, discard, wiring, pair, proj, trace, apply, composite
from .core.signature import Generator, declare, lookup
from .core.generators import (
    neg, exp, log, sin, cos, sqrt, sigmoid, tanh, relu, heaviside, scale, pow, sum, broadcast, reshape,
    transpose, softmax, logsumexp, argmax, einsum, matmul, broadcast_to, add, mul, div, sub, zero, constant,
)
from .core.conv import conv2d
from .core.pool import max_pool2d
from .core.indexing import gather, scatter_add
from .core.select import select, compare
from .core.special import erf, stop_gradient
from .core.scan import scan
from .rdiff import rdiff
from .batch import batch
from .lens import Lens
from .para import Para, reparam
from .semantics.jax import to_jax, compile
from .semantics.sympy import to_sympy, symbols
from .semantics.graph import to_networkx
from .semantics.functor import interpret
from .semantics.formula import formula, Formula
from .from_jax import from_jax, UnsupportedPrimitiveError
from .drawing import draw, draw_equation, Drawing
from .errors import NotDifferentiableError, UnknownGeneratorError, SemanticsError

from . import nn, learn, datasets, learners
from .deploy import export

__version__ = "0.1.0"
