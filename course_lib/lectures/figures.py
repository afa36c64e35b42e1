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

import numpy as np

__all__ = ["Plot", "Markdown", "reveal", "figure", "to_png", "encode_png", "results_table"]

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
    from pathlib import Path

    folder = Path(folder) if folder is not None else Path(__file__).resolve().parents[2] / "experiments" / "results"
    path = folder / f"{name}.md"
    if not path.exists():
        available = sorted(p.stem for p in folder.glob("*.md")) if folder.exists() else []
        raise FileNotFoundError(f"no results file {path}; available: {available or 'none'} "
                                f"(run `python3 course.py experiments` to make them)")
    text = path.read_text()
    if section is None:
        return Markdown(text)
    parts = text.split("\n## ")
    for part in parts[1:]:
        if part.lower().startswith(section.lower()):
            return Markdown("#### " + part.strip())
    headings = [p.splitlines()[0] for p in parts[1:]]
    raise ValueError(f"section must start one of the headings of {path.name}: {headings}; got {section!r}")
