"""Boolean circuits: the category Poly_Z2 of polynomial circuits over Z2 [RDA; CFGBL §5].

The same syntax, the same ``rdiff``, ``Lens`` and ``Para`` as the smooth case; only the
semantics changes. Wires are ``Z2(shape) = Array(shape, "bool")``; the generators are ``xor``
(the additive structure ``add``), ``and_``, ``z2_zero`` (``catgrad.zero`` on Z2), ``one``, with ``copy``
and ``discard`` as wiring; ``not_`` and ``or_`` are composites; ``threshold`` is [RDA]'s pseudo-linear unit.

- ``to_gf2``: the polynomials over GF(2) of a circuit (its symbolic semantics);
- ``compile_z2`` / ``check_binary``: the JAX meaning on bool arrays, with 0/1 data checked;
- ``catgrad.boolean.layers``: [RDA]'s lookup-table model, pseudo-linear layer and a deeper
  network of learnable gates with learnable input masks.

>>> import catgrad as cg
>>> from catgrad.boolean import Z2, and_, to_gf2
>>> f = and_(Z2(()))
>>> to_gf2(cg.rdiff(f))
(x1*x2, x0*x2)
"""
from .gates import Z2, and_, xor, z2_zero, one, bits, not_, or_, threshold, threshold_flips, ANF_MAX_BITS
from .semantics import to_gf2, gf2_polys, evaluate_gf2, check_binary, compile_z2
from . import layers
from .layers import (zeros, random_bits, one_hot_basis, lookup_table, pseudo_linear, gate_layer, gate_network,
                     tuple_tables, table_forest, replicate, vote, missed_ones_loss)

__all__ = ["Z2", "and_", "xor", "z2_zero", "one", "bits", "not_", "or_", "threshold", "threshold_flips",
           "ANF_MAX_BITS", "to_gf2", "gf2_polys", "evaluate_gf2", "check_binary", "compile_z2",
           "layers", "zeros", "random_bits", "one_hot_basis", "lookup_table", "pseudo_linear", "gate_layer",
           "gate_network", "tuple_tables", "table_forest", "replicate", "vote", "missed_ones_loss"]
