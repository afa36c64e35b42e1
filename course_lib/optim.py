"""Optimizer update rules: SGD, momentum, Nesterov, Adagrad, RMSprop, Adadelta, Adam, Rprop.

Three layers, as in PyTorch's ``torch.optim`` (whose optimizer classes call the
same functional ``adam`` a user can call) and CS231n's ``optim.py``:

1. **pure update functions** (``sgd_update``, ``momentum_update``, ...), one per
   rule, written like the formula on the slide.  They validate their
   arguments and return the new parameters and state arrays without
   modifying anything; with ``out=`` they write the results into given
   arrays instead (``adam_update(w, g, m, v, t, out=(w, m, v))`` updates in
   place, as PyTorch's functional ``adam`` does).
2. **optimizer classes** (``SGD``, ``Momentum``, ..., ``Rprop``) that keep the
   state for a list of parameter arrays and update those arrays in place with
   ``opt.step(params, grads)``.  As in Keras, hyperparameters are validated
   once, in the constructor; ``step`` validates ``params`` and ``grads`` and
   then runs the rule; ``step_unvalidated`` runs the rule alone (the training
   loop's fast path).  ``opt.lr`` may be reassigned between steps (that is
   how learning-rate schedules drive them).
3. **the registry** ``OPTIMIZERS``: one ``OptimizerInfo`` per class (name,
   pure rule, class, state arrays, source, the role of its learning rate, its
   Keras equivalent), read by the tests, lecture 5's race and conventions
   table, and assignment 3's checks (each takes its reference rule and its
   default hyperparameters from it), as PyTorch's ``optim_db`` drives its
   tests.

One formula, one implementation: each rule's arithmetic is one function
(``_adam``, ...) whose every result can be written into a given array.  The
pure function calls it after validating, with new arrays; the classes call it
with their parameter and state arrays.  Both paths therefore give the same
numbers to the last bit.  The two lines several rules share are written once
too, and are public so that a variant can be "the rule with one piece
changed" (assignment 3 names a student's mistake that way):
``bias_correction`` (Adam's ``m_hat``, ``v_hat``) and ``adaptive_step``
(``w - lr m / (sqrt(v) + eps)``, the last line of AdaGrad, RMSProp and Adam).

``trajectory(optimizer, grad, x0, steps, stop_beyond=None)`` runs an optimizer
on a function of a vector and returns every iterate, for contour plots; with
``stop_beyond`` a diverging run stops where it leaves the plot.

Names.  The classes are spelled as Keras and PyTorch spell them: ``Adagrad``,
``RMSprop``, ``Adadelta`` (``keras.optimizers.Adagrad``,
``torch.optim.RMSprop``), because those are the classes students meet next.
The papers' own spellings (Duchi et al.'s AdaGrad, Hinton's RMSProp) stay in
the prose.

Notation.  ``w`` parameters, ``g`` gradient at ``w``, ``lr`` learning rate
(step size), ``t`` the 1-based number of the step being taken, ``eps`` the
small constant that keeps a denominator away from zero.  ``g**2`` and
``sqrt`` are element-wise.

The course sources (``../shared/course-sources`` next to the repository) use other letters:

* ``001`` (lecture slides) writes the learning rate alpha (momentum) or eta
  ("read alpha for eta"), the momentum / RMSProp decay beta or beta_2;
* ``002`` (module notes) writes the learning rate mu (AdaGrad, RMSprop, Adam)
  but epsilon (momentum, Nesterov), and calls Adam's first and second moments
  ``v`` and ``s`` where Kingma & Ba call them ``m`` and ``v``;
* ``003`` (student report) writes momentum with alpha as the momentum
  coefficient and eta as the learning rate.

Conventions at a glance (our default / Keras 3 / PyTorch)
---------------------------------------------------------
Each rule is written in the form of its original paper; where Keras or
PyTorch differ, a flag reproduces their form.  The Keras column is the
registry's (``OptimizerInfo.keras``), which ``tests/lib/test_optim_keras.py``
checks trajectory by trajectory against Keras.

============  ==============================  =================================  ==============================
rule          ours (default)                  Keras 3.15                         PyTorch
============  ==============================  =================================  ==============================
momentum      classical v = beta v - lr g     same (``SGD(momentum=)``)          v = beta v + g; w -= lr v
              (``variant="ema"``: slides 001)
Nesterov      Sutskever/Bengio 2013 form      same (``SGD(nesterov=True)``)      same for constant lr
Adagrad       eps outside sqrt, G0 = 0,       eps INSIDE sqrt, G0 = 0.1,         eps outside, G0 = 0,
              lr 0.01, eps 1e-8 (Duchi)       lr 0.001, eps 1e-7                 lr 0.01, eps 1e-10
RMSprop       eps outside sqrt, rho 0.9,      eps INSIDE sqrt, rho 0.9,          eps outside, alpha 0.99,
              eps 1e-8                        eps 1e-7 (momentum 0, centered     eps 1e-8
                                              False by default)
Adadelta      Zeiler: lr 1.0, rho 0.95,       lr 0.001 (!), rho 0.95, eps 1e-7   lr 1.0, rho 0.9, eps 1e-6
              eps 1e-6 (eps inside both
              square roots)
Adam          Kingma & Ba Algorithm 1:        eps-hat form (``eps_hat=True``):   Algorithm 1 form, eps 1e-8
              eps added to sqrt(v_hat),       lr_t = lr sqrt(1-b2^t)/(1-b1^t),
              eps 1e-8                        eps added to sqrt(v), eps 1e-7
AMSGrad       vmax = max(vmax, v) of the      same, in the eps-hat form          same, in the Algorithm 1 form
              raw v, then bias-corrected
Rprop         iRprop-, initial step lr 0.01   (none)                             same (``torch.optim.Rprop``)
============  ==============================  =================================  ==============================

Keras means Keras 3.15: the ``update_step`` of ``keras.optimizers.SGD``,
``Adagrad``, ``RMSprop``, ``Adadelta`` and ``Adam``, and their constructors'
defaults.  Keras keeps its learning rate in a variable of dtype
``keras.config.floatx()`` (``keras.optimizers.Optimizer``), float32 by
default, so a float64 comparison needs ``floatx="float64"`` or a learning rate
that float32 represents exactly.  With the TensorFlow backend Keras also
rounds some Python-float hyperparameters to float32 before use
(``keras.ops.cast(0.9, "float64")`` is ``tf.cast`` of a float32 constant):
SGD's ``momentum``, Adam's ``beta_1``/``beta_2`` in the bias corrections and
Adagrad's ``initial_accumulator_value`` (through its ``Constant``
initializer).  So Keras' ``SGD(momentum=0.9)`` is ours with
``beta=float(np.float32(0.9))``; the difference is ~1e-7 relative, far below
anything that matters for training but visible in a 1e-10 comparison.

Errata of the course sources corrected here
-------------------------------------------
* ``002``, Adam: printed as ``theta - mu * v_hat / (sqrt(s_hat) + eps) * g``;
  the trailing ``* g`` is wrong (the first moment already carries the
  gradient).  See ``adam_update``.
* ``002``, momentum and Nesterov: only the velocity is given, as
  ``v_t = v_{t-1} + eps * grad``; the parameter update ``theta_t = theta_{t-1}
  - v_t`` (which fixes the sign convention) and the decay factor on
  ``v_{t-1}`` are missing.  See ``momentum_update`` and ``nesterov_update``.
* ``003`` vs ``001``: the classical and the EMA momentum are both right; they
  agree exactly only after rescaling the learning rate (``momentum_update``).
* ``003`` (section 3.3.2) finds "a momentum coefficient of 0.1 is a sensible
  choice".  With ``v = alpha v - eta g`` a steady gradient moves the weights
  by ``eta / (1 - alpha)`` per step: alpha 0.1 raises the effective learning
  rate by 1/0.9 (11%) only, next to the factor 10 of the usual 0.9 -- little
  momentum; its Table 4 gains over Table 2 (at most 0.30 points, and -0.21
  at lr 0.01, batch 10) are within the seed-to-seed spread of such runs
  (``experiments/results/source_003_mnist.md``).
* ``004`` (section 4.1.2) reads Adam's bias correction as making the
  algorithm "take bigger leaps in the beginning".  It does the opposite:
  ``m_hat / sqrt(v_hat) = m / sqrt(v) * sqrt(1 - beta2**t) / (1 - beta1**t)``,
  and that factor is 0.316 at t = 1 (beta 0.9, 0.999): the corrected first
  step is about ``lr`` per coordinate, 3.16 times *smaller* than the
  uncorrected one (``bias_correction``).
* ``004`` gives ``eps = 1e-8`` as "the default values for the ADAM function
  used in TensorFlow"; Keras' ``Adam()`` has ``epsilon=1e-7`` (in the eps-hat
  form, ``adam_update``).
* ``004``, Figure 18: "Gradient Descent with Momentum Term (alpha = 40,
  lambda = 0.1)".  ``Delta W = alpha Delta W - lambda grad`` multiplies the
  velocity by alpha every step; it is stable only for ``0 <= alpha < 1``.  On
  its sextic from x = 23 with alpha 40 the iterates are 22.07, -15.5, -1399,
  5.7e10 (``momentum_trajectory`` runs it; ``Momentum`` refuses alpha >= 1).
  Its claims hold for alpha = 0.4 (``experiments/results/source_004_sextic.md``).

Imported here: numpy, the standard library and ``course_lib.validation``
(never TensorFlow: the Keras comparisons get ``keras`` from their caller).
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from .validation import (
    describe,
    as_bool,
    as_float_array,
    as_start_point,
    as_choice,
    as_in_interval,
    as_int,
    as_nonnegative,
    as_positive,
    require_same_shape,
    gradient_at,
)

__all__ = [
    "sgd_update",
    "momentum_update",
    "nesterov_update",
    "adagrad_update",
    "rmsprop_update",
    "adadelta_update",
    "adam_update",
    "rprop_update",
    "ema",
    "ema_unvalidated",
    "bias_correction",
    "adaptive_step",
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "Adagrad",
    "RMSprop",
    "Adadelta",
    "Adam",
    "Rprop",
    "KerasEquivalent",
    "OptimizerInfo",
    "OPTIMIZERS",
    "optimizer_info",
    "trajectory",
    "settled",
    "steps_to_settle",
    "momentum_trajectory",
]

MOMENTUM_VARIANTS = ("classical", "ema")


# --------------------------------------------------------------------------
# validation helpers specific to this module
# --------------------------------------------------------------------------
def _validate_arrays(w, g, **state):
    """Validate ``w``, ``g`` and the state arrays; return them as float arrays.

    Every array must be floating point, finite and of exactly the shape of
    ``w`` (no broadcasting: a state array of the wrong shape is a bug).
    """
    w = as_float_array("w", w)
    g = as_float_array("g", g)
    require_same_shape("w", w, "g", g)
    out = [w, g]
    for name, s in state.items():
        s = as_float_array(name, s)
        require_same_shape("w", w, name, s)
        out.append(s)
    return out


def _validate_out(out, w, inputs: dict) -> tuple:
    """``out=`` of a pure update function: None, or one writeable float array per result.

    ``inputs`` maps the names of the results, in order (``w`` and the state
    arrays), to the input arrays they replace, followed by any other input
    (``g``).  ``out[i]`` may be the input it replaces (that is the in-place
    update); it may not overlap any other input or output, since the rule
    would then read numbers it has already overwritten.  Returns the tuple of
    arrays, or one ``None`` per result (new arrays).
    """
    names = [n for n in inputs if n != "g"]
    if out is None:
        return (None,) * len(names)
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        raise TypeError(f"out must be None or a tuple of {len(names)} arrays ({', '.join(names)}), one per result; "
                        f"got {describe(out)}")
    for i, (name, o) in enumerate(zip(names, out)):
        label = f"out[{i}] ({name})"
        if not isinstance(o, np.ndarray) or not np.issubdtype(o.dtype, np.floating):
            raise TypeError(f"{label} must be a floating-point numpy array (it is written into); got {describe(o)}")
        if not o.flags.writeable:
            raise ValueError(f"{label} must be writeable")
        require_same_shape("w", w, label, o)
        for other, a in inputs.items():
            if other != name and np.shares_memory(o, a):
                raise ValueError(f"{label} shares memory with {other}; an out array may only be the input it "
                                 f"replaces (out=({', '.join(names)}) updates in place)")
        for j in range(i):
            if np.shares_memory(o, out[j]):
                raise ValueError(f"{label} shares memory with out[{j}] ({names[j]})")
    return tuple(out)


def _validate_nonnegative_array(name: str, a: np.ndarray, what: str) -> None:
    if np.any(a < 0):
        k = int(np.flatnonzero(a.ravel() < 0)[0])
        raise ValueError(
            f"{name} must be >= 0 ({what}); found a negative entry {a.ravel()[k]!r} at flat index {k}"
        )


def _validate_decay(name: str, value) -> float:
    """beta, rho, beta1, beta2: decay rates of running averages, in [0, 1)."""
    return as_in_interval(name, value, 0.0, 1.0, closed="left")


def _validate_etas(etas) -> tuple[float, float]:
    try:
        eta_minus, eta_plus = etas
    except (TypeError, ValueError):
        raise TypeError(f"etas must be a pair (eta_minus, eta_plus); got {describe(etas)}") from None
    eta_minus = as_in_interval("etas[0] (eta_minus)", eta_minus, 0.0, 1.0, closed="neither")
    eta_plus = as_positive("etas[1] (eta_plus)", eta_plus)
    if not eta_plus > 1.0:
        raise ValueError(f"etas[1] (eta_plus) must be > 1 (the step grows); got {etas[1]!r}")
    return eta_minus, eta_plus


def _validate_step_sizes(step_sizes) -> tuple[float, float]:
    try:
        step_min, step_max = step_sizes
    except (TypeError, ValueError):
        raise TypeError(
            f"step_sizes must be a pair (step_min, step_max); got {describe(step_sizes)}"
        ) from None
    step_min = as_positive("step_sizes[0] (step_min)", step_min)
    step_max = as_positive("step_sizes[1] (step_max)", step_max)
    if not step_min <= step_max:
        raise ValueError(
            f"step_sizes must satisfy 0 < step_min <= step_max; got step_sizes={tuple(step_sizes)!r}"
        )
    return step_min, step_max


# --------------------------------------------------------------------------
# the rules' arithmetic: one function per rule, trusting its inputs
#
# Each result is computed by one numpy ufunc call whose ``out`` is the array
# to write it into: ``None`` makes a new array (the pure functions), an input
# array updates it in place (the classes).  Each state array is read before it
# is overwritten and ``w`` is written last, so ``out`` may be the inputs
# themselves.  The same operations in the same order in both cases: the same
# numbers to the last bit.
# --------------------------------------------------------------------------
_NEW = (None, None, None, None)  # out for the pure path: every result a new array


def _store(value, out):
    """``value`` itself (pure path), or copied into ``out`` (in-place path); for results of ``np.where``."""
    if out is None:
        return value
    np.copyto(out, value, casting="same_kind")
    return out


def ema_unvalidated(avg, x, beta, out=None):
    """``ema`` without validation, writing into ``out`` when given: the rules' line, public for loops that validated."""
    return np.add(beta * avg, (1.0 - beta) * x, out=out)             # beta avg + (1 - beta) x


