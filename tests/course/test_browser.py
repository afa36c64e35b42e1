"""The lectures in a real browser: JupyterLab + Debian's chromium, driven by Playwright.

For every lecture notebook: open it in JupyterLab, run all cells, wait until
the kernel is done, and find no error output.  In lectures 1 and 5, move a
slider with the keyboard and check that the rendered figure changed (pixel
difference of the widget's image before and after).  Screenshots are saved
under ``test-artifacts/browser/`` (or ``$DESCENT_ARTIFACTS``).

The notebooks are copied to a temporary folder first, so running them in the
browser cannot save outputs into the repository.  Chromium is Debian's
(``/usr/bin/chromium``, installed by ``.ci/run``); Playwright never downloads
a browser.  Without chromium the test is skipped locally and FAILS in CI
(``DESCENT_CI=1``, set by ``.ci/run``).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import numpy as np
import pytest

import course_env
from _net import free_port
from lecture_widgets import widget_call

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("DESCENT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("DESCENT_ARTIFACTS", ROOT / "test-artifacts" / "browser"))
LECTURES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
SLIDER_NOTEBOOKS = {"01_gradient_descent.ipynb", "05_momentum_adaptive.ipynb"}

pytestmark = pytest.mark.slow



@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        msg = (f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium; "
               f".ci/run does this in CI)")
        if os.environ.get("DESCENT_CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the lecture notebooks; yields (base_url, token, folder)."""
    root = tmp_path_factory.mktemp("lab")
    folder = root / "notebooks"
    folder.mkdir()
    for nb in LECTURES:
        shutil.copy(nb, folder / nb.name)
    settings = root / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    # render every cell (JupyterLab 4 otherwise only renders the cells in view)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = free_port(), "descent-browser-test"
    env = course_env.apply(dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(root / "settings"),
                                JUPYTER_RUNTIME_DIR=str(root / "runtime")), headless=True)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
           f"--LabApp.workspaces_dir={root / 'workspaces'}"]
    log = open(root / "jupyterlab.log", "w")
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (root / "jupyterlab.log").read_text()
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within 90 s:\n" + (root / "jupyterlab.log").read_text())
        yield base, token, folder
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def _run_all(page, name: str, timeout_s: float = 240) -> None:
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # the kernel is connected when the status bar reads "Python 3 (ipykernel) | Idle"
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=120_000)
    n_code = page.locator(".jp-CodeCell").count()

    def run_all():
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()

    run_all()
    started = time.monotonic()
    deadline = started + timeout_s
    retried = False
    while time.monotonic() < deadline:
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        if not retried and time.monotonic() - started > 20 and all(p.strip() == "[ ]:" for p in prompts):
            run_all()  # the first request raced the kernel's start-up: nothing ran
            retried = True
        done = [p for p in prompts if p.strip().startswith("[") and p.strip()[1:-2].strip().isdigit()]
        if len(done) == n_code and not any("*" in p for p in prompts):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"{name}: the cells did not finish within {timeout_s:.0f} s; prompts {prompts}")
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)


@pytest.mark.parametrize("nb", LECTURES, ids=lambda p: p.name)
def test_lecture_runs_in_the_browser(browser, lab, nb):
    base, token, folder = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        # ?reset: start from an empty workspace, with only this notebook open
        page.goto(f"{base}/lab/tree/{nb.name}?reset&token={token}", timeout=60_000)
        _run_all(page, nb.name)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        texts = errors.all_inner_texts()
        page.screenshot(path=str(ARTIFACTS / f"{nb.stem}.png"), full_page=True)
        assert not texts, f"{nb.name}: error output in the browser: {[t[:300] for t in texts]}"
        if any(widget_call(c.source) for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code"):
            assert page.locator(".jp-OutputArea-output .jupyter-widgets").count() > 0, f"{nb.name}: no widget rendered"
        broken = page.locator(".jp-OutputArea-output", has_text="Error displaying widget").count()
        assert broken == 0, f"{nb.name}: {broken} widget(s) failed to display"
        if nb.name in SLIDER_NOTEBOOKS:
            _move_a_slider(page, nb)
    finally:
        page.close()
        _shut_down_kernels(base, token)


def _shut_down_kernels(base: str, token: str) -> None:
    """End the kernels of the notebooks run so far (each lecture gets a fresh one, memory stays flat)."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as r:
        sessions = json.load(r)
    for session in sessions:
        req = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={token}", method="DELETE")
        urllib.request.urlopen(req, timeout=30).close()


def _move_a_slider(page, nb: Path) -> None:
    image = page.locator(".jp-OutputArea-output .widget-image").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(),
                           timeout=30_000)
    src_before = image.get_attribute("src")
    before = image.screenshot(path=str(ARTIFACTS / f"{nb.stem}-slider-before.png"))
    # the first slider of the first widget of the notebook: step it with the keyboard
    widget = page.locator(".jp-OutputArea-output .widget-vbox").first
    handle = widget.locator(".noUi-handle").first
    handle.focus()
    page.keyboard.press("End")  # noUiSlider: to the slider's maximum (lecture 1: lr 3, which diverges)
    page.wait_for_function("([img, old]) => img.src !== old", arg=[image.element_handle(), src_before],
                           timeout=30_000)
    src, stable_since = image.get_attribute("src"), time.monotonic()
    while time.monotonic() - stable_since < 1.5:  # until the picture stops changing
        page.wait_for_timeout(250)
        now = image.get_attribute("src")
        if now != src:
            src, stable_since = now, time.monotonic()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(),
                           timeout=30_000)
    after = image.screenshot(path=str(ARTIFACTS / f"{nb.stem}-slider-after.png"))
    a, b = _pixels(before), _pixels(after)
    assert a.shape == b.shape
    changed = np.mean(np.any(np.abs(a - b) > 30, axis=-1))
    assert changed > 0.002, f"{nb.name}: moving the slider changed only {changed:.3%} of the figure's pixels"
