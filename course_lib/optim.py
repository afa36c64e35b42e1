"""Optimizer update rules: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta, Adam, Rprop.

Two layers, as in CS231n's ``optim.py`` and Karpathy's micrograd:

1. **pure update functions** (``sgd_update``, ``momentum_update``, ...), one per
   rule, written like the formula on the slide.  They never modify their
   arguments; they return the new parameters and the new state arrays.
2. **thin optimizer classes** (``SGD``, ``Momentum``, ..., ``Rprop``) that keep
   the state for a list of parameter arrays and update those arrays in place
   with ``opt.step(params, grads)``.  ``opt.lr`` may be reassigned between
   steps (that is how learning-rate schedules drive them).

``trajectory(optimizer, grad, x0, steps)`` runs an optimizer on a function of a
vector and returns every iterate, for contour plots.

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
PyTorch differ, a flag reproduces their form (tested against Keras in
``tests/test_optim_keras.py``).

============  ==============================  =================================  ==============================
rule          ours (default)                  Keras 3.15                         PyTorch
============  ==============================  =================================  ==============================
momentum      classical v = beta v - lr g     same (``SGD(momentum=)``)          v = beta v + g; w -= lr v
              (``variant="ema"``: slides 001)
Nesterov      Sutskever/Bengio 2013 form      same (``SGD(nesterov=True)``)      same for constant lr
AdaGrad       eps outside sqrt, G0 = 0,       eps INSIDE sqrt, G0 = 0.1,         eps outside, G0 = 0,
              lr 0.01, eps 1e-8 (Duchi)       lr 0.001, eps 1e-7                 lr 0.01, eps 1e-10
RMSProp       eps outside sqrt, rho 0.9,      eps INSIDE sqrt, rho 0.9,          eps outside, alpha 0.99,
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

Keras sources (``keras/src/optimizers/`` of Keras 3.15.1): ``sgd.py`` lines
95-123, ``adagrad.py`` lines 35-39, 73-92, ``rmsprop.py`` lines 53-59,
126-154, ``adadelta.py`` lines 40-44, 97-119, ``adam.py`` lines 43-49,
102-137.  Keras keeps its learning rate in a variable of dtype
``keras.config.floatx()`` (``base_optimizer.py`` lines 185-190), float32 by
default, so a float64 comparison needs ``floatx="float64"`` or a learning rate
that float32 represents exactly.  With the TensorFlow backend Keras also
rounds some Python-float hyperparameters to float32 before use
(``ops.cast(0.9, "float64")`` is ``tf.cast`` of a float32 constant,
``keras/src/backend/tensorflow/core.py`` line 218): SGD's ``momentum``
(``sgd.py`` line 104), Adam's ``beta_1``/``beta_2`` in the bias corrections
(``adam.py`` lines 107-112) and Adagrad's ``initial_accumulator_value``
(``initializers/constant_initializers.py`` line 36).  So Keras'
``SGD(momentum=0.9)`` is ours with ``beta=float(np.float32(0.9))``; the
difference is ~1e-7 relative, far below anything that matters for training
but visible in a 1e-10 comparison.

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

Only numpy is imported here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .validation import (
    describe,
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
    "Optimizer",
    "SGD",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSProp",
    "Adadelta",
    "Adam",
    "Rprop",
    "trajectory",
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


def _validate_nonnegative_array(name: str, a: np.ndarray, what: str) -> None:
    if np.any(a < 0):
        k = int(np.flatnonzero(a.ravel() < 0)[0])
        raise ValueError(
            f"{name} must be >= 0 ({what}); found a negative entry {a.ravel()[k]!r} at flat index {k}"
        )


def _validate_decay(name: str, value) -> float:
    """beta, rho, beta1, beta2: decay rates of running averages, in [0, 1)."""
    return as_in_interval(name, value, 0.0, 1.0, closed="left")


def _validate_bool(name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


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
# pure update functions
# --------------------------------------------------------------------------
def sgd_update(w, g, lr):
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

    Returns
    -------
    w_new : float array
        A new array; ``w`` is not modified.

    Notes
    -----
    Course source ``002`` Algorithm 1 (``w <- w - alpha * grad Q(w)``) and its
    SGD box (``w := w - mu * L_i'(w)``).  Keras: ``SGD(learning_rate)`` with
    ``momentum=0``.

    Examples
    --------
    >>> sgd_update(np.array([1.0, -2.0]), np.array([2.0, -4.0]), lr=0.25)
    array([ 0.5, -1. ])
    """
    w, g = _validate_arrays(w, g)
    lr = as_positive("lr", lr)
    return w - lr * g