def _bias_correction(avg, beta, t):
    return avg / _in_dtype_of(_one_minus_power(beta, t), avg)        # avg / (1 - beta^t)


def _one_minus_power(beta, t):
    """``1 - beta**t`` as Python computes it, for a step number ``t`` or an array of them (one per network).

    An array is computed value by distinct value in Python: numpy's
    vectorised ``power`` may differ from ``beta**t`` in the last bit, and a
    stacked network must round as it does alone.
    """
    if not isinstance(t, np.ndarray):
        return 1.0 - beta**t
    values, where = np.unique(t, return_inverse=True)
    return np.array([1.0 - beta ** int(v) for v in values])[where].reshape(t.shape)


def _in_dtype_of(c, a):
    """A factor computed from the step number, in ``a``'s dtype: a Python float already acts so; an array
    (one step number per network of a stack) is cast, so a float32 stack rounds as a float32 network does."""
    return c.astype(a.dtype) if isinstance(c, np.ndarray) else c


def _adaptive_step(w, m, v, lr, eps, eps_inside_sqrt, out=None):
    denom = np.sqrt(v + eps) if eps_inside_sqrt else np.sqrt(v) + eps
    return np.subtract(w, lr * m / denom, out=out)                   # w - lr m / denom


def _sgd(w, g, lr, out=_NEW):
    return np.subtract(w, lr * g, out=out[0])                        # w - lr g


def _classical_velocity(v, g, lr, beta, out=None):
    return np.subtract(beta * v, lr * g, out=out)                    # v = beta v - lr g


def _momentum(w, g, v, lr, beta, variant, out=_NEW):
    if variant == "classical":
        v = _classical_velocity(v, g, lr, beta, out[1])              # v = beta v - lr g
        return np.add(w, v, out=out[0]), v                           # w + v
    v = ema_unvalidated(v, g, beta, out[1])                                     # v = beta v + (1 - beta) g
    return np.subtract(w, lr * v, out=out[0]), v                     # w - lr v


def _nesterov(w, g, v, lr, beta, out=_NEW):
    v = _classical_velocity(v, g, lr, beta, out[1])                  # v = beta v - lr g
    return np.subtract(w + beta * v, lr * g, out=out[0]), v          # w + beta v - lr g


def _adagrad(w, g, G, lr, eps, eps_inside_sqrt, out=_NEW):
    G = np.add(G, g * g, out=out[1])                                 # G = G + g^2
    return _adaptive_step(w, g, G, lr, eps, eps_inside_sqrt, out[0]), G     # w - lr g / (sqrt(G) + eps)


def _rmsprop(w, g, s, lr, rho, eps, eps_inside_sqrt, out=_NEW):
    s = ema_unvalidated(s, g * g, rho, out[1])                                  # s = rho s + (1 - rho) g^2
    return _adaptive_step(w, g, s, lr, eps, eps_inside_sqrt, out[0]), s     # w - lr g / (sqrt(s) + eps)


def _adadelta(w, g, Eg2, Edx2, lr, rho, eps, out=_NEW):
    Eg2 = ema_unvalidated(Eg2, g * g, rho, out[1])                              # E[g^2] = rho E[g^2] + (1 - rho) g^2
    dx = -np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * g               # dx = -RMS[dx] / RMS[g] g
    Edx2 = ema_unvalidated(Edx2, dx * dx, rho, out[2])                          # E[dx^2] = rho E[dx^2] + (1 - rho) dx^2
    return np.add(w, lr * dx, out=out[0]), Eg2, Edx2                 # w + lr dx


def _adam(w, g, m, v, vmax, t, lr, beta1, beta2, eps, eps_hat, out=_NEW):
    """Adam's arithmetic; ``vmax`` None is Adam, an array is AMSGrad (then four results)."""
    m = ema_unvalidated(m, g, beta1, out[1])                                    # m = beta1 m + (1 - beta1) g
    v = ema_unvalidated(v, g * g, beta2, out[2])                                # v = beta2 v + (1 - beta2) g^2
    if vmax is not None:
        vmax = np.maximum(vmax, v, out=out[3])                       # vmax = max(vmax, v)
    v_denom = v if vmax is None else vmax
    if eps_hat:
        lr_t = lr * np.sqrt(_one_minus_power(beta2, t)) / _one_minus_power(beta1, t)
        w = _adaptive_step(w, m, v_denom, lr_t, eps, False, out[0])  # w - lr_t m / (sqrt(v) + eps)
    else:
        m_hat = _bias_correction(m, beta1, t)                        # m / (1 - beta1^t)
        v_hat = _bias_correction(v_denom, beta2, t)                  # v / (1 - beta2^t)
        w = _adaptive_step(w, m_hat, v_hat, lr, eps, False, out[0])  # w - lr m_hat / (sqrt(v_hat) + eps)
    return (w, m, v) if vmax is None else (w, m, v, vmax)


