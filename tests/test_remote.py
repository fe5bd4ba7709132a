"""Fetching remote files (charchallenge.data.remote): the registry of addresses and MD5 sums, mirror
copies, downloads through pooch from a local HTTP server on 127.0.0.1, one-line errors, and
nothing half-written left behind."""

import base64
import hashlib
import http.server
import socket
import threading

import pytest

from charchallenge.data.remote import (OMNIGLOT_MD5, REGISTRY, FetchError, RemoteFile, archive_names, fetch, md5_of,
                                       omniglot_archive, remote_files, resolve_mirror, server_md5)

ARCHIVE = "images_background_small1"  # the smallest mirrored archive


def md5(content: bytes) -> str:
    return hashlib.md5(content).hexdigest()


def only(folder):
    """Names of what is in ``folder`` (nothing if it does not exist): no temporary file may remain."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- the registry ----------------------------------------------------------------------------


def test_every_remote_file_has_an_md5_and_an_address():
    assert len(OMNIGLOT_MD5) == 9 and len(archive_names()) == 9
    assert omniglot_archive("all_runs").url.endswith("/python/one-shot-classification/all_runs.zip")
    assert omniglot_archive("strokes_background.zip").url.endswith(
        "ceffff1ba059df9c19f12021b738dd1e0d8dd650/python/strokes_background.zip")
    assert len(REGISTRY) == 9 + 4 + 4 + 1
    for key, f in REGISTRY.items():
        assert key == f.key and f.known_hash == "md5:" + f.md5 and len(f.md5) == 32 and int(f.md5, 16) >= 0
        assert f.url.startswith("http") and f.url.endswith(f.name)
    assert REGISTRY["mnist/t10k-labels-idx1-ubyte.gz"].md5 == "ec29112dd5afa0611ce80d1b7f02629c"
    assert [f.name for f in remote_files("omniglot")] == list(OMNIGLOT_MD5)
    for name in ("mnist", "kmnist", "emnist"):
        assert remote_files(name) and all(f.key == f"{name}/{f.name}" for f in remote_files(name))
    qd = remote_files("quickdraw", ["smiley face", "car"], {"car": "0" * 32})
    assert [f.key for f in qd] == ["quickdraw/smiley_face.npy", "quickdraw/car.npy"]
    assert qd[0].url.endswith("/smiley%20face.npy") and qd[0].md5 is None and qd[1].md5 == "0" * 32
    with pytest.raises(FetchError, match="no remote files"):
        remote_files("svhn")
    with pytest.raises(FetchError, match="no category listed"):
        remote_files("quickdraw")
    with pytest.raises(FetchError, match="unknown Omniglot archive"):
        omniglot_archive("strokes_everything")


def test_sums_agree_with_the_mirror_file(mirror):
    listed = dict(line.split()[::-1] for line in (mirror / "MD5SUMS").read_text().splitlines() if line.strip())
    assert listed == OMNIGLOT_MD5


def test_mirror_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("OMNIGLOT_MIRROR", "/from/env")
    assert str(resolve_mirror(None)) == "/from/env"
    assert resolve_mirror("rel", root=tmp_path) == tmp_path / "rel"
    monkeypatch.delenv("OMNIGLOT_MIRROR")
    assert resolve_mirror(None) is None


def test_server_md5_from_google_storage_headers():
    digest = md5(b"x")
    b64 = base64.b64encode(bytes.fromhex(digest)).decode()
    assert server_md5({"x-goog-hash": f"crc32c=AAAAAA==, md5={b64}"}) == digest
    assert server_md5({"x-goog-hash": "crc32c=AAAAAA=="}) is None and server_md5({}) is None


# --- mirror copies ---------------------------------------------------------------------------


def test_mirror_hit_copies_and_verifies_an_omniglot_archive(mirror, tmp_path, capsys):
    out = fetch(omniglot_archive(ARCHIVE), tmp_path / "raw" / f"{ARCHIVE}.zip", mirror)
    assert out == tmp_path / "raw" / f"{ARCHIVE}.zip"
    assert md5_of(out) == OMNIGLOT_MD5[f"{ARCHIVE}.zip"]
    assert only(out.parent) == [f"{ARCHIVE}.zip"]
    assert capsys.readouterr().err == ""  # no progress bar for a mirror copy


def test_mirror_miss_names_file_folder_and_address_and_writes_nothing(tmp_path):
    empty = tmp_path / "empty_mirror"
    empty.mkdir()
    out = tmp_path / "raw" / "strokes_evaluation.zip"
    with pytest.raises(FetchError) as err:
        fetch(omniglot_archive("strokes_evaluation"), out, empty)
    message = str(err.value)
    assert "strokes_evaluation.zip" in message and str(empty) in message
    assert omniglot_archive("strokes_evaluation").url in message
    assert "\n" not in message
    assert only(out.parent) == []


def mirror_with(tmp_path, content: bytes, dataset="kmnist", name="f.gz"):
    (tmp_path / "mirror" / dataset).mkdir(parents=True)
    (tmp_path / "mirror" / dataset / name).write_bytes(content)
    return tmp_path / "mirror"


def test_a_dataset_file_is_copied_from_mirror_dataset_folder(tmp_path):
    content = b"some bytes"
    mirror = mirror_with(tmp_path, content)
    out = fetch(RemoteFile("kmnist", "f.gz", "http://example.invalid/f.gz", md5(content)),
                tmp_path / "raw" / "kmnist" / "f.gz", mirror)
    assert out.read_bytes() == content and only(out.parent) == ["f.gz"]
    dest = tmp_path / "raw2" / "g.gz"
    with pytest.raises(FetchError, match=r"kmnist file g.gz is not in the mirror folder .*mirror/kmnist; "
                                         r"fetch it from http://example.invalid/g.gz"):
        fetch(RemoteFile("kmnist", "g.gz", "http://example.invalid/g.gz", "0" * 32), dest, mirror)
    assert only(dest.parent) == []


def test_corrupt_file_reports_expected_and_actual_and_leaves_nothing(mirror, tmp_path):
    bad_mirror = tmp_path / "bad"
    bad_mirror.mkdir()
    data = bytearray((mirror / f"{ARCHIVE}.zip").read_bytes())
    data[1000] ^= 0xFF
    (bad_mirror / f"{ARCHIVE}.zip").write_bytes(bytes(data))
    out = tmp_path / "raw" / f"{ARCHIVE}.zip"
    with pytest.raises(FetchError) as err:
        fetch(omniglot_archive(ARCHIVE), out, bad_mirror)
    message = str(err.value)
    assert message.startswith(f"checksum mismatch for {ARCHIVE}.zip from {bad_mirror}")
    assert OMNIGLOT_MD5[f"{ARCHIVE}.zip"] in message and md5(bytes(data)) in message and "\n" not in message
    assert only(out.parent) == []


def test_a_corrupt_file_already_at_the_destination_is_not_left_there(tmp_path):
    content = b"good bytes"
    f = RemoteFile("kmnist", "f.gz", "http://example.invalid/f.gz", md5(content))
    dest = tmp_path / "raw" / "f.gz"
    dest.parent.mkdir()
    dest.write_bytes(b"stale")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FetchError, match="not in the mirror folder"):
        fetch(f, dest, empty)
    assert only(dest.parent) == []
    dest.write_bytes(b"stale")
    assert fetch(f, dest, mirror_with(tmp_path, content)).read_bytes() == content
    # a verified file is kept as it is: nothing is copied (the mirror may even lack it now)
    assert fetch(f, dest, empty).read_bytes() == content


def test_an_unpinned_quickdraw_file_is_refused_from_a_mirror(tmp_path):
    mirror = mirror_with(tmp_path, b"x", "quickdraw", "car.npy")
    dest = tmp_path / "raw" / "car.npy"
    with pytest.raises(FetchError, match="pin its MD5 in params dood2022.quickdraw.md5"):
        fetch(remote_files("quickdraw", ["car"])[0], dest, mirror)
    assert only(dest.parent) == []
    assert fetch(remote_files("quickdraw", ["car"], {"car": md5(b"x")})[0], dest, mirror).read_bytes() == b"x"


# --- downloads from a local server ------------------------------------------------------------


class Server:
    """An HTTP server on 127.0.0.1 (a free port) serving ``files``: path -> (content, headers);
    any other path is a 404, ``/moved/<path>`` redirects to ``/<path>``."""

    def __init__(self):
        self.files = {}
        self.requests = []
        files, requests = self.files, self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                if self.path.startswith("/moved/"):
                    self.send_response(302)
                    self.send_header("Location", self.path[len("/moved"):])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path not in files:
                    self.send_error(404)
                    return
                content, headers = files[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(content)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def serve(self, path: str, content: bytes, headers=()):
        self.files[path] = (content, list(headers))
        return self.url + path


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # never through a proxy, whatever the environment says
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    s = Server()
    s.thread.start()
    try:
        yield s
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()
        s.thread.join(timeout=5)
    assert not s.thread.is_alive()


def goog_hash(content: bytes):
    """Google Cloud Storage's headers: one ``x-goog-hash`` per algorithm."""
    return [("x-goog-hash", "crc32c=AAAAAA=="),
            ("x-goog-hash", "md5=" + base64.b64encode(hashlib.md5(content).digest()).decode())]