def momentum_update(w, g, v, lr, beta=0.9, variant="classical"):
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

    Returns
    -------
    w_new, v_new : float arrays (new arrays; nothing is modified in place)

    Notes
    -----
    * classical: Polyak (1964), in the notation of Sutskever, Martens, Dahl &
      Hinton (2013), "On the importance of initialization and momentum in deep
      learning", eqs. (1)-(2); CS231n; course source ``003`` (section 3.3.1,
      ``v = alpha v - eta g, w = w + v``).  It is exactly Keras'
      ``SGD(learning_rate=lr, momentum=beta)`` (``keras/src/optimizers/sgd.py``
      lines 103-121).
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
    if variant == "classical":
        v_new = beta * v - lr * g
        return w + v_new, v_new
    v_new = beta * v + (1.0 - beta) * g
    return w - lr * v_new, v_new


def nesterov_update(w, g, v, lr, beta=0.9):
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

    Returns
    -------
    w_new, v_new : float arrays (new arrays)

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
    This is exactly Keras' ``SGD(momentum=beta, nesterov=True)``
    (``keras/src/optimizers/sgd.py`` lines 112-119) and, for constant lr,
    PyTorch's ``SGD(nesterov=True)``.

    Erratum of course source ``002`` (Definition 2): it prints only the
    velocity, ``v_t = v_{t-1} + eps grad f(theta_{t-1} - mu v_{t-1})``,
    without the parameter update ``theta_t = theta_{t-1} - v_t`` (which fixes
    the sign: there v is minus our v, eps is the learning rate and mu the
    momentum coefficient) and without the factor mu on ``v_{t-1}``.
    """
    w, g, v = _validate_arrays(w, g, v=v)
    lr = as_positive("lr", lr)
    beta = _validate_decay("beta", beta)
    v_new = beta * v - lr * g
    return w + beta * v_new - lr * g, v_new


def adagrad_update(w, g, G, lr=0.01, eps=1e-8, eps_inside_sqrt=False):
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

    Returns
    -------
    w_new, G_new : float arrays (new arrays)

    Notes
    -----
    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, diagonal update with
    ``H_t = delta I + diag(G_t)^(1/2)``: the constant (our eps) is added
    OUTSIDE the square root.  Course source ``002`` (Definition 3) also puts
    eps outside; course source ``001`` (slides "AdaGrad") puts it inside,
    ``eta / sqrt(G_t + eps)``, which is the Keras form.

    Keras ``Adagrad`` (``keras/src/optimizers/adagrad.py``) differs in three
    defaults: ``sqrt(accumulator + epsilon)`` (lines 85-92), the accumulator
    starts at ``initial_accumulator_value=0.1`` (lines 38, 73-76), and
    ``epsilon=1e-7``, ``learning_rate=0.001`` (lines 37-39).  Reproduce it with
    ``eps_inside_sqrt=True``, ``G`` starting at 0.1 (``AdaGrad(...,
    initial_accumulator=0.1)``) and matching lr and eps.  PyTorch uses our
    placement and G0 = 0, with eps 1e-10.

    The effective step ``lr / sqrt(G)`` only shrinks: AdaGrad can stop
    learning long before a minimum (the slides' "learning rate can become
    infinitesimally small").
    """
    w, g, G = _validate_arrays(w, g, G=G)
    _validate_nonnegative_array("G", G, "a sum of squared gradients")
    lr = as_positive("lr", lr)
    eps = as_positive("eps", eps)
    eps_inside_sqrt = _validate_bool("eps_inside_sqrt", eps_inside_sqrt)
    G_new = G + g * g
    if eps_inside_sqrt:
        return w - lr * g / np.sqrt(G_new + eps), G_new
    return w - lr * g / (np.sqrt(G_new) + eps), G_new