def _rprop(w, g, g_prev, step, eta_minus, eta_plus, step_min, step_max, out=_NEW):
    same = np.sign(g) * np.sign(g_prev)
    step = _store(np.where(same > 0, np.minimum(step * eta_plus, step_max),
                           np.where(same < 0, np.maximum(step * eta_minus, step_min), step)), out[2])
    g = _store(np.where(same < 0, 0.0, g), out[1])                   # a sign change: forget g
    return np.subtract(w, np.sign(g) * step, out=out[0]), g, step    # w - sign(g) step


# --------------------------------------------------------------------------
# pure update functions
# --------------------------------------------------------------------------
def sgd_update(w, g, lr, out=None):
    """One step of (stochastic) gradient descent.

    ``w_new = w - lr * g``

    Parameters
    ----------
    w : float array
        Current parameters.
    g : float array, same shape as ``w``
        Gradient of the loss at ``w`` (full batch, one example or a mini-batch
        mean: the rule is the same, only ``g`` changes).
    lr : float > 0
        Learning rate (alpha in ``002``'s Algorithm 1, eta in ``001``).
    out : tuple (w_out,), optional
        An array to write ``w_new`` into (``out=(w,)`` updates ``w`` in place).

    Returns
    -------
    w_new : float array
        A new array (``w`` is not modified), or ``out[0]``.

    Notes
    -----
    Course source ``002`` Algorithm 1 (``w <- w - alpha * grad Q(w)``) and its
    SGD box (``w := w - mu * L_i'(w)``).  Keras 3:
    ``keras.optimizers.SGD(learning_rate)`` with ``momentum=0``.

    Examples
    --------
    >>> sgd_update(np.array([1.0, -2.0]), np.array([2.0, -4.0]), lr=0.25)
    array([ 0.5, -1. ])
    """
    w, g = _validate_arrays(w, g)
    lr = as_positive("lr", lr)
    out = _validate_out(out, w, {"w": w, "g": g})
    return _sgd(w, g, lr, out)


def momentum_update(w, g, v, lr, beta=0.9, variant="classical", out=None):
    """One step of gradient descent with (heavy-ball) momentum.

    ``variant="classical"`` (default)::

        v_new = beta * v - lr * g
        w_new = w + v_new

    ``variant="ema"`` (exponentially weighted average of the gradients)::

        v_new = beta * v + (1 - beta) * g
        w_new = w - lr * v_new

    Parameters
    ----------
    w, g : float arrays of the same shape
        Parameters and gradient at ``w``.
    v : float array, same shape as ``w``
        Velocity (zeros before the first step).  Its meaning depends on the
        variant: a displacement in the classical form, an average gradient in
        the EMA form.
    lr : float > 0
        Learning rate.
    beta : float in [0, 1)
        Momentum coefficient (0.9 is the usual choice; 0 gives plain SGD in the
        classical form).
    variant : {"classical", "ema"}
    out : tuple (w_out, v_out), optional
        Arrays to write the results into (``out=(w, v)`` updates in place).

    Returns
    -------
    w_new, v_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    * classical: Polyak (1964), in the notation of Sutskever, Martens, Dahl &
      Hinton (2013), "On the importance of initialization and momentum in deep
      learning", eqs. (1)-(2); CS231n; course source ``003`` (section 3.3.1,
      ``v = alpha v - eta g, w = w + v``).  It is exactly Keras 3's
      ``keras.optimizers.SGD(learning_rate=lr, momentum=beta)``.
    * ema: course source ``001``, slide "Gradient Descent with Momentum"
      (``V_t = beta V_{t-1} + (1 - beta) dJ/dW``, ``W = W - alpha V_t``).

    **Both are right.**  With ``lr_classical = lr_ema * (1 - beta)`` and the
    velocities related by ``v_classical = -lr_ema * v_ema`` they produce the
    same iterates: substituting, ``beta v_c - lr_c g = -lr_ema (beta v_e +
    (1 - beta) g) = -lr_ema v_e_new``, so ``w + v_c_new = w - lr_ema v_e_new``.
    The EMA form therefore takes steps ``1/(1 - beta)`` (= 10 for beta 0.9)
    times smaller than the classical form at the same nominal lr.  The
    equivalence needs a constant lr: when a schedule changes lr, the classical
    form applies each lr to the gradients entering v at that time, the EMA
    form applies the current lr to the whole average.  (PyTorch's SGD,
    ``v = beta v + g, w = w - lr v``, behaves like the EMA form in that
    respect.)

    The momentum line of course source ``002`` (``v_t = v_{t-1} + eps *
    grad f(theta_{t-1})``) gives neither the parameter update nor the decay
    factor: read it as ``v_t = beta v_{t-1} + eps grad f(theta_{t-1})``,
    ``theta_t = theta_{t-1} - v_t``, which is the classical form with
    ``v_002 = -v``.
    """
    w, g, v = _validate_arrays(w, g, v=v)
    lr = as_positive("lr", lr)
    beta = _validate_decay("beta", beta)
    as_choice("variant", variant, MOMENTUM_VARIANTS)
    out = _validate_out(out, w, {"w": w, "v": v, "g": g})
    return _momentum(w, g, v, lr, beta, variant, out)


def nesterov_update(w, g, v, lr, beta=0.9, out=None):
    """One step of Nesterov accelerated gradient (NAG), gradient at the current ``w``.

    ::

        v_new = beta * v - lr * g
        w_new = w + beta * v_new - lr * g

    Parameters
    ----------
    w, g : float arrays of the same shape
        Parameters and gradient AT ``w`` (no separate look-ahead evaluation).
    v : float array, same shape as ``w``
        Velocity (zeros before the first step).
    lr : float > 0
    beta : float in [0, 1)
    out : tuple (w_out, v_out), optional
        Arrays to write the results into (``out=(w, v)`` updates in place).

    Returns
    -------
    w_new, v_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    Sutskever et al. (2013), eqs. (3)-(4), write NAG with a look-ahead
    gradient: ``v_new = beta v - lr grad f(theta + beta v)``, ``theta_new =
    theta + v_new``.  Storing the look-ahead point ``w = theta + beta v``
    instead of ``theta`` (Bengio, Boulanger-Lewandowski & Pascanu 2013,
    "Advances in optimizing recurrent networks", eq. 7) gives the rule above,
    which needs the gradient only at the stored ``w``:
    ``w_new = theta_new + beta v_new = w + beta v_new - lr g``, i.e.
    ``w_new = w + beta**2 v - (1 + beta) lr g``.
    This is exactly Keras 3's ``keras.optimizers.SGD(momentum=beta,
    nesterov=True)`` and, for constant lr, PyTorch's
    ``torch.optim.SGD(nesterov=True)``.

    Erratum of course source ``002`` (Definition 2): it prints only the
    velocity, ``v_t = v_{t-1} + eps grad f(theta_{t-1} - mu v_{t-1})``,
    without the parameter update ``theta_t = theta_{t-1} - v_t`` (which fixes
    the sign: there v is minus our v, eps is the learning rate and mu the
    momentum coefficient) and without the factor mu on ``v_{t-1}``.
    """
    w, g, v = _validate_arrays(w, g, v=v)
    lr = as_positive("lr", lr)
    beta = _validate_decay("beta", beta)
    out = _validate_out(out, w, {"w": w, "v": v, "g": g})
    return _nesterov(w, g, v, lr, beta, out)


def adagrad_update(w, g, G, lr=0.01, eps=1e-8, eps_inside_sqrt=False, out=None):
    """One step of AdaGrad (diagonal form).

    ::

        G_new = G + g**2
        w_new = w - lr * g / (sqrt(G_new) + eps)      # eps_inside_sqrt=False (default)
        w_new = w - lr * g / sqrt(G_new + eps)        # eps_inside_sqrt=True  (Keras)

    Parameters
    ----------
    w, g : float arrays of the same shape
    G : float array >= 0, same shape as ``w``
        Running sum of squared gradients (zeros before the first step in
        Duchi et al.; Keras starts it at 0.1).
    lr : float > 0
    eps : float > 0
    eps_inside_sqrt : bool
    out : tuple (w_out, G_out), optional
        Arrays to write the results into (``out=(w, G)`` updates in place).

    Returns
    -------
    w_new, G_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, diagonal update with
    ``H_t = delta I + diag(G_t)^(1/2)``: the constant (our eps) is added
    OUTSIDE the square root.  Course source ``002`` (Definition 3) also puts
    eps outside; course source ``001`` (slides "AdaGrad") puts it inside,
    ``eta / sqrt(G_t + eps)``, which is the Keras form.

    Keras 3's ``keras.optimizers.Adagrad`` differs in three defaults: it
    divides by ``sqrt(accumulator + epsilon)``, its accumulator starts at
    ``initial_accumulator_value=0.1``, and ``epsilon=1e-7``,
    ``learning_rate=0.001``.  Reproduce it with ``eps_inside_sqrt=True``,
    ``G`` starting at 0.1 (``Adagrad(..., initial_accumulator=0.1)``) and
    matching lr and eps.  PyTorch's ``torch.optim.Adagrad`` uses our placement
    and G0 = 0, with eps 1e-10.

    The effective step ``lr / sqrt(G)`` only shrinks: AdaGrad can stop
    learning long before a minimum (the slides' "learning rate can become
    infinitesimally small").
    """
    w, g, G = _validate_arrays(w, g, G=G)
    _validate_nonnegative_array("G", G, "a sum of squared gradients")
    lr = as_positive("lr", lr)
    eps = as_positive("eps", eps)
    eps_inside_sqrt = as_bool("eps_inside_sqrt", eps_inside_sqrt)
    out = _validate_out(out, w, {"w": w, "G": G, "g": g})
    return _adagrad(w, g, G, lr, eps, eps_inside_sqrt, out)


