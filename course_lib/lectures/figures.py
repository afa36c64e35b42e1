"""Static figures of the lectures (no sliders): each function returns a ``Plot``.

A ``Plot`` wraps a matplotlib ``Figure`` made without pyplot (no global
state, nothing shown twice) and displays itself as a PNG in a notebook; its
``fig`` and ``data`` attributes are what the tests read.  A lecture's own
figures are in the module named after the lecture; figures with sliders are
``Interactive`` (``course_lib.lectures.interactive``).

numpy is imported at module level; matplotlib and PIL when the first figure is made.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

__all__ = ["Plot", "Markdown", "reveal", "figure", "to_png", "encode_png", "results_table", "results", "learning_curves"]

RESULTS = Path(__file__).resolve().parents[2] / "experiments" / "results"
"""The repository's ``experiments/results`` folder, where the experiments write their results files."""

DPI = 72


def figure(width: float, height: float, ncols: int = 1, nrows: int = 1):
    """A Figure on the Agg canvas with constrained layout, and its axes as a flat list."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.get_layout_engine().set(w_pad=0.12, h_pad=0.06)  # room for tick labels that grow later
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    return fig, list(axes)


def encode_png(canvas, compress_level: int = 1) -> bytes:
    """The Agg canvas' current pixels as PNG (RGB; fast compression by default)."""
    from PIL import Image

    rgb = np.asarray(canvas.buffer_rgba())[..., :3]
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="png", compress_level=compress_level)
    return buf.getvalue()


def to_png(fig, compress_level: int = 1) -> bytes:
    """Render ``fig`` with Agg and encode it as PNG."""
    fig.canvas.draw()
    return encode_png(fig.canvas, compress_level)


class Plot:
    """A finished figure: shows itself as PNG in a notebook.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    data : dict
        The numbers drawn (for tests and for the curious).
    """

    def __init__(self, fig, data: dict | None = None):
        self.fig = fig
        self.data = dict(data or {})

    def _repr_png_(self) -> bytes:
        return to_png(self.fig, compress_level=6)

    def save(self, path) -> None:
        """Write the figure to ``path`` (format from the suffix)."""
        self.fig.savefig(path, dpi=2 * DPI)

    def __repr__(self) -> str:
        titles = [ax.get_title() for ax in self.fig.get_axes() if ax.get_title()]
        return f"<Plot {titles[0]!r}>" if titles else "<Plot>"


class Markdown:
    """A piece of Markdown that a notebook renders (``_repr_markdown_``); ``text`` holds it."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def reveal(text: str, summary: str = "Answer") -> Markdown:
    """``text`` (Markdown, math allowed) folded behind a click: an HTML ``<details>`` block.

    The lectures' questions show their answers this way, so that the student thinks
    first; an answer with a number is made in a code cell from the computation that
    gives it (``lecture.answers()`` and the like), never typed.  JupyterLab, the
    classic notebook and nbconvert's HTML render ``<details>`` folded; the blank lines
    keep the text inside it Markdown.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty string of Markdown; got {text!r}")
    if not isinstance(summary, str) or not summary.strip() or "<" in summary:
        raise ValueError(f"summary must be a short plain-text label without '<'; got {summary!r}")
    return Markdown(f"<details>\n<summary>{summary}</summary>\n\n{text.strip()}\n\n</details>")


def results_table(name: str, section: str | None = None, folder=None) -> Markdown:
    """A results file of ``experiments/`` (``source_003_mnist`` ...), or one ``## section`` of it.

    The lectures show the reproduced tables from these files instead of
    re-running hours of training.  ``folder`` defaults to the repository's
    ``experiments/results``.
    """
    path = _results_path(name, ".md", folder)
    text = path.read_text()
    if section is None:
        return Markdown(text)
    parts = text.split("\n## ")
    for part in parts[1:]:
        if part.lower().startswith(section.lower()):
            return Markdown("#### " + part.strip())
    headings = [p.splitlines()[0] for p in parts[1:]]
    raise ValueError(f"section must start one of the headings of {path.name}: {headings}; got {section!r}")


