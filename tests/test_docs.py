"""The documentation site: ``sphinx-build -W --keep-going`` on docs/ (warnings are errors).

The build runs in a subprocess into a temporary directory. It executes the how-to pages and
renders the course's notebooks from the executed copies that tests/test_notebooks.py leaves in
the cache (running any that are missing or stale, once). The built pages are then checked: every
tutorial and how-to page is there with its outputs, diagrams are catgrad's own SVG, and every
public name has its reference page. The docstring examples shown in the reference run as doctests
under ``--doctest-modules`` (pytest's default options); here the reference is checked to show them.

Needs the ``docs`` extra; skipped without it.
"""
from __future__ import annotations

import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import course  # noqa: E402

pytest.importorskip("sphinx")
pytest.importorskip("myst_nb")
pytest.importorskip("furo")
pytest.importorskip("nbclient")

BUILD_LIMIT = 900  # seconds


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site, once per test session: under pytest-xdist the workers share one build (the
    first to take the lock builds into the session's common temporary folder, the others reuse it)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # this session's folder
    out, done = shared / "docs-html", shared / "docs-html.ok"
    with course._locked(shared / "docs-html.lock"):
        if not done.exists():
            _build(out)
            done.write_text("ok")
    return out


def _build(out: pathlib.Path) -> None:
    for nb in course.notebooks():  # the course once, shared with test_notebooks through the cache
        course.executed(nb)
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", str(DOCS), str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=BUILD_LIMIT)
    print(f"sphinx-build: {time.perf_counter() - t0:.0f} s")
    problems = [line for line in proc.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert proc.returncode == 0, "sphinx-build failed:\n" + "\n".join(problems or proc.stderr.splitlines()[-40:])


def test_builds_without_warnings(site):
    assert (site / "index.html").is_file()


def test_every_page_of_the_site_is_built(site):
    for page in ["getting-started", "mathematics", "results", "boolean", "tutorials/index", "howto/index",
                 "api/index", "api/catgrad", "api/nn", "api/learn", "api/datasets", "api/boolean", "api/learners", "api/parallel"]:
        assert (site / f"{page}.html").is_file(), page
    for nb in course.notebooks():
        assert (site / "tutorials" / f"{nb.stem}.html").is_file(), nb.stem
    for md in (DOCS / "howto").glob("*.md"):
        assert (site / "howto" / f"{md.stem}.html").is_file(), md.stem


def test_tutorials_show_their_outputs_and_formulas(site):
    for nb in course.notebooks():
        html = (site / "tutorials" / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{nb.stem}: no outputs rendered"
        assert "math notranslate" in html, f"{nb.stem}: no formula rendered"
        assert "Exercise" in html


def test_how_to_pages_were_executed(site):
    for md in (DOCS / "howto").glob("*.md"):
        if md.stem == "index":
            continue
        html = (site / "howto" / f"{md.stem}.html").read_text(encoding="utf-8")
        assert "cell_output" in html, f"{md.stem}: no outputs"
        assert "Traceback" not in html, f"{md.stem}: an error was rendered"


def _svg_images(site, page: str) -> list:
    html = (site / page).read_text(encoding="utf-8")
    return [(site / page).parent / src for src in re.findall(r'<img[^>]*src="([^"]+\.svg)"', html)]


def test_diagrams_are_catgrads_own_svg(site):
    """The pictures of diagrams are SVG files written by catgrad's own writer (no graphviz): the
    first tutorial's first picture is, byte for byte, ``draw(f).to_svg()`` of its first diagram."""
    import catgrad as cg

    A = cg.Array((3,))
    expected = cg.draw(cg.sigmoid(A) >> cg.copy(A) >> cg.mul(A)).to_svg().strip()
    images = _svg_images(site, "tutorials/01_string_diagrams.html")
    assert images, "no SVG picture in the first tutorial"
    assert any(p.read_text(encoding="utf-8").strip() == expected for p in images)
    for nb in course.notebooks():
        for p in _svg_images(site, f"tutorials/{nb.stem}.html"):
            head = p.read_text(encoding="utf-8")[:300]
            assert head.startswith("<svg") and "monospace" in head, f"{nb.stem}: {p.name} is not catgrad's SVG"
    assert "graphviz" not in (site / "tutorials" / "01_string_diagrams.html").read_text(encoding="utf-8").lower()


def test_reference_pages_show_examples(site):
    page = (site / "api" / "generated" / "catgrad.rdiff.html").read_text(encoding="utf-8")
    assert "&gt;&gt;&gt;" in page or "highlight-pycon" in page, "the docstring example is not shown"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _rendered(page: pathlib.Path) -> str:
    """The page's DOM after its scripts ran, in headless Chromium with every host name unresolvable
    (so nothing comes from the network: the site must carry its MathJax)."""
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND",
                           "--virtual-time-budget=15000", "--window-size=1400,1000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (CI installs Debian's chromium package)")
@pytest.mark.parametrize("page", ["index.html", "tutorials/02_reverse_derivative.html", "mathematics.html",
                                  "api/catgrad.html"])
def test_pages_typeset_their_mathematics_offline_in_a_browser(site, page):
    path = site / page
    dom = _rendered(path)
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", dom, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    if 'class="math' in path.read_text(encoding="utf-8"):
        assert "mjx-container" in dom, f"MathJax did not typeset {page}"
    assert "\\(" not in text and "\\[" not in text, f"raw TeX left in {page}"
    if page.startswith("tutorials/"):
        assert re.search(r"<img[^>]+\.svg|<svg", dom), f"no drawing in {page}"


_PROBE = ("<script>window.addEventListener('load', () => { const r = [...document.querySelectorAll('img')]"
          ".filter(i => (i.getAttribute('src') || '').endsWith('.svg'))"
          ".map(i => [i.getAttribute('src'), i.getBoundingClientRect().width, i.naturalWidth]);"
          " document.body.setAttribute('data-probe', JSON.stringify(r)); });</script>")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium (CI installs Debian's chromium package)")
def test_drawings_are_shown_with_readable_labels(site):
    """On a 1,400 px wide window, every drawing of the learner tutorial (the widest, 2,000+ px) is shown
    at a scale where its smallest label is at least 9 px: the label's font size times the shown width
    over the drawing's own width."""
    page = site / "tutorials" / "04_learner.html"
    probe = page.with_name("_probe_" + page.name)
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    try:
        dom = _rendered(probe)
    finally:
        probe.unlink()
    rows = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom).group(1)))
    assert rows, "no drawing on the page"
    for src, shown, own in rows:
        svg = (page.parent / src).read_text(encoding="utf-8")
        smallest = min(float(s) for s in re.findall(r'font-size[=:]"?\s*([\d.]+)', svg))
        assert smallest * shown / own >= 8.9, f"{src}: labels of {smallest} px shown at {shown:.0f}/{own} px"