def rmsprop_update(w, g, s, lr=0.001, rho=0.9, eps=1e-8, eps_inside_sqrt=False, out=None):
    """One step of RMSProp.

    ::

        s_new = rho * s + (1 - rho) * g**2
        w_new = w - lr * g / (sqrt(s_new) + eps)      # eps_inside_sqrt=False (default)
        w_new = w - lr * g / sqrt(s_new + eps)        # eps_inside_sqrt=True  (Keras)

    Parameters
    ----------
    w, g : float arrays of the same shape
    s : float array >= 0, same shape as ``w``
        Running (exponentially weighted) mean of ``g**2``; zeros at the start.
    lr : float > 0
    rho : float in [0, 1)
        Decay of the running mean (Hinton's 0.9; ``001`` calls it beta_2,
        ``002`` beta).
    eps : float > 0
    eps_inside_sqrt : bool
    out : tuple (w_out, s_out), optional
        Arrays to write the results into (``out=(w, s)`` updates in place).

    Returns
    -------
    w_new, s_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    Hinton, Srivastava & Swersky, Neural Networks for Machine Learning,
    lecture 6e (2012): ``MeanSquare = 0.9 MeanSquare + 0.1 g**2``, divide the
    gradient by ``sqrt(MeanSquare)``.  The lecture has no eps; where to put it
    is a convention.  Our default, eps outside the root, follows course source
    ``002`` (Definition 4) and PyTorch.  Course source ``001`` (slides
    "RMSProp") and Keras put it inside.

    Keras 3's ``keras.optimizers.RMSprop``: ``velocity = rho velocity + (1 -
    rho) g**2``, ``increment = lr g / sqrt(velocity + epsilon)``, with
    ``epsilon=1e-7``, ``rho=0.9``; its options ``momentum=0.0`` and
    ``centered=False`` are off by default, and then the rule is exactly
    ``eps_inside_sqrt=True``.  No bias correction: the first steps are larger
    than ``lr`` (step 1 moves ``lr / sqrt(1 - rho)``, about 3.16 lr for rho
    0.9).
    """
    w, g, s = _validate_arrays(w, g, s=s)
    _validate_nonnegative_array("s", s, "a running mean of squared gradients")
    lr = as_positive("lr", lr)
    rho = _validate_decay("rho", rho)
    eps = as_positive("eps", eps)
    eps_inside_sqrt = as_bool("eps_inside_sqrt", eps_inside_sqrt)
    out = _validate_out(out, w, {"w": w, "s": s, "g": g})
    return _rmsprop(w, g, s, lr, rho, eps, eps_inside_sqrt, out)


def adadelta_update(w, g, Eg2, Edx2, lr=1.0, rho=0.95, eps=1e-6, out=None):
    """One step of Adadelta.

    ::

        Eg2_new  = rho * Eg2 + (1 - rho) * g**2
        dx       = -sqrt(Edx2 + eps) / sqrt(Eg2_new + eps) * g
        Edx2_new = rho * Edx2 + (1 - rho) * dx**2
        w_new    = w + lr * dx

    Parameters
    ----------
    w, g : float arrays of the same shape
    Eg2 : float array >= 0
        Running mean of squared gradients, E[g^2] (zeros at the start).
    Edx2 : float array >= 0
        Running mean of squared updates, E[dx^2] (zeros at the start).
    lr : float > 0
        Extra factor on the update.  Zeiler's method has none (``lr=1``, the
        default).  Keras multiplies by its ``learning_rate`` whose DEFAULT IS
        0.001, so ``keras.optimizers.Adadelta()`` moves 1000 times less than
        Zeiler's Adadelta; pass ``learning_rate=1.0`` to Keras to get the paper.
    rho : float in [0, 1)
    eps : float > 0
        Added inside both square roots (``RMS[y] = sqrt(E[y^2] + eps)``).
    out : tuple (w_out, Eg2_out, Edx2_out), optional
        Arrays to write the results into (``out=(w, Eg2, Edx2)`` updates in
        place).

    Returns
    -------
    w_new, Eg2_new, Edx2_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    Zeiler (2012), "ADADELTA: An adaptive learning rate method",
    arXiv:1212.5701, Algorithm 1 (rho 0.95, eps 1e-6 in its experiments).
    ``dx`` is accumulated into ``Edx2`` WITHOUT the factor lr, as in Keras 3's
    ``keras.optimizers.Adadelta`` (``rms(x) = sqrt(x + epsilon)``,
    ``delta_var = -rms(E[dx^2]) g / rms(E[g^2])``, then ``variable += lr *
    delta_var``) and PyTorch's ``torch.optim.Adadelta``.  Keras defaults:
    ``learning_rate=0.001``, ``rho=0.95``, ``epsilon=1e-7``.
    With ``Edx2 = 0`` the first step is ``-sqrt(eps) g / sqrt((1-rho) g**2 +
    eps)``, about ``sqrt(eps / (1 - rho))`` = 0.0045 per coordinate for the
    defaults: eps sets Adadelta's initial step size.
    """
    w, g, Eg2, Edx2 = _validate_arrays(w, g, Eg2=Eg2, Edx2=Edx2)
    _validate_nonnegative_array("Eg2", Eg2, "a running mean of squared gradients")
    _validate_nonnegative_array("Edx2", Edx2, "a running mean of squared updates")
    lr = as_positive("lr", lr)
    rho = _validate_decay("rho", rho)
    eps = as_positive("eps", eps)
    out = _validate_out(out, w, {"w": w, "Eg2": Eg2, "Edx2": Edx2, "g": g})
    return _adadelta(w, g, Eg2, Edx2, lr, rho, eps, out)


def adam_update(
    w,
    g,
    m,
    v,
    t,
    lr=0.001,
    beta1=0.9,
    beta2=0.999,
    eps=1e-8,
    amsgrad=False,
    vmax=None,
    eps_hat=False,
    out=None,
):
    """One step of Adam (optionally AMSGrad, optionally in Keras' eps-hat form).

    Default (Kingma & Ba 2015, Algorithm 1)::

        m_new = beta1 * m + (1 - beta1) * g          # first moment
        v_new = beta2 * v + (1 - beta2) * g**2       # second raw moment
        m_hat = m_new / (1 - beta1**t)               # bias corrections
        v_hat = v_new / (1 - beta2**t)
        w_new = w - lr * m_hat / (sqrt(v_hat) + eps)

    ``eps_hat=True`` (Kingma & Ba section 2, "more efficient order"; Keras)::

        lr_t  = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        w_new = w - lr_t * m_new / (sqrt(v_new) + eps)

    ``amsgrad=True`` (Reddi, Kale & Kumar 2018)::

        vmax_new = maximum(vmax, v_new)              # vmax=None means zeros
        ... then vmax_new replaces v_new in the denominator above.

    Parameters
    ----------
    w, g : float arrays of the same shape
    m, v : float arrays of the shape of ``w``; ``v >= 0``
        Biased first and second moment estimates (zeros before step 1).
    t : int >= 1
        Number of the step being taken (1 on the first step).  The bias
        corrections use it, so it must count from 1 with the state.
    lr : float > 0
        Step size (alpha in the paper).
    beta1, beta2 : float in [0, 1)
    eps : float > 0
    amsgrad : bool
    vmax : float array >= 0 or None
        AMSGrad's running maximum of ``v``; only allowed with ``amsgrad=True``.
    eps_hat : bool
    out : tuple (w_out, m_out, v_out[, vmax_out]), optional
        Arrays to write the results into, one per result
        (``out=(w, m, v)`` updates in place, as PyTorch's functional
        ``torch.optim.adam``; with AMSGrad ``out=(w, m, v, vmax)``).

    Returns
    -------
    (w_new, m_new, v_new), or (w_new, m_new, v_new, vmax_new) when amsgrad
        New arrays (nothing is modified), or the arrays of ``out``.

    Notes
    -----
    **The two eps forms differ.**  Algebraically ``lr_t m / (sqrt(v) + eps) =
    lr m_hat / (sqrt(v_hat) + eps / sqrt(1 - beta2**t))``: the eps-hat form is
    Algorithm 1 with a time-dependent ``eps_t = eps / sqrt(1 - beta2**t)``
    (31.6 eps at t=1 for beta2=0.999, tending to eps).  Keras 3's
    ``keras.optimizers.Adam`` uses the eps-hat form with default
    ``epsilon=1e-7``; PyTorch's ``torch.optim.Adam`` uses Algorithm 1 with
    ``eps=1e-8``.  The difference matters only while ``sqrt(v_hat)`` is not
    much larger than eps, but it is there; the tests show it.

    **AMSGrad convention.**  Reddi et al., "On the convergence of Adam and
    beyond" (ICLR 2018), Algorithm 2, keep ``vmax = max(vmax, v)`` and divide
    by ``sqrt(vmax)`` with no bias correction and no eps.  Here, as in PyTorch
    and Keras (``Adam(amsgrad=True)``), the maximum is taken over the RAW
    (uncorrected) ``v`` and the current step's correction is applied to it:
    ``v_hat = vmax / (1 - beta2**t)`` in the default form (= PyTorch),
    ``lr_t`` with ``sqrt(vmax)`` in the eps-hat form (= Keras).

    Course sources.  ``001`` (slides "Adaptive Moment Estimation (Adam)")
    reproduces Algorithm 1.  ``003`` writes the same rule.  ``002``
    (Definition 5) calls the first moment ``v`` and the second ``s`` (Kingma &
    Ba: ``m`` and ``v``) and prints the update as ``theta - mu v_hat /
    (sqrt(s_hat) + eps) * g``: **erratum**, the trailing ``* g`` is wrong;
    the gradient enters only through the moment ``v_hat`` (our ``m_hat``).

    Examples
    --------
    On step 1, ``m_hat = g`` and ``v_hat = g**2``, so Adam moves every
    coordinate by about ``lr``, whatever the size of the gradient:

    >>> w, m, v = adam_update(np.zeros(2), np.array([0.01, -50.0]), np.zeros(2), np.zeros(2), t=1, lr=0.1)
    >>> np.round(w, 4)
    array([-0.1,  0.1])
    """
    w, g, m, v = _validate_arrays(w, g, m=m, v=v)
    _validate_nonnegative_array("v", v, "a running mean of squared gradients")
    t = as_int("t", t, minimum=1)
    lr = as_positive("lr", lr)
    beta1 = _validate_decay("beta1", beta1)
    beta2 = _validate_decay("beta2", beta2)
    eps = as_positive("eps", eps)
    amsgrad = as_bool("amsgrad", amsgrad)
    eps_hat = as_bool("eps_hat", eps_hat)
    if amsgrad:
        if vmax is None:
            vmax = np.zeros_like(w)
        else:
            vmax = as_float_array("vmax", vmax)
            require_same_shape("w", w, "vmax", vmax)
            _validate_nonnegative_array("vmax", vmax, "a running maximum of v")
        out = _validate_out(out, w, {"w": w, "m": m, "v": v, "vmax": vmax, "g": g})
    elif vmax is not None:
        raise ValueError("vmax is only used by AMSGrad; pass amsgrad=True or leave vmax=None")
    else:
        out = _validate_out(out, w, {"w": w, "m": m, "v": v, "g": g})
    return _adam(w, g, m, v, vmax, t, lr, beta1, beta2, eps, eps_hat, out)


