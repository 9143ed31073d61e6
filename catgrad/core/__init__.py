"""The syntax: objects, diagrams, the signature of generators."""
from .objects import Array, Ty, as_ty
from .diagram import (Diagram, Op, Wire, identity, swap, copy, discard, wiring, pair, proj, trace, apply, composite,
                      arguments, wires)
from .signature import Generator, declare, lookup, SIGNATURE, Literal
from . import generators
from . import conv
from . import pool
from . import indexing
from . import scan as loops
