"""Shared fixtures. Tests need no GPU and no network.

Real data sets live in ``../shared/data`` beside the project root; tests that
read them use the ``shared_data`` fixture, which skips with a reason where that
folder is absent.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest
import torch

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The shared data folder, or a clean skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _seed_and_one_thread():
    """Every test starts from the same random state, on one torch thread.

    The test models are tiny: on a 2-core machine several intra-op threads only
    contend (a 10-step LSTM measured 5 ms on one thread, 400 ms on two while
    other work ran), so each test runs on one thread and the setting is restored.
    """
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ------------------------------------------------------------------ a read-only place
_READ_ONLY: list[Path] = []  # folders that refuse writes while a `read_only` block runs
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_WRITE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "shutil.rmtree",
                 "os.truncate", "os.chmod", "os.utime", "os.symlink", "os.link"}


def _inside(path: object) -> bool:
    if not isinstance(path, (str, bytes, os.PathLike)):
        return False  # a file descriptor
    here = Path(os.path.abspath(os.fsdecode(path)))
    return any(here == root or root in here.parents for root in _READ_ONLY)


def _refuse_writes(event: str, args: tuple) -> None:
    if not _READ_ONLY:
        return
    if event == "open":
        path, _, flags = args
        targets = [path] if flags & _WRITE_FLAGS else []
    elif event in _WRITE_EVENTS:
        targets = list(args[:2]) if event in ("os.rename", "os.link") else [args[0]]
    else:
        return
    for target in targets:
        if _inside(target):
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(target))


@pytest.fixture
def read_only(monkeypatch):
    """``with read_only(folder):`` the folder behaves as on a read-only file system.

    Tests often run as root, for whom permission bits refuse nothing, so the
    refusal is simulated: ``os.access`` says "not writable" for the folder and
    everything in it, and an audit hook makes every write there (open for
    writing, mkdir, rename, remove, …) raise ``OSError(EROFS)``. Writes from
    native code (safetensors) pass the hook; the block also compares every
    file's bytes before and after and fails if one changed.
    """
    import contextlib

    if not _READ_ONLY_HOOK:
        sys.addaudithook(_refuse_writes)  # hooks cannot be removed: installed once
        _READ_ONLY_HOOK.append(True)
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and _inside(path):
            return False
        return real_access(path, mode, *args, **kwargs)

    @contextlib.contextmanager
    def guard(folder: Path):
        folder = Path(os.path.abspath(folder))
        before = _snapshot(folder)
        monkeypatch.setattr(os, "access", access)
        _READ_ONLY.append(folder)
        try:
            yield folder
        finally:
            _READ_ONLY.remove(folder)
            monkeypatch.setattr(os, "access", real_access)
        assert _snapshot(folder) == before, f"something in {folder} changed"

    return guard


_READ_ONLY_HOOK: list[bool] = []


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


NOUNS = [("carro", "carros"), ("caminhão", "caminhões"), ("avião", "aviões"), ("gato", "gatos")]
VERBS = [("anda", "andam"), ("pára", "param"), ("é", "são")]


def _agreement_sentence(rng) -> str:
    noun, verb = rng.choice(NOUNS), rng.choice(VERBS)
    n = rng.randrange(2)
    return f"{['o', 'os'][n]} {noun[n]} {verb[n]} ."


@pytest.fixture(scope="session")
def pt_sentence():
    """``pt_sentence(rng)``: a tiny Portuguese sentence whose verb agrees with its subject
    ("os carros andam ."), the toy corpus of the language-model tests."""
    return _agreement_sentence
