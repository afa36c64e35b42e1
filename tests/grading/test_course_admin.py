"""Instructor tools: collecting an LMS download, and the per-question score report."""

from __future__ import annotations

import zipfile

import nbformat
import pytest

from course_grader.course_admin import collect_zip

NB = nbformat.v4.new_notebook()


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, when, data in members:
            info = zipfile.ZipInfo(name, date_time=when)
            zf.writestr(info, data)
    return path


def _nb(text):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(text))
    return nbformat.writes(nb)


def test_canvas_download_latest_upload_wins_and_renamed_files_are_filed(tmp_path):
    z = _zip(tmp_path / "canvas.zip", [
        ("smithjohn_1001_5001_optimizers.ipynb", (2026, 11, 1, 10, 0, 0), _nb("first")),
        ("smithjohn_LATE_1001_5002_optimizers-1.ipynb", (2026, 11, 2, 9, 0, 0), _nb("second")),
        ("doejane_1002_5003_my_homework.ipynb", (2026, 11, 1, 12, 30, 0), _nb("jane")),
        ("doejane_1002_5004_notes.pdf", (2026, 11, 1, 12, 30, 0), b"%PDF"),
    ])
    res = collect_zip(z, tmp_path / "grading", "03_optimizers", expected=["optimizers"])
    assert dict(res) == {"1001": ["optimizers.ipynb"], "1002": ["optimizers.ipynb"]}
    assert res.layout == "canvas" and res.skipped == [("doejane_1002_5004_notes.pdf", "not a notebook")]
    sub = tmp_path / "grading" / "submitted"
    assert "second" in (sub / "1001" / "03_optimizers" / "optimizers.ipynb").read_text()
    assert "jane" in (sub / "1002" / "03_optimizers" / "optimizers.ipynb").read_text()
    assert (sub / "1001" / "03_optimizers" / "timestamp.txt").read_text().strip() == "2026-11-02 09:00:00"


def test_moodle_and_plain_layouts(tmp_path):
    z = _zip(tmp_path / "moodle.zip", [
        ("Ada Lovelace_77_assignsubmission_file_/numerical_gradients.ipynb", (2026, 10, 3, 8, 0, 0), _nb("ada")),
        ("Alan Turing_78_assignsubmission_file_/work/numerical_gradients.ipynb", (2026, 10, 3, 9, 0, 0), _nb("alan")),
        ("__MACOSX/._junk.ipynb", (2026, 10, 3, 9, 0, 0), b""),
    ])
    res = collect_zip(z, tmp_path / "g", "01_numerical_gradients", expected=["numerical_gradients"])
    assert sorted(res) == ["77", "78"] and res.layout == "moodle"
    z = _zip(tmp_path / "plain.zip", [("class/bea/numerical_gradients.ipynb", (2026, 10, 3, 8, 0, 0), _nb("bea"))])
    assert dict(collect_zip(z, tmp_path / "h", "01_numerical_gradients")) == {"bea": ["numerical_gradients.ipynb"]}


@pytest.mark.parametrize("member", ["../x.ipynb", "../../etc/evil/x.ipynb", "/abs/student/x.ipynb",
                                    "class/../../x/numerical_gradients.ipynb", "C:/student/x.ipynb",
                                    "..\\..\\x.ipynb", "student/..\\x.ipynb"])
def test_a_member_that_climbs_out_is_refused_and_named(tmp_path, member):
    z = _zip(tmp_path / "evil.zip", [(member, (2026, 10, 3, 8, 0, 0), _nb("evil")),
                                     ("class/bea/numerical_gradients.ipynb", (2026, 10, 3, 8, 0, 0), _nb("bea"))])
    course = tmp_path / "deep" / "grading"
    res = collect_zip(z, course, "01_numerical_gradients", expected=["numerical_gradients"])
    assert dict(res) == {"bea": ["numerical_gradients.ipynb"]}
    assert [(m, why.split(":")[0]) for m, why in res.skipped] == [(member, "refused")]
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.ipynb"))
    assert written == ["deep/grading/submitted/bea/01_numerical_gradients/numerical_gradients.ipynb"]


def test_not_a_zip_is_a_clear_error(tmp_path):
    (tmp_path / "x.zip").write_text("nope")
    with pytest.raises(ValueError, match="zip_path must be a zip file"):
        collect_zip(tmp_path / "x.zip", tmp_path, "a")


@pytest.mark.slow
def test_report_counts_match_the_gradebook(graded, tmp_path):
    from course_grader.course_admin import summary_report

    scores, course = graded
    data = summary_report(f"sqlite:///{course / 'grading' / 'gradebook.db'}", "01_numerical_gradients",
                          tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    n = len(scores)
    assert data["total"]["n"] == n
    full = sum(1 for s in scores.values() if s["test_forward"] == 1)
    assert data["test_forward"]["full_marks"] == full and data["test_forward"]["n"] == n
    assert data["test_backward"]["zero"] == sum(1 for s in scores.values() if s["test_backward"] == 0)

