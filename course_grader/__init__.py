"""descent's grader: nbgrader's pipeline with the score computed where student code cannot reach.

Student code runs only in its notebook's kernel, inside a bubblewrap sandbox
(``sandbox``).  The hidden tests, the references they compare against, the
inputs they draw (from the instructor's secret, ``secret``) and the pass/fail
decision run in the grader's own process (``trusted_execute``): it calls the
student's functions in the kernel with inputs it chooses and receives plain
data back (``kernel``, ``plain``).  nbgrader's gradebook, partial credit,
formgrader and feedback work as usual.

Modules
-------
trusted_execute     the autograding preprocessor: cells in the sandboxed kernel, hidden tests in the grader
kernel              calling the student's functions in the kernel; the namespace hidden tests run in
plain               the plain-data format of everything that crosses the boundary
sandbox             the bubblewrap sandbox and the course_lib a graded kernel sees
secret              the instructor's secret and the per-student seeds
hide_hidden_tests   feedback without the hidden tests; ``fill_in_solutions``
parallel_autograde  many submissions at once, each in its own copy of the course
course_admin        collecting an LMS download; the per-question score report

This package is for instructors; students never import it.  It imports
nbgrader, so ``import course_lib`` never imports it.
"""
