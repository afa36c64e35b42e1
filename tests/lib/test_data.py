"""course_lib.data: loaders against the numbers published in ../shared/data/README.md, errors, toy data."""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pytest

import course_env
from course_lib import data
from course_lib.data import CorruptDataError, DataNotFoundError

DATA = Path(os.environ.get(course_env.DATA_DIR, course_env.SHARED_DATA))  # conftest applied course_env

# ../shared/data/README.md: class counts, mean pixel values, checksums, row counts
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
MNIST_TRAIN_IMAGES_SHA256 = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
WINE_QUALITY_COUNTS = {"red": {3: 10, 4: 53, 5: 681, 6: 638, 7: 199, 8: 18},
                       "white": {3: 20, 4: 163, 5: 1457, 6: 2198, 7: 880, 8: 175, 9: 5}}


def test_mnist_matches_the_published_facts():
    (X, y), (Xt, yt) = data.load_mnist()
    assert X.shape == (60000, 28, 28) and Xt.shape == (10000, 28, 28)
    assert y.shape == (60000,) and yt.shape == (10000,)
    assert X.dtype == y.dtype == np.uint8
    assert np.bincount(y).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(yt).tolist() == MNIST_TEST_COUNTS
    assert round(float(X.mean()), 2) == 33.32 and round(float(Xt.mean()), 2) == 33.79
    assert X.min() == 0 and X.max() == 255
    header = struct.pack(">IIII", 2051, 60000, 28, 28)
    assert hashlib.sha256(header + X.tobytes()).hexdigest() == MNIST_TRAIN_IMAGES_SHA256
    assert not X.flags.writeable  # cached: nobody may change another caller's copy
    assert data.load_mnist()[0][0] is X  # the second call is free


def test_flatten_images_is_pixels_over_255_row_by_row():
    images = np.array([[[0, 51, 102], [153, 204, 255]],
                       [[255, 0, 0], [0, 0, 51]]], dtype=np.uint8)
    X = data.flatten_images(images)
    # by hand: 51 / 255 = 0.2, 102 / 255 = 0.4, ...; row i reads image i row by row
    expected = [[0.0, 0.2, 0.4, 0.6, 0.8, 1.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.2]]
    assert X.dtype == np.float32 and X.shape == (2, 6)
    np.testing.assert_array_equal(X, np.array(expected, dtype=np.float32))
    X64 = data.flatten_images(images, dtype=np.float64)
    assert X64.dtype == np.float64
    np.testing.assert_array_equal(X64, np.array(expected))
    assert data.flatten_images(images, dtype="float64").dtype == np.float64


def test_flatten_images_on_mnist_is_a_new_copy_with_the_published_mean():
    (X_img, _), _ = data.load_mnist()
    X = data.flatten_images(X_img[:1000])
    assert X.shape == (1000, 784) and X.dtype == np.float32
    assert X.flags.writeable and not np.shares_memory(X, X_img)
    assert X[7, 28 * 13 + 9] == np.float32(int(X_img[7, 13, 9]) / 255)  # pixel (13, 9) of image 7
    X_all = data.flatten_images(X_img)
    assert X_all.min() == 0.0 and X_all.max() == 1.0
    # ../shared/data/README.md: the mean pixel of the training images is 33.32 (of 255)
    assert round(float(X_all.mean(dtype=np.float64)) * 255, 2) == 33.32
    assert not X_img.flags.writeable and data.load_mnist()[0][0] is X_img  # the cache is untouched


def test_flatten_images_refuses_what_it_cannot_scale():
    with pytest.raises(TypeError, match=r"images must be a uint8 array of pixel values 0\.\.255.*got array of "
                                        r"dtype float32 and shape \(2, 28, 28\)"):
        data.flatten_images(np.zeros((2, 28, 28), np.float32))  # already scaled: /255 again would be wrong
    with pytest.raises(TypeError, match="images must be a uint8 array.*got list"):
        data.flatten_images([[[0, 255]]])
    with pytest.raises(ValueError, match=r"images must have shape \(n, height, width\); got array of dtype uint8 "
                                         r"and shape \(28, 28\)"):
        data.flatten_images(np.zeros((28, 28), np.uint8))  # one image, not a batch of them
    for dtype in (np.int64, np.float16, None, "pixels"):
        with pytest.raises(ValueError, match="dtype must be float32 or float64; got"):
            data.flatten_images(np.zeros((1, 28, 28), np.uint8), dtype=dtype)