def rprop_update(w, g, g_prev, step, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), out=None):
    """One step of Rprop (the iRprop- variant): move each coordinate by its own step.

    Per coordinate, with ``s = sign(g) * sign(g_prev)``::

        s > 0 (same sign):    step_new = min(step * eta_plus,  step_max)
        s < 0 (sign change):  step_new = max(step * eta_minus, step_min);
                              g := 0  (this coordinate does not move, and the
                              stored gradient is 0, so next time s = 0)
        s = 0:                step_new = step
        w_new = w - sign(g) * step_new
        g_prev_new = g       (with the zeros set above)

    Parameters
    ----------
    w, g : float arrays of the same shape
    g_prev : float array, same shape
        Gradient stored by the previous step (zeros before step 1).
    step : float array, same shape, entries in [step_min, step_max]
        Current per-coordinate step sizes (all equal to the initial step,
        e.g. 0.01, before step 1).
    etas : pair (eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus
    step_sizes : pair (step_min, step_max) with 0 < step_min <= step_max
    out : tuple (w_out, g_prev_out, step_out), optional
        Arrays to write the results into (``out=(w, g_prev, step)`` updates
        in place).

    Returns
    -------
    w_new, g_prev_new, step_new : float arrays (new arrays, or the arrays of ``out``)

    Notes
    -----
    Rprop: Riedmiller & Braun (1993), "A direct adaptive method for faster
    backpropagation learning: the RPROP algorithm" (eta- 0.5, eta+ 1.2,
    step_max 50, step_min 1e-6).  The original also takes back the previous
    weight step after a sign change ("backtracking", Rprop+); the variant here
    does not.  It is iRprop- of Igel & Huesken (2000), "Improving the Rprop
    learning algorithm", the variant ``torch.optim.Rprop`` implements
    (same defaults, same zeroing of the stored gradient; PyTorch clamps every
    step into [step_min, step_max], which changes nothing for steps already
    in that range, hence the validation of ``step``).  Only the SIGN of the
    gradient is used: Rprop is for full-batch training (course source ``001``,
    slide "Resilient Back Propagation - Rprop").  Keras has no Rprop.
    """
    w, g, g_prev, step = _validate_arrays(w, g, g_prev=g_prev, step=step)
    eta_minus, eta_plus = _validate_etas(etas)
    step_min, step_max = _validate_step_sizes(step_sizes)
    if np.any((step < step_min) | (step > step_max)):
        bad = step[(step < step_min) | (step > step_max)].ravel()[0]
        raise ValueError(
            f"step must lie in [step_min, step_max] = [{step_min!r}, {step_max!r}] "
            f"(from step_sizes); found {bad!r}"
        )
    out = _validate_out(out, w, {"w": w, "g_prev": g_prev, "step": step, "g": g})
    return _rprop(w, g, g_prev, step, eta_minus, eta_plus, step_min, step_max, out)


# --------------------------------------------------------------------------
# the pieces several rules share
# --------------------------------------------------------------------------
def ema(avg, x, beta):
    """One step of an exponential moving average (the running averages of momentum, RMSprop, Adadelta, Adam).

    ``avg_new = beta * avg + (1 - beta) * x``

    Parameters
    ----------
    avg : float array or float
        The average so far (zeros before the first term in the optimizers).
    x : float array or float, broadcastable against ``avg``
        The new term (a gradient ``g``, or ``g**2``).
    beta : float in [0, 1)
        The decay rate: the average spans about ``1 / (1 - beta)`` terms.

    Returns
    -------
    avg_new : float array (a new array)

    Notes
    -----
    The EMA form of momentum (course source ``001``, ``V_t = beta V_{t-1} +
    (1 - beta) dW``), RMSprop's ``s`` (Tieleman & Hinton 2012, ``rho``),
    Adadelta's two accumulators (Zeiler 2012, eq. 8 and Algorithm 1), Adam's
    ``m`` and ``v`` (Kingma & Ba 2015, Algorithm 1) and source ``002``'s
    running loss estimate (``train.running_loss_estimate``, with ``beta = 1 -
    lam``) all take this step; the rules call the same line.

    Examples
    --------
    >>> ema(np.array([1.0]), np.array([3.0]), 0.75)
    array([1.5])
    """
    avg = as_float_array("avg", avg)
    x = as_float_array("x", x)
    beta = _validate_decay("beta", beta)
    try:
        np.broadcast_shapes(np.shape(avg), np.shape(x))
    except ValueError:
        raise ValueError(f"x must broadcast against avg; avg has shape {np.shape(avg)} and x has shape "
                         f"{np.shape(x)}") from None
    return ema_unvalidated(avg, x, beta)


def bias_correction(avg, beta, t):
    """Adam's bias correction of a running average that started at zero.

    ``avg_hat = avg / (1 - beta**t)``

    Parameters
    ----------
    avg : float array
        A running average ``avg_t = beta avg_{t-1} + (1 - beta) x_t`` with
        ``avg_0 = 0`` (Adam's ``m`` with ``beta1``, its ``v`` with ``beta2``).
    beta : float in [0, 1)
        Its decay rate.
    t : int >= 1
        The number of terms averaged so far (Adam's step number).

    Returns
    -------
    avg_hat : float array (a new array)

    Notes
    -----
    Kingma & Ba (2015), Algorithm 1 (``m_hat_t = m_t / (1 - beta1^t)``,
    ``v_hat_t = v_t / (1 - beta2^t)``) and section 3: the zero start weighs
    the terms by ``(1 - beta) beta^(t-k)``, which sum to ``1 - beta**t``, so
    for a constant ``x`` the average is ``(1 - beta**t) x`` and the
    correction gives back ``x``.  ``adam_update`` runs this line; it is public
    so that a variant of Adam can be built from Adam's own pieces.

    Erratum of course source ``004`` (section 4.1.2): it says the correction
    makes the algorithm "take bigger leaps in the beginning".  Applied to both
    moments it shrinks Adam's early steps: ``m_hat / sqrt(v_hat)`` is ``m /
    sqrt(v)`` times ``sqrt(1 - beta2**t) / (1 - beta1**t)``, 0.316 at t = 1
    for beta1 0.9 and beta2 0.999, so the first corrected step is about
    ``lr`` per coordinate where the uncorrected one would be 3.16 ``lr``.

    Examples
    --------
    One step with ``x = 2`` and beta 0.75 averages ``0.25 * 2 = 0.5``; the correction gives back 2:

    >>> bias_correction(np.array([0.5]), 0.75, 1)
    array([2.])
    """
    avg = as_float_array("avg", avg)
    beta = _validate_decay("beta", beta)
    t = as_int("t", t, minimum=1)
    return _bias_correction(avg, beta, t)


def adaptive_step(w, m, v, lr, eps, eps_inside_sqrt=False):
    """The step the adaptive methods end with: ``m`` divided by the root of ``v``, per coordinate.

    ::

        w_new = w - lr * m / (sqrt(v) + eps)      # eps_inside_sqrt=False (default)
        w_new = w - lr * m / sqrt(v + eps)        # eps_inside_sqrt=True  (Keras' AdaGrad and RMSprop)

    Parameters
    ----------
    w : float array
        Current parameters.
    m : float array, same shape
        The gradient (AdaGrad, RMSProp) or its bias-corrected running average
        (Adam's ``m_hat``).
    v : float array >= 0, same shape
        The sum (AdaGrad's ``G``) or running average (RMSProp's ``s``, Adam's
        ``v_hat``) of squared gradients.
    lr : float > 0
    eps : float > 0
    eps_inside_sqrt : bool

    Returns
    -------
    w_new : float array (a new array)

    Notes
    -----
    The last line of ``adagrad_update`` (Duchi, Hazan & Singer 2011, diagonal
    update), ``rmsprop_update`` (Hinton, lecture 6e) and ``adam_update``
    (Kingma & Ba 2015, Algorithm 1; the eps-hat form is this step with
    ``lr_t`` and the uncorrected ``m``, ``v``).  Those rules run this line;
    it is public so that a variant of one of them can be built from the
    rule's own pieces.

    Examples
    --------
    >>> adaptive_step(np.array([1.0, 1.0]), np.array([3.0, -4.0]), np.array([9.0, 16.0]), lr=0.5, eps=1.0)
    array([0.625, 1.4  ])
    """
    w = as_float_array("w", w)
    m = as_float_array("m", m)
    v = as_float_array("v", v)
    require_same_shape("w", w, "m", m)
    require_same_shape("w", w, "v", v)
    _validate_nonnegative_array("v", v, "a sum or mean of squared gradients")
    lr = as_positive("lr", lr)
    eps = as_positive("eps", eps)
    eps_inside_sqrt = as_bool("eps_inside_sqrt", eps_inside_sqrt)
    return _adaptive_step(w, m, v, lr, eps, eps_inside_sqrt)


