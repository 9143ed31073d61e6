"""Layers as parametrised maps: linear, bias, dense, activations, convolution, pooling; sequence layers
(embedding, layer norm, attention, ...); stacks scanned over depth."""
from .layers import (Layer, linear, bias, dense, sigmoid, tanh, relu, softmax, flatten, conv2d, max_pool2d,
                     sequential)
from . import init
from .sequence import (embedding, layer_norm, gelu, pointwise, attention, residual, positional, transformer_block,
                       transformer_lm, gru_cell, gru)
from .stack import stack, repeat
from . import sequence