def test_download_with_a_pinned_md5_through_pooch_with_a_progress_bar(server, tmp_path, capsys):
    content = bytes(range(256)) * 1000
    url = server.serve("/mnist/train-labels-idx1-ubyte.gz", content)
    f = RemoteFile("mnist", "train-labels-idx1-ubyte.gz", url, md5(content))
    out = fetch(f, tmp_path / "raw" / "mnist" / f.name, None)
    assert out.read_bytes() == content and only(out.parent) == [f.name]
    err = capsys.readouterr().err
    assert "100%" in err and "256k/256k" in err  # tqdm's bar
    # a file already verified at the destination is not downloaded again
    fetch(f, out, None)
    assert server.requests == ["/mnist/train-labels-idx1-ubyte.gz"]


def test_download_with_a_wrong_md5_reports_both_sums_and_the_address_and_writes_nothing(server, tmp_path):
    content = b"not the published file"
    url = server.serve("/kmnist/f.gz", content)
    dest = tmp_path / "raw" / "f.gz"
    with pytest.raises(FetchError) as err:
        fetch(RemoteFile("kmnist", "f.gz", url, "0" * 32), dest, None, progressbar=False)
    assert str(err.value) == (f"checksum mismatch for kmnist file f.gz from {url}: expected MD5 {'0' * 32}, "
                              f"got {md5(content)}")
    assert only(dest.parent) == []


