"""The README: its quick start is what CI runs, and its ```python blocks run as written."""
from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list:
    return re.findall(rf"^```{lang}\n(.*?)^```", README, flags=re.S | re.M)


def test_quick_start_is_two_commands_and_the_second_is_what_ci_runs():
    quick = re.search(r"^```\n(.*?)^```", README, flags=re.S | re.M).group(1).strip().splitlines()
    assert len(quick) == 2
    install, train = quick[0].split(" && ")
    assert train == "catgrad train iris"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.startswith("#")]
    assert ci[-1] == quick[1] == "python -m pytest"
    # what CI installs is what the README says: the dev and docs extras, without which the notebook and
    # site tests would skip
    ci_install = [line for line in ci if "pip install" in line and '".[' in line]
    assert [line.replace("python -m ", "").replace(" --quiet", "") for line in ci_install] == [install]
    assert install == 'pip install -e ".[dev,docs]"'



def test_python_blocks_run_in_order():
    blocks = _blocks("python")
    assert len(blocks) >= 4
    namespace: dict = {"__name__": "readme"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)  # noqa: S102


def test_links_to_docs_exist():
    for target in re.findall(r"\]\(((?:docs|bench)/[^)]+)\)", README):
        if target.startswith("bench/"):
            continue  # written by the benchmark helper
        assert (ROOT / target).is_file(), target
