"""Instructor tools around nbgrader: collect an LMS download, and a summary report of an assignment.

``collect_zip`` takes the zip file a learning-management system exports
("download all submissions") and files every notebook where nbgrader expects
it, ``submitted/<student>/<assignment>/<notebook>.ipynb``, with the upload
time in ``timestamp.txt``.  It understands

* Canvas: ``<name>[_LATE]_<user id>_<submission id>_<file>[-<n>].ipynb`` (flat; ``-<n>`` marks re-uploads),
* Moodle: ``<Full Name>_<id>_assignsubmission_file_/<file>.ipynb`` (one folder per student),
* a plain ``<student>/<file>.ipynb`` layout.

The student id is the LMS user id (Canvas, Moodle) or the folder name.  When
a student uploaded the same notebook more than once, the latest upload wins;
files that are not notebooks or match no layout are listed in the result.
A member whose path climbs out of the folder it is unpacked into (``..``, an
absolute path, a drive letter, a backslash) is refused and listed; nothing is
ever written outside ``submitted/<student>/<assignment>/``.

``summary_report`` reads the gradebook and draws one histogram per graded
question and one of the totals, into a PNG (and returns the numbers).

    python3 course.py grade collect-zip 03_optimizers ~/Downloads/submissions.zip
    python3 course.py grade report 03_optimizers            # grading/reports/03_optimizers.png

Imports nbgrader and matplotlib when used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import zipfile
from pathlib import Path, PurePosixPath

__all__ = ["CollectResult", "collect_zip", "summary_report", "main"]

CANVAS = re.compile(r"^(?P<name>[A-Za-z]+)(?:_LATE)?_(?P<student>\d+)_(?P<submission>\d+)_(?P<file>.+?)(?:-(?P<n>\d+))?\.ipynb$")
MOODLE = re.compile(r"^(?P<name>[^/]+?)_(?P<student>\d+)_assignsubmission_file_/(?:.*/)?(?P<file>[^/]+)\.ipynb$")
PLAIN = re.compile(r"^(?:.*/)?(?P<student>[^/]+)/(?P<file>[^/]+)\.ipynb$")


class CollectResult(dict):
    """``{student: [notebook names]}`` collected, with ``skipped`` (path, reason) and ``layout``."""

    skipped: list
    layout: str


def _climbs_out(member: str) -> bool:
    """True for a zip member path that would leave the folder it is unpacked into."""
    parts = PurePosixPath(member).parts
    return (member.startswith(("/", "\\")) or "\\" in member or re.match(r"^[A-Za-z]:", member) is not None
            or ".." in parts)


def _safe_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _identify(member: str):
    """(layout, student, file stem, upload rank) of a zip member, or None."""
    path = str(PurePosixPath(member))
    base = PurePosixPath(path).name
    if "__MACOSX" in path or base.startswith("."):
        return None
    m = MOODLE.match(path)
    if m:
        return "moodle", m["student"], m["file"], 0
    m = CANVAS.match(base) if "/" not in path.strip("/") else None
    if m:
        return "canvas", m["student"], m["file"], int(m["n"] or 0)
    m = PLAIN.match(path)
    if m:
        return "plain", m["student"], m["file"], 0
    return None


def collect_zip(zip_path, course, assignment: str, expected=None) -> CollectResult:
    """File the notebooks of an LMS zip into ``course/submitted``; return what was collected.

    ``expected``: the assignment's notebook names (without ``.ipynb``).  A
    student's single notebook under another name is filed under the expected
    one (LMSs rename uploads); with several notebooks, names are kept.
    """
    course = Path(course)
    zip_path = Path(zip_path)
    if not zipfile.is_zipfile(zip_path):
        raise ValueError(f"zip_path must be a zip file exported by the LMS; {zip_path} is not one")
    picked, skipped, layouts = {}, [], set()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            if _climbs_out(info.filename):
                skipped.append((info.filename, "refused: its path climbs out of the folder (.., an absolute path)"))
                continue
            if not info.filename.endswith(".ipynb"):
                skipped.append((info.filename, "not a notebook"))
                continue
            found = _identify(info.filename)
            if found is None:
                skipped.append((info.filename, "matches no known layout"))
                continue
            layout, student, stem, rank = found
            if not (_safe_name(student) and _safe_name(stem)):
                skipped.append((info.filename, f"refused: {student!r} is not a usable student id"))
                continue
            layouts.add(layout)
            key = (student, stem)
            when = dt.datetime(*info.date_time)
            if key not in picked or (rank, when) > (picked[key][0], picked[key][1]):
                picked[key] = (rank, when, info)
        result = CollectResult()
        by_student = {}
        for (student, stem), item in picked.items():
            by_student.setdefault(student, []).append((stem, item))
        root = (course / "submitted").resolve()
        for student, items in sorted(by_student.items()):
            folder = course / "submitted" / student / assignment
            if root not in (folder.resolve()).parents:  # the last guard: never outside submitted/
                skipped.extend((info.filename, "refused: outside submitted/") for _, (_, _, info) in items)
                continue
            folder.mkdir(parents=True, exist_ok=True)
            newest = max(when for _, (_, when, _) in items)
            for stem, (_, _, info) in items:
                name = stem
                if expected and len(items) == 1 and len(expected) == 1 and stem not in expected:
                    name = expected[0]
                (folder / f"{name}.ipynb").write_bytes(zf.read(info))
                result.setdefault(student, []).append(f"{name}.ipynb")
            (folder / "timestamp.txt").write_text(newest.strftime("%Y-%m-%d %H:%M:%S") + "\n")
    result.skipped = skipped
    result.layout = "/".join(sorted(layouts)) or "none"
    return result


def summary_report(db_url: str, assignment: str, out_png) -> dict:
    """Histograms of every graded question's scores and of the totals; returns the numbers drawn."""
    import numpy as np
    from nbgrader.api import Gradebook

    from course_lib.lectures.figures import figure

    with Gradebook(db_url) as gb:
        a = gb.find_assignment(assignment)
        questions = [(nb.name, cell.name, cell.max_score) for nb in a.notebooks for cell in nb.grade_cells]
        scores = {q[:2]: [] for q in questions}
        totals = []
        for sub in gb.assignment_submissions(assignment):
            totals.append(sub.score)
            for nb in sub.notebooks:
                for g in nb.grades:
                    scores[(nb.name, g.name)].append(g.score)
        max_total = a.max_score
    n = len(questions) + 1
    cols = min(4, n)
    rows = -(-n // cols)  # ceiling division
    fig, axes = figure(3.2 * cols, 2.6 * rows, ncols=cols, nrows=rows)
    data = {}
    for ax, (nb, name, max_score) in zip(axes, questions):
        vals = np.asarray(scores[(nb, name)], dtype=float)
        bins = np.arange(0, max_score + 1.5) - 0.5 if float(max_score).is_integer() else 10
        ax.hist(vals, bins=bins, color="C0", edgecolor="white")
        ax.set(title=f"{name} (max {max_score:g})", xlabel="points", ylabel="students")
        if float(max_score).is_integer() and max_score <= 10:
            ax.set_xticks(range(int(max_score) + 1))
        data[name] = {"max": max_score, "mean": float(vals.mean()) if vals.size else float("nan"),
                      "full_marks": int(np.sum(vals == max_score)), "zero": int(np.sum(vals == 0)), "n": int(vals.size)}
    ax = axes[len(questions)]
    t = np.asarray(totals, dtype=float)
    ax.hist(t, bins=np.arange(0, max_total + 1.5) - 0.5, color="C1", edgecolor="white")
    ax.set(title=f"total (max {max_total:g}), {t.size} students", xlabel="points", ylabel="students")
    for a in axes[:n]:
        a.yaxis.get_major_locator().set_params(integer=True)
    for extra in axes[n:]:
        extra.set_axis_off()
    fig.suptitle(f"{assignment}: scores per question")
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=100)
    data["total"] = {"max": max_total, "mean": float(t.mean()) if t.size else float("nan"), "n": int(t.size)}
    return data


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect-zip", help="file an LMS download into submitted/")
    c.add_argument("assignment")
    c.add_argument("zip")
    r = sub.add_parser("report", help="score histograms of an assignment")
    r.add_argument("assignment")
    r.add_argument("--out", default=None)
    parser.add_argument("--course", default=".", help="the nbgrader course root (default: here)")
    args = parser.parse_args(argv)
    course = Path(args.course).resolve()
    if args.command == "collect-zip":
        source = course / ".." / "solutions" / args.assignment
        expected = sorted(p.stem for p in source.glob("*.ipynb")) if source.is_dir() else None
        res = collect_zip(args.zip, course, args.assignment, expected)
        print(f"[collect] {len(res)} students from a {res.layout} download into submitted/*/{args.assignment}/")
        for path, why in res.skipped:
            print(f"[collect] {'REFUSED' if why.startswith('refused') else 'skipped'} {path}: {why}")
        return 0
    out = args.out or course / "reports" / f"{args.assignment}.png"
    from .parallel_autograde import course_settings

    data = summary_report(course_settings(course)[2], args.assignment, out)
    for name, d in data.items():
        print(f"[report] {name}: mean {d['mean']:.2f} of {d['max']:g} ({d['n']} students)")
    print(f"[report] histograms in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
