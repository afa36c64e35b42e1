"""Data for the course: MNIST, Fashion-MNIST and Wine Quality loaders, toy data, splits.

Where the loaders look, in order
--------------------------------
1. ``data_dir``, when given (the files directly in it, or in its ``mnist`` /
   ``fashion-mnist`` / ``wine-quality`` subfolder).  Given explicitly and
   missing, it is an error: no silent fallback.
2. ``$COURSE_DATA_DIR/mnist`` (``fashion-mnist``, ``wine-quality``) -- the
   course's data folder (the kit's environment, ``course_env``, points it at
   ``../shared/data`` when that folder exists).
3. The Keras cache, ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``
   (``mnist.npz``; the four Fashion-MNIST ``.gz`` files in ``fashion-mnist/``;
   ``winequality-<color>.csv``).
4. A download (Keras' own for the MNISTs, the UCI archive for the wine) when
   ``download=True`` and the machine is online.

When none works, ``DataNotFoundError`` says which places were tried, the file
names, and where to put them.

The IDX files (LeCun's format) are validated as they are read: the magic
number (2051 for images, 2049 for labels), the number of dimensions, 28x28
images, the expected sample counts, that the data length is exactly the
product of the dimensions, labels 0..9, and that images and labels agree in
number.  A corrupt or truncated file raises ``CorruptDataError`` naming it.
The md5 of the ``.gz`` is deliberately *not* checked: the MNIST training
images shipped with the course are a lossless rebuild whose decompressed
bytes are the official ones but whose gzip header differs.

Arrays come back read-only and are cached per file in the process, so a
second call costs nothing and no caller can corrupt another's copy.  A
network takes the images as ``flatten_images(X)``: one row of 784 pixels per
image, scaled to [0, 1] (the one copy a training run needs).

Randomness: every ``seed`` takes an int (the same data every time) or a
numpy ``Generator`` (used as it is, so it advances), as
``validation.as_generator`` converts it.

numpy, the standard library and ``course_lib.validation`` are imported here.  TensorFlow is
imported only for a download of the MNISTs, through ``keras_peer.import_keras`` (the one place
course_lib imports it).
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from .validation import (describe, as_bool, as_choice, as_float_array, as_generator, as_in_interval, as_int,
                         as_nonnegative)

__all__ = [
    "DataNotFoundError",
    "CorruptDataError",
    "MNIST_FILES",
    "load_mnist",
    "flatten_images",
    "read_idx",
    "load_wine_quality",
    "WINE_FEATURES",
    "make_circles",
    "make_spirals",
    "train_test_split",
    "thesis_wine_split",
    "Standardizer",
    "l2_normalize",
    "feature_scales",
    "row_norm_share",
]


class DataNotFoundError(FileNotFoundError):
    """A data set was found nowhere; the message says where to put it."""


class CorruptDataError(ValueError):
    """A data file exists but is damaged, truncated or of the wrong kind."""


MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
_FOLDER = {"digits": "mnist", "fashion": "fashion-mnist"}
WINE_FEATURES = ("fixed acidity", "volatile acidity", "citric acid", "residual sugar", "chlorides",
                 "free sulfur dioxide", "total sulfur dioxide", "density", "pH", "sulphates", "alcohol")
_WINE_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/wine-quality/winequality-{}.csv"


def _keras_datasets_dir() -> Path:
    """Keras' cache: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets`` (as Keras resolves it)."""
    home = os.environ.get("KERAS_HOME")
    return (Path(home) if home else Path.home() / ".keras") / "datasets"


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


# ---------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------