def test_fashion_mnist_matches_the_published_facts():
    (X, y), (Xt, yt) = data.load_mnist("fashion")
    assert X.shape == (60000, 28, 28) and Xt.shape == (10000, 28, 28)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10
    assert round(float(X.mean()), 2) == 72.94 and round(float(Xt.mean()), 2) == 73.15


@pytest.mark.parametrize("color,n", [("red", 1599), ("white", 4898)])
def test_wine_quality_matches_the_published_facts(color, n):
    X, y, names = data.load_wine_quality(color)
    assert X.shape == (n, 11) and y.shape == (n,) and X.dtype == np.float64
    values, counts = np.unique(y, return_counts=True)
    assert dict(zip(values.astype(int).tolist(), counts.tolist())) == WINE_QUALITY_COUNTS[color]
    assert names[0] == "fixed acidity" and names[-1] == "alcohol" and len(names) == 11


def test_data_dir_is_used_first_and_accepts_the_parent(tmp_path):
    (X, _), _ = data.load_mnist(data_dir=DATA)  # parent folder holding mnist/
    (X2, _), _ = data.load_mnist(data_dir=DATA / "mnist")
    assert X is X2


def _write_idx(path: Path, magic: int, dims, payload: bytes, compress=True):
    raw = struct.pack(">I" + "I" * len(dims), magic, *dims) + payload
    path.write_bytes(gzip.compress(raw) if compress else raw)


def _fake_mnist(folder: Path, n_train=60000, n_test=10000):
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in (("train", n_train), ("t10k", n_test)):
        _write_idx(folder / f"{split}-images-idx3-ubyte.gz", 2051, (n, 28, 28), bytes(n * 784))
        _write_idx(folder / f"{split}-labels-idx1-ubyte.gz", 2049, (n,), bytes(n))


def test_corrupt_files_name_the_file(tmp_path):
    f = tmp_path / "x.gz"
    _write_idx(f, 2051, (10, 28, 28), bytes(10 * 784 - 5))
    with pytest.raises(CorruptDataError, match=r"x\.gz is truncated: 7835 data bytes"):
        data.read_idx(f)
    _write_idx(f, 2049, (10,), bytes(10))
    with pytest.raises(CorruptDataError, match=r"x\.gz should hold images \(magic 2051\); its magic number is 2049"):
        data.read_idx(f, 2051)
    f.write_bytes(b"not gzip at all")
    with pytest.raises(CorruptDataError, match=r"x\.gz is not a readable gzip file"):
        data.read_idx(f)
    f.write_bytes(gzip.compress(bytes(4000))[:-30])  # a cut-off download
    with pytest.raises(CorruptDataError, match=r"x\.gz is not a readable gzip file"):
        data.read_idx(f)
    _write_idx(f, 2051, (10, 28, 27), bytes(10 * 28 * 27))
    with pytest.raises(CorruptDataError, match=r"has dimensions \(10, 28, 27\); expected \(10, 28, 28\)"):
        data.read_idx(f, 2051, (10, 28, 28))


def test_corrupt_mnist_folder_is_reported_not_skipped(tmp_path):
    folder = tmp_path / "mnist"
    _fake_mnist(folder, n_train=60000, n_test=10000)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", 2049, (9999,), bytes(9999))
    with pytest.raises(CorruptDataError, match=r"t10k-labels-idx1-ubyte\.gz has dimensions \(9999,\)"):
        data.load_mnist(data_dir=folder)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", 2049, (10000,), bytes([12]) * 10000)
    with pytest.raises(CorruptDataError, match="holds a label 12"):
        data.load_mnist(data_dir=folder)


def test_missing_data_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DataNotFoundError) as info:
        data.load_mnist(download=False)
    msg = str(info.value)
    assert "train-images-idx3-ubyte.gz" in msg and "COURSE_DATA_DIR" in msg
    assert str(tmp_path / "nowhere" / "mnist") in msg and str(tmp_path / "keras" / "datasets" / "mnist.npz") in msg
    with pytest.raises(DataNotFoundError, match="winequality-red.csv"):
        data.load_wine_quality("red", download=False)
    with pytest.raises(DataNotFoundError, match="data_dir"):
        data.load_mnist(data_dir=tmp_path)  # explicit and empty: no silent fallback


