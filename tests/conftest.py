"""Shared fixtures: float64 mode (restored afterwards) and the hypothesis profile.

``jax.enable_x64`` (a context manager, new in jax 0.8) is ``jax.experimental.enable_x64`` on the
older jax versions that pyproject.toml admits; the tests use it by its new name on every version.

The profile is derandomized (a fixed sequence of examples, so CI is stable) and has no
deadline (the first example of a test pays for JAX's tracing caches).
"""
from __future__ import annotations

import os

import jax
import pytest
from hypothesis import HealthCheck, settings

if not hasattr(jax, "enable_x64"):  # jax < 0.8 (pyproject admits ≥ 0.4.30): the same context manager, older home
    from jax.experimental import enable_x64 as _enable_x64

    jax.enable_x64 = _enable_x64

settings.register_profile(
    "catgrad",
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("random", deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("CATGRAD_HYPOTHESIS_PROFILE", "catgrad"))


@pytest.fixture
def x64():
    """Enable float64 in JAX for the duration of one test, then restore the previous setting."""
    with jax.enable_x64(True):
        yield
    assert not jax.config.jax_enable_x64 or os.environ.get("JAX_ENABLE_X64")


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    """Each test using it runs twice: in float32, and in float64 with x64 enabled (restored after)."""
    if request.param == "float64":
        with jax.enable_x64(True):
            yield request.param
    else:
        yield request.param

