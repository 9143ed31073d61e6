"""Layers as parametrised maps (Para morphisms) [CFGBL §2.2, §6].

- ``linear(n, m) = (ℝ^{m×n}, (W, x) ↦ W x)``;
- ``bias(m) = (ℝ^m, (b, x) ↦ x + b)``;
- ``dense(n, m, σ) = linear(n, m) ; bias(m) ; σ``;
- activations ``sigmoid``, ``tanh``, ``relu``, ``softmax``: Para morphisms with no parameters;
- ``conv2d`` (correlation, per example ``(C, H, W) → (O, H', W')``), ``max_pool2d``, ``flatten``.

Layers whose type depends on their input (activations, ``conv2d``, ``max_pool2d``,
``flatten``) are ``Layer`` objects: a function from the input type to a Para, composed with
``>>`` and applied to a type (or placed after a typed Para) to fix it.

>>> from catgrad import Array
>>> model = dense(4, 20, sigmoid) >> dense(20, 3, sigmoid)
>>> model.dom, model.cod
(Ty(f32[4]), Ty(f32[3]))
>>> cnn = (conv2d(1, 3, 3) >> relu >> max_pool2d(2) >> flatten)(Array((1, 8, 8)))
>>> cnn.cod
Ty(f32[27])
"""
from __future__ import annotations

from typing import Callable, Union


from .. import errors
from ..core import generators as g
from ..core.diagram import trace
from ..core.objects import Array, Ty, TyLike, as_ty
from ..para import Para
from . import init as initialisers


class Layer:
    """A Para morphism waiting for its input type: ``layer(A) -> Para``; ``>>`` composes.

    >>> from catgrad import Array
    >>> block = relu >> flatten
    >>> block(Array((2, 3))).cod
    Ty(f32[6])
    """

    def __init__(self, build: Callable[[Ty], Para], name: str):
        if not callable(build):
            raise TypeError(errors.expected("Layer", "build", "a function from an input type to a Para", build))
        self.build = build
        self.name = name

    def __call__(self, A: TyLike) -> Para:
        p = self.build(as_ty(A))
        return p if isinstance(p, Para) else Para.of(p)

    def __rshift__(self, other) -> "Layer":
        if not isinstance(other, (Para, Layer)) and not callable(other):
            raise TypeError(errors.expected(f"{self.name} >> …", "the right-hand side", "a layer or a Para", other))
        return Layer(lambda A: self(A) >> other, f"{self.name} >> {getattr(other, 'name', other)}")

    def __repr__(self):
        return f"<Layer {self.name}>"


LayerLike = Union[Para, Layer, Callable]


def one_input(A: Ty, name: str) -> Array:
    """The one array of ``A``, the input of layer ``name``; ``TypeError`` if ``A`` has several wires.

    >>> from catgrad import Array
    >>> one_input(Ty(Array((3,))), "relu").shape
    (3,)
    """
    if len(A) != 1:
        raise TypeError(f"{name}: expects one input wire, got {A}")
    return A[0]


def _activation(fn, name):
    layer = Layer(lambda A: Para.of(fn(one_input(A, name))).named(name), name)
    layer.__doc__ = (f"The {name} activation as a Para morphism with no parameters.\n\n"
                     f">>> from catgrad import Array\n>>> {name}(Array((3,))).param\n{{}}")
    return layer


sigmoid = _activation(g.sigmoid, "sigmoid")
tanh = _activation(g.tanh, "tanh")
relu = _activation(g.relu, "relu")
softmax = _activation(g.softmax, "softmax")
ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "softmax": softmax}


def _init_one(init, name: str, shape, where="nn"):
    """``key ↦ {name: init(key, shape)}``: the initialiser of a one-array record."""
    fn = initialisers.get(init, where)
    return lambda key: {name: fn(key, shape)}


def _name(where: str, name) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(errors.expected(where, "name", "a non-empty str (the parameters' layer name)", name))
    return name


def linear(n_in: int, n_out: int, init="glorot_uniform", name: str = "linear") -> Para:
    """``linear(n, m) = (ℝ^{m×n}, (W, x) ↦ W x)``; parameters ``{name: {"W": (m, n)}}``.

    >>> linear(3, 2).param
    {'linear': {'W': Array((2, 3), 'float32')}}
    """
    n_in, n_out = errors.positive_int("linear", "n_in", n_in), errors.positive_int("linear", "n_out", n_out)
    return _linear(n_in, n_out, init).named(_name("linear", name))


def _linear(n_in: int, n_out: int, init) -> Para:
    W = Array((n_out, n_in))
    return Para({"W": W}, g.matmul(W, Array((n_in,))), _init_one(init, "W", W.shape, "linear"))


def bias(n: int, init="zeros", name: str = "bias") -> Para:
    """``bias(m) = (ℝ^m, (b, x) ↦ x + b)``; parameters ``{name: {"b": (m,)}}``.

    >>> bias(3).dom
    Ty(f32[3])
    """
    return _bias(errors.positive_int("bias", "n", n), init).named(_name("bias", name))


def _bias(n: int, init) -> Para:
    b = Array((n,))
    return Para.build({"b": b}, lambda p, x: x + p["b"], b, init=_init_one(init, "b", b.shape, "bias"))


