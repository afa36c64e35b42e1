"""course_lib.exercises.engine: the feedback a student gets from the hidden tests."""

import numpy as np
import pytest

from course_lib import optim
from course_lib.exercises import engine


def reference_sgd(w, g, lr):
    return w - lr * g


def cases():
    rng = np.random.default_rng(0)
    return [((rng.normal(size=4), rng.normal(size=4), 0.1), {}) for _ in range(5)]


def test_a_correct_function_passes_every_case():
    def student(w, g, lr):
        return w - lr * g
    assert engine.check_function(student, reference_sgd, cases(), name="sgd") == 5


def test_a_wrong_function_gets_the_first_mismatch_and_the_likely_mistake():
    def student(w, g, lr):
        return w + lr * g
    with pytest.raises(engine.GradingError) as err:
        engine.check_function(student, reference_sgd, cases(), name="sgd",
                               variants={"the sign of the step is flipped (w + lr g ascends)": student})
    msg = str(err.value)
    w, g, lr = cases()[0][0]
    expected, got = w[0] - lr * g[0], w[0] + lr * g[0]
    assert "first mismatch at index (0,)" in msg
    assert f"expected {expected:.10g}, got {got:.10g}" in msg
    assert "Likely mistake: the sign of the step is flipped" in msg
    assert "4 of 4 elements differ" in msg


def test_shape_and_count_mismatches_are_named():
    with pytest.raises(engine.GradingError, match=r"expected shape \(4,\), got shape \(2, 2\)"):
        engine.check_function(lambda w, g, lr: (w - lr * g).reshape(2, 2), reference_sgd, cases())
    with pytest.raises(engine.GradingError, match="returned 2 value"):
        engine.check_function(lambda w, g, lr: (w, g), reference_sgd, cases())


def test_exceptions_and_stubs_are_reported_without_the_graders_traceback():
    def stub(w, g, lr):
        raise NotImplementedError
    with pytest.raises(engine.GradingError, match="sgd is not implemented yet"):
        engine.check_function(stub, reference_sgd, cases(), name="sgd")

    def broken(w, g, lr):
        return w - lr * g[10]
    with pytest.raises(engine.GradingError, match=r"sgd\(.*\) raised IndexError"):
        engine.check_function(broken, reference_sgd, cases(), name="sgd")


def test_calling_the_reference_gets_no_credit_even_through_an_alias():
    from course_lib.optim import sgd_update as my_own_sgd

    def student(w, g, lr):
        return my_own_sgd(w, g, lr)
    with pytest.raises(engine.UsedReference, match=r"calls the reference implementation \(course_lib.optim.sgd_update\) instead"):
        engine.check_function(student, optim.sgd_update, cases(), name="sgd")


def test_in_place_updates_cannot_disturb_the_reference():
    def student(w, g, lr):
        w -= lr * g          # modifies its input, returns the right answer
        return w
    assert engine.check_function(student, reference_sgd, cases()) == 5


def test_the_profile_hook_is_removed_afterwards():
    import sys
    before = sys.getprofile()
    engine.check_function(lambda w, g, lr: w - lr * g, reference_sgd, cases())
    assert sys.getprofile() is before


def test_functions_handed_to_the_student_are_not_the_reference():
    from course_lib.exercises import a01_numerical_gradients as checks

    def forward(f, x, h):  # calls only the f it was given (defined inside course_lib)
        x = np.array(x, dtype=float)
        g = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            e = np.zeros_like(x)
            e[i] = h
            g[i] = (f(x + e) - f(x)) / h
        return g
    assert checks.forward_difference(forward) > 10


def test_case_seed_is_the_kits_seed_idiom():
    # practice: the check's own seed, the same numbers every time; the grader's int or a Generator otherwise
    assert np.array_equal(engine.case_rng(None, 10).normal(size=4), np.random.default_rng(10).normal(size=4))
    assert np.array_equal(engine.case_rng(2 ** 62 + 1, 10).normal(size=4),
                          np.random.default_rng(2 ** 62 + 1).normal(size=4))
    rng = np.random.default_rng(3)
    assert engine.case_rng(rng, 10) is rng  # used as it is (it advances)
    for bad, exc in ((1.5, TypeError), (True, TypeError), ("7", TypeError), (-1, ValueError)):
        with pytest.raises(exc, match="seed must be an int"):
            engine.case_rng(bad, 10)


def _fake_net(**changes):
    """The attributes of an MLP as the grader sees them (plain data), for sizes (2, 3, 1)."""
    attrs = {"sizes": (2, 3, 1), "hidden": "relu", "output": "sigmoid", "loss_name": "binary_cross_entropy",
             "bias": True, "slope": 1.0}
    attrs.update(changes)
    if "params" not in attrs:
        shapes = [(2, 3), (3,), (3, 1), (1,)] if attrs["bias"] is True else [(2, 3), (3, 1)]
        attrs["params"] = [np.zeros(s) for s in shapes]
    return type("Net", (), attrs)()


def test_network_from_reads_bias_as_a_bool_and_says_what_it_expected():
    assert engine.network_from(_fake_net()).bias is True
    assert engine.network_from(_fake_net(bias=False)).bias is False
    for bad in (1, "yes", None):
        with pytest.raises(engine.GradingError, match=r"could not read the network.*bias must be True or False"):
            engine.network_from(_fake_net(bias=bad, params=[]))
    with pytest.raises(engine.GradingError, match=r"sizes\[1\] must be an integer; got float 3.0"):
        engine.network_from(_fake_net(sizes=(2, 3.0, 1)))
    with pytest.raises(engine.GradingError, match="hidden must be one of"):
        engine.network_from(_fake_net(hidden="swish"))


def test_network_from_counts_biases_only_when_there_are_biases(monkeypatch):
    # sizes (2, 3, 1): weights 2*3 + 3*1 = 9, biases 3 + 1 = 4
    monkeypatch.setattr(engine, "MAX_PARAMETERS", 12)
    assert engine.network_from(_fake_net(bias=False)).n_params == 9
    with pytest.raises(engine.GradingError, match="beyond what is checked here"):
        engine.network_from(_fake_net(bias=True))
    monkeypatch.setattr(engine, "MAX_PARAMETERS", 13)
    assert engine.network_from(_fake_net(bias=True)).n_params == 13
