"""Static figures of the lectures (no sliders): each function returns a ``Plot``.

A ``Plot`` wraps a matplotlib ``Figure`` made without pyplot (no global
state, nothing shown twice) and displays itself as a PNG in a notebook; its
``fig`` and ``data`` attributes are what the tests read.  Figures with
sliders are in ``course_lib.widgets``.

Only numpy is imported at module level; matplotlib when the first figure is made.
"""

from __future__ import annotations

import io

import numpy as np

__all__ = ["Plot", "Markdown", "figure", "exact_line_search", "results_table", "digits"]

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


def exact_line_search(steps: int = 8) -> Plot:
    """Source 004, Example 1: steepest descent with exact line search on x1^2 + 2x2^2 - 2x1x2 - 2x2.

    From (0, 0) each step goes to the minimum of f along the negative
    gradient, t_k = g'g / g'Ag; consecutive steps are orthogonal, so the path
    zig-zags into the minimiser (1, 1).  Left: contours and path, with the
    first steps' t annotated (the first is 1/4, to (0, 1/2)).  Right: f(x_k)
    - f* on a log scale against Luenberger's bound ((kappa - 1)/(kappa + 1))^(2k).

    data: ``path`` (steps + 1, 2), ``t`` (the step lengths), ``gap``, ``bound``.
    """
    from . import functions, linesearch

    f = functions.two_variable_quadratic()
    path = linesearch.steepest_descent_exact(f.A, f.b, np.zeros(2), steps=steps)
    g = path[:-1] @ f.A.T - f.b
    t = np.einsum("ij,ij->i", g, g) / np.einsum("ij,jk,ik->i", g, f.A, g)
    gap = f(path.T) - f.fmin
    lam = np.linalg.eigvalsh(f.A)
    kappa = lam[-1] / lam[0]
    bound = ((kappa - 1) / (kappa + 1)) ** (2 * np.arange(steps + 1)) * gap[0]

    fig, (ax, ax_gap) = figure(10, 4.2, ncols=2)
    (x0, x1), (y0, y1) = f.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 161), np.linspace(y0, y1, 161))
    Z = f(np.stack([X, Y]))
    ax.contour(X, Y, Z, levels=np.linspace(-0.95, 3, 16), colors="0.75", linewidths=0.8,
               negative_linestyles="solid")
    ax.plot(path[:, 0], path[:, 1], "o-", color="C1", ms=4, label="exact line search")
    ax.plot(1, 1, "*", color="k", ms=11, label="minimiser (1, 1)")
    for k in range(min(3, steps)):
        mid = 0.5 * (path[k] + path[k + 1])
        ax.annotate(f"t = {t[k]:.4g}", mid, textcoords="offset points", xytext=(6, -4), fontsize=9)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal", xlim=(x0, x1), ylim=(y0, y1),
           title="$x_1^2 + 2x_2^2 - 2x_1x_2 - 2x_2$: steepest descent, exact steps")
    ax.legend(loc="lower right", fontsize=9)
    ax_gap.semilogy(gap, "o-", color="C1", label="$f(x_k) - f^*$")
    ax_gap.semilogy(bound, "--", color="C0", label=r"$((\kappa-1)/(\kappa+1))^{2k}(f(x_0)-f^*)$")
    ax_gap.set(xlabel="step k", ylabel="$f(x_k) - f^*$", title=f"κ = {kappa:.2f}")
    ax_gap.grid(alpha=0.3, which="both")
    ax_gap.legend(fontsize=9)
    return Plot(fig, {"path": path, "t": t, "gap": gap, "bound": bound, "kappa": kappa})


class Markdown:
    """A piece of Markdown that a notebook renders (``_repr_markdown_``); ``text`` holds it."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


def results_table(name: str, section: str | None = None, folder=None) -> Markdown:
    """A results file of ``experiments/`` (``source_003_mnist`` ...), or one ``## section`` of it.

    The lectures show the reproduced tables from these files instead of
    re-running hours of training.  ``folder`` defaults to the repository's
    ``experiments/results``.
    """
    from pathlib import Path

    folder = Path(folder) if folder is not None else Path(__file__).resolve().parents[1] / "experiments" / "results"
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


def digits(images, labels, predicted=None, n: int = 16, title: str = "") -> Plot:
    """A grid of 28x28 images with their labels (and the prediction, in red when wrong).

    ``images`` of shape (k, 28, 28) or (k, 784); shows the first ``n``.
    data: ``shown`` (the indices drawn).
    """
    images = np.asarray(images)
    k = min(n, len(images))
    cols = min(8, k) if k else 1
    rows = max(1, -(-k // cols))
    fig, axes = figure(1.25 * cols, 1.45 * rows + (0.3 if title else 0), ncols=cols, nrows=rows)
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= k:
            continue
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r")
        if predicted is None:
            ax.set_title(f"{labels[i]}", fontsize=10)
        else:
            wrong = predicted[i] != labels[i]
            ax.set_title(f"{labels[i]} → {predicted[i]}", fontsize=10, color="C3" if wrong else "k")
    if title:
        fig.suptitle(title)
    return Plot(fig, {"shown": np.arange(k)})