def rmsprop_update(w, g, s, lr=0.001, rho=0.9, eps=1e-8, eps_inside_sqrt=False):
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

    Returns
    -------
    w_new, s_new : float arrays (new arrays)

    Notes
    -----
    Hinton, Srivastava & Swersky, Neural Networks for Machine Learning,
    lecture 6e (2012): ``MeanSquare = 0.9 MeanSquare + 0.1 g**2``, divide the
    gradient by ``sqrt(MeanSquare)``.  The lecture has no eps; where to put it
    is a convention.  Our default, eps outside the root, follows course source
    ``002`` (Definition 4) and PyTorch.  Course source ``001`` (slides
    "RMSProp") and Keras put it inside.

    Keras ``RMSprop`` (``keras/src/optimizers/rmsprop.py``): ``velocity = rho
    velocity + (1 - rho) g**2`` (lines 126-132), ``increment = lr g /
    sqrt(velocity + epsilon)`` (lines 141-146), ``epsilon=1e-7``, ``rho=0.9``;
    its options ``momentum=0.0`` and ``centered=False`` are off by default
    (lines 56-59), and then the rule is exactly ``eps_inside_sqrt=True``.  No
    bias correction: the first steps are larger than ``lr`` (step 1 moves
    ``lr / sqrt(1 - rho)``, about 3.16 lr for rho 0.9).
    """
    w, g, s = _validate_arrays(w, g, s=s)
    _validate_nonnegative_array("s", s, "a running mean of squared gradients")
    lr = as_positive("lr", lr)
    rho = _validate_decay("rho", rho)
    eps = as_positive("eps", eps)
    eps_inside_sqrt = _validate_bool("eps_inside_sqrt", eps_inside_sqrt)
    s_new = rho * s + (1.0 - rho) * g * g
    if eps_inside_sqrt:
        return w - lr * g / np.sqrt(s_new + eps), s_new
    return w - lr * g / (np.sqrt(s_new) + eps), s_new


def adadelta_update(w, g, Eg2, Edx2, lr=1.0, rho=0.95, eps=1e-6):
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

    Returns
    -------
    w_new, Eg2_new, Edx2_new : float arrays (new arrays)

    Notes
    -----
    Zeiler (2012), "ADADELTA: An adaptive learning rate method",
    arXiv:1212.5701, Algorithm 1 (rho 0.95, eps 1e-6 in its experiments).
    ``dx`` is accumulated into ``Edx2`` WITHOUT the factor lr, as in Keras
    (``keras/src/optimizers/adadelta.py`` lines 97-119: ``rms(x) = sqrt(x +
    epsilon)``, ``delta_var = -rms(E[dx^2]) g / rms(E[g^2])``, then
    ``variable += lr * delta_var``) and PyTorch.  Keras defaults:
    ``learning_rate=0.001``, ``rho=0.95``, ``epsilon=1e-7`` (lines 40-44).
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
    Eg2_new = rho * Eg2 + (1.0 - rho) * g * g
    dx = -np.sqrt(Edx2 + eps) / np.sqrt(Eg2_new + eps) * g
    Edx2_new = rho * Edx2 + (1.0 - rho) * dx * dx
    return w + lr * dx, Eg2_new, Edx2_new


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

    Returns
    -------
    (w_new, m_new, v_new), or (w_new, m_new, v_new, vmax_new) when amsgrad
        New arrays; nothing is modified in place.

    Notes
    -----
    **The two eps forms differ.**  Algebraically ``lr_t m / (sqrt(v) + eps) =
    lr m_hat / (sqrt(v_hat) + eps / sqrt(1 - beta2**t))``: the eps-hat form is
    Algorithm 1 with a time-dependent ``eps_t = eps / sqrt(1 - beta2**t)``
    (31.6 eps at t=1 for beta2=0.999, tending to eps).  Keras 3 ``Adam``
    (``keras/src/optimizers/adam.py`` lines 104-137) uses the eps-hat form with
    default ``epsilon=1e-7`` (line 48); PyTorch uses Algorithm 1 with
    ``eps=1e-8``.  The difference matters only while ``sqrt(v_hat)`` is not
    much larger than eps, but it is there; the tests show it.

    **AMSGrad convention.**  Reddi et al., "On the convergence of Adam and
    beyond" (ICLR 2018), Algorithm 2, keep ``vmax = max(vmax, v)`` and divide
    by ``sqrt(vmax)`` with no bias correction and no eps.  Here, as in PyTorch
    and Keras (``adam.py`` lines 128-131), the maximum is taken over the RAW
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
    amsgrad = _validate_bool("amsgrad", amsgrad)
    eps_hat = _validate_bool("eps_hat", eps_hat)
    if amsgrad:
        if vmax is None:
            vmax = np.zeros_like(w)
        else:
            vmax = as_float_array("vmax", vmax)
            require_same_shape("w", w, "vmax", vmax)
            _validate_nonnegative_array("vmax", vmax, "a running maximum of v")
    elif vmax is not None:
        raise ValueError("vmax is only used by AMSGrad; pass amsgrad=True or leave vmax=None")

    m_new = beta1 * m + (1.0 - beta1) * g
    v_new = beta2 * v + (1.0 - beta2) * g * g
    if amsgrad:
        vmax_new = np.maximum(vmax, v_new)
        v_denom = vmax_new
    else:
        v_denom = v_new

    if eps_hat:
        lr_t = lr * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)
        w_new = w - lr_t * m_new / (np.sqrt(v_denom) + eps)
    else:
        m_hat = m_new / (1.0 - beta1**t)
        v_hat = v_denom / (1.0 - beta2**t)
        w_new = w - lr * m_hat / (np.sqrt(v_hat) + eps)

    if amsgrad:
        return w_new, m_new, v_new, vmax_new
    return w_new, m_new, v_new


def rprop_update(w, g, g_prev, step, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
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

    Returns
    -------
    w_new, g_prev_new, step_new : float arrays (new arrays)

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
    in that range, hence the check on ``step``).  Only the SIGN of the
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
    same = np.sign(g) * np.sign(g_prev)
    step_new = np.where(
        same > 0,
        np.minimum(step * eta_plus, step_max),
        np.where(same < 0, np.maximum(step * eta_minus, step_min), step),
    )
    g_new = np.where(same < 0, 0.0, g)
    return w - np.sign(g_new) * step_new, g_new, step_new


# --------------------------------------------------------------------------
# optimizer classes
# --------------------------------------------------------------------------
class Optimizer:
    """Base class: keeps ``lr``, the step count ``t`` and per-parameter state.

    Subclasses define ``_init_state(p) -> dict`` (state arrays for one
    parameter array, created lazily on the first step) and
    ``_update(p, g, state, t) -> (p_new, state_new)`` (a call to one of the
    pure update functions), and list their hyperparameters in ``_hyper`` for
    ``repr``.

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

    def _update(self, p, g, state: dict, t: int):  # pragma: no cover - abstract
        raise NotImplementedError

    def step(self, params, grads) -> None:
        """Update every array of ``params`` in place with its gradient in ``grads``.

        Parameters
        ----------
        params : list of float ndarrays (a single ndarray is accepted too)
            Updated in place (``params[i][...] = new``).
        grads : list of float arrays, one per parameter, same shapes

        The whole step is computed before any array is written, so a bad
        gradient raises without leaving the parameters half updated.
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
        checked = []
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
            checked.append((p, g))

        states = self.state if self.state is not None else [self._init_state(p) for p in params]
        t = self.t + 1
        results = [self._update(p, g, s, t) for (p, g), s in zip(checked, states)]
        for (p, _), (p_new, _) in zip(checked, results):
            p[...] = p_new
        self.state = [s_new for _, s_new in results]
        self._shapes = [p.shape for p, _ in checked]
        self.t = t

    def _step_trusted(self, params, grads) -> None:
        """``step`` without the input checks, for a training loop whose gradients
        come from backpropagation of the same parameter list (``course_lib.train``).

        Same arithmetic as ``step`` (the same pure update function, so the same
        numbers); it only skips validating shapes, dtypes and finiteness.
        """
        if self.state is None:
            self.state = [self._init_state(p) for p in params]
            self._shapes = [p.shape for p in params]
        t = self.t + 1
        inplace = getattr(self, "_update_inplace", None)
        for i, (p, g) in enumerate(zip(params, grads)):
            if inplace is not None:
                inplace(p, g, self.state[i], t)
            else:
                p_new, self.state[i] = self._update(p, g, self.state[i], t)
                p[...] = p_new
        self.t = t

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={getattr(self, k)!r}" for k in ("lr",) + self._hyper)
        return f"{type(self).__name__}({args}; t={self.t})"


class SGD(Optimizer):
    """Plain gradient descent over a list of arrays (see ``sgd_update``)."""

    def _init_state(self, p):
        return {}

    def _update(self, p, g, state, t):
        return sgd_update(p, g, self.lr), {}

    def _update_inplace(self, p, g, state, t):
        # the operations of sgd_update in the same order, written into p
        p -= self.lr * g


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

    def _update(self, p, g, state, t):
        w, v = momentum_update(p, g, state["v"], self.lr, self.beta, self.variant)
        return w, {"v": v}

    def _update_inplace(self, p, g, state, t):
        # the operations of momentum_update in the same order, written into p and v
        v = state["v"]
        v *= self.beta
        if self.variant == "classical":
            v -= self.lr * g
            p += v
        else:
            v += (1.0 - self.beta) * g
            p -= self.lr * v


class Nesterov(Optimizer):
    """Nesterov momentum, Keras' ``SGD(momentum=beta, nesterov=True)`` (see ``nesterov_update``)."""

    _hyper = ("beta",)

    def __init__(self, lr, beta=0.9):
        self.beta = _validate_decay("beta", beta)
        super().__init__(lr)

    def _init_state(self, p):
        return {"v": np.zeros_like(p)}

    def _update(self, p, g, state, t):
        w, v = nesterov_update(p, g, state["v"], self.lr, self.beta)
        return w, {"v": v}

    def _update_inplace(self, p, g, state, t):
        # the operations of nesterov_update in the same order, written into p and v
        v = state["v"]
        lr_g = self.lr * g
        v *= self.beta
        v -= lr_g
        p += self.beta * v
        p -= lr_g


