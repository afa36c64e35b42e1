"""nbgrader configuration of the descent course (the course root is this folder, grading/).

Source assignments (with solutions and hidden tests) live in ../solutions/,
the student versions that `nbgrader generate_assignment` makes go to
../notebooks/exercises/ (what students open in JupyterLab); submissions,
autograded copies and feedback live here, next to the gradebook.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "descent"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = os.path.join("..", "solutions")
c.CourseDirectory.release_directory = os.path.join("..", "notebooks", "exercises")
c.CourseDirectory.db_url = os.environ.get("DESCENT_GRADEBOOK_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db"))

# The student versions: stubs, and no hidden tests (nbgrader's defaults, stated).
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.enforce_metadata = True

# Autograding: a per-cell time limit; test cells a student deleted or edited come back from the source.
c.OverwriteCells.add_missing_cells = True
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 30

# Feedback: the scores, without the hidden tests or the traceback lines that quote them.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from course_grader.hide_hidden_tests import HideHiddenTests  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]

# Autograding: the notebook runs in a sandboxed kernel, the hidden tests in the grader (course_grader.trusted_execute);
# a submission that kills its kernel keeps what it earned before the crash.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades)

from course_grader.trusted_execute import TrustedExecute  # noqa: E402

c.Autograde.autograde_preprocessors = [TrustedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.TrustedExecute.timeout = 60
c.TrustedExecute.interrupt_on_timeout = True
c.TrustedExecute.memory_limit_mb = 4096
# The instructor's secret (per-student hidden inputs); the parallel driver passes the real course's path on.
c.TrustedExecute.secret_file = os.environ.get("DESCENT_GRADER_SECRET", os.path.join(HERE, "grader_secret.key"))
# What each assignment's kernel may import from course_lib while grading (every other module is a stub that
# refuses): the training exercises use the network and the data sets, the perceptron exercise its problem.
c.TrustedExecute.hand_over = {
    "03_optimizers": ["nn", "data"],
    "04_random_search": ["perceptron"],
    "05_training_project": ["nn", "data"],
    "06_quiz": ["exercises.a06_quiz"],
}
# Instructors who accept the risk (see grading/README.md): python3 course.py grade autograde NAME --no-sandbox