def results(name: str, folder=None) -> dict:
    """An experiment's results file ``<name>.json`` (``source_003_mnist`` ...), parsed.

    The data behind ``results_table``'s Markdown: the lectures draw their
    figures of hours-long runs from it.  ``folder`` defaults to the
    repository's ``experiments/results``; a missing file raises
    ``FileNotFoundError`` naming the path, the files there and how to make them.
    """
    if not isinstance(name, str) or not name or "/" in name or name.endswith(".json"):
        raise ValueError(f"name must be a results file's name without folder or suffix, e.g. 'source_003_mnist'; "
                         f"got {name!r}")
    return json.loads(_results_path(name, ".json", folder).read_text())


def _results_path(name: str, suffix: str, folder) -> Path:
    """``folder/<name><suffix>`` (``folder`` defaults to the repository's results), or a FileNotFoundError
    naming the path, the results files there and how to make them."""
    folder = Path(folder) if folder is not None else RESULTS
    path = folder / f"{name}{suffix}"
    if not path.exists():
        available = sorted(p.stem for p in folder.glob(f"*{suffix}")) if folder.exists() else []
        raise FileNotFoundError(f"no results file {path}; available: {available or 'none'} "
                                f"(run `python3 course.py experiments` to make them)")
    return path


def _curves(run, per_step):
    """The per-epoch (and, for a ``History``, per-step) records of ``run`` as arrays."""
    get = (lambda k: run.get(k, [])) if isinstance(run, Mapping) else (lambda k: getattr(run, k))
    rec = {k: np.asarray(get(k), dtype=float) for k in ("loss", "val_loss", "accuracy", "val_accuracy")}
    steps = np.asarray([] if isinstance(run, Mapping) else getattr(run, per_step), dtype=float)
    spe = 0 if isinstance(run, Mapping) else run.steps_per_epoch
    rec["step_loss"], rec["steps_per_epoch"] = steps, spe
    return rec