def read_idx(path, expect_magic: int | None = None, expect_shape: tuple | None = None) -> np.ndarray:
    """Read one (gzipped or plain) IDX file into a read-only uint8 array, checking it.

    Parameters
    ----------
    path : path-like
    expect_magic : 2051 (images) or 2049 (labels), optional
    expect_shape : tuple, optional
        Expected dimensions; ``None`` entries match anything.

    Raises
    ------
    CorruptDataError
        Not gzip / truncated stream, wrong magic, wrong dimensions, or a data
        length that is not the product of the dimensions.
    """
    path = Path(path)
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise CorruptDataError(f"{path} is not a readable gzip file ({exc}); download it again") from exc
    if len(raw) < 8:
        raise CorruptDataError(f"{path} is too short to be an IDX file ({len(raw)} bytes)")
    magic = struct.unpack(">I", raw[:4])[0]
    if magic >> 8 != 0x08:  # 0x00 0x00 0x08 (unsigned byte) ndim
        raise CorruptDataError(f"{path} is not an unsigned-byte IDX file (magic number {magic}, "
                               f"expected 2049 or 2051)")
    if expect_magic is not None and magic != expect_magic:
        kind = {2051: "images (magic 2051)", 2049: "labels (magic 2049)"}.get(expect_magic, expect_magic)
        raise CorruptDataError(f"{path} should hold {kind}; its magic number is {magic}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise CorruptDataError(f"{path} is truncated inside its header")
    dims = struct.unpack(">" + "I" * ndim, raw[4:header])
    if expect_shape is not None and (len(dims) != len(expect_shape) or any(
            e is not None and d != e for d, e in zip(dims, expect_shape))):
        raise CorruptDataError(f"{path} has dimensions {dims}; expected {tuple(expect_shape)}")
    size = int(np.prod(dims, dtype=np.int64))
    if len(raw) - header != size:
        what = "truncated" if len(raw) - header < size else "longer than its header says"
        raise CorruptDataError(f"{path} is {what}: {len(raw) - header} data bytes for dimensions {dims} "
                               f"({size} expected); download it again")
    return _readonly(np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims))


@functools.lru_cache(maxsize=8)
def _read_mnist_dir(folder: str):
    folder = Path(folder)
    out = []
    for split, n in (("train", 60000), ("t10k", 10000)):
        X = read_idx(folder / f"{split}-images-idx3-ubyte.gz", 2051, (n, 28, 28))
        y = read_idx(folder / f"{split}-labels-idx1-ubyte.gz", 2049, (n,))
        if y.max() > 9:
            raise CorruptDataError(f"{folder / f'{split}-labels-idx1-ubyte.gz'} holds a label {int(y.max())}; "
                                   f"MNIST labels are 0..9")
        out.append((X, y))
    return tuple(out)


@functools.lru_cache(maxsize=2)
def _read_mnist_npz(path: str):
    try:
        with np.load(path) as f:
            parts = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except (OSError, KeyError, ValueError, zlib.error) as exc:
        raise CorruptDataError(f"{path} is not a readable Keras MNIST cache ({exc})") from exc
    shapes = [(60000, 28, 28), (60000,), (10000, 28, 28), (10000,)]
    for a, s, k in zip(parts, shapes, ("x_train", "y_train", "x_test", "y_test")):
        if a.shape != s or a.dtype != np.uint8:
            raise CorruptDataError(f"{path}: {k} has shape {a.shape} and dtype {a.dtype}; expected {s} uint8")
    parts = [_readonly(a) for a in parts]
    return (parts[0], parts[1]), (parts[2], parts[3])


def _has_all(folder: Path) -> bool:
    return all((folder / f).is_file() for f in MNIST_FILES)


def _not_found(what: str, tried: list, files, folder_name: str) -> DataNotFoundError:
    listed = "\n".join(f"  - {t}" for t in tried)
    names = ", ".join(files)
    return DataNotFoundError(
        f"{what} not found. Looked in:\n{listed}\n"
        f"Put the files {names} into a folder <DIR>/{folder_name}/ and set the environment variable "
        f"COURSE_DATA_DIR=<DIR> (the course's own copy is in ../shared/data: "
        f"`export COURSE_DATA_DIR=../shared/data`), or pass data_dir=<folder holding the files>, "
        f"or run once with an internet connection and download=True to fill the Keras cache."
    )


