"""How long does a slider move take, for every lecture widget? Target: median under 100 ms.

A "move" is ``Interactive.update(name=value)``: the widget's computation,
the redraw of its figure and the PNG encoding -- everything between the
slider's new value reaching the kernel and the new picture leaving it.
Every control of every widget is moved through several values, in turn; the
median over all moves of a widget is its figure of merit.

Peer, measured in the same run: a full redraw of the same figure (Agg
``canvas.draw`` of everything + PNG), which is what each move would cost
without the cached background; the ratio shows what the blitting saves.

    python3 course.py bench
    .venv/bin/python -m benchmarks.bench_widgets [--moves 8] [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from benchmarks.common import environment_info, finish  # the benchmarks package has set MPLBACKEND=Agg
from course_lib import lectures

TARGET_MS = 100.0


def control_values(control, k: int) -> list:
    """``k`` values spread over a control's range (or its options), excluding the current one."""
    import numpy as np

    if hasattr(control, "options") and control.options:
        opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
        vals = [opts[int(i)] for i in np.linspace(0, len(opts) - 1, k)]
    elif type(control).__name__ == "FloatLogSlider":
        vals = list(control.base ** np.linspace(control.min, control.max, k + 2)[1:-1])
    elif isinstance(control.value, bool):
        vals = [not control.value, control.value] * k
    else:
        vals = list(np.linspace(control.min, control.max, k + 2)[1:-1])
        if isinstance(control.value, int):
            vals = [int(round(v)) for v in vals]
        vals = [type(control.value)(v) for v in vals]
    return [v for v in vals if v != control.value][:k] or vals[:1]


def measure(name: str, moves: int) -> dict:
    from course_lib.lectures.figures import to_png

    t0 = time.perf_counter()
    w = lectures.widgets()[name]()
    create_s = time.perf_counter() - t0
    initial = dict(w.values)
    per_control, all_moves = {}, []
    redraws_before = w.full_redraws
    for cname, control in w.controls.items():
        times = []
        for v in control_values(control, moves):
            t = time.perf_counter()
            w.update(**{cname: v})
            times.append(time.perf_counter() - t)
        w.update(**{cname: initial[cname]})  # back, so the next control moves from the default figure
        per_control[cname] = statistics.median(times) * 1e3
        all_moves += times
    full_redraws = w.full_redraws - redraws_before
    peer = []
    for _ in range(max(3, moves // 2)):
        t = time.perf_counter()
        to_png(w.fig)
        peer.append(time.perf_counter() - t)
    w.invalidate()
    median_ms = statistics.median(all_moves) * 1e3
    return {"widget": name, "create_s": create_s, "moves": len(all_moves) + len(w.controls),
            "median_move_ms": median_ms, "p90_move_ms": sorted(all_moves)[int(0.9 * (len(all_moves) - 1))] * 1e3,
            "per_control_median_ms": per_control, "full_redraws": full_redraws,
            "full_redraw_peer_ms": statistics.median(peer) * 1e3,
            "ratio_to_full_redraw": median_ms / (statistics.median(peer) * 1e3),
            "meets_target": median_ms < TARGET_MS}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=8, help="values per control")
    parser.add_argument("--quick", action="store_true", help="2 values per control, three widgets (smoke test)")
    parser.add_argument("--out", type=Path, default=None, help="results directory (default benchmarks/results)")
    args = parser.parse_args(argv)
    names = ["sextic_descent", "optimizer_race", "sigmoid_slope"] if args.quick else list(lectures.widgets())
    moves = 2 if args.quick else args.moves
    rows = [measure(n, moves) for n in names]
    result = {"environment": environment_info(), "target_ms": TARGET_MS, "moves_per_control": moves, "rows": rows,
              "all_meet_target": all(r["meets_target"] for r in rows)}
    lines = ["| widget | median move (ms) | 90th pct (ms) | slowest control: median (ms) | full redraw peer (ms) | "
             "move / full redraw | moves needing a full redraw | made in (s) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        slow_name, slow_ms = max(r["per_control_median_ms"].items(), key=lambda kv: kv[1])
        lines.append(f"| `{r['widget']}` | **{r['median_move_ms']:.0f}** | {r['p90_move_ms']:.0f} | "
                     f"{slow_name}: {slow_ms:.0f} | {r['full_redraw_peer_ms']:.0f} | "
                     f"{r['ratio_to_full_redraw']:.2f} | {r['full_redraws']} of {r['moves']} | {r['create_s']:.1f} |")
    finish("widgets", result, [
        "# Slider moves: compute + redraw + PNG, per lecture widget\n",
        f"Target: median move under {TARGET_MS:.0f} ms. Every control moved through {moves} values in turn "
        "(and back); the peer is a full Agg redraw of the same figure.\n",
        *lines, "",
        f"All widgets meet the target: **{'yes' if result['all_meet_target'] else 'NO'}**.\n",
    ], args.out)
    return result


if __name__ == "__main__":
    main()
