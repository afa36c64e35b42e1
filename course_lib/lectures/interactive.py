"""The machinery of the lectures' slider figures: ``Interactive`` and its controls.

Each lecture's figures with sliders are functions in the module named after the
lecture (``course_lib.lectures.l01_gradient_descent`` ...); each returns an
``Interactive``, and the notebook cell only calls it::

    from course_lib.lectures import l01_gradient_descent as lecture
    lecture.sextic_descent()          # the figure with its sliders

How they work
-------------
An ``Interactive`` owns one matplotlib ``Figure`` (Agg, created once) and a set
of ipywidgets controls.  Moving a control calls ``update(**values)``: a plain
function that recomputes, changes the data of the figure's existing artists
(``line.set_data``, titles) and renders the figure to PNG into one
``ipywidgets.Image``.  Nothing is re-created per move, so the picture changes
in place without flicker, in JupyterLab, in a headless run and in tests alike
(no ipympl needed).  ``update`` returns ``state``, a dict with the numbers the
figure shows (final loss, whether the run diverged, ...), which is what the
tests check; ``benchmarks/bench_widgets.py`` times it (target: under 100 ms
per move, compute and redraw together).

Each widget function takes the initial values of its controls as keyword
arguments, so ``sextic_descent(lr=1.8)`` opens on a diverging run.

An ``Interactive`` is an ``ipywidgets.VBox`` (controls, the figure, a
caption), so it displays like any widget and can be placed in other layouts.
``import course_lib`` does not import the lectures; importing one loads numpy
and ipywidgets, and matplotlib when the first figure is made.
"""

from __future__ import annotations

import math
from typing import Callable

import ipywidgets as _w

from .figures import encode_png

__all__ = ["Interactive", "float_slider", "int_slider", "dropdown"]


class Interactive(_w.VBox):
    """A figure, its controls and the function that redraws one from the other: an ``ipywidgets.VBox``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Created once; ``draw`` changes its artists in place.
    controls : dict of name -> ipywidgets control
        Their ``value`` is passed to ``draw`` as keyword arguments.
    draw : callable
        ``draw(**values) -> dict``: updates the figure and returns the state
        (the numbers the figure shows).
    caption : str, optional
        One line shown under the figure (HTML allowed).
    presets : dict of name -> callable, optional
        ``presets[name](new_value) -> dict``: when the user moves control
        ``name``, other controls are set to the values returned (e.g. the
        learning rates that suit a newly chosen function), in the same redraw.
    dynamic : callable, optional
        ``dynamic() -> list of artists``: the artists ``draw`` changes (lines,
        titles, re-made contours), in drawing order.  Everything else is
        drawn once and kept as a background bitmap while the axes' limits,
        scales and static artists stay the same; a move then redraws only
        the dynamic artists over it (matplotlib's blitting).  Without it,
        every move redraws the whole figure.

    Attributes
    ----------
    values : dict
        The current value of every control.
    state : dict
        What the last ``draw`` returned.
    png : bytes
        The last rendering of the figure.
    """

    def __init__(self, fig, controls: dict, draw: Callable[..., dict], caption: str = "",
                 presets: dict | None = None, dynamic: Callable[[], list] | None = None):
        self.fig = fig
        self.controls = dict(controls)
        self._draw = draw
        self._presets = dict(presets or {})
        self._dynamic = dynamic
        self._background = self._background_key = None
        self.full_redraws = 0
        self.values = {name: c.value for name, c in self.controls.items()}
        self.image = _w.Image(format="png", layout=_w.Layout(max_width="100%", height="auto"))
        self.caption = _w.HTML(caption)
        self.state: dict = {}
        self.png = b""
        self._syncing = False
        for name, control in self.controls.items():
            control.observe(self._on_change(name), names="value")
        self.update()
        # The constrained layout placed the axes on that first drawing; keep them
        # there (re-running it costs more than the rest of a redraw).
        fig.set_layout_engine("none")
        rows = [_w.HBox(list(self.controls.values())[i:i + 3]) for i in range(0, len(self.controls), 3)]
        super().__init__(children=[*rows, self.image, self.caption])

    def _on_change(self, name: str):
        def handler(change):
            if not self._syncing:
                preset = self._presets.get(name, lambda value: {})(change["new"])
                self.update(**{**preset, name: change["new"]})
        return handler

    def update(self, **values) -> dict:
        """Set some controls' values, redraw, render; return the new ``state``.

        The same path a slider move takes, callable without a browser.
        Unknown names raise ``TypeError``.
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise TypeError(f"update() got unknown control(s) {sorted(unknown)}; "
                            f"this figure has {sorted(self.controls)}")
        self.values.update(values)
        self._syncing = True
        try:  # keep the controls in step when called from code, without re-entering update
            for name, value in values.items():
                if self.controls[name].value != value:
                    self.controls[name].value = value
        finally:
            self._syncing = False
        self.state = self._draw(**self.values) or {}
        self.png = self.render()
        self.image.value = self.png
        return self.state

    def invalidate(self) -> None:
        """Forget the cached background: the next ``render`` draws the whole figure.

        For code that changed the figure behind ``draw``'s back (a test that
        switched artists' flags, a benchmark between two measurements).
        """
        self._background = self._background_key = None

    def _static_key(self) -> tuple:
        """What the background bitmap depends on: per axes its view and its static artists."""
        key = [tuple(self.fig.get_size_inches())]
        for ax in self.fig.get_axes():
            static = [id(a) for a in (*ax.lines, *ax.collections, *ax.images, *ax.patches, *ax.texts,
                                      ax.get_legend(), ax.title) if a is not None and not a.get_animated()]
            key.append((ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(), tuple(static)))
        return tuple(key)

    def render(self) -> bytes:
        """The figure as PNG bytes (Agg): the whole figure, or the dynamic artists over the cached rest."""

        canvas = self.fig.canvas
        if self._dynamic is None:
            canvas.draw()
            self.full_redraws += 1
            return encode_png(canvas)
        artists = [a for a in self._dynamic() if a is not None]
        for a in artists:
            a.set_animated(True)
        key = self._static_key()
        if key != self._background_key:
            canvas.draw()  # everything but the animated artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            self._background_key = key
            self.full_redraws += 1
        else:
            canvas.restore_region(self._background)
        for a in artists:
            self.fig.draw_artist(a)
        return encode_png(canvas)

    def __repr__(self) -> str:
        vals = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"<Interactive {self.fig.get_axes()[0].get_title()!r} ({vals})>"


def float_slider(description: str, value: float, lo: float, hi: float, step: float, log: bool = False,
                  readout_format: str = ".3g"):
    """A FloatSlider from ``lo`` to ``hi`` (a FloatLogSlider over the decades with ``log=True``), a third of a row wide."""
    style = {"description_width": "initial"}
    layout = _w.Layout(width="32%")
    if log:
        return _w.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi), step=step,
                                description=description, readout_format=readout_format,
                                continuous_update=True, style=style, layout=layout)
    return _w.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         readout_format=readout_format, continuous_update=True, style=style, layout=layout)


def int_slider(description: str, value: int, lo: int, hi: int, step: int = 1, continuous: bool = True):
    """An IntSlider; ``continuous=False`` updates on release only (for moves that recompute a lot)."""
    return _w.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                       continuous_update=continuous, style={"description_width": "initial"},
                       layout=_w.Layout(width="32%"))


def dropdown(description: str, options, value):
    """A Dropdown of ``options`` showing ``value``, a third of a row wide."""
    return _w.Dropdown(options=options, value=value, description=description,
                      style={"description_width": "initial"}, layout=_w.Layout(width="32%"))
