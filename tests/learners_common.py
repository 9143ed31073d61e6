"""Shared by the tests of ``catgrad.learners``: float64 on, running a diagram, and learners compared by values."""
from __future__ import annotations

import jax
import pytest

import catgrad as cg
from strategies import assert_close, inputs


@pytest.fixture(autouse=True)
def x64():
    """float64 for every test of a module that imports this fixture."""
    with jax.enable_x64(True):
        yield


def run(d, args) -> tuple:
    return cg.to_jax(d)(*args)


def check_learners_equal(l1, l2, seed: int, what: str, tol: dict):
    """Same types; the same ``I``, ``U`` and ``r`` on the same random (parameters, input, target)."""
    assert (l1.param, l1.dom, l1.cod) == (l2.param, l2.dom, l2.cod), f"{what}: {l1!r} vs {l2!r}"
    pab = inputs(l1.param @ l1.dom @ l1.cod, seed)
    pa = pab[:len(l1.param) + len(l1.dom)]
    assert_close(run(l1.implement, pa), run(l2.implement, pa), tol, f"{what}: implement")
    assert_close(run(l1.update, pab), run(l2.update, pab), tol, f"{what}: update")
    assert_close(run(l1.request, pab), run(l2.request, pab), tol, f"{what}: request")
