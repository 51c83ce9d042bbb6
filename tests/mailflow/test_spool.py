"""Spool files are reused: a finished entry's file is emptied and written again, never shared, never leaking."""

from __future__ import annotations

import os
import threading

import pytest

from mailflow import spool as spool_mod


@pytest.fixture(autouse=True)
def list_free_at_once(monkeypatch):
    """The spool lists an empty free/ at most once a second; the tests write faster than that."""
    monkeypatch.setattr(spool_mod, "_LIST_EVERY", 0.0)


def envelope(n: int = 0) -> spool_mod.Envelope:
    return spool_mod.Envelope(mail_from=f"alice{n}@example.com", recipients=[f"bob{n}@example.net"],
                              customer="acme", direction="inbound")


def finish(spool: spool_mod.Spool, spool_id: str) -> None:
    spool.remove(spool_id)
    assert spool_mod.drain_reaper()


def free_files(spool: spool_mod.Spool) -> list[str]:
    return sorted(os.listdir(spool.root / spool_mod.FREE))


def test_a_finished_entry_is_emptied_and_its_file_written_again(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=10)
    first = spool.write(spool_mod.new_id(), envelope(1), b"Subject: first\r\n\r\n" + b"x" * 10_000)
    inode = first.stat().st_ino
    finish(spool, first.name[:-4])
    assert [os.path.getsize(tmp_path / "free" / name) for name in free_files(spool)] == [0]

    second_id = spool_mod.new_id()
    second = spool.write(second_id, envelope(2), b"Subject: second\r\n\r\nshort\r\n")
    assert second.stat().st_ino == inode
    assert free_files(spool) == []
    env, data = spool.read(spool.find(second_id))
    assert data == b"Subject: second\r\n\r\nshort\r\n"
    assert env.recipients == ["bob2@example.net"] and env.size == len(data)


def test_nothing_of_a_finished_message_stays_readable(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=10)
    secret = b"the merger closes on friday"
    entry = spool.write(spool_mod.new_id(), envelope(), b"Subject: s\r\n\r\n" + secret + b"\r\n")
    finish(spool, entry.name[:-4])
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or secret not in path.read_bytes()


def test_a_file_with_old_content_is_cut_to_the_new_entry(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=10)
    (tmp_path / "free" / "leftover").write_bytes(b"old message text " * 1000)
    spool_id = spool_mod.new_id()
    spool.write(spool_id, envelope(), b"Subject: new\r\n\r\nnew\r\n")
    assert spool.read(spool.find(spool_id))[1] == b"Subject: new\r\n\r\nnew\r\n"


def test_free_files_are_bounded_and_the_rest_deleted(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=2)
    ids = [spool_mod.new_id() for _ in range(5)]
    for n, spool_id in enumerate(ids):
        spool.write(spool_id, envelope(n), b"Subject: x\r\n\r\nbody\r\n")
    for spool_id in ids:
        finish(spool, spool_id)
    assert len(free_files(spool)) == 2
    assert os.listdir(tmp_path / "done") == [] and os.listdir(tmp_path / "incoming") == []


def test_reuse_off_deletes_finished_entries(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=0)
    entry = spool.write(spool_mod.new_id(), envelope(), b"Subject: x\r\n\r\nbody\r\n")
    finish(spool, entry.name[:-4])
    assert free_files(spool) == [] and os.listdir(tmp_path / "done") == []
    assert spool.fill_free() == 0


def test_fill_free_makes_files_up_to_the_maximum_once(tmp_path):
    spool = spool_mod.Spool(tmp_path, free_max=20)
    assert spool.fill_free(5) == 5
    assert spool.fill_free() == 15
    assert spool.fill_free() == 0
    spool.write(spool_mod.new_id(), envelope(), b"Subject: x\r\n\r\nbody\r\n")
    assert len(free_files(spool)) == 19


def test_processes_sharing_the_free_files_never_write_into_the_same_one(tmp_path):
    """The receiver and the engine processes take from one free/: each file goes to one writer."""
    writers = [spool_mod.Spool(tmp_path, free_max=64) for _ in range(3)]
    writers[0].fill_free(40)
    written: dict[str, bytes] = {}
    lock = threading.Lock()

    def write(spool: spool_mod.Spool, base: int) -> None:
        for n in range(base, base + 30):
            spool_id = spool_mod.new_id()
            data = f"Subject: {n}\r\n\r\n".encode() + str(n).encode() * (n % 50 + 1)
            spool.write(spool_id, envelope(n), data)
            with lock:
                written[spool_id] = data

    threads = [threading.Thread(target=write, args=(writers[k % 3], k * 100)) for k in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(written) == 180
    inodes = set()
    for spool_id, data in written.items():
        path = writers[0].find(spool_id)
        assert writers[0].read(path)[1] == data
        inodes.add(path.stat().st_ino)
    assert len(inodes) == 180
    assert free_files(writers[0]) == []