def load_mnist(kind: str = "digits", data_dir=None, download: bool = True):
    """MNIST digits or Fashion-MNIST as Keras returns them.

    Parameters
    ----------
    kind : {"digits", "fashion"}
    data_dir : path-like, optional
        A folder holding the four IDX ``.gz`` files (or their ``mnist`` /
        ``fashion-mnist`` subfolder).  See the module docstring for the
        search order when it is not given.
    download : bool, default True
        Allow a download through Keras as the last resort.

    Returns
    -------
    (X_train, y_train), (X_test, y_test)
        uint8 arrays of shapes (60000, 28, 28), (60000,), (10000, 28, 28),
        (10000,), read-only (see the module docstring); ``flatten_images``
        turns the images into a network's input rows.
    """
    as_choice("kind", kind, tuple(_FOLDER))
    download = as_bool("download", download)
    sub = _FOLDER[kind]
    tried = []
    if data_dir is not None:
        base = Path(data_dir)
        for folder in (base, base / sub):
            if _has_all(folder):
                return _read_mnist_dir(str(folder.resolve()))
        raise _not_found(f"MNIST ({kind})", [f"data_dir: {base} and {base / sub}"], MNIST_FILES, sub)
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        folder = Path(env) / sub
        if _has_all(folder):
            return _read_mnist_dir(str(folder.resolve()))
        tried.append(f"$COURSE_DATA_DIR/{sub}: {folder}")
    else:
        tried.append("$COURSE_DATA_DIR (not set)")
    cache = _keras_datasets_dir()
    if kind == "digits":
        npz = cache / "mnist.npz"
        if npz.is_file():
            return _read_mnist_npz(str(npz))
        tried.append(f"Keras cache: {npz}")
    else:
        folder = cache / "fashion-mnist"
        if _has_all(folder):
            return _read_mnist_dir(str(folder.resolve()))
        tried.append(f"Keras cache: {folder}")
    if download:
        try:
            from .keras_peer import import_keras

            keras = import_keras()
            loader = keras.datasets.mnist if kind == "digits" else keras.datasets.fashion_mnist
            (a, b), (c, d) = loader.load_data()
            return (_readonly(a), _readonly(b)), (_readonly(c), _readonly(d))
        except Exception as exc:  # offline, blocked, or Keras missing: say what to do instead
            tried.append(f"download through Keras: failed ({type(exc).__name__}: {exc})")
            raise _not_found(f"MNIST ({kind})", tried, MNIST_FILES, sub) from exc
    tried.append("download: not allowed (download=False)")
    raise _not_found(f"MNIST ({kind})", tried, MNIST_FILES, sub)


def flatten_images(images, dtype=np.float32) -> np.ndarray:
    """MNIST images as a network's input: one row per image, each pixel scaled to [0, 1].

    ``X[i, r * width + c] = images[i, r, c] / 255``: the ``(n, 28, 28)`` uint8
    images of ``load_mnist`` become an ``(n, 784)`` array, the rows read
    row by row as numpy's ``reshape`` (C order) reads them.  This is the
    preprocessing of course source 003 ("pixels scaled to [0, 1]") and of
    Keras' MNIST examples (``x.astype("float32") / 255``, keras.io, "Simple
    MNIST convnet").

    Parameters
    ----------
    images : uint8 array of shape (n, height, width)
        Images with pixel values 0..255, as ``load_mnist`` returns them (or a
        slice of them).  Already-scaled (floating-point) images are refused:
        dividing them by 255 again is a silent mistake.
    dtype : float32 or float64, default float32
        The floating-point type of the result (``nn.MLP``'s ``dtype``).

    Returns
    -------
    X : array of shape (n, height * width) and the given dtype
        A new, writeable array: the one copy of the data a training run makes
        (the division is done in place in it).

    Examples
    --------
    >>> flatten_images(np.array([[[0, 51], [255, 102]]], dtype=np.uint8))
    array([[0. , 0.2, 1. , 0.4]], dtype=float32)
    """
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8:
        raise TypeError(f"images must be a uint8 array of pixel values 0..255 (as load_mnist returns them); "
                        f"got {describe(images)}")
    if images.ndim != 3:
        raise ValueError(f"images must have shape (n, height, width); got {describe(images)}")
    try:
        float_type = None if dtype is None else np.dtype(dtype)
    except TypeError:
        float_type = None
    if float_type not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64; got {dtype!r}")
    X = images.reshape(len(images), -1).astype(float_type)
    return np.divide(X, float_type.type(255), out=X)                 # pixel / 255


# ---------------------------------------------------------------------------
# Wine Quality
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _read_wine(path: str):
    text = Path(path).read_text(encoding="utf-8", errors="strict")
    return _parse_wine(text, path)


def _parse_wine(text: str, where: str):
    lines = text.splitlines()
    if not lines:
        raise CorruptDataError(f"{where} is empty")
    header = tuple(h.strip().strip('"') for h in lines[0].split(";"))
    if header != WINE_FEATURES + ("quality",):
        raise CorruptDataError(f"{where} does not have the Wine Quality header (12 ';'-separated columns "
                               f"ending in quality); found {header[:3]}... ({len(header)} columns)")
    try:
        data = np.loadtxt(io.StringIO("\n".join(lines[1:])), delimiter=";", ndmin=2)
    except ValueError as exc:
        raise CorruptDataError(f"{where}: a row is not 12 numbers ({exc})") from exc
    if data.shape[1] != 12 or len(data) == 0 or not np.all(np.isfinite(data)):
        raise CorruptDataError(f"{where}: expected rows of 12 finite numbers; got shape {data.shape}")
    return _readonly(data[:, :11].copy()), _readonly(data[:, 11].copy()), WINE_FEATURES


