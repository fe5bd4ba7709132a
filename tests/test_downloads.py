"""Dataset files beyond Omniglot (DooD's MNIST, EMNIST, KMNIST, QuickDraw): checksums enforced on
mirror copies and downloads, nothing left behind on failure, and the readers of each format."""

import base64
import gzip
import hashlib
import io
import zipfile
from email.message import Message

import numpy as np
import pytest

from charchallenge.data.downloads import (DownloadError, RemoteFile, emnist_dataset, fetch_remote, idx_dataset,
                                          quickdraw_dataset, read_idx, remote_files, server_md5)


def idx_bytes(a: np.ndarray) -> bytes:
    a = np.asarray(a, dtype=np.uint8)
    return bytes([0, 0, 8, a.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in a.shape) + a.tobytes()


def test_every_pinned_checksum_is_an_md5_and_every_file_has_an_address():
    for name in ("mnist", "kmnist", "emnist"):
        files = remote_files(name)
        assert files and all(len(f.md5) == 32 and int(f.md5, 16) >= 0 for f in files)
        assert all(f.url.startswith("http") and f.url.endswith(f.name) for f in files)
    qd = remote_files("quickdraw", ["smiley face", "car"], {"car": "0" * 32})
    assert [f.name for f in qd] == ["smiley_face.npy", "car.npy"]
    assert qd[0].url.endswith("/smiley%20face.npy") and qd[0].md5 is None and qd[1].md5 == "0" * 32
    with pytest.raises(DownloadError, match="no remote files"):
        remote_files("svhn")


def test_idx_reader_gzip_or_raw_and_a_clear_error_otherwise():
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    np.testing.assert_array_equal(read_idx(idx_bytes(a)), a)
    np.testing.assert_array_equal(read_idx(gzip.compress(idx_bytes(a))), a)
    with pytest.raises(DownloadError, match="labels.gz: not an IDX file"):
        read_idx(b"\x00\x00\x0d\x01" + bytes(8), "labels.gz")
    with pytest.raises(DownloadError, match="values for shape"):
        read_idx(idx_bytes(a)[:-1])


def test_mnist_family_from_four_idx_files(tmp_path):
    images, labels = np.random.RandomState(0).randint(0, 255, (5, 28, 28)), np.arange(5)
    for n, a in zip(("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                     "t10k-labels-idx1-ubyte.gz"), (images, labels, images[:2], labels[:2])):
        (tmp_path / n).write_bytes(gzip.compress(idx_bytes(a)))
    d = idx_dataset(tmp_path)
    np.testing.assert_array_equal(d["train_images"], images)
    np.testing.assert_array_equal(d["test_labels"], labels[:2])


def test_emnist_images_are_transposed_back_to_mnist_orientation(tmp_path):
    upright = np.zeros((1, 28, 28), np.uint8)
    upright[0, 2:20, 5] = 255  # a vertical bar
    path = tmp_path / "gzip.zip"
    with zipfile.ZipFile(path, "w") as z:
        for part in ("train", "test"):
            z.writestr(f"gzip/emnist-balanced-{part}-images-idx3-ubyte.gz",
                       gzip.compress(idx_bytes(upright.transpose(0, 2, 1))))  # stored column-major
            z.writestr(f"gzip/emnist-balanced-{part}-labels-idx1-ubyte.gz", gzip.compress(idx_bytes([7])))
    d = emnist_dataset(path, "balanced")
    np.testing.assert_array_equal(d["train_images"], upright)
    assert d["test_labels"].tolist() == [7]
    with pytest.raises(DownloadError, match="split 'letters'"):
        emnist_dataset(path, "letters")


def test_quickdraw_bitmaps_by_category(tmp_path):
    np.save(tmp_path / "smiley_face.npy", np.full((3, 784), 9, np.uint8))
    np.save(tmp_path / "car.npy", np.zeros((2, 784), np.uint8))
    d = quickdraw_dataset(tmp_path, ["car", "smiley face"])
    assert d["images"].shape == (5, 28, 28) and d["labels"].tolist() == [0, 0, 1, 1, 1]
    np.save(tmp_path / "car.npy", np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DownloadError, match=r"car.npy: expected \(N, 784\) uint8"):
        quickdraw_dataset(tmp_path, ["car"])


def mirror_with(tmp_path, content: bytes, dataset="kmnist", name="f.gz"):
    (tmp_path / "mirror" / dataset).mkdir(parents=True)
    (tmp_path / "mirror" / dataset / name).write_bytes(content)
    return tmp_path / "mirror"


def test_mirror_copy_verified_and_nothing_left_on_a_mismatch(tmp_path):
    content = b"some bytes"
    mirror = mirror_with(tmp_path, content)
    good = RemoteFile("kmnist", "f.gz", "http://example.invalid/f.gz", hashlib.md5(content).hexdigest())
    out = fetch_remote(good, tmp_path / "raw" / "kmnist" / "f.gz", mirror)
    assert out.read_bytes() == content
    bad = RemoteFile("kmnist", "f.gz", "http://example.invalid/f.gz", "0" * 32)
    dest = tmp_path / "raw2" / "f.gz"
    with pytest.raises(DownloadError, match="checksum mismatch for kmnist file f.gz"):
        fetch_remote(bad, dest, mirror)
    assert not dest.exists() and not list(dest.parent.iterdir())
    with pytest.raises(DownloadError, match="not in the mirror folder"):
        fetch_remote(RemoteFile("kmnist", "g.gz", "http://example.invalid/g.gz", "0" * 32), dest, mirror)


def test_an_unpinned_quickdraw_file_is_refused_from_a_mirror(tmp_path):
    mirror = mirror_with(tmp_path, b"x", "quickdraw", "car.npy")
    with pytest.raises(DownloadError, match="pin its MD5 in params dood2022.quickdraw.md5"):
        fetch_remote(RemoteFile("quickdraw", "car.npy", "http://example.invalid/car.npy", None),
                     tmp_path / "car.npy", mirror)


class Response(io.BytesIO):
    def __init__(self, content: bytes, md5: str | None):
        super().__init__(content)
        self.headers = Message()
        if md5 is not None:
            self.headers["x-goog-hash"] = "crc32c=AAAAAA=="
            self.headers["x-goog-hash"] = "md5=" + base64.b64encode(bytes.fromhex(md5)).decode()


def test_a_download_without_a_pinned_sum_is_checked_against_the_servers_md5(tmp_path):
    content = b"bitmaps"
    right, wrong = hashlib.md5(content).hexdigest(), hashlib.md5(b"other").hexdigest()
    f = RemoteFile("quickdraw", "car.npy", "https://storage.example/car.npy", None)
    out = fetch_remote(f, tmp_path / "a" / "car.npy", None, opener=lambda url, timeout: Response(content, right))
    assert out.read_bytes() == content
    with pytest.raises(DownloadError, match="checksum mismatch"):
        fetch_remote(f, tmp_path / "b" / "car.npy", None, opener=lambda url, timeout: Response(content, wrong))
    with pytest.raises(DownloadError, match="the server sent no MD5"):
        fetch_remote(f, tmp_path / "c" / "car.npy", None, opener=lambda url, timeout: Response(content, None))
    assert not (tmp_path / "b" / "car.npy").exists() and not (tmp_path / "c" / "car.npy").exists()


def test_offline_download_is_a_one_line_error_naming_the_address_and_the_mirror(tmp_path):
    def offline(url, timeout):
        raise OSError("network unreachable")

    f = remote_files("mnist")[0]
    with pytest.raises(DownloadError, match=r"cannot download mnist file .* from https://.*set params data.mirror"):
        fetch_remote(f, tmp_path / f.name, None, opener=offline)
    assert server_md5(Message()) is None
