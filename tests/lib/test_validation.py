"""course_lib.validation: every helper returns what it promises and names the argument when it refuses."""

import numpy as np
import pytest

from course_lib import validation as v


def test_as_generator_takes_an_int_a_generator_or_none():
    # an int seeds a new Generator: the same numbers as numpy's own default_rng with that seed
    assert v.as_generator("seed", 7).random() == np.random.default_rng(7).random()
    assert v.as_generator("seed", np.int64(7)).random() == np.random.default_rng(7).random()
    # a Generator is used as it is: its state advances
    rng = np.random.default_rng(3)
    assert v.as_generator("seed", rng) is rng
    first = v.as_generator("seed", rng).random()
    assert first == np.random.default_rng(3).random()
    assert v.as_generator("seed", rng).random() != first
    # None: fresh entropy, a Generator all the same
    assert isinstance(v.as_generator("seed", None), np.random.Generator)


@pytest.mark.parametrize("bad, error, message", [
    (1.5, TypeError, r"seed must be an int or a numpy random Generator .*got float 1.5"),
    (True, TypeError, r"seed must be an int or a numpy random Generator .*got bool True"),
    ("0", TypeError, r"seed must be an int or a numpy random Generator .*got str '0'"),
    (np.random.RandomState(0), TypeError, r"seed must be an int or a numpy random Generator .*RandomState"),
    (-1, ValueError, r"seed must be an int >= 0 or a numpy random Generator; got -1"),
])
def test_as_generator_refuses_what_is_not_a_seed(bad, error, message):
    with pytest.raises(error, match=message):
        v.as_generator("seed", bad)


def test_as_bool_accepts_true_and_false_only():
    assert v.as_bool("shuffle", True) is True and v.as_bool("shuffle", np.bool_(False)) is False
    for bad in (0, 1, "yes", None, 1.0):
        with pytest.raises(TypeError, match=r"shuffle must be True or False; got"):
            v.as_bool("shuffle", bad)


def test_numbers_are_returned_converted_and_refused_with_the_argument_named():
    assert v.as_real("c", -3) == -3.0 and isinstance(v.as_real("c", np.int8(-3)), float)
    with pytest.raises(ValueError, match=r"c must be finite; got inf"):
        v.as_real("c", float("inf"))
    assert v.as_positive("lr", 2) == 2.0 and isinstance(v.as_positive("lr", 2), float)
    assert v.as_nonnegative("eps", 0) == 0.0
    assert v.as_int("steps", np.int32(5), minimum=0) == 5 and isinstance(v.as_int("steps", np.int32(5)), int)
    assert v.as_in_interval("beta", 0.0, 0.0, 1.0) == 0.0
    assert v.as_choice("variant", "ema", ("classical", "ema")) == "ema"
    with pytest.raises(ValueError, match=r"lr must be > 0; got 0"):
        v.as_positive("lr", 0)
    with pytest.raises(ValueError, match=r"lr must be finite; got nan"):
        v.as_positive("lr", float("nan"))
    with pytest.raises(TypeError, match=r"lr must be a real number; got bool True"):
        v.as_positive("lr", True)
    with pytest.raises(ValueError, match=r"eps must be >= 0; got -1"):
        v.as_nonnegative("eps", -1)
    with pytest.raises(TypeError, match=r"steps must be an integer; got float 2.0"):
        v.as_int("steps", 2.0)
    with pytest.raises(ValueError, match=r"steps must be an integer >= 1; got 0"):
        v.as_int("steps", 0, minimum=1)
    with pytest.raises(ValueError, match=r"beta must lie in \[0.0, 1.0\); got 1.0"):
        v.as_in_interval("beta", 1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match=r"beta must lie in \[0.0, 1.0\]; got 1.5"):
        v.as_in_interval("beta", 1.5, 0.0, 1.0, closed="both")
    with pytest.raises(ValueError, match=r"variant must be one of 'classical', 'ema'; got 'nag'"):
        v.as_choice("variant", "nag", ("classical", "ema"))


def test_float_arrays_are_not_copied_and_other_dtypes_are_refused():
    w = np.zeros(3)
    assert v.as_float_array("w", w) is w  # float input is not copied
    assert v.as_float_array("w", np.float32(1.5)).dtype == np.float32
    with pytest.raises(TypeError, match=r"w must be a floating-point array \(float32 or float64\); got array of "
                                        r"dtype int64 and shape \(2,\)\. Convert it first"):
        v.as_float_array("w", np.array([1, 2], dtype=np.int64))
    with pytest.raises(TypeError, match="w must be a floating-point array; got bool True"):
        v.as_float_array("w", True)
    with pytest.raises(ValueError, match=r"w must contain only finite values; found 2 non-finite entries "
                                         r"\(first at index \(1,\): "):
        v.as_float_array("w", np.array([0.0, np.inf, np.nan]))
    assert np.isnan(v.as_float_array("w", np.array([np.nan]), finite=False)[0])
    with pytest.raises(ValueError, match="x0 must be an array with at least one dimension; got the scalar 1.0"):
        v.as_float_array("x0", 1.0, allow_scalar=False)
    with pytest.raises(ValueError, match=r"g must have the same shape as w; w has shape \(3,\) but g has shape \(1, 3\)"):
        v.require_same_shape("w", w, "g", np.zeros((1, 3)))
    assert v.require_same_shape("w", w, "g", np.ones(3)) is None


def test_spd_scalar_outputs_start_points_and_gradients():
    A = np.array([[2.0, 1.0], [1.0, 2.0]])  # eigenvalues 1 and 3
    assert v.as_spd("A", A) is not None
    with pytest.raises(ValueError, match="A must be symmetric"):
        v.as_spd("A", np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match=r"A must be positive definite .*its smallest eigenvalue is -1"):
        v.as_spd("A", np.array([[1.0, 2.0], [2.0, 1.0]]))  # eigenvalues -1 and 3
    assert v.as_scalar_output("f(x)", np.array([[2.5]])) == 2.5
    with pytest.raises(ValueError, match=r"f\(x\) must be a scalar \(one real number\); got an array of shape \(2,\)"):
        v.as_scalar_output("f(x)", np.zeros(2))
    assert v.as_start_point([1.0, 2.0]).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"x0 must be a 1-D array; got shape \(1, 2\)"):
        v.as_start_point(np.zeros((1, 2)))
    x = np.array([1.0, -1.0])
    assert v.gradient_at(lambda z: 2 * z, x, 0).tolist() == [2.0, -2.0]
    with pytest.raises(ValueError, match=r"grad\(x_3\) returned non-finite values .* diverged \(try a smaller lr\)"):
        v.gradient_at(lambda z: np.full_like(z, np.inf), x, 3, hint="try a smaller lr")


def test_describe_names_type_shape_and_dtype():
    assert v.describe(np.zeros((2, 3), dtype=np.float32)) == "array of dtype float32 and shape (2, 3)"
    assert v.describe([1, 2]) == "list [1, 2]"