def test_keras_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    _fake_mnist(tmp_path / "keras" / "datasets" / "fashion-mnist")
    (X, y), (Xt, yt) = data.load_mnist("fashion", download=False)
    assert X.shape == (60000, 28, 28) and int(X.max()) == 0
    cache = tmp_path / "keras" / "datasets"
    np.savez(cache / "mnist.npz", x_train=np.full((60000, 28, 28), 7, np.uint8), y_train=np.zeros(60000, np.uint8),
             x_test=np.zeros((10000, 28, 28), np.uint8), y_test=np.zeros(10000, np.uint8))
    (X, _), _ = data.load_mnist(download=False)
    assert X[0, 0, 0] == 7


def test_the_mnist_download_imports_keras_through_keras_peer(tmp_path, monkeypatch):
    """TensorFlow is imported in one place, ``keras_peer.import_keras``; a failed download says what to do."""
    from course_lib import keras_peer

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    calls = []

    def no_keras():
        calls.append(1)
        raise ImportError("no keras here")

    monkeypatch.setattr(keras_peer, "import_keras", no_keras)
    with pytest.raises(DataNotFoundError, match=r"download through Keras: failed \(ImportError: no keras here\)"):
        data.load_mnist()
    assert calls == [1]


def test_wine_header_is_checked(tmp_path):
    (tmp_path / "winequality-red.csv").write_text('"a";"b"\n1;2\n')
    with pytest.raises(CorruptDataError, match="does not have the Wine Quality header"):
        data.load_wine_quality("red", data_dir=tmp_path)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind must be one of 'digits', 'fashion'; got 'letters'"):
        data.load_mnist("letters")
    with pytest.raises(ValueError, match="color must be one of"):
        data.load_wine_quality("rose")
    with pytest.raises(TypeError, match="download must be True or False; got"):
        data.load_mnist(download="no")
    with pytest.raises(TypeError, match="download must be True or False; got"):
        data.load_wine_quality("red", download=0)


# --- toy data --------------------------------------------------------------------------------

def test_circles_radii_and_balance():
    X, y = data.make_circles(400, noise=0.0, factor=0.4, seed=1)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 1], 0.4, rtol=1e-12)
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-12)
    assert np.bincount(y).tolist() == [200, 200]
    X2, y2 = data.make_circles(400, noise=0.0, factor=0.4, seed=1)
    np.testing.assert_array_equal(X, X2)
    Xn, _ = data.make_circles(400, noise=0.1, seed=1)
    assert not np.allclose(np.hypot(Xn[:, 0], Xn[:, 1])[y == 0], 1.0)


def test_spiral_arms_wind_outwards_and_mirror_each_other():
    X, y = data.make_spirals(300, noise=0.0, turns=1.5, seed=2)
    assert np.bincount(y).tolist() == [150, 150]
    for arm in (0, 1):
        P = X[y == arm]
        r = np.hypot(P[:, 0], P[:, 1])
        order = np.argsort(r)
        sign = 1 if arm == 0 else -1
        # the angle along the arm equals 2 pi turns * r (r = t / (2 pi turns))
        t = 2 * np.pi * 1.5 * r[order]
        np.testing.assert_allclose(sign * P[order, 0], r[order] * np.cos(t), atol=1e-12)
        np.testing.assert_allclose(sign * P[order, 1], r[order] * np.sin(t), atol=1e-12)
    assert r.max() <= 1.0


@pytest.mark.parametrize("make", [data.make_circles, data.make_spirals])
def test_toy_data_seed_is_an_int_or_a_generator(make):
    X, y = make(50, seed=4)
    X_gen, y_gen = make(50, seed=np.random.default_rng(4))  # an int seeds a new Generator
    np.testing.assert_array_equal(X, X_gen)
    np.testing.assert_array_equal(y, y_gen)
    gen = np.random.default_rng(4)
    make(50, seed=gen)
    assert not np.array_equal(make(50, seed=gen)[0], X)  # a Generator is used as it is: it advances
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator.*float"):
        make(50, seed=0.5)
    with pytest.raises(ValueError, match="seed must be an int >= 0"):
        make(50, seed=-3)