def _as_layer(where: str, activation) -> LayerLike | None:
    if activation is None:
        return None
    if isinstance(activation, str):
        return ACTIVATIONS[errors.choice(where, "activation", activation, sorted(ACTIVATIONS))]
    if not isinstance(activation, (Para, Layer)) and not callable(activation):
        raise TypeError(errors.expected(
            where, "activation", f"a layer (nn.sigmoid, …), one of the names {sorted(ACTIVATIONS)}, or None",
            activation))
    return activation


def dense(n_in: int, n_out: int, activation=None, init="glorot_uniform", name: str = "dense") -> Para:
    """``dense(n, m, σ) = linear(n, m) ; bias(m) ; σ``; parameters ``{name: {"W", "b"}}``.

    ``activation``: a layer (``sigmoid``, ...), a name, or None.

    >>> dense(4, 3, "sigmoid").cod
    Ty(f32[3])
    """
    n_in, n_out = errors.positive_int("dense", "n_in", n_in), errors.positive_int("dense", "n_out", n_out)
    name = _name("dense", name)
    act = _as_layer("dense", activation)
    p = _linear(n_in, n_out, init).scoped("linear") >> _bias(n_out, "zeros").scoped("bias")
    if act is not None:
        p = p >> act
    return p.named(name)


def flatten_para(A: Ty) -> Para:
    a = one_input(A, "flatten")
    return Para.of(g.reshape(a, (a.size,))).named("flatten")


flatten = Layer(flatten_para, "flatten")
flatten.__doc__ = ("Reshape ``(d₁, …, dₖ) → (d₁⋯dₖ,)``; R reshapes back.\n\n"
                   ">>> from catgrad import Array\n>>> flatten(Array((2, 3))).cod\nTy(f32[6])")


def conv2d(c_in: int, c_out: int, kernel_size, stride=1, padding="VALID", use_bias: bool = False,
           init="he_normal", name: str = "conv2d") -> Layer:
    """Convolution (correlation, no kernel flip) ``(C, H, W) → (O, H', W')`` with kernel ``(O, C, kh, kw)``.

    ``(ℝ^{O×C×kh×kw}, (K, x) ↦ K ⋆ x)``, lowered to ``jax.lax.conv_general_dilated``;
    parameters ``{name: {"K"}}`` (and ``"b"`` with ``use_bias``).

    >>> from catgrad import Array
    >>> layer = conv2d(1, 4, 3)(Array((1, 8, 8)))
    >>> layer.param, layer.cod
    ({'conv2d': {'K': Array((4, 1, 3, 3), 'float32')}}, Ty(f32[4,6,6]))
    """
    c_in, c_out = errors.positive_int("conv2d", "c_in", c_in), errors.positive_int("conv2d", "c_out", c_out)
    kh, kw = errors.positive_pair("conv2d", "kernel_size", kernel_size)
    stride = errors.positive_pair("conv2d", "stride", stride)
    name = _name("conv2d", name)
    initialisers.get(init, "conv2d")  # an unknown initialiser is refused here, not when the layer is applied
    K = Array((c_out, c_in, kh, kw))

    def build(A: Ty) -> Para:
        x = one_input(A, name)
        if x.ndim != 3 or x.shape[0] != c_in:
            raise TypeError(f"{name}: expects an input (C={c_in}, H, W), got {x}")
        from ..core import conv as conv_gens
        m = trace(lambda k, x_: conv_gens.conv2d(x_, k, stride=stride, padding=padding), K, x)
        p = Para({"K": K}, m, _init_one(init, "K", K.shape, "conv2d"))
        if use_bias:
            out, bb = p.cod[0], Array((c_out,))
            p = p >> Para.build({"b": bb}, lambda q, y: y + g.broadcast(q["b"], shape=out.shape, axes=(-2, -1)), out,
                                init=_init_one("zeros", "b", bb.shape))
        return p.named(name)

    return Layer(build, name)


def max_pool2d(window: int = 2, stride: int | None = None) -> Layer:
    """Max pooling over ``window × window`` patches of ``(C, H, W)``, per channel (stride: default ``window``).

    >>> from catgrad import Array
    >>> max_pool2d(2)(Array((3, 8, 8))).cod
    Ty(f32[3,4,4])
    """
    window = errors.positive_pair("max_pool2d", "window", window)
    stride = None if stride is None else errors.positive_pair("max_pool2d", "stride", stride)

    def build(A: Ty) -> Para:
        from ..core import pool
        return Para.of(pool.max_pool2d(one_input(A, "max_pool2d"), window=window, stride=stride)).named("max_pool2d")
    return Layer(build, f"max_pool2d({window[0] if window[0] == window[1] else window})")


def sequential(A: TyLike, *layers: LayerLike) -> Para:
    """``layers[0] ; layers[1] ; …`` starting from input type ``A``.

    >>> from catgrad import Array
    >>> sequential(Array((4,)), dense(4, 8), relu, dense(8, 2)).cod
    Ty(f32[2])
    """
    p = Para.identity(A)
    for layer in layers:
        p = p >> layer
    return p