def test_an_unpinned_download_is_checked_against_the_md5_the_server_sends(server, tmp_path):
    content = b"bitmaps"
    right = server.serve("/right/car.npy", content, goog_hash(content))
    wrong = server.serve("/wrong/car.npy", content, goog_hash(b"other"))
    silent = server.serve("/silent/car.npy", content)
    moved = server.url + "/moved/right/car.npy"
    for url in (right, moved):  # a redirect: the headers of the response that carries the file count
        out = fetch(RemoteFile("quickdraw", "car.npy", url, None), tmp_path / "ok" / "car.npy", None, progressbar=False)
        assert out.read_bytes() == content and only(out.parent) == ["car.npy"]
    with pytest.raises(FetchError) as err:
        fetch(RemoteFile("quickdraw", "car.npy", wrong, None), tmp_path / "b" / "car.npy", None, progressbar=False)
    assert f"checksum mismatch for quickdraw file car.npy from {wrong}" in str(err.value)
    assert md5(b"other") in str(err.value) and md5(content) in str(err.value)
    with pytest.raises(FetchError, match="the server sent no MD5 and none is pinned"):
        fetch(RemoteFile("quickdraw", "car.npy", silent, None), tmp_path / "c" / "car.npy", None, progressbar=False)
    assert only(tmp_path / "b") == [] and only(tmp_path / "c") == []
    # a pinned sum wins over the server's
    with pytest.raises(FetchError, match="expected MD5 0{32}"):
        fetch(RemoteFile("quickdraw", "car.npy", right, "0" * 32), tmp_path / "d" / "car.npy", None, progressbar=False)
    assert only(tmp_path / "d") == []


def test_a_failed_download_is_one_line_naming_the_address_and_the_mirror_option(server, tmp_path):
    missing = server.url + "/mnist/nothing.gz"
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/mnist/f.gz"
    for url in (missing, closed):
        dest = tmp_path / "raw" / "f.gz"
        with pytest.raises(FetchError) as err:
            fetch(RemoteFile("mnist", "f.gz", url, "0" * 32), dest, None, progressbar=False)
        message = str(err.value)
        assert message.startswith(f"cannot download mnist file f.gz from {url} (")
        assert message.endswith("offline, set params data.mirror or OMNIGLOT_MIRROR to a folder holding mnist/f.gz")
        assert "\n" not in message
        assert only(dest.parent) == []