def test_train_test_split_and_standardizer():
    X = np.arange(100.0).reshape(50, 2)
    y = np.repeat([0, 1], 25)
    Xa, Xb, ya, yb = data.train_test_split(X, y, test_size=0.3, seed=0, stratify=True)
    assert len(Xb) == 15 and len(Xa) == 35
    assert set(Xa[:, 0]).isdisjoint(Xb[:, 0]) and len(set(Xa[:, 0]) | set(Xb[:, 0])) == 50
    assert sorted(np.bincount(yb).tolist()) == [7, 8]  # 7.5 each, rounded to sum to 15
    s = data.Standardizer().fit(Xa)
    Z = s.transform(Xa)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)
    np.testing.assert_allclose(s.inverse_transform(s.transform(Xb)), Xb, rtol=1e-12)
    const = data.Standardizer().fit(np.array([[1.0, 2.0], [1.0, 4.0]]))
    np.testing.assert_allclose(const.transform([[1.0, 3.0]]), [[0.0, 0.0]])
    with pytest.raises(ValueError, match="test_size must lie in"):
        data.train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="same number of samples; got 50 and 49"):
        data.train_test_split(X, y[:-1])
    with pytest.raises(TypeError, match="stratify must be True or False; got"):
        data.train_test_split(X, y, stratify=y)  # scikit-learn's stratify=labels is not this one's


def test_train_test_split_seed_is_an_int_or_a_generator():
    X = np.arange(40.0).reshape(20, 2)
    y = np.arange(20)
    split = data.train_test_split(X, y, test_size=5, seed=2)
    # an int seeds a new Generator: the same split as from default_rng(2), every time
    for a, b in zip(split, data.train_test_split(X, y, test_size=5, seed=np.random.default_rng(2))):
        np.testing.assert_array_equal(a, b)
    gen = np.random.default_rng(2)
    data.train_test_split(X, y, test_size=5, seed=gen)
    assert not np.array_equal(data.train_test_split(X, y, test_size=5, seed=gen)[3], split[3])  # it advanced
    with pytest.raises(TypeError, match="seed must be an int or a numpy random Generator"):
        data.train_test_split(X, y, seed="2")


def test_thesis_wine_split_is_the_theses_slices():
    """Source 004's lines 7-11: ``train_size = int(len(x_train) * 0.75)``, then ``x[0:train_size]`` and
    ``x[train_size:]`` -- the file's first 3673 of 4898 white wines train, the last 1225 test, unshuffled."""
    X, y, _ = data.load_wine_quality("white")
    X_train, X_test, y_train, y_test = data.thesis_wine_split(X, y)
    assert (len(X_train), len(X_test)) == (3673, 1225) == (4898 * 3 // 4, 4898 - 4898 * 3 // 4)
    np.testing.assert_array_equal(X_train, X[:3673])
    np.testing.assert_array_equal(X_test, X[3673:])
    np.testing.assert_array_equal(y_train, y[:3673])
    np.testing.assert_array_equal(y_test, y[3673:])
    # the file's first row (the thesis' Figure 15, row 0): 7.0 0.27 0.36 20.7 ... 8.8, quality 6
    assert X_train[0, 0] == 7.0 and X_train[0, -1] == 8.8 and y_train[0] == 6
    # the last row (Figure 15, row 4897): 6.0 0.21 0.38 0.8 ... 11.8, quality 6
    assert X_test[-1, 0] == 6.0 and X_test[-1, -1] == 11.8 and y_test[-1] == 6
    # by hand on 10 rows: int(0.75 * 10) = 7 (truncated, not rounded to 8), int(0.5 * 10) = 5
    Xs, ys = np.arange(20.0).reshape(10, 2), np.arange(10)
    assert [len(part) for part in data.thesis_wine_split(Xs, ys)] == [7, 3, 7, 3]
    assert data.thesis_wine_split(Xs, ys, train_fraction=0.5)[3].tolist() == [5, 6, 7, 8, 9]


def test_thesis_wine_split_names_bad_arguments():
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match="same number of samples; got 4 and 3"):
        data.thesis_wine_split(X, y[:3])
    with pytest.raises(ValueError, match="train_fraction must lie in"):
        data.thesis_wine_split(X, y, train_fraction=1.0)
    with pytest.raises(ValueError, match=r"train_fraction must leave at least one sample on each side .* got 0.2 \(0"):
        data.thesis_wine_split(X, y, train_fraction=0.2)


