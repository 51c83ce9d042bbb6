"""The corpus reader takes the layouts a labelled corpus comes in, and says clearly when there is none."""

from __future__ import annotations

import io
import mailbox
import tarfile
from collections import Counter

import pytest

from mailflow.spam.corpus import CorpusError, iter_corpus


def _mail(subject: str) -> bytes:
    return f"From: a@example.net\nSubject: {subject}\n\nbody of {subject}\n".encode()


def _summary(corpus) -> Counter:
    return Counter((s.category, s.is_spam) for s in iter_corpus(corpus))


def test_directories_of_one_file_per_message(tmp_path):
    for rel, subject in {"ham/hard_ham/1.eml": "h1", "ham/easy/2": "e2", "ham/3": "e3",
                         "spam/spam_2/4": "s4", "spam/5.eml": "s5"}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(_mail(subject))
    (tmp_path / "ham" / ".DS_Store").write_bytes(b"junk")
    assert _summary(tmp_path) == Counter({("hard_ham", False): 1, ("ham", False): 2, ("spam_2", True): 1,
                                          ("spam", True): 1})
    [sample] = [s for s in iter_corpus(tmp_path) if s.path == "ham/hard_ham/1.eml"]
    assert sample.raw == _mail("h1")


def test_mbox_files(tmp_path):
    for label, n in (("ham", 3), ("spam", 2)):
        box = mailbox.mbox(tmp_path / f"{label}.mbox")
        for i in range(n):
            box.add(_mail(f"{label}{i}"))
        box.close()
    assert _summary(tmp_path) == Counter({("ham", False): 3, ("spam", True): 2})
    assert any(b"body of spam1" in s.raw for s in iter_corpus(tmp_path))


def test_tarballs_without_a_manifest(tmp_path):
    for label, files in (("ham", {"easy_ham/1": "a", "hard_ham/2": "b"}), ("spam", {"spam/3": "c"})):
        with tarfile.open(tmp_path / f"{label}.tar.gz", "w:gz") as tar:
            for name, subject in files.items():
                data = _mail(subject)
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    assert _summary(tmp_path) == Counter({("easy_ham", False): 1, ("hard_ham", False): 1, ("spam", True): 1})


def test_a_directory_without_a_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(CorpusError, match=r"ham\.tar\.gz/spam\.tar\.gz"):
        list(iter_corpus(tmp_path))


def test_the_accuracy_bench_says_so_instead_of_a_traceback(tmp_path, capsys):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    try:
        import spam_accuracy
    finally:
        sys.path.pop(0)
    assert spam_accuracy.main([str(tmp_path)]) == 2
    assert "cannot read the corpus: no corpus in" in capsys.readouterr().err


def _write(root, files: dict[str, str]) -> None:
    for rel, subject in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(_mail(subject))


def test_training_learns_the_supplement_besides_the_corpus(tmp_path):
    """A word only the supplement's spam uses is learnt as spam; without the supplement it is unknown."""
    from mailflow.spam import train
    from mailflow.spam.model import Model
    from mailflow.spam.view import view_from_bytes

    corpus, supplement = tmp_path / "corpus", tmp_path / "supplement"
    _write(corpus, {f"ham/{i}": f"meeting notes {i}" for i in range(6)})
    _write(corpus, {f"spam/{i}": f"cheap pills {i}" for i in range(6)})
    _write(supplement, {f"spam/{i}": f"zorblatt wallet sync {i}" for i in range(4)} | {"ham/0": "release notes"})
    with_it, without = tmp_path / "with.bin", tmp_path / "without.bin"
    assert train.main([str(corpus), "--supplement", str(supplement), "--output", str(with_it)]) == 0
    assert train.main([str(corpus), "--no-supplement", "--output", str(without)]) == 0
    probe = view_from_bytes(_mail("zorblatt wallet sync now"))
    learnt, plain = Model.load(with_it), Model.load(without)
    assert learnt.meta["supplement"] == 5 and plain.meta["supplement"] == 0
    assert learnt.probability(probe) > plain.probability(probe) + 0.2
