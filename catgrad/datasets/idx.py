"""The IDX file format (the format of the MNIST files), read and written with numpy.

An IDX file is a header followed by the array in row-major (C) order, every number
big-endian::

    byte 0, 1      0x00 0x00                      magic
    byte 2         type code: 0x08 uint8, 0x09 int8, 0x0B int16,
                              0x0C int32, 0x0D float32, 0x0E float64
    byte 3         d, the number of dimensions
    bytes 4..4+4d  the d sizes, each a big-endian 32-bit integer
    then           size_0 * ... * size_{d-1} numbers of the type

A file may also be gzip-compressed as a whole (recognised by its content, the gzip
magic bytes 0x1f 0x8b, whatever its name). Reference: Y. LeCun, C. Cortes and
C. J. C. Burges, "The MNIST database of handwritten digits" (file formats section),
http://yann.lecun.com/exdb/mnist/.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.idx"
>>> write_idx(path, np.arange(6, dtype=np.int16).reshape(2, 3))
>>> path.read_bytes()[:8].hex()
'00000b0200000002'
>>> read_idx(path)
array([[0, 1, 2],
       [3, 4, 5]], dtype=int16)
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib

import numpy as np

from .. import errors
from .base import DatasetError, DatasetFileNotFoundError, bad_file

#: IDX type code -> numpy dtype (native byte order; the file stores big-endian).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(np.int16),
    0x0C: np.dtype(np.int32),
    0x0D: np.dtype(np.float32),
    0x0E: np.dtype(np.float64),
}
_CODES = {dtype: code for code, dtype in IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike) -> bytes:
    """The content of ``path``, decompressed if it is gzip; a ``DatasetError`` names the file otherwise."""
    path = errors.path("read_idx", "path", path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise DatasetFileNotFoundError(bad_file(path, "no such file")) from None
    except IsADirectoryError:
        raise DatasetError(bad_file(path, "is a directory, not a file")) from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise DatasetError(bad_file(path, f"corrupt or truncated gzip data ({exc})")) from None
    return data


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read the IDX file at ``path`` (gzip-compressed or not) as a native-endian numpy array.

    The dtype is the one named by the type code (uint8 for the MNIST files) and the shape
    is the one in the header. Raises ``DatasetError`` (a ``ValueError``) naming the file
    and the problem: no such file, bad magic, unknown type code, a truncated header or
    data ("expected N bytes of data, got M"), trailing bytes after the data.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "b.idx"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    >>> read_idx(path)
    array([7, 8, 9], dtype=uint8)
    """
    data = read_bytes(path)
    if len(data) < 4:
        raise DatasetError(bad_file(path, f"not an IDX file: {len(data)} byte(s), shorter than the 4-byte magic"))
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(bad_file(
            path, f"not an IDX file: bad magic {data[:4].hex()}, the first two bytes must be 00 00"))
    code, ndim = data[2], data[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X} {t}" for c, t in IDX_TYPES.items())
        raise DatasetError(bad_file(path, f"unknown IDX type code 0x{code:02X}; known codes: {known}"))
    if ndim == 0:
        raise DatasetError(bad_file(path, "IDX header gives 0 dimensions"))
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(bad_file(
            path, f"truncated IDX header: {ndim} dimension(s) need {header} header bytes, got {len(data)}"))
    shape = struct.unpack(f">{ndim}i", data[4:header])
    if any(s < 0 for s in shape):
        raise DatasetError(bad_file(path, f"IDX header gives a negative size: shape {shape}"))
    dtype = IDX_TYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    got = len(data) - header
    if got < expected:
        raise DatasetError(bad_file(
            path, f"truncated IDX data: shape {shape} of {dtype} needs {expected} bytes of data, got {got}"))
    if got > expected:
        raise DatasetError(bad_file(
            path, f"{got - expected} trailing byte(s) after the IDX data: shape {shape} of {dtype} "
                  f"needs {expected} bytes of data, got {got}"))
    array = np.frombuffer(data, dtype=dtype.newbyteorder(">"), count=expected // dtype.itemsize, offset=header)
    return array.astype(dtype).reshape(shape)


def write_idx(path: str | os.PathLike, array: np.ndarray, *, compress: bool | None = None) -> None:
    """Write ``array`` as an IDX file; gzip-compressed if ``compress`` (default: if ``path`` ends in ``.gz``).

    The dtype must be one of :data:`IDX_TYPES` (uint8, int8, int16, int32, float32, float64).

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "c.idx.gz")
    >>> write_idx(path, np.array([1.5, -2.0], np.float32))
    >>> read_idx(path)
    array([ 1.5, -2. ], dtype=float32)
    """
    path = errors.path("write_idx", "path", path)
    array = np.asarray(array)
    code = _CODES.get(array.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"write_idx: IDX has no type for dtype {array.dtype}; use one of "
                        + ", ".join(str(t) for t in IDX_TYPES.values()))
    if array.ndim == 0 or array.ndim > 255:
        raise ValueError(f"write_idx: IDX stores 1 to 255 dimensions, got an array of shape {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    body = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder(">")).tobytes()
    if compress is None:
        compress = os.fspath(path).endswith(".gz")
    content = gzip.compress(header + body, mtime=0) if compress else header + body
    with open(path, "wb") as fh:
        fh.write(content)