def load_wine_quality(color: str = "white", data_dir=None, download: bool = True):
    """The UCI Wine Quality data (Cortez et al. 2009): 11 physico-chemical features and a 0-10 score.

    Same search order as ``load_mnist`` (folder ``wine-quality``, file
    ``winequality-<color>.csv``, ``;``-separated with a quoted header); the
    download comes from the UCI archive.

    Returns
    -------
    X : float64 array (n, 11)
        n = 4898 (white) or 1599 (red).
    y : float64 array (n,)
        The quality score.
    feature_names : tuple of 11 str
    """
    as_choice("color", color, ("white", "red"))
    download = as_bool("download", download)
    name = f"winequality-{color}.csv"
    tried = []
    if data_dir is not None:
        base = Path(data_dir)
        for folder in (base, base / "wine-quality"):
            if (folder / name).is_file():
                return _read_wine(str((folder / name).resolve()))
        raise _not_found(f"Wine Quality ({color})", [f"data_dir: {base} and {base / 'wine-quality'}"],
                         [name], "wine-quality")
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        path = Path(env) / "wine-quality" / name
        if path.is_file():
            return _read_wine(str(path.resolve()))
        tried.append(f"$COURSE_DATA_DIR/wine-quality: {path}")
    else:
        tried.append("$COURSE_DATA_DIR (not set)")
    path = _keras_datasets_dir() / name
    if path.is_file():
        return _read_wine(str(path))
    tried.append(f"Keras cache: {path}")
    if download:
        import urllib.request

        url = _WINE_URL.format(color)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                text = response.read().decode("utf-8")
        except Exception as exc:
            tried.append(f"download from {url}: failed ({type(exc).__name__}: {exc})")
            raise _not_found(f"Wine Quality ({color})", tried, [name], "wine-quality") from exc
        X, y, names = _parse_wine(text, url)
        try:  # keep it for next time, like Keras does
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        except OSError:
            pass
        return X, y, names
    tried.append("download: not allowed (download=False)")
    raise _not_found(f"Wine Quality ({color})", tried, [name], "wine-quality")


# ---------------------------------------------------------------------------
# Toy data for the aSGD experiments (source 000)
# ---------------------------------------------------------------------------

def make_circles(n_samples: int = 128, noise: float = 0.1, factor: float = 0.5, seed=0):
    """Two concentric circles: class 1 inside (radius ``factor``), class 0 outside (radius 1).

    Source ``000`` (section 6.2.1, "concentric circle"): a binary problem,
    outer points the negative class and inner points the positive class; it
    does not give the radii, the noise or the number of points (its
    experiments train on 128 samples).  Angles are uniform, each point gets
    Gaussian noise of standard deviation ``noise`` in both coordinates (the
    construction of scikit-learn's ``make_circles``); the classes have
    ``n_samples // 2`` and ``n_samples - n_samples // 2`` points.  ``seed``
    is an int or a numpy Generator.

    Returns
    -------
    X : float64 array (n_samples, 2)
    y : int64 array (n_samples,), 1 for the inner circle
    """
    n = as_int("n_samples", n_samples, minimum=2)
    noise = as_nonnegative("noise", noise)
    factor = as_in_interval("factor", factor, 0.0, 1.0, closed="neither")
    rng = as_generator("seed", seed)
    n_in = n // 2
    n_out = n - n_in
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.concatenate([np.ones(n_out), np.full(n_in, factor)])
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += rng.normal(0.0, noise, X.shape) if noise else 0.0
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def make_spirals(n_samples: int = 128, noise: float = 0.05, turns: float = 1.5, seed=0):
    """Two interleaved spiral arms ("spiral line", source ``000`` section 7.2), labels 0 and 1.

    Arm 0 is ``r(t) (cos t, sin t)`` with ``t`` uniform in ``[0, 2 pi turns]``
    (sampled as ``sqrt(u)`` so that the points are evenly spread along the
    arm) and ``r = t / (2 pi turns)`` in ``[0, 1]``; arm 1 is arm 0 turned by
    180 degrees.  Gaussian noise of standard deviation ``noise`` is added.
    The source gives none of these numbers; these make a problem that a
    5x10 ReLU network can learn but a linear model cannot.  ``seed`` is an
    int or a numpy Generator.

    Returns
    -------
    X : float64 array (n_samples, 2)
    y : int64 array (n_samples,)
    """
    n = as_int("n_samples", n_samples, minimum=2)
    noise = as_nonnegative("noise", noise)
    turns = as_in_interval("turns", turns, 0.0, 10.0, closed="right")
    rng = as_generator("seed", seed)
    n1 = n // 2
    n0 = n - n1
    t = np.sqrt(rng.uniform(0, 1, n)) * 2 * np.pi * turns
    r = t / (2 * np.pi * turns)
    y = np.concatenate([np.zeros(n0, np.int64), np.ones(n1, np.int64)])
    sign = np.where(y == 0, 1.0, -1.0)
    X = np.column_stack([sign * r * np.cos(t), sign * r * np.sin(t)])
    X += rng.normal(0.0, noise, X.shape) if noise else 0.0
    order = rng.permutation(n)
    return X[order], y[order]