# --------------------------------------------------------------------------
# optimizer classes
# --------------------------------------------------------------------------
class Optimizer:
    """Base class: keeps ``lr``, the step count ``t`` and per-parameter state.

    Subclasses validate their hyperparameters in ``__init__`` (once: the step
    trusts them) and define ``_init_state(p) -> dict`` (the state arrays of
    one parameter array, created on the first step) and ``_update(p, g,
    state, t, lr)``: one call of their rule's arithmetic, the one their pure
    update function runs, written into ``p`` and the state arrays.  They list
    their hyperparameters in ``_hyper`` for ``repr``.

    Attributes
    ----------
    lr : float
        Learning rate; may be reassigned between steps (validated: > 0).
    t : int
        Number of steps taken.
    state : list of dict or None
        One dict of state arrays per parameter array, in the order of the
        ``params`` list; ``None`` until the first step.
    """

    _hyper: tuple[str, ...] = ()

    def __init__(self, lr):
        self.lr = lr
        self.t = 0
        self.state = None
        self._shapes = None

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        self._lr = as_positive("lr", value)

    def reset(self) -> None:
        """Forget all state (as if no step had been taken)."""
        self.t = 0
        self.state = None
        self._shapes = None

    def _init_state(self, p: np.ndarray) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def initial_state(self, p: np.ndarray) -> dict:
        """The state arrays one parameter array ``p`` starts with (zeros, or Adagrad's initial accumulator).

        What the first step creates for every array; ``course_lib.batched``
        adds a network to a stack with it.
        """
        return self._init_state(p)

    def _update(self, p, g, state: dict, t: int, lr) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, params, grads) -> None:
        """Update every array of ``params`` in place with its gradient in ``grads``.

        Parameters
        ----------
        params : list of float ndarrays (a single ndarray is accepted too)
            Updated in place.
        grads : list of float arrays, one per parameter, same shapes

        Every input is validated before any array is written, so a bad
        gradient raises without leaving the parameters half updated.  Then
        the step is ``step_unvalidated``: the same arithmetic as the pure
        update function, written into the parameter and state arrays.
        """
        if isinstance(params, np.ndarray):
            params, grads = [params], [grads]
        if not isinstance(params, (list, tuple)):
            raise TypeError(f"params must be a list of numpy arrays; got {describe(params)}")
        if not isinstance(grads, (list, tuple)):
            raise TypeError(f"grads must be a list of arrays, one per parameter; got {describe(grads)}")
        if len(grads) != len(params):
            raise ValueError(
                f"grads must have one array per parameter: params has {len(params)} arrays, "
                f"grads has {len(grads)}"
            )
        if self.state is not None and len(params) != len(self.state):
            raise ValueError(
                f"params has {len(params)} arrays but this optimizer's state was created for "
                f"{len(self.state)} on its first step; use one optimizer per parameter list "
                f"(or call reset())"
            )
        validated = []
        for i, (p, g) in enumerate(zip(params, grads)):
            if not isinstance(p, np.ndarray):
                raise TypeError(
                    f"params[{i}] must be a numpy array (it is updated in place); got {describe(p)}"
                )
            if not p.flags.writeable:
                raise ValueError(f"params[{i}] must be writeable (it is updated in place)")
            as_float_array(f"params[{i}]", p)
            g = as_float_array(f"grads[{i}]", g)
            require_same_shape(f"params[{i}]", p, f"grads[{i}]", g)
            if self._shapes is not None and p.shape != self._shapes[i]:
                raise ValueError(
                    f"params[{i}] has shape {p.shape} but this optimizer's state was created for "
                    f"shape {self._shapes[i]} on its first step; the list must keep the same "
                    f"arrays in the same order (or call reset())"
                )
            validated.append(g)
        self.step_unvalidated(params, validated)

    def step_unvalidated(self, params, grads, lr=None, t=None) -> None:
        """``step`` without validating ``params`` and ``grads``: the fast path of a training loop.

        It skips everything ``step`` validates on each call (list types and
        lengths, that every parameter is a writeable float array, dtypes,
        shapes, finiteness, that the list is the one the state was made for)
        and runs the same arithmetic, so the numbers are the same to the last
        bit.  Hyperparameters need no validation here: the constructor and the
        ``lr`` setter validated them.

        Only for loops that guarantee those conditions themselves: ``params`` is
        the same list of float arrays on every call and ``grads`` are
        finite gradients of matching shapes, computed for them by
        backpropagation (``course_lib.train``) or validated by the loop
        (``trajectory``).  Everyone else calls ``step``: a bad input here
        gives wrong numbers or an obscure numpy error, not a clear message.

        ``lr`` replaces ``self.lr`` for this step (unvalidated): an array
        that broadcasts against every parameter array gives every slice its
        own learning rate.  ``course_lib.batched`` steps a stack of K
        networks, whose parameters have a leading axis K, with one rate per
        network shaped ``(K, 1, 1)``; the rule's arithmetic is the same, so
        each network's numbers are those of its own optimizer.  ``t``
        likewise replaces the step number ``self.t + 1`` (Adam's bias
        correction), e.g. one per network of a stack whose networks started
        at different steps; ``self.t`` still counts this optimizer's steps.
        """
        if self.state is None:
            self.state = [self._init_state(p) for p in params]
            self._shapes = [p.shape for p in params]
        lr = self.lr if lr is None else lr
        step = t if t is not None else self.t + 1
        for p, g, state in zip(params, grads, self.state):
            self._update(p, g, state, step, lr)
        self.t += 1

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in ("lr",) + self._hyper)
        return f"{type(self).__name__}({args}; t={self.t})"


class SGD(Optimizer):
    """Plain gradient descent over a list of arrays (see ``sgd_update``)."""

    def _init_state(self, p):
        return {}

    def _update(self, p, g, state, t, lr):
        _sgd(p, g, lr, out=(p,))


class Momentum(Optimizer):
    """Gradient descent with momentum (see ``momentum_update`` for both variants).

    ``Momentum(lr, beta, "classical")`` is Keras' ``SGD(lr, momentum=beta)``;
    ``Momentum(lr, beta, "ema")`` is the EMA form of course source ``001``.
    """

    _hyper = ("beta", "variant")

    def __init__(self, lr, beta=0.9, variant="classical"):
        self.beta = _validate_decay("beta", beta)
        self.variant = as_choice("variant", variant, MOMENTUM_VARIANTS)
        super().__init__(lr)

    def _init_state(self, p):
        return {"v": np.zeros_like(p)}

    def _update(self, p, g, state, t, lr):
        _momentum(p, g, state["v"], lr, self.beta, self.variant, out=(p, state["v"]))


class Nesterov(Optimizer):
    """Nesterov momentum, Keras' ``SGD(momentum=beta, nesterov=True)`` (see ``nesterov_update``)."""

    _hyper = ("beta",)

    def __init__(self, lr, beta=0.9):
        self.beta = _validate_decay("beta", beta)
        super().__init__(lr)

    def _init_state(self, p):
        return {"v": np.zeros_like(p)}

    def _update(self, p, g, state, t, lr):
        _nesterov(p, g, state["v"], lr, self.beta, out=(p, state["v"]))


class Adagrad(Optimizer):
    """AdaGrad (see ``adagrad_update``).

    ``initial_accumulator`` is the starting value of ``G`` (0 in Duchi et al.
    and PyTorch; Keras uses 0.1).  Keras' ``Adagrad(learning_rate=lr,
    epsilon=eps)`` is ``Adagrad(lr, eps, eps_inside_sqrt=True,
    initial_accumulator=0.1)``.
    """

    _hyper = ("eps", "eps_inside_sqrt", "initial_accumulator")

    def __init__(self, lr=0.01, eps=1e-8, eps_inside_sqrt=False, initial_accumulator=0.0):
        self.eps = as_positive("eps", eps)
        self.eps_inside_sqrt = as_bool("eps_inside_sqrt", eps_inside_sqrt)
        self.initial_accumulator = as_nonnegative("initial_accumulator", initial_accumulator)
        super().__init__(lr)

    def _init_state(self, p):
        return {"G": np.full_like(p, self.initial_accumulator)}

    def _update(self, p, g, state, t, lr):
        _adagrad(p, g, state["G"], lr, self.eps, self.eps_inside_sqrt, out=(p, state["G"]))


class RMSprop(Optimizer):
    """RMSProp (see ``rmsprop_update``).

    Keras' ``RMSprop(learning_rate=lr, rho=rho, epsilon=eps)`` (momentum 0,
    not centered) is ``RMSprop(lr, rho, eps, eps_inside_sqrt=True)``.
    """

    _hyper = ("rho", "eps", "eps_inside_sqrt")

    def __init__(self, lr=0.001, rho=0.9, eps=1e-8, eps_inside_sqrt=False):
        self.rho = _validate_decay("rho", rho)
        self.eps = as_positive("eps", eps)
        self.eps_inside_sqrt = as_bool("eps_inside_sqrt", eps_inside_sqrt)
        super().__init__(lr)

    def _init_state(self, p):
        return {"s": np.zeros_like(p)}

    def _update(self, p, g, state, t, lr):
        _rmsprop(p, g, state["s"], lr, self.rho, self.eps, self.eps_inside_sqrt, out=(p, state["s"]))


class Adadelta(Optimizer):
    """Adadelta (see ``adadelta_update``); lr=1.0 is Zeiler's method.

    Keras' ``Adadelta(learning_rate=lr, rho=rho, epsilon=eps)`` is
    ``Adadelta(lr, rho, eps)``; mind Keras' default learning_rate 0.001.
    """

    _hyper = ("rho", "eps")

    def __init__(self, lr=1.0, rho=0.95, eps=1e-6):
        self.rho = _validate_decay("rho", rho)
        self.eps = as_positive("eps", eps)
        super().__init__(lr)

    def _init_state(self, p):
        return {"Eg2": np.zeros_like(p), "Edx2": np.zeros_like(p)}

    def _update(self, p, g, state, t, lr):
        Eg2, Edx2 = state["Eg2"], state["Edx2"]
        _adadelta(p, g, Eg2, Edx2, lr, self.rho, self.eps, out=(p, Eg2, Edx2))


