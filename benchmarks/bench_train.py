"""One training epoch of source 003's network on MNIST: course_lib against Keras ``model.fit``.

The 784-300-100-100-10 ReLU/softmax network, float32, SGD with lr 0.1, the
same initial weights, over the 60,000 training images, at batch sizes 10,
100 and 1000 -- course_lib's ``train`` and Keras' ``fit`` measured in the
same run (each after a short warm-up, so that neither pays for start-up:
Keras traces its ``tf.function`` on the first call).

* course_lib runs with 1 BLAS thread and with one per core
  (``threadpoolctl``); Keras/TensorFlow uses its default, one intra-op
  thread per core.  Both sides compute the loss and the accuracy of every
  batch.
* The matmul peak of the machine (float32 2000x2000 products, 1 thread and
  one per core) is measured in the same run; each training run is reported
  as the fraction of the peak of the threads it used, from the floating-point
  operations of an epoch: per sample ``2 * sum(n_in n_out)`` forward,
  the same for the weight gradients, and ``2 * sum(n_in n_out)`` over layers
  2.. for the backpropagated deltas.
* Memory: ``tracemalloc`` (numpy reports its buffers to it) records the peak
  of new allocations during ``train`` on float32 data; the target is at most
  one extra copy of the data.

Targets (issue 3): course_lib faster than ``fit`` at batch 10 and 100 and
within 1.25x at batch 1000.

    python3 course.py bench                                  # all benchmarks
    .venv/bin/python -m benchmarks.bench_train [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np  # one BLAS thread already (the benchmarks package); threadpoolctl raises it where wanted

from benchmarks.common import environment_info, finish
from course_lib import keras_peer, optim
from course_lib.data import flatten_images, load_mnist
from course_lib.nn import MLP
from course_lib.train import train

SIZES = (784, 300, 100, 100, 10)
LR = 0.1
SGD_INFO = optim.optimizer_info("SGD")  # optim.SGD(LR) and its Keras twin


def epoch_flops(n: int) -> float:
    pairs = [a * b for a, b in zip(SIZES[:-1], SIZES[1:])]
    return n * (2 * sum(pairs) + 2 * sum(pairs) + 2 * sum(pairs[1:]))


def matmul_peak(threads: int, size: int = 2000, repeats: int = 5) -> float:
    """Best float32 GFLOP/s of an (size x size) product with ``threads`` BLAS threads."""
    from threadpoolctl import threadpool_limits

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    best = float("inf")
    with threadpool_limits(threads):
        a @ a
        for _ in range(repeats):
            t0 = time.perf_counter()
            a @ a
            best = min(best, time.perf_counter() - t0)
    return 2 * size**3 / best / 1e9


def time_course_lib(X, y, batch_size: int, threads: int) -> dict:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads):
        warm = MLP(SIZES, dtype=np.float32, seed=0)
        train(warm, X[:2000], y[:2000], optim.SGD(LR), batch_size, 1, progress=False)
        net = MLP(SIZES, dtype=np.float32, seed=0)
        t0 = time.perf_counter()
        hist = train(net, X, y, optim.SGD(LR), batch_size, 1, progress=False)
        seconds = time.perf_counter() - t0
    return {"seconds": seconds, "loss": hist.loss[0], "accuracy": hist.accuracy[0]}


def keras_model(keras, net):
    """``net`` in Keras with its current weights (``keras_peer.mlp_model``), compiled with the Keras
    optimizer that takes ``optim.SGD(LR)``'s steps (the registry's ``keras_pair``)."""
    _, sgd = SGD_INFO.keras_pair(keras, lr=LR)
    model = keras_peer.mlp_model(net)
    model.compile(optimizer=sgd, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def time_keras(keras, X, y, batch_size: int, net) -> dict:
    weights = [p.copy() for p in net.params]
    warm = keras_model(keras, net)
    warm.fit(X[:2000], y[:2000], batch_size=batch_size, epochs=1, verbose=0)
    model = keras_model(keras, net)
    model.fit(X[:batch_size], y[:batch_size], batch_size=batch_size, epochs=1, verbose=0)  # trace
    model.set_weights(weights)
    t0 = time.perf_counter()
    hist = model.fit(X, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "loss": float(hist.history["loss"][0]),
            "accuracy": float(hist.history["accuracy"][0])}


def peak_memory(X, y, batch_size: int) -> dict:
    net = MLP(SIZES, dtype=np.float32, seed=0)
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    train(net, X, y, optim.SGD(LR), batch_size, 1, progress=False)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {"batch_size": batch_size, "peak_extra_bytes": peak, "data_bytes": X.nbytes,
            "extra_copies_of_data": peak / X.nbytes}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6,000 images, batch sizes 100 and 1000")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)

    (X_img, y_all), _ = load_mnist()
    n = 6000 if args.quick else len(X_img)
    X = flatten_images(X_img[:n])  # float32 rows in [0, 1]: the one copy the user makes
    y = y_all[:n].astype(np.int64)
    batch_sizes = (100, 1000) if args.quick else (10, 100, 1000)
    cores = os.cpu_count() or 1
    peaks = {1: matmul_peak(1), cores: matmul_peak(cores)}

    keras = keras_peer.import_keras()
    keras.utils.set_random_seed(0)
    start = MLP(SIZES, dtype=np.float32, seed=0)  # the initial weights of both sides
    flops = epoch_flops(n)
    rows = []
    for bs in batch_sizes:
        ours = {t: time_course_lib(X, y, bs, t) for t in sorted({1, cores})}
        theirs = time_keras(keras, X, y, bs, start)
        best_t = min(ours, key=lambda t: ours[t]["seconds"])
        row = {"batch_size": bs, "keras": theirs, "course_lib": {str(t): r for t, r in ours.items()},
               "course_lib_best_threads": best_t,
               "ratio_best_to_keras": ours[best_t]["seconds"] / theirs["seconds"],
               "ratio_1thread_to_keras": ours[1]["seconds"] / theirs["seconds"],
               "fraction_of_peak": {
                   "keras": flops / theirs["seconds"] / 1e9 / peaks[cores],
                   **{f"course_lib_{t}": flops / r["seconds"] / 1e9 / peaks[t] for t, r in ours.items()}}}
        row["target"] = "< 1" if bs < 1000 else "<= 1.25"
        row["met"] = row["ratio_best_to_keras"] < 1 if bs < 1000 else row["ratio_best_to_keras"] <= 1.25
        rows.append(row)
    memory = peak_memory(X, y, 1000)

    result = {"environment": environment_info(), "quick": args.quick, "n_images": n, "sizes": SIZES,
              "lr": LR, "epoch_gflop": flops / 1e9, "matmul_peak_gflops": {str(k): v for k, v in peaks.items()},
              "keras_version": keras.__version__, "rows": rows, "memory": memory}
    lines = [
        "# One training epoch: course_lib `train` vs Keras `fit`\n",
        f"784-300-100-100-10 ReLU/softmax, float32, SGD lr {LR}, {n:,} MNIST images "
        f"({flops / 1e9:.1f} GFLOP per epoch), Keras {keras.__version__}. "
        f"Matmul peak (float32 2000x2000): {peaks[1]:.0f} GFLOP/s on 1 thread, "
        f"{peaks[cores]:.0f} on {cores}.\n",
        f"| batch | Keras fit (s) | course_lib 1 thread (s) | course_lib {cores} threads (s) | "
        f"best / Keras | target | % of peak: Keras / ours 1t / ours {cores}t |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        c = r["course_lib"]
        fp = r["fraction_of_peak"]
        lines.append(
            f"| {r['batch_size']} | {r['keras']['seconds']:.2f} | {c['1']['seconds']:.2f} | "
            f"{c[str(cores)]['seconds']:.2f} | {r['ratio_best_to_keras']:.2f}x "
            f"({r['course_lib_best_threads']} thr) | {r['target']} {'met' if r['met'] else 'MISSED'} | "
            f"{100 * fp['keras']:.0f}% / {100 * fp['course_lib_1']:.0f}% / {100 * fp[f'course_lib_{cores}']:.0f}% |")
    lines += [
        "",
        "Loss / accuracy after the epoch (same initial weights, different shuffles): "
        + "; ".join(f"batch {r['batch_size']}: Keras {r['keras']['loss']:.3f} / {r['keras']['accuracy']:.3f}, "
                    f"course_lib {r['course_lib']['1']['loss']:.3f} / {r['course_lib']['1']['accuracy']:.3f}"
                    for r in rows) + ".",
        "",
        f"Memory: peak of new allocations during `train` at batch 1000: "
        f"{memory['peak_extra_bytes'] / 2**20:.1f} MiB = {memory['extra_copies_of_data']:.3f} copies of the "
        f"{memory['data_bytes'] / 2**20:.0f} MiB float32 data (target: at most 1).",
        "",
    ]
    finish("train", result, lines, args.out)
    return result


if __name__ == "__main__":
    main()
