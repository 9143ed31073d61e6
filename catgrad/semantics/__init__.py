"""Semantics: functors out of the syntax (JAX, sympy, networkx)."""