class AdaGrad(Optimizer):
    """AdaGrad (see ``adagrad_update``).

    ``initial_accumulator`` is the starting value of ``G`` (0 in Duchi et al.
    and PyTorch; Keras uses 0.1).  Keras' ``Adagrad(learning_rate=lr,
    epsilon=eps)`` is ``AdaGrad(lr, eps, eps_inside_sqrt=True,
    initial_accumulator=0.1)``.
    """

    _hyper = ("eps", "eps_inside_sqrt", "initial_accumulator")

    def __init__(self, lr=0.01, eps=1e-8, eps_inside_sqrt=False, initial_accumulator=0.0):
        self.eps = as_positive("eps", eps)
        self.eps_inside_sqrt = _validate_bool("eps_inside_sqrt", eps_inside_sqrt)
        self.initial_accumulator = as_nonnegative("initial_accumulator", initial_accumulator)
        super().__init__(lr)

    def _init_state(self, p):
        return {"G": np.full_like(p, self.initial_accumulator)}

    def _update(self, p, g, state, t):
        w, G = adagrad_update(p, g, state["G"], self.lr, self.eps, self.eps_inside_sqrt)
        return w, {"G": G}


class RMSProp(Optimizer):
    """RMSProp (see ``rmsprop_update``).

    Keras' ``RMSprop(learning_rate=lr, rho=rho, epsilon=eps)`` (momentum 0,
    not centered) is ``RMSProp(lr, rho, eps, eps_inside_sqrt=True)``.
    """

    _hyper = ("rho", "eps", "eps_inside_sqrt")

    def __init__(self, lr=0.001, rho=0.9, eps=1e-8, eps_inside_sqrt=False):
        self.rho = _validate_decay("rho", rho)
        self.eps = as_positive("eps", eps)
        self.eps_inside_sqrt = _validate_bool("eps_inside_sqrt", eps_inside_sqrt)
        super().__init__(lr)

    def _init_state(self, p):
        return {"s": np.zeros_like(p)}

    def _update(self, p, g, state, t):
        w, s = rmsprop_update(p, g, state["s"], self.lr, self.rho, self.eps, self.eps_inside_sqrt)
        return w, {"s": s}


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

    def _update(self, p, g, state, t):
        w, Eg2, Edx2 = adadelta_update(p, g, state["Eg2"], state["Edx2"], self.lr, self.rho, self.eps)
        return w, {"Eg2": Eg2, "Edx2": Edx2}


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
        self.amsgrad = _validate_bool("amsgrad", amsgrad)
        self.eps_hat = _validate_bool("eps_hat", eps_hat)
        super().__init__(lr)

    def _init_state(self, p):
        state = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        if self.amsgrad:
            state["vmax"] = np.zeros_like(p)
        return state

    def _update(self, p, g, state, t):
        out = adam_update(
            p, g, state["m"], state["v"], t, self.lr, self.beta1, self.beta2, self.eps,
            amsgrad=self.amsgrad, vmax=state.get("vmax"), eps_hat=self.eps_hat,
        )
        if self.amsgrad:
            w, m, v, vmax = out
            return w, {"m": m, "v": v, "vmax": vmax}
        w, m, v = out
        return w, {"m": m, "v": v}

    def _update_inplace(self, p, g, state, t):
        # the operations of adam_update in the same order, written into p, m and v
        if self.amsgrad:
            w, state["m"], state["v"], state["vmax"] = adam_update(
                p, g, state["m"], state["v"], t, self.lr, self.beta1, self.beta2, self.eps,
                amsgrad=True, vmax=state["vmax"], eps_hat=self.eps_hat)
            p[...] = w
            return
        m, v = state["m"], state["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * g * g
        if self.eps_hat:
            lr_t = self.lr * np.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
            p -= lr_t * m / (np.sqrt(v) + self.eps)
        else:
            m_hat = m / (1.0 - self.beta1**t)
            v_hat = v / (1.0 - self.beta2**t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


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

    def _update(self, p, g, state, t):
        w, g_prev, step = rprop_update(p, g, state["g_prev"], state["step"], self.etas, self.step_sizes)
        return w, {"g_prev": g_prev, "step": step}


# --------------------------------------------------------------------------
# trajectories for plots
# --------------------------------------------------------------------------
def trajectory(optimizer, grad: Callable, x0, steps: int) -> np.ndarray:
    """Run ``optimizer`` on ``grad`` from ``x0``; return all iterates, shape (steps+1, dim).

    Row 0 is ``x0``; row ``k+1`` is the iterate after the optimizer's step with
    ``grad(x_k)``.

    Parameters
    ----------
    optimizer : Optimizer
        A FRESH optimizer (no step taken yet): its state and ``t`` advance.
    grad : callable
        ``grad(x)`` returns the gradient at the 1-D array ``x`` (it receives a
        copy, so it cannot disturb the iteration).
    x0 : 1-D float array
        Starting point; copied, never modified.
    steps : int >= 0

    Returns
    -------
    path : ndarray of shape (steps + 1, len(x0))

    Examples
    --------
    Gradient descent on f(x) = x1**2 + 10 x2**2 halves x1 and flips x2 each step:

    >>> trajectory(SGD(lr=0.25), lambda x: np.array([2.0, 20.0]) * x, np.array([1.0, 0.1]), 2)
    array([[ 1.  ,  0.1 ],
           [ 0.5 , -0.4 ],
           [ 0.25,  1.6 ]])
    """
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method; got {describe(optimizer)}")
    if not callable(grad):
        raise TypeError(f"grad must be a callable grad(x) -> gradient; got {describe(grad)}")
    x0 = as_start_point(x0)
    steps = as_int("steps", steps, minimum=0)
    taken = getattr(optimizer, "t", 0)
    if taken != 0:
        raise ValueError(
            f"optimizer has already taken {taken} steps; trajectory needs a fresh optimizer "
            f"(create a new one or call optimizer.reset())"
        )
    x = x0.copy()
    path = np.empty((steps + 1, x.size), dtype=x.dtype)
    path[0] = x
    for k in range(steps):
        g = gradient_at(grad, x, k, hint="try a smaller lr")
        optimizer.step([x], [g])
        path[k + 1] = x
    return path


# Learning-rate schedules and line searches live in their own modules; they are
# part of the course_lib.optim namespace too.
from . import linesearch as _linesearch, schedules as _schedules  # noqa: E402
from .schedules import *  # noqa: E402,F401,F403
from .linesearch import *  # noqa: E402,F401,F403

__all__ += _schedules.__all__ + _linesearch.__all__
