"""course_lib.optim against Keras 3 optimizers, trajectory by trajectory, in float64.

Problem: L2-regularised softmax regression (4 features, 3 classes) with two
parameter arrays of different shapes, W (4, 3) and b (3,).  The gradient is
computed by the same numpy function for both sides; Keras receives it through
``optimizer.apply_gradients`` on float64 ``tf.Variable``s, course_lib through
``opt.step([W, b], [gW, gb])``.

Two float32 leaks in Keras had to be handled for a 1e-10 comparison:

* Keras stores its learning rate in a variable of dtype
  ``keras.config.floatx()`` (float32 by default; ``keras.optimizers.Optimizer``
  creates it): the fixture switches floatx to float64 for these tests and
  restores it afterwards;
* with the TensorFlow backend, ``keras.ops.cast(python_float, "float64")``
  goes through a float32 tensor (``tf.cast`` of a Python float), so SGD's
  ``momentum``, Adam's ``beta_1``/``beta_2`` in the bias corrections and
  Adagrad's ``initial_accumulator_value`` (its ``Constant`` initializer) are
  rounded to float32.  The trajectory tests therefore use hyperparameters
  that float32 represents exactly (0.875, 1 - 2**-10, 0.125);
  ``test_keras_rounds_hyperparameters_to_float32`` shows the effect of 0.9.

The registry's Keras entries (``optim.OPTIMIZERS``, ``OptimizerInfo.keras``:
which Keras class, which arguments, which of our flags) are what lecture 5's
conventions table states; ``test_registry_keras_equivalent_matches_keras``
runs each of them against Keras twice, with Keras' defaults and with every
hyperparameter changed (rounded to float32), and
``test_registry_keras_defaults_are_keras_defaults`` reads Keras' defaults
back.  The tests after it write each Keras call out by hand.

Where Keras' convention differs from our default (eps placement, AdaGrad's
initial accumulator, Adadelta's learning rate, default eps), a test shows the
difference explicitly and that the documented adjustment removes it.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from course_lib.optim import OPTIMIZERS, SGD, Adadelta, Adagrad, Adam, Momentum, Nesterov, RMSprop

pytestmark = pytest.mark.tensorflow

STEPS = 60
RTOL, ATOL = 1e-10, 1e-12
# decay rates exactly representable in float32 (see the module docstring)
MOM = 0.875
B1, B2 = 0.875, 1 - 2**-10

# --- the problem: softmax regression with L2 penalty -------------------------------------------
_rng = np.random.default_rng(42)
X = _rng.normal(size=(24, 4))
Y = _rng.integers(0, 3, size=24)
W0 = 0.5 * _rng.normal(size=(4, 3))
B0 = np.array([0.3, -0.2, 0.1])
LAM = 0.01


def grads(W, b):
    """Gradient of mean cross-entropy of softmax(X W + b) plus LAM/2 |W|^2."""
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z)
    P /= P.sum(axis=1, keepdims=True)
    P[np.arange(len(Y)), Y] -= 1.0
    P /= len(Y)
    return X.T @ P + LAM * W, P.sum(axis=0)


def flat(W, b):
    return np.concatenate([np.ravel(W), np.ravel(b)])


def run_ours(opt, steps=STEPS):
    W, b = W0.copy(), B0.copy()
    path = [flat(W, b)]
    for _ in range(steps):
        gW, gb = grads(W, b)
        opt.step([W, b], [gW, gb])
        path.append(flat(W, b))
    return np.array(path)


def run_keras(opt, steps=STEPS):
    import tensorflow as tf

    W = tf.Variable(W0.copy(), dtype=tf.float64)
    b = tf.Variable(B0.copy(), dtype=tf.float64)
    path = [flat(W.numpy(), b.numpy())]
    for _ in range(steps):
        gW, gb = grads(W.numpy(), b.numpy())
        opt.apply_gradients([(tf.constant(gW), W), (tf.constant(gb), b)])
        path.append(flat(W.numpy(), b.numpy()))
    return np.array(path)


def rel_diff(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def test_problem_is_not_trivial():
    # the gradient at the start is O(0.1) and the trajectories below travel visibly
    gW, gb = grads(W0, B0)
    assert 0.05 < np.linalg.norm(flat(gW, gb)) < 5
    path = run_ours(SGD(0.5))
    assert np.linalg.norm(path[-1] - path[0]) > 0.3


# --- same trajectories ------------------------------------------------------------------------
OTHER_VALUES = {  # per hyperparameter (course_lib's name), a value other than Keras' default
    "lr": lambda default: 10 * default,
    "beta": lambda default: MOM, "rho": lambda default: MOM, "beta1": lambda default: B1, "beta2": lambda default: B2,
    "eps": lambda default: 1e-2,  # large, so that where eps goes shows
    "initial_accumulator": lambda default: 0.125,
    "amsgrad": lambda default: not default,
}


def _float32(value):
    """A float rounded to float32 (Keras rounds some hyperparameters so; then both sides use the same number)."""
    return float(np.float32(value)) if isinstance(value, float) else value


def keras_cases(info):
    """Hyperparameters (course_lib's names) to run ``info`` against Keras with: Keras' defaults, and every one
    changed at once (``OTHER_VALUES``), all exact in float32."""
    defaults = dict(info.keras.defaults)
    changed = {name: OTHER_VALUES[name](value) for name, value in defaults.items()}
    return [{k: _float32(v) for k, v in hyper.items()} for hyper in (defaults, changed)]


KERAS_PAIRS = [(info, hyper) for info in OPTIMIZERS if info.keras for hyper in keras_cases(info)]


def test_every_keras_equivalent_of_the_registry_is_run_here():
    keras_names = set().union(*(info.keras.names for info in OPTIMIZERS if info.keras))
    assert keras_names == set(OTHER_VALUES)
    assert [info.name for info, _ in KERAS_PAIRS] == [info.name for info in OPTIMIZERS if info.keras for _ in range(2)]
    for info, hyper in KERAS_PAIRS[1::2]:  # the changed cases change every hyperparameter
        assert all(hyper[k] != info.keras.defaults[k] for k in hyper), info.name
    assert [info.name for info in OPTIMIZERS if info.keras is None] == ["Rprop"]


def test_keras_has_no_rprop(keras):
    assert not hasattr(keras.optimizers, "Rprop")
    for info in OPTIMIZERS:  # and has the class of every other entry
        assert hasattr(keras.optimizers, info.keras.name) if info.keras else not hasattr(keras.optimizers, info.name)


@pytest.mark.parametrize("info, hyper", KERAS_PAIRS,
                         ids=[f"{i.name}-{('defaults', 'changed')[k % 2]}" for k, (i, _) in enumerate(KERAS_PAIRS)])
def test_registry_keras_equivalent_matches_keras(keras, info, hyper):
    # what lecture 5's conventions table states: info.cls(**hyper, **ours) takes Keras' steps
    ours, theirs = info.keras_pair(keras, **hyper)
    assert type(ours) is info.cls and type(theirs).__name__ == info.keras.name
    for name, value in info.keras.ours.items():
        assert getattr(ours, name) == value
    for name, value in info.keras.theirs.items():
        assert getattr(theirs, name) == value
    a, b = run_ours(ours), run_keras(theirs)
    assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    assert np.linalg.norm(a[-1] - a[0]) > 1e-4  # the run went somewhere (Keras-default Adadelta barely)


@pytest.mark.parametrize("info", [i for i in OPTIMIZERS if i.keras], ids=lambda i: i.name)
def test_registry_keras_defaults_are_keras_defaults(keras, info):
    # the "Keras 3 default" column of the conventions table, read back from Keras
    theirs = getattr(keras.optimizers, info.keras.name)(**info.keras.theirs)
    for ours_name, keras_name in info.keras.names.items():
        value = getattr(theirs, keras_name)
        value = float(value.numpy()) if hasattr(value, "numpy") else value
        assert value == info.keras.defaults[ours_name], (info.name, keras_name, value)
    # ... and keras_pair with no hyperparameters builds exactly these defaults on both sides
    ours, _ = info.keras_pair(keras)
    for name, value in {**info.keras.defaults, **info.keras.ours}.items():
        assert getattr(ours, name) == value


def test_sgd_matches_keras(keras):
    ours = run_ours(SGD(0.5))
    theirs = run_keras(keras.optimizers.SGD(learning_rate=0.5))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_classical_momentum_matches_keras(keras):
    ours = run_ours(Momentum(0.1, beta=MOM))
    theirs = run_keras(keras.optimizers.SGD(learning_rate=0.1, momentum=MOM))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_ema_momentum_matches_keras_after_rescaling_lr(keras):
    # lr_classical = lr_ema * (1 - beta): the slide-001 form is Keras' form with an 8x smaller lr
    ours = run_ours(Momentum(0.8, beta=MOM, variant="ema"))
    theirs = run_keras(keras.optimizers.SGD(learning_rate=0.8 * (1 - MOM), momentum=MOM))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    # without the rescaling Keras moves 1/(1 - 0.875) = 8x further on step 1
    unscaled = run_keras(keras.optimizers.SGD(learning_rate=0.8, momentum=MOM), steps=1)
    assert_allclose(unscaled[1] - unscaled[0], 8 * (ours[1] - ours[0]), rtol=1e-10)


def test_nesterov_matches_keras(keras):
    ours = run_ours(Nesterov(0.1, beta=MOM))
    theirs = run_keras(keras.optimizers.SGD(learning_rate=0.1, momentum=MOM, nesterov=True))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_keras_rounds_hyperparameters_to_float32(keras):
    # Keras SGD(momentum=0.9) with the TF backend really uses float32(0.9) = 0.89999997615814...
    theirs = run_keras(keras.optimizers.SGD(learning_rate=0.1, momentum=0.9))
    assert_allclose(run_ours(Momentum(0.1, beta=float(np.float32(0.9)))), theirs, rtol=RTOL, atol=ATOL)
    assert rel_diff(run_ours(Momentum(0.1, beta=0.9)), theirs) > 1e-8


def test_adadelta_matches_keras_with_explicit_lr_and_eps(keras):
    ours = run_ours(Adadelta())  # Zeiler: lr 1, rho 0.95, eps 1e-6
    theirs = run_keras(keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-6))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)
    assert np.linalg.norm(ours[-1] - ours[0]) > 0.05


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_eps_hat_matches_keras(keras, amsgrad):
    ours = run_ours(Adam(0.05, beta1=B1, beta2=B2, eps=1e-7, amsgrad=amsgrad, eps_hat=True))
    theirs = run_keras(
        keras.optimizers.Adam(learning_rate=0.05, beta_1=B1, beta_2=B2, epsilon=1e-7, amsgrad=amsgrad)
    )
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_amsgrad_really_differs_from_adam_on_this_problem(keras):
    # guards the AMSGrad comparison above against a vacuous pass (vmax never binding)
    adam = run_keras(keras.optimizers.Adam(learning_rate=0.05, beta_1=B1, beta_2=B2, epsilon=1e-7))
    ams = run_keras(keras.optimizers.Adam(learning_rate=0.05, beta_1=B1, beta_2=B2, epsilon=1e-7, amsgrad=True))
    assert rel_diff(ams, adam) > 1e-4


def test_rmsprop_eps_inside_sqrt_matches_keras(keras):
    ours = run_ours(RMSprop(0.01, rho=0.9, eps=1e-7, eps_inside_sqrt=True))
    theirs = run_keras(keras.optimizers.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-7))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_adagrad_eps_inside_sqrt_and_initial_accumulator_match_keras(keras):
    ours = run_ours(Adagrad(0.1, eps=1e-7, eps_inside_sqrt=True, initial_accumulator=0.125))
    theirs = run_keras(keras.optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=0.125, epsilon=1e-7))
    assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


# --- where the conventions differ, and how to reconcile them -----------------------------------
def test_keras_defaults_are_as_documented(keras):
    # the defaults named in course_lib.optim's docstrings (the constructors of keras.optimizers.*)
    o = keras.optimizers
    assert float(o.SGD().learning_rate.numpy()) == 0.01
    adam = o.Adam()
    assert (float(adam.learning_rate.numpy()), adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    rms = o.RMSprop()
    assert (float(rms.learning_rate.numpy()), rms.rho, rms.momentum, rms.centered, rms.epsilon) == (
        0.001, 0.9, 0.0, False, 1e-7,
    )
    ada = o.Adagrad()
    assert (float(ada.learning_rate.numpy()), ada.initial_accumulator_value, ada.epsilon) == (0.001, 0.1, 1e-7)
    dlt = o.Adadelta()
    assert (float(dlt.learning_rate.numpy()), dlt.rho, dlt.epsilon) == (0.001, 0.95, 1e-7)


def test_adam_default_form_differs_from_keras_and_eps_hat_reconciles(keras):
    # Algorithm 1 adds eps to sqrt(v_hat); Keras adds it to sqrt(v) (eps_t = eps/sqrt(1-b2^t) in
    # Algorithm-1 terms).  With a visible eps the trajectories part; with eps_hat=True they agree.
    theirs = run_keras(keras.optimizers.Adam(learning_rate=0.05, beta_1=B1, beta_2=B2, epsilon=1e-2))
    algorithm1 = run_ours(Adam(0.05, beta1=B1, beta2=B2, eps=1e-2))
    assert rel_diff(algorithm1, theirs) > 1e-3
    assert_allclose(run_ours(Adam(0.05, beta1=B1, beta2=B2, eps=1e-2, eps_hat=True)), theirs, rtol=RTOL, atol=ATOL)
    # step 1 in Algorithm-1 terms: Keras' move equals Algorithm 1 with eps_1 = 1e-2 / sqrt(1 - beta2)
    one = run_ours(Adam(0.05, beta1=B1, beta2=B2, eps=1e-2 / np.sqrt(1 - B2)), steps=1)
    assert_allclose(one[1], theirs[1], rtol=1e-14)


def test_adam_default_eps_differs_slightly_from_keras_default(keras):
    # ours: Algorithm 1, eps 1e-8; Keras: eps-hat form, eps 1e-7 (same betas here, so that only
    # the eps convention differs).  Small, but far above round-off.
    theirs = run_keras(keras.optimizers.Adam(beta_1=B1, beta_2=B2))
    ours = run_ours(Adam(beta1=B1, beta2=B2))
    assert 1e-7 < rel_diff(ours, theirs) < 1e-3
    assert_allclose(run_ours(Adam(beta1=B1, beta2=B2, eps=1e-7, eps_hat=True)), theirs, rtol=RTOL, atol=ATOL)


def test_rmsprop_eps_placement_differs_from_keras(keras):
    theirs = run_keras(keras.optimizers.RMSprop(learning_rate=0.01, rho=0.9, epsilon=1e-2))
    outside = run_ours(RMSprop(0.01, rho=0.9, eps=1e-2))  # our default placement, same eps
    assert rel_diff(outside, theirs) > 1e-3
    assert_allclose(run_ours(RMSprop(0.01, rho=0.9, eps=1e-2, eps_inside_sqrt=True)), theirs, rtol=RTOL, atol=ATOL)
    # Keras' first step by hand: s1 = 0.1 g^2, move = -lr g / sqrt(0.1 g^2 + eps)
    g = flat(*grads(W0, B0))
    assert_allclose(theirs[1], theirs[0] - 0.01 * g / np.sqrt(0.1 * g**2 + 1e-2), rtol=1e-14)


def test_adagrad_initial_accumulator_and_eps_placement_differ_from_keras(keras):
    # Keras' default initial_accumulator_value 0.1 reaches the float64 accumulator as float32(0.1)
    G0 = float(np.float32(0.1))
    theirs = run_keras(keras.optimizers.Adagrad(learning_rate=0.1, epsilon=1e-2))
    # Keras' first step by hand: G1 = G0 + g^2, move = -lr g / sqrt(G0 + g^2 + eps)
    g = flat(*grads(W0, B0))
    assert_allclose(theirs[1], theirs[0] - 0.1 * g / np.sqrt(G0 + g**2 + 1e-2), rtol=1e-14)
    # our default (G0 = 0, eps outside): step 1 is ~ lr sign(g), far from Keras'
    assert rel_diff(run_ours(Adagrad(0.1, eps=1e-2)), theirs) > 1e-2
    # only the initial accumulator matched: still different (eps placement)
    assert rel_diff(run_ours(Adagrad(0.1, eps=1e-2, initial_accumulator=G0)), theirs) > 1e-3
    # only the eps placement matched: still different (initial accumulator)
    assert rel_diff(run_ours(Adagrad(0.1, eps=1e-2, eps_inside_sqrt=True)), theirs) > 1e-2
    both = run_ours(Adagrad(0.1, eps=1e-2, eps_inside_sqrt=True, initial_accumulator=G0))
    assert_allclose(both, theirs, rtol=RTOL, atol=ATOL)


def test_adadelta_keras_default_lr_is_a_thousandth_of_zeiler(keras):
    # Keras Adadelta() = learning_rate 0.001 and epsilon 1e-7.  Step 1 by hand (Edx2 = 0):
    #   move = -lr sqrt(eps) g / sqrt(0.05 g^2 + eps)
    g = flat(*grads(W0, B0))
    theirs = run_keras(keras.optimizers.Adadelta(), steps=1)
    assert_allclose(theirs[1], theirs[0] - 0.001 * np.sqrt(1e-7) * g / np.sqrt(0.05 * g**2 + 1e-7), rtol=1e-14)
    # our default (Zeiler: lr 1, eps 1e-6) moves 1000 * sqrt(10) * sqrt((0.05 g^2 + 1e-7)/(0.05 g^2 + 1e-6))
    # times further on step 1 (between 1000 for g -> 0 and 1000 sqrt(10) = 3162 for |g| >> 0.0045).
    # (The Keras move is ~1e-6 and is read off O(1) positions, so it carries ~1e-10 relative round-off.)
    ours = run_ours(Adadelta(), steps=1)
    ratio = (ours[1] - ours[0]) / (theirs[1] - theirs[0])
    assert_allclose(ratio, 1000 * np.sqrt(10) * np.sqrt((0.05 * g**2 + 1e-7) / (0.05 * g**2 + 1e-6)), rtol=1e-8)
    assert np.all(ratio > 1000)
    # matched lr and eps: the whole trajectory agrees
    long_theirs = run_keras(keras.optimizers.Adadelta())
    assert_allclose(run_ours(Adadelta(lr=0.001, eps=1e-7)), long_theirs, rtol=RTOL, atol=ATOL)
