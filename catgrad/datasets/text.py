"""A small text shipped with the package, and its character-level encoding for language models.

* :func:`genesis`: chapters 1–30 of the Book of Genesis in the King James Version (1611; public
  domain), 874 verses, one per line, 110,319 characters (source, licence and checksum in
  ``data/README.txt``).
* :class:`CharVocab`: the sorted characters of a text; ``encode`` gives int32 ids, ``decode`` text.
* :func:`char_windows`: next-character pairs ``x[k] = ids[s : s + T]``, ``y[k] = ids[s + 1 : s + T + 1]``
  with ``s = k·stride``, for a model mapping ``T`` tokens to ``T`` next-token predictions.

>>> text = genesis()
>>> text[:54]
'In the beginning God created the heaven and the earth.'
>>> vocab = CharVocab.of(text)
>>> len(vocab), vocab.decode(vocab.encode("God"))
(60, 'God')
>>> x, y = char_windows(vocab.encode(text), context=8)
>>> x.shape, vocab.decode(x[0]), vocab.decode(y[0])
((13789, 8), 'In the b', 'n the be')
"""
from __future__ import annotations

import bz2
import hashlib
from dataclasses import dataclass

import numpy as np

from .base import DatasetError, DatasetFileNotFoundError, bad_file
from .shipped import DATA

GENESIS_FILE = "genesis_1-30_kjv.txt.bz2"
GENESIS_SHA256 = "3a77b45d0e127eb1e56b6267f625e66bbeb5f5c66d5d2cba675d38623de1538f"
"""sha256 of the uncompressed text (UTF-8), checked on every load."""


def genesis() -> str:
    """Genesis 1–30 in the King James Version (public domain): 874 verses, one per line, 110,319 characters.

    Read from ``catgrad/datasets/data/genesis_1-30_kjv.txt.bz2`` and checked against its sha256; a
    missing or altered file raises :class:`DatasetError` naming the file.

    >>> text = genesis()
    >>> len(text), text[:29]
    (110319, 'In the beginning God created ')
    """
    path = DATA / GENESIS_FILE
    try:
        with bz2.open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise DatasetFileNotFoundError(bad_file(path, "no such file (the package data is incomplete)")) from None
    except (OSError, EOFError, ValueError) as exc:
        raise DatasetError(bad_file(path, f"not a readable bzip2 file ({exc})")) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != GENESIS_SHA256:
        raise DatasetError(bad_file(path, f"sha256 of the text is {digest}, expected {GENESIS_SHA256}"))
    return raw.decode("utf-8")


@dataclass(frozen=True)
class CharVocab:
    """A character vocabulary: ``chars[i]`` is the character of id ``i``.

    >>> v = CharVocab.of("abca")
    >>> v.chars, v.encode("cab").tolist(), v.decode([2, 0])
    ('abc', [2, 0, 1], 'ca')
    """

    chars: str

    @staticmethod
    def of(text: str) -> "CharVocab":
        """The sorted distinct characters of ``text``."""
        return CharVocab("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Character ids (int32); a character outside the vocabulary raises ``ValueError`` naming it."""
        index = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.fromiter((index[c] for c in text), np.int32, len(text))
        except KeyError as exc:
            raise ValueError(f"CharVocab.encode: character {exc.args[0]!r} is not in the vocabulary "
                             f"{self.chars!r}") from None

    def decode(self, ids) -> str:
        """The text of a sequence of ids."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.chars)):
            raise ValueError(f"CharVocab.decode: ids must lie in 0..{len(self.chars) - 1}, got {ids.min()}..{ids.max()}")
        return "".join(self.chars[i] for i in ids)


def char_windows(ids, context: int, stride: int | None = None) -> tuple:
    """Next-token training pairs from a sequence of ids: ``x[k] = ids[s : s + T]``,
    ``y[k] = ids[s + 1 : s + T + 1]``, ``s = k·stride`` (``stride`` defaults to ``T``); both int32 ``(N, T)``.

    >>> x, y = char_windows(np.arange(10), context=4, stride=3)
    >>> x.tolist(), y[0].tolist()
    ([[0, 1, 2, 3], [3, 4, 5, 6]], [1, 2, 3, 4])
    """
    ids = np.asarray(ids, np.int32).reshape(-1)
    stride = context if stride is None else stride
    if context < 1 or stride < 1:
        raise ValueError(f"char_windows: context and stride must be positive, got context={context}, stride={stride}")
    n = (len(ids) - 1 - context) // stride + 1
    if n < 1:
        raise ValueError(f"char_windows: a text of {len(ids)} ids is too short for one window of context {context}")
    starts = np.arange(n) * stride
    idx = starts[:, None] + np.arange(context)[None, :]
    return ids[idx], ids[idx + 1]


__all__ = ["genesis", "CharVocab", "char_windows", "GENESIS_FILE", "GENESIS_SHA256"]
