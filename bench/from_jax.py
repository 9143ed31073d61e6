"""The largest |R[from_jax(fn)] − jax.vjp(fn)| over N random compositions of jax.numpy functions.

The programs and the check are tests/test_from_jax.py's property test (its strategy, its ``_check``);
here it runs N cases (default 300) with no example database and prints the largest difference seen.

    PYTHONPATH=. python bench/from_jax.py 300
"""
from __future__ import annotations

import pathlib
import sys

from hypothesis import given, settings, strategies as st

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))
import test_from_jax as t  # noqa: E402

if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300

    @settings(max_examples=n, deadline=None, database=None)
    @given(steps=t.programs(), seed=st.integers(0, 1000))
    def run(steps, seed):
        t.test_r_of_from_jax_is_jax_vjp_on_random_compositions.hypothesis.inner_test(steps, seed)

    run()
    print(f"{t.MAX_DIFF['cases']} cases, largest |R[from_jax(fn)] - jax.vjp(fn)| = {t.MAX_DIFF['value']:.3g}")