class Adam(Optimizer):
    """Adam / AMSGrad (see ``adam_update``); step ``t`` is counted by the optimizer.

    Keras' ``Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps,
    amsgrad=a)`` is ``Adam(lr, b1, b2, eps, amsgrad=a, eps_hat=True)``.
    """

    _hyper = ("beta1", "beta2", "eps", "amsgrad", "eps_hat")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, eps_hat=False):
        self.beta1 = _validate_decay("beta1", beta1)
        self.beta2 = _validate_decay("beta2", beta2)
        self.eps = as_positive("eps", eps)
        self.amsgrad = as_bool("amsgrad", amsgrad)
        self.eps_hat = as_bool("eps_hat", eps_hat)
        super().__init__(lr)

    def _init_state(self, p):
        state = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        if self.amsgrad:
            state["vmax"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, t, lr):
        m, v, vmax = state["m"], state["v"], state.get("vmax")
        _adam(p, g, m, v, vmax, t, lr, self.beta1, self.beta2, self.eps, self.eps_hat,
              out=(p, m, v, vmax))


class Rprop(Optimizer):
    """Rprop, iRprop- variant, as ``torch.optim.Rprop`` (see ``rprop_update``).

    ``lr`` is the initial step size of every coordinate (it must lie in
    ``[step_min, step_max]``).  After the first step Rprop adapts its own
    per-coordinate steps and ``lr`` has no further role, so assigning ``lr``
    then raises instead of being silently ignored (a learning-rate schedule
    does not apply to Rprop).
    """

    _hyper = ("etas", "step_sizes")

    def __init__(self, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
        self.etas = _validate_etas(etas)
        self.step_sizes = _validate_step_sizes(step_sizes)
        super().__init__(lr)

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value) -> None:
        if getattr(self, "state", None) is not None:
            raise ValueError(
                "lr of Rprop is only the initial step size; after the first step Rprop adapts "
                "its own per-coordinate steps, so lr cannot be changed (call reset() first)"
            )
        value = as_positive("lr", value)
        step_min, step_max = self.step_sizes
        if not step_min <= value <= step_max:
            raise ValueError(
                f"lr (the initial step size of Rprop) must lie in [step_min, step_max] = "
                f"[{step_min!r}, {step_max!r}]; got {value!r}"
            )
        self._lr = value

    def _init_state(self, p):
        return {"g_prev": np.zeros_like(p), "step": np.full_like(p, self.lr)}

    def _update(self, p, g, state, t, lr):
        g_prev, step = state["g_prev"], state["step"]
        _rprop(p, g, g_prev, step, *self.etas, *self.step_sizes, out=(p, g_prev, step))


# --------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class KerasEquivalent:
    """The ``keras.optimizers`` class that takes the same steps as a course_lib optimizer, and how.

    For any values ``hyper`` of the hyperparameters in ``names`` (course_lib's
    names), ``info.cls(**hyper, **ours)`` and ``keras.optimizers.<name>(**{
    names[k]: value for k, value in hyper.items()}, **theirs)`` take the same
    steps (``OptimizerInfo.keras_pair`` builds both), up to Keras' float32
    rounding of some hyperparameters (see the module docstring).

    Attributes
    ----------
    name : str
        The Keras class: ``keras.optimizers.<name>``.
    names : mapping of str -> str
        Each course_lib hyperparameter and the Keras argument that means the
        same (``{"lr": "learning_rate", "eps": "epsilon", ...}``).
    ours : mapping of str -> value
        What the course_lib optimizer must be set to, where Keras writes the
        rule differently (``{"eps_hat": True}``, ``{"eps_inside_sqrt": True}``).
    theirs : mapping of str -> value
        Keras arguments that select the rule (``{"nesterov": True}``).
    defaults : mapping of str -> value
        Keras' defaults, in course_lib's names, one per entry of ``names``:
        ``keras.optimizers.<name>(**theirs)`` is ``info.cls(**defaults, **ours)``.
    note : str
        What else to know, in one line.
    """

    name: str
    names: Mapping[str, str]
    defaults: Mapping[str, object]
    ours: Mapping[str, object] = field(default_factory=dict)
    theirs: Mapping[str, object] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        for attr in ("names", "defaults", "ours", "theirs"):
            object.__setattr__(self, attr, MappingProxyType(dict(getattr(self, attr))))
        if set(self.defaults) != set(self.names):
            raise ValueError(f"KerasEquivalent {self.name}: defaults must give Keras' default of each "
                             f"hyperparameter in names {sorted(self.names)}; got {sorted(self.defaults)}")


@dataclass(frozen=True, eq=False)
class OptimizerInfo:
    """One optimizer of the course: its rule, its class, and what the tests, lectures and exercises need to know.

    Attributes
    ----------
    name : str
        The class name, as Keras and PyTorch spell it (``cls.__name__``).
    rule : callable
        The pure update function.  Its arguments are named as the class'
        hyperparameters and state arrays: ``rule(w, g, **state, [t,] **hyper)``
        (``t`` for Adam) returns ``w_new`` and the new state, in the order of
        ``state``.
    cls : type
        The ``Optimizer`` subclass; ``cls(...).step`` runs the same arithmetic
        as ``rule``, in place.
    state : tuple of str
        The state arrays, in the order ``rule`` returns them (Adam's ``vmax``
        exists only with ``amsgrad=True``).
    source : str
        The paper, and the equation or algorithm, the rule follows.
    lr_role : {"gradient", "step"} or None
        What the learning rate is.  "gradient": a factor on the gradient (or
        its running average), so ``lr`` must suit the curvature (gradient
        descent is stable only for lr < 2/L).  "step": a step length (the rule
        divides the gradient by its own size, or uses only its sign).  None:
        the method has no learning rate (Zeiler's Adadelta: ``lr=1``).
    momentum : str or None
        The hyperparameter that is a momentum coefficient (``"beta"``,
        Adam's ``"beta1"``), or None.
    keras : KerasEquivalent or None
        How Keras 3 gets the same iterates; None when Keras has no such
        optimizer.
    """

    name: str
    rule: Callable
    cls: type
    state: tuple[str, ...]
    source: str
    lr_role: str | None
    momentum: str | None = None
    keras: KerasEquivalent | None = None

    def __post_init__(self):
        if self.name != self.cls.__name__:
            raise ValueError(f"OptimizerInfo {self.name!r} must be named as its class {self.cls.__name__!r}")
        as_choice("lr_role", self.lr_role, ("gradient", "step", None))
        known = set(self.hyperparameters)
        used = {self.momentum} - {None}
        if self.keras is not None:
            used |= set(self.keras.names) | set(self.keras.ours)
        if not used <= known:
            raise ValueError(f"OptimizerInfo {self.name!r}: {sorted(used - known)} are not hyperparameters of "
                             f"{self.name} ({sorted(known)})")

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        """The constructor's arguments, in order (``lr`` first)."""
        return tuple(inspect.signature(self.cls).parameters)

    @property
    def defaults(self) -> dict:
        """The constructor's defaults, name -> value (a hyperparameter without a default is left out)."""
        return {name: p.default for name, p in inspect.signature(self.cls).parameters.items()
                if p.default is not inspect.Parameter.empty}

    def keras_pair(self, keras, **hyper):
        """``(ours, theirs)``: a course_lib optimizer and the Keras optimizer that take the same steps.

        ``keras`` is the imported ``keras`` module (course_lib never imports
        it).  ``hyper`` gives hyperparameters in course_lib's names (those of
        ``self.keras.names``); the others take Keras' defaults on both sides.
        """
        if self.keras is None:
            raise ValueError(f"Keras has no {self.name}")
        unknown = set(hyper) - set(self.keras.names)
        if unknown:
            raise TypeError(f"keras_pair of {self.name} takes the hyperparameters {sorted(self.keras.names)}; "
                            f"got {sorted(unknown)}")
        hyper = {**self.keras.defaults, **hyper}
        ours = self.cls(**hyper, **self.keras.ours)
        theirs = getattr(keras.optimizers, self.keras.name)(
            **{self.keras.names[k]: value for k, value in hyper.items()}, **self.keras.theirs)
        return ours, theirs


_KERAS_LR = {"lr": "learning_rate"}

