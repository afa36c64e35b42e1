"""Shared parts of the experiment scripts: data, table formatting.

Every script reproduces experiments of a course source with ``course_lib``
and writes ``experiments/results/<name>.json`` and ``.md`` (the published
numbers beside ours); ``--quick`` runs a small version for the tests.  They
run as modules from the repository root (``.venv/bin/python -m
experiments.exp_003_mnist_mlp``); the ``experiments`` package has set the
kit's environment (``course_env``: one BLAS thread) before numpy is imported.
The results files are written, and the environment facts of a run recorded,
by the benchmarks' own functions (``benchmarks.common.finish`` and
``environment_info``), so that both folders hold results of one format.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from course_lib.data import flatten_images, l2_normalize, load_mnist

__all__ = ["RESULTS", "mnist_flat", "md_table", "pct", "output_arguments", "rendered_again"]

RESULTS = Path(__file__).resolve().parent / "results"


def mnist_flat(kind: str = "digits", n_train: int | None = None, scale: str = "255"):
    """MNIST as float32 rows, int64 labels, the first ``n_train`` training images (all when None).

    ``scale="255"`` is ``data.flatten_images`` (pixels / 255, source 003);
    ``"keras_normalize"`` is source 004's ``tf.keras.utils.normalize(x, axis=1)`` of the
    (n, 28, 28) images (each image column divided by its L2 norm, ``data.l2_normalize``), then
    flattened: the values lie in [0, 1], but this is not pixels / 255 (every column of every
    image is rescaled by its own factor).
    """
    (X, y), (Xt, yt) = load_mnist(kind)
    if n_train is not None:
        X, y = X[:n_train], y[:n_train]
    prep = {"255": flatten_images,
            "keras_normalize": lambda a: l2_normalize(a.astype(np.float32), axis=1).reshape(len(a), -1)}[scale]
    return (prep(X), y.astype(np.int64)), (prep(Xt), yt.astype(np.int64))


def md_table(headers, rows) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(x) -> str:
    return "--" if x is None else f"{100 * x:.2f}%"


def output_arguments(parser, render: bool = True) -> None:
    """Every script's ``--out`` (the results folder) and, for a script that can, ``--render-only``."""
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory (default experiments/results)")
    if render:
        parser.add_argument("--render-only", action="store_true",
                            help="no training: rewrite the .md from the .json already in --out")


def require_positive(parser, args, names) -> None:
    """Every option of ``names`` (``args`` attributes, e.g. ``"mnist_epochs"``) that is set must be >= 1, else
    ``parser.error`` names the option (``--mnist-epochs``), what it must be and what was given; None is unset."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be a positive integer; got {value}")


def rendered_again(args, name: str, render):
    """With ``--render-only``: the page of ``name`` rewritten from its ``.json`` in ``--out`` (its data); else None.

    ``render(result)`` gives the page's parts, as the script passes them to
    ``benchmarks.common.finish`` after a run, so the page can be fixed
    without training again.
    """
    if not getattr(args, "render_only", False):
        return None
    from benchmarks.common import finish

    result = json.loads((args.out / f"{name}.json").read_text())
    finish(name, result, render(result), args.out)
    return result