# ---------------------------------------------------------------------------
# Splits, standardisation
# ---------------------------------------------------------------------------

def _pair(X, y):
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays with one row per sample; got {describe(X)} and {describe(y)}")
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples; got {len(X)} and {len(y)}")
    return X, y


def train_test_split(X, y, test_size: float = 0.3, seed=0, stratify: bool = False):
    """Split ``(X, y)`` at random into train and test parts.

    ``test_size`` is a fraction in (0, 1) (default 0.3: source ``000``'s 7:3
    split) or a number of samples.  With ``stratify`` (True or False) each
    class keeps its proportion (up to rounding).  ``seed`` is an int or a
    numpy Generator.  Returns ``X_train, X_test, y_train, y_test``
    (scikit-learn's order).
    """
    X, y = _pair(X, y)
    n = len(X)
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        n_test = as_int("test_size", test_size, minimum=1)
    else:
        frac = as_in_interval("test_size", test_size, 0.0, 1.0, closed="neither")
        n_test = int(round(frac * n))
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_size must leave at least one sample on each side of the split of {n}; "
                         f"got {test_size!r} ({n_test} test samples)")
    stratify = as_bool("stratify", stratify)
    rng = as_generator("seed", seed)
    if stratify:
        test_idx = []
        classes, counts = np.unique(y, return_counts=True)
        quota = counts * n_test / n
        take = np.floor(quota).astype(int)  # largest remainders get the rest: exactly n_test in all
        take[np.argsort(-(quota - take), kind="stable")[:n_test - take.sum()]] += 1
        for c, k in zip(classes, take):
            members = rng.permutation(np.flatnonzero(y == c))
            test_idx.append(members[:k])
        test = np.sort(np.concatenate(test_idx))
    else:
        test = np.sort(rng.permutation(n)[:n_test])
    mask = np.zeros(n, bool)
    mask[test] = True
    return X[~mask], X[mask], y[~mask], y[mask]


def thesis_wine_split(X, y, train_fraction: float = 0.75):
    """Source 004's wine split: the first ``int(train_fraction * n)`` rows train, the rest test, unshuffled.

    The thesis' wine listing (its section 3.2, lines 7-11) computes
    ``train_size = int(len(x_train) * 0.75)`` and slices ``x[0:train_size]``
    and ``x[train_size:]``: with the 4898 white wines in the file's order,
    the first 3673 train and the last 1225 test.  Nothing is shuffled, so the
    two parts are the file's first three quarters and its last quarter, which
    differ (the quality score varies less in the last quarter).  The rows are
    sliced as they are (``int`` truncates, as Python's does); each side keeps
    at least one sample.  ``train_test_split`` is the shuffled split.

    Parameters
    ----------
    X, y : arrays with one row per sample (the same number)
    train_fraction : float in (0, 1), default 0.75 (the thesis')

    Returns
    -------
    X_train, X_test, y_train, y_test
        Views of ``X`` and ``y`` (scikit-learn's order, as ``train_test_split``).
    """
    X, y = _pair(X, y)
    frac = as_in_interval("train_fraction", train_fraction, 0.0, 1.0, closed="neither")
    n_train = int(frac * len(X))
    if not 1 <= n_train <= len(X) - 1:
        raise ValueError(f"train_fraction must leave at least one sample on each side of the split of {len(X)}; "
                         f"got {train_fraction!r} ({n_train} training samples)")
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