def learning_curves(runs, title: str = "", baseline=None, per_step: str = "running_loss", max_points: int = 4000,
                    logy: bool = True, held_out: str = "validation") -> Plot:
    """Learning curves: loss (and accuracy) of training runs against the epoch and the iteration.

    ``runs`` maps a label to a ``train.History`` or to a Keras ``History.history``
    dict (``loss``, ``val_loss``, ``accuracy``, ``val_accuracy`` per epoch).
    Drawn per run, in one colour:

    * the loss against iterations, as in source 003's figures: a ``History``'s
      ``running_loss`` (source 002's estimate Q of the loss, updated after every
      step; ``per_step="step_loss"`` draws the raw batch losses instead), thin,
      at the fractional epoch ``(step + 1) / steps_per_epoch``, thinned to
      every k-th step so that at most ``max_points`` are drawn;
    * the epoch's training loss (circles, solid): the mean of the epoch's
      batch losses, measured while the weights moved, so it is drawn at the
      epoch's middle, ``k + 0.5``;
    * the validation loss (squares, dashed) after the epoch, at ``k + 1``:
      training against validation;
    * the same two for the accuracy in a second panel, when the runs have one.

    ``held_out`` names the held-out set in the legend ("validation", or
    "test" where the runs were evaluated on the test set).
    When all the ``History`` runs take the same number of steps per epoch, a
    top axis counts iterations.  ``baseline`` = ``(label, value)`` draws a
    horizontal reference (e.g. the MSE of predicting the mean).

    data: ``curves`` (label -> dict of ``epoch_x``, ``loss``, ``val_x``,
    ``val_loss``, ``accuracy``, ``val_accuracy``, ``step_x``, ``step_loss``
    (the per-step values drawn, of ``per_step``)),
    ``steps_per_epoch`` (the shared value, or None).
    """
    if not isinstance(runs, Mapping) or not runs:
        raise TypeError(f"runs must be a non-empty dict of label -> History or Keras history dict; got {runs!r}")
    if not isinstance(held_out, str) or not held_out.strip():
        raise ValueError(f"held_out must name the held-out set, e.g. 'validation' or 'test'; got {held_out!r}")
    if per_step not in ("running_loss", "step_loss"):
        raise ValueError(f"per_step must be 'running_loss' or 'step_loss'; got {per_step!r}")
    recs = {label: _curves(run, per_step) for label, run in runs.items()}
    with_acc = any(len(r["accuracy"]) or len(r["val_accuracy"]) for r in recs.values())
    fig, axes = figure(12 if with_acc else 9, 4.6, ncols=2 if with_acc else 1)
    ax_loss = axes[0]
    curves = {}
    for i, (label, r) in enumerate(recs.items()):
        color = f"C{i}"
        c = {"epoch_x": np.arange(len(r["loss"])) + 0.5, "val_x": np.arange(len(r["val_loss"])) + 1.0,
             "loss": r["loss"], "val_loss": r["val_loss"], "accuracy": r["accuracy"],
             "val_accuracy": r["val_accuracy"], "step_x": np.array([]), "step_loss": np.array([])}
        if len(r["step_loss"]) and r["steps_per_epoch"]:
            stride = -(-len(r["step_loss"]) // max_points)
            k = np.arange(0, len(r["step_loss"]), stride)
            c["step_x"], c["step_loss"] = (k + 1) / r["steps_per_epoch"], r["step_loss"][k]
            ax_loss.plot(c["step_x"], c["step_loss"], "-", color=color, lw=0.8, alpha=0.45)
        ax_loss.plot(c["epoch_x"], c["loss"], "o-", color=color, ms=4, label=f"{label}: training, mean over the epoch (mid-epoch)")
        if len(c["val_loss"]):
            ax_loss.plot(c["val_x"], c["val_loss"], "s--", color=color, ms=4, mfc="none",
                         label=f"{label}: {held_out}, after the epoch")
        if with_acc:
            ax_acc = axes[1]
            ax_acc.plot(np.arange(len(c["accuracy"])) + 0.5, c["accuracy"], "o-", color=color, ms=4,
                        label=f"{label}: training, mean over the epoch (mid-epoch)")
            if len(c["val_accuracy"]):
                ax_acc.plot(np.arange(len(c["val_accuracy"])) + 1.0, c["val_accuracy"], "s--", color=color,
                            ms=4, mfc="none", label=f"{label}: {held_out}, after the epoch")
        curves[label] = c
    if baseline is not None:
        name, value = baseline
        ax_loss.axhline(float(value), color="k", lw=1, ls=":", label=f"{name}: {float(value):.3g}")
    n_epochs = max(max(len(r["loss"]), len(r["val_loss"])) for r in recs.values())
    spes = {r["steps_per_epoch"] for r in recs.values() if r["steps_per_epoch"]}
    shared = spes.pop() if len(spes) == 1 else None
    for ax, name in zip(axes, ("loss", "accuracy")):
        ax.set(xlabel="epoch", ylabel=name, xlim=(0, n_epochs))
        ax.grid(alpha=0.3, which="both")
        if name == "loss" and not with_acc:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        else:
            ax.legend(fontsize=7, loc="upper right" if name == "loss" else "lower right")
        if shared:
            top = ax.secondary_xaxis("top", functions=(lambda e, s=shared: e * s, lambda i, s=shared: i / s))
            top.set_xlabel("iteration (optimizer step)")
    if logy:
        ax_loss.set_yscale("log")
        shown = np.concatenate([np.concatenate([c["loss"], c["val_loss"]]) for c in curves.values()]
                               + ([np.array([float(baseline[1])])] if baseline is not None else []))
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if len(shown):
            ax_loss.set_ylim(shown.min() / 2, shown.max() * 3)
    if title:
        fig.suptitle(title)
    return Plot(fig, {"curves": curves, "steps_per_epoch": shared})