# ---------------------------------------------------------------------------------------------
# l2_normalize: source 004's tf.keras.utils.normalize(x, axis=1)
# ---------------------------------------------------------------------------------------------
def test_l2_normalize_divides_each_slice_by_its_euclidean_norm():
    X = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    # by hand: |(3, 4)| = 5; a zero row stays zero; along the columns |(3, 0, 1)| = sqrt(10), |(4, 0, 0)| = 4
    np.testing.assert_allclose(data.l2_normalize(X, axis=1), [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-15)
    np.testing.assert_allclose(data.l2_normalize(X, axis=0),
                               [[3 / np.sqrt(10), 1.0], [0.0, 0.0], [1 / np.sqrt(10), 0.0]], rtol=1e-15)
    assert data.l2_normalize(X.astype(np.float32)).dtype == np.float32
    assert data.l2_normalize(X)[0, 0] == 0.6 and X[0, 0] == 3.0     # a new array; the input is untouched


def test_l2_normalize_is_keras_normalize():
    from course_lib import keras_peer

    keras = keras_peer.import_keras()
    X = np.random.default_rng(0).normal(size=(5, 4, 3))
    for x, axis in ((X, 1), (X, -1), (X[:, :, 0], 1)):   # (Keras' own normalize fails for axis=0)
        np.testing.assert_allclose(data.l2_normalize(x, axis=axis), keras.utils.normalize(x, axis=axis, order=2),
                                   rtol=1e-12)


def test_l2_normalize_of_the_wine_rows_leaves_the_features_on_different_scales():
    X, _, names = data.load_wine_quality("white")
    Z = data.l2_normalize(X, axis=1)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-12)
    spread = Z.std(axis=0)
    # total sulfur dioxide (about 140 mg/l) dominates every row's norm; chlorides (about 0.05) are crushed
    assert names[int(np.argmax(np.abs(Z).mean(axis=0)))] == "total sulfur dioxide"
    assert spread.max() / spread.min() > 100


def test_l2_normalize_names_bad_arguments():
    with pytest.raises(TypeError, match="X must be a floating-point array"):
        data.l2_normalize(np.ones((2, 2), dtype=int))
    with pytest.raises(ValueError, match="axis must be an axis of X"):
        data.l2_normalize(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer"):
        data.l2_normalize(np.ones((2, 2)), axis=1.0)


def test_feature_scales_and_row_norm_share_by_hand():
    from course_lib.data import feature_scales, row_norm_share

    X = np.array([[1.0, 100.0, 3.0], [3.0, 300.0, 3.0], [2.0, 200.0, 0.0]])
    sc = feature_scales(X)
    np.testing.assert_allclose(sc["mean"], [2.0, 200.0, 2.0])
    np.testing.assert_allclose(sc["std"], [np.sqrt(2 / 3), 100 * np.sqrt(2 / 3), np.sqrt(2.0)])
    np.testing.assert_allclose(sc["min"], [1, 100, 0]) and np.testing.assert_allclose(sc["max"], [3, 300, 3])
    np.testing.assert_allclose(sc["std_standardized"], [1.0, 1.0, 1.0])
    rows = X / np.sqrt((X ** 2).sum(1, keepdims=True))                  # Keras' normalize(axis=1), by hand
    np.testing.assert_allclose(sc["std_row_normalized"], rows.std(axis=0))
    cols, share = row_norm_share(X, 1)                                  # column 1 is largest in mean square
    assert cols.tolist() == [1]
    np.testing.assert_allclose(share, [1e4 / 10010, 9e4 / 90018, 4e4 / 40004])
    cols, share = row_norm_share(np.array([[0.0, 0.0], [1.0, 1.0]]), 2)
    assert sorted(cols.tolist()) == [0, 1] and share.tolist() == [0.0, 1.0]   # a zero row has share 0
    with pytest.raises(ValueError, match="k must be at most the number of columns, 3; got 4"):
        row_norm_share(X, 4)
    with pytest.raises(ValueError, match="X must be a 2-D table"):
        feature_scales(np.ones(3))