class Standardizer:
    """Centre and scale features with the *training* data's mean and standard deviation.

    ``fit(X_train)`` then ``transform(X)`` for every split: the test data must
    not leak into the statistics.  A constant feature (standard deviation 0)
    is centred and left unscaled, rather than divided by zero.
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X) -> "Standardizer":
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or len(X) == 0:
            raise ValueError(f"X must be a 2-D array (samples, features) with at least one row; got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X must contain only finite values")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("call fit(X_train) before transform")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"X must have shape (n, {self.mean_.shape[0]}); got {X.shape}")
        return (X - self.mean_) / self.scale_

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("call fit(X_train) before inverse_transform")
        return np.asarray(Z, dtype=np.float64) * self.scale_ + self.mean_


def l2_normalize(X, axis: int = -1) -> np.ndarray:
    """Each slice of ``X`` along ``axis`` divided by its Euclidean (L2) norm: Keras' ``normalize``.

    ``tf.keras.utils.normalize(x, axis, order=2)`` computes ``x / ||x||_2``
    along ``axis`` (a zero norm is left as 1, so a zero slice stays zero).
    Source 004 preprocesses MNIST and Wine Quality with ``axis=1``.  Its wine
    code builds the array before it removes the target column, so the table
    it normalises is ``(n, 12)``, the 11 features with the quality score left
    in as the last column; with or without it, ``axis=1`` scales each *wine*
    (row) to norm 1, not each *feature* (column) to a common range -- the
    features keep their very different scales, dominated by the two sulfur
    dioxide columns (``row_norm_share``).  Scaling features is
    ``Standardizer``'s job.

    Parameters
    ----------
    X : floating-point array
    axis : int, default -1
        The axis along which the norm is taken (``1``: along each row of a 2-D table).

    Returns
    -------
    A new float array of ``X``'s shape and dtype.
    """
    X = as_float_array("X", X, allow_scalar=False)
    axis = as_int("axis", axis)
    if not -X.ndim <= axis < X.ndim:
        raise ValueError(f"axis must be an axis of X (from {-X.ndim} to {X.ndim - 1}); got {axis}")
    norm = np.sqrt(np.sum(X * X, axis=axis, keepdims=True))
    return X / np.where(norm == 0, 1, norm).astype(X.dtype)


def _as_table(X) -> np.ndarray:
    X = as_float_array("X", X, allow_scalar=False)
    if X.ndim != 2 or X.shape[0] < 1:
        raise ValueError(f"X must be a 2-D table (samples, features) with at least one row; got shape {X.shape}")
    return X


def feature_scales(X) -> dict:
    """Each column's scale before and after the two scalings of source 004's wine code, as arrays.

    ``mean``, ``std`` (population, ``ddof=0``, as ``Standardizer`` uses),
    ``min``, ``max`` of each column of ``X`` (samples, features);
    ``std_standardized``: the columns' standard deviations after
    ``Standardizer().fit_transform(X)`` (1 for every non-constant column);
    ``std_row_normalized``: after ``l2_normalize(X, axis=1)`` (source 004's
    ``normalize(x, axis=1)``, which scales rows, so the columns keep
    spreads that differ by orders of magnitude).
    """
    X = _as_table(X)
    return {"mean": X.mean(axis=0), "std": X.std(axis=0), "min": X.min(axis=0), "max": X.max(axis=0),
            "std_standardized": Standardizer().fit_transform(X).std(axis=0),
            "std_row_normalized": l2_normalize(X, axis=1).std(axis=0)}


def row_norm_share(X, k: int = 2) -> tuple:
    """The ``k`` columns largest in mean square and the share of each row's squared norm they hold.

    Returns ``(columns, share)``: the columns' indices, largest mean square
    first, and for every row ``sum_{j in columns} x_j^2 / sum_j x_j^2``
    (a zero row gets share 0).  Under ``l2_normalize(X, axis=1)`` a share
    near 1 means the row's normalised entries are those columns' alone: on
    the white wines the two sulfur dioxide columns hold more than 90% of
    almost every row's norm.
    """
    X = _as_table(X)
    k = as_int("k", k, minimum=1)
    if k > X.shape[1]:
        raise ValueError(f"k must be at most the number of columns, {X.shape[1]}; got {k}")
    columns = np.argsort(np.mean(X * X, axis=0), kind="stable")[::-1][:k]
    total = np.sum(X * X, axis=1)
    share = np.divide(np.sum(X[:, columns] ** 2, axis=1), total, out=np.zeros(len(X)), where=total > 0)
    return columns, share
