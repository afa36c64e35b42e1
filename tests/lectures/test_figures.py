"""The static-figure helpers: PNGs of the right size, Markdown, and the experiments' results tables."""

import io
from pathlib import Path

import pytest

from course_lib.lectures import figures

ROOT = Path(__file__).resolve().parents[2]


def test_a_figure_renders_to_a_png_of_its_size_in_pixels():
    from PIL import Image

    fig, axes = figures.figure(4.0, 2.0, ncols=2)
    assert len(axes) == 2
    axes[0].set_title("left")
    png = figures.to_png(fig)
    with Image.open(io.BytesIO(png)) as im:
        assert im.size == (4 * figures.DPI, 2 * figures.DPI)
    plot = figures.Plot(fig, {"x": 1})
    assert repr(plot) == "<Plot 'left'>" and plot.data == {"x": 1}
    assert plot._repr_png_().startswith(b"\x89PNG")


def test_results_tables_are_read_from_the_repositorys_experiments_folder(tmp_path):
    # the default folder is the repository's experiments/results, whatever the working directory
    whole = figures.results_table("source_003_mnist")
    assert whole.text == (ROOT / "experiments" / "results" / "source_003_mnist.md").read_text()
    (tmp_path / "demo.md").write_text("# Demo\n\nintro\n\n## Table 1: speed\n\n| a |\n|---|\n| 1 |\n\n## Table 2\n\nx\n")
    part = figures.results_table("demo", "table 1", folder=tmp_path)
    assert part._repr_markdown_() == "#### Table 1: speed\n\n| a |\n|---|\n| 1 |" and str(part) == part.text
    with pytest.raises(ValueError, match=r"section must start one of the headings of demo.md: \['Table 1: speed', "
                                         r"'Table 2'\]; got 'Table 3'"):
        figures.results_table("demo", "Table 3", folder=tmp_path)
    with pytest.raises(FileNotFoundError, match=r"no results file .*missing.md; available: \['demo'\]"):
        figures.results_table("missing", folder=tmp_path)


def test_a_reveal_folds_its_markdown_behind_a_summary_and_refuses_bad_labels():
    from html.parser import HTMLParser

    shown = figures.reveal("It is $2/f''(x^*) = 0.5$.\n\nSecond paragraph.", "Answer 1")
    text = shown._repr_markdown_()
    tags = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append(tag)

    Tags().feed(text)
    assert tags == ["details", "summary"]           # folded: the answer is inside <details>, after its label
    body = text.split("</summary>", 1)[1]
    assert body.startswith("\n\n") and body.rstrip().endswith("</details>")  # blank line: still Markdown inside
    assert "$2/f''(x^*) = 0.5$" in body and "Second paragraph." in body
    assert "<summary>Answer 1</summary>" in text
    with pytest.raises(ValueError, match="text must be a non-empty string of Markdown; got ' '"):
        figures.reveal(" ")
    with pytest.raises(ValueError, match="summary must be a short plain-text label without '<'; got '<b>x</b>'"):
        figures.reveal("x", "<b>x</b>")


def test_results_reads_an_experiments_json_with_a_clear_error(tmp_path):
    import json

    assert figures.results("source_003_mnist") == json.loads(
        (ROOT / "experiments" / "results" / "source_003_mnist.json").read_text())
    (tmp_path / "demo.json").write_text('{"grid": [1, 2]}')
    assert figures.results("demo", folder=tmp_path) == {"grid": [1, 2]}
    with pytest.raises(FileNotFoundError, match=r"no results file .*missing.json; available: \['demo'\] "
                                                r"\(run `python3 course.py experiments`"):
        figures.results("missing", folder=tmp_path)
    with pytest.raises(ValueError, match="name must be a results file's name"):
        figures.results("demo.json", folder=tmp_path)


def test_learning_curves_name_where_each_training_loss_is_drawn():
    runs = {"run": {"loss": [0.9, 0.5, 0.3], "val_loss": [0.8, 0.45, 0.35], "accuracy": [0.5, 0.7, 0.8],
                    "val_accuracy": [0.55, 0.72, 0.79]}}
    plot = figures.learning_curves(runs)
    labels = {ln.get_label(): ln for ln in plot.fig.axes[0].lines}
    # the epoch's mean of the batch losses, measured while the weights moved: drawn mid-epoch, k + 1/2
    train = labels["run: training, mean over the epoch (mid-epoch)"]
    assert list(train.get_xdata()) == [0.5, 1.5, 2.5] and list(train.get_ydata()) == [0.9, 0.5, 0.3]
    val = labels["run: validation, after the epoch"]
    assert list(val.get_xdata()) == [1.0, 2.0, 3.0]