OPTIMIZERS: tuple[OptimizerInfo, ...] = (
    OptimizerInfo(
        "SGD", sgd_update, SGD, state=(), lr_role="gradient",
        source="Robbins & Monro (1951); course source 002, Algorithm 1",
        keras=KerasEquivalent("SGD", names=_KERAS_LR, defaults={"lr": 0.01})),
    OptimizerInfo(
        "Momentum", momentum_update, Momentum, state=("v",), lr_role="gradient", momentum="beta",
        source="Polyak (1964), as Sutskever et al. (2013) eqs. (1)-(2); the EMA form: course source 001",
        keras=KerasEquivalent("SGD", names={**_KERAS_LR, "beta": "momentum"}, defaults={"lr": 0.01, "beta": 0.0},
                              ours={"variant": "classical"},
                              note="the EMA form is Keras' with learning_rate = (1 - beta) lr")),
    OptimizerInfo(
        "Nesterov", nesterov_update, Nesterov, state=("v",), lr_role="gradient", momentum="beta",
        source="Sutskever et al. (2013) eqs. (3)-(4), stored at the look-ahead point (Bengio et al. 2013, eq. 7)",
        keras=KerasEquivalent("SGD", names={**_KERAS_LR, "beta": "momentum"}, defaults={"lr": 0.01, "beta": 0.0},
                              theirs={"nesterov": True})),
    OptimizerInfo(
        "Adagrad", adagrad_update, Adagrad, state=("G",), lr_role="step",
        source="Duchi, Hazan & Singer (2011), diagonal update",
        keras=KerasEquivalent("Adagrad", names={**_KERAS_LR, "eps": "epsilon",
                                                "initial_accumulator": "initial_accumulator_value"},
                              defaults={"lr": 0.001, "eps": 1e-7, "initial_accumulator": 0.1},
                              ours={"eps_inside_sqrt": True})),
    OptimizerInfo(
        "RMSprop", rmsprop_update, RMSprop, state=("s",), lr_role="step",
        source="Hinton, Srivastava & Swersky (2012), Neural Networks for Machine Learning, lecture 6e",
        keras=KerasEquivalent("RMSprop", names={**_KERAS_LR, "rho": "rho", "eps": "epsilon"},
                              defaults={"lr": 0.001, "rho": 0.9, "eps": 1e-7}, ours={"eps_inside_sqrt": True},
                              note="with Keras' momentum=0.0 and centered=False (its defaults)")),
    OptimizerInfo(
        "Adadelta", adadelta_update, Adadelta, state=("Eg2", "Edx2"), lr_role=None,
        source="Zeiler (2012), ADADELTA, Algorithm 1",
        keras=KerasEquivalent("Adadelta", names={**_KERAS_LR, "rho": "rho", "eps": "epsilon"},
                              defaults={"lr": 0.001, "rho": 0.95, "eps": 1e-7},
                              note="Keras' default learning_rate=0.001 moves 1000 times less than Zeiler's method")),
    OptimizerInfo(
        "Adam", adam_update, Adam, state=("m", "v", "vmax"), lr_role="step", momentum="beta1",
        source="Kingma & Ba (2015), Algorithm 1; AMSGrad: Reddi, Kale & Kumar (2018)",
        keras=KerasEquivalent("Adam", names={**_KERAS_LR, "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon",
                                             "amsgrad": "amsgrad"},
                              defaults={"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "amsgrad": False},
                              ours={"eps_hat": True})),
    OptimizerInfo(
        "Rprop", rprop_update, Rprop, state=("g_prev", "step"), lr_role="step",
        source="Riedmiller & Braun (1993); the iRprop- variant of Igel & Huesken (2000)"),
)


def optimizer_info(name: str) -> OptimizerInfo:
    """The registry's entry for the optimizer class ``name`` (``"Adam"``, ``"RMSprop"``, ...)."""
    for info in OPTIMIZERS:
        if info.name == name:
            return info
    raise ValueError(f"name must be one of {', '.join(repr(i.name) for i in OPTIMIZERS)}; got {name!r}")
"""Every optimizer of course_lib, in the order the lectures introduce them (see ``OptimizerInfo``)."""


# --------------------------------------------------------------------------
# trajectories for plots
# --------------------------------------------------------------------------
def trajectory(optimizer, grad: Callable, x0, steps: int, stop_beyond: float | None = None) -> np.ndarray:
    """Run ``optimizer`` on ``grad`` from ``x0``; return the iterates, one per row.

    Row 0 is ``x0``; row ``k+1`` is the iterate after the optimizer's step with
    ``grad(x_k)``.

    Parameters
    ----------
    optimizer : Optimizer
        A FRESH optimizer (no step taken yet): its state and ``t`` advance.
    grad : callable
        ``grad(x)`` returns the gradient at the 1-D array ``x`` (it receives a
        copy, so it cannot disturb the iteration).  Each gradient is validated
        (float, shaped like ``x``, finite: a non-finite one raises, naming the
        step); the optimizer's step then trusts it (``step_unvalidated``).
    x0 : 1-D float array
        Starting point; copied, never modified.
    steps : int >= 0
    stop_beyond : float > 0, optional
        The stop rule, for runs that may diverge (a lecture's slider can ask
        for any learning rate): the run stops at the first iterate that is
        not finite or whose largest ``|coordinate|`` exceeds ``stop_beyond``,
        and that iterate is left out.  A divergence is then a result, not an
        error (and numpy's overflow warnings are silenced).  Default None:
        every step is taken.

    Returns
    -------
    path : ndarray of shape (k + 1, len(x0))
        ``k = steps``, unless the stop rule stopped the run after ``k <
        steps`` steps: ``len(path) <= steps`` says exactly that it stopped
        early (diverged).

    Examples
    --------
    Gradient descent on f(x) = x1**2 + 10 x2**2 halves x1 and flips x2 each step:

    >>> trajectory(SGD(lr=0.25), lambda x: np.array([2.0, 20.0]) * x, np.array([1.0, 0.1]), 2)
    array([[ 1.  ,  0.1 ],
           [ 0.5 , -0.4 ],
           [ 0.25,  1.6 ]])

    With lr 3 on f(x) = x**2 each step multiplies x by -5; the run stops
    before the first iterate beyond 1000:

    >>> trajectory(SGD(lr=3.0), lambda x: 2 * x, np.array([1.0]), 50, stop_beyond=1e3)[:, 0]
    array([   1.,   -5.,   25., -125.,  625.])
    """
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method; got {describe(optimizer)}")
    if not callable(grad):
        raise TypeError(f"grad must be a callable grad(x) -> gradient; got {describe(grad)}")
    x0 = as_start_point(x0)
    steps = as_int("steps", steps, minimum=0)
    if stop_beyond is not None:
        stop_beyond = as_positive("stop_beyond", stop_beyond)
        if not np.max(np.abs(x0), initial=0.0) <= stop_beyond:
            raise ValueError(f"x0 already lies beyond stop_beyond={stop_beyond!r}: its largest |coordinate| "
                             f"is {float(np.max(np.abs(x0))):g}")
    taken = getattr(optimizer, "t", 0)
    if taken != 0:
        raise ValueError(
            f"optimizer has already taken {taken} steps; trajectory needs a fresh optimizer "
            f"(create a new one or call optimizer.reset())"
        )
    step = getattr(optimizer, "step_unvalidated", optimizer.step)  # x is ours and each g is validated here
    x = x0.copy()
    path = np.empty((steps + 1, x.size), dtype=x.dtype)
    path[0] = x
    quiet = contextlib.nullcontext() if stop_beyond is None else np.errstate(over="ignore", invalid="ignore")
    with quiet:
        for k in range(steps):
            g = gradient_at(grad, x, k, hint="try a smaller lr")
            step([x], [g])
            if stop_beyond is not None and not np.max(np.abs(x), initial=0.0) <= stop_beyond:  # NaN too
                return path[:k + 1]
            path[k + 1] = x
    return path


def settled(path, rtol: float = 1e-6) -> np.ndarray:
    """For each step ``k = 1 .. len(path) - 1`` of an iteration, whether it moved less than ``rtol`` relative.

    ``settled[k - 1]`` is ``max_i |x_k,i - x_(k-1),i| <= rtol (1 + max_i |x_k,i|)``:
    the rule by which lecture 1's figure calls a run converged (its last step).
    ``path`` as ``trajectory`` returns it, shape ``(steps + 1, dim)``.
    """
    path = as_float_array("path", path, allow_scalar=False, finite=False)
    if path.ndim != 2:
        raise ValueError(f"path must be a 2-D array (iterates, coordinates) as trajectory returns; got shape {path.shape}")
    rtol = as_positive("rtol", rtol)
    step = np.abs(np.diff(path, axis=0)).max(axis=1, initial=0.0)
    return step <= rtol * (1 + np.abs(path[1:]).max(axis=1, initial=0.0))


def steps_to_settle(optimizer, grad: Callable, x0, max_steps: int = 200, rtol: float = 1e-6,
                    stop_beyond: float | None = None) -> tuple:
    """How many steps ``optimizer`` needs on ``grad`` from ``x0`` to settle: ``(k, x_k)``.

    ``k`` is the first step that ``settled`` calls settled, ``x_k`` its
    iterate; ``(None, last iterate)`` when no step within ``max_steps`` does
    or the run stops beyond ``stop_beyond`` (``trajectory``'s stop rule).
    ``optimizer`` must be fresh, as for ``trajectory``.
    """
    path = trajectory(optimizer, grad, x0, max_steps, stop_beyond=stop_beyond)
    done = np.flatnonzero(settled(path, rtol))
    if done.size == 0:
        return None, path[-1].copy()
    k = int(done[0]) + 1
    return k, path[k].copy()


def momentum_trajectory(grad: Callable, x0, lr, beta, steps: int, stop_beyond: float | None = None) -> np.ndarray:
    """The iterates of classical momentum from ``x0`` for ANY momentum factor ``beta >= 0``, unstable ones too.

    The rule of ``Momentum(lr, beta, variant="classical")`` (Polyak 1964, in the
    form of Sutskever et al. 2013, eqs. (1)-(2)), with ``v_0 = 0``::

        v_(k+1) = beta v_k - lr grad(x_k),    x_(k+1) = x_k + v_(k+1)

    which is course source ``004``'s (section 4.1.2: ``Delta W^(i+1) = alpha
    Delta W^(i) - lambda grad J(W^(i))``, ``W^(i+1) = W^(i) + Delta W^(i+1)``).
    ``Momentum`` accepts only ``0 <= beta < 1``, where the method can converge;
    this function lifts the upper bound so that a printed setting outside it
    can be run and seen to fail.  Near a minimum ``x*`` with ``f''(x*) = h``
    one step maps ``(v, x - x*)`` by ``[[beta, -lr h], [beta, 1 - lr h]]``,
    whose determinant is ``beta``: for ``beta >= 1`` an eigenvalue has modulus
    ``>= sqrt(beta) >= 1`` and no minimum attracts the iteration.  Source
    ``004``'s Figure 18 prints ``alpha = 40, lambda = 0.1``: on its sextic
    from x = 23 the iterates are 22.07, -15.5, -1399, 5.7e10.

    Run by ``trajectory`` (same arguments, same stop rule, same validation of
    every gradient) with a ``Momentum`` whose ``beta`` is set after its
    constructor: for ``0 <= beta < 1`` the iterates are ``trajectory(Momentum(lr,
    beta), grad, x0, steps, stop_beyond)``'s to the last bit.

    Parameters
    ----------
    grad, x0, steps, stop_beyond : as for ``trajectory``
    lr : float > 0
    beta : float >= 0 (finite)

    Returns
    -------
    path : ndarray of shape (k + 1, len(x0)), as ``trajectory`` returns it
    """
    beta = as_nonnegative("beta", beta)
    optimizer = Momentum(lr, 0.0, "classical")
    optimizer.beta = beta  # the one hyperparameter whose range is widened; lr is validated by Momentum
    return trajectory(optimizer, grad, x0, steps, stop_beyond=stop_beyond)
