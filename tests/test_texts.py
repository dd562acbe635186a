"""texts.py: a content file is read again only when what stat says of it changed, or when it changed too lately."""
from __future__ import annotations

import os
import time

import pytest

from site_builder.errors import BuildError
from site_builder.incremental import texts
from site_builder.incremental.texts import KeptTexts


def _counting_reads(monkeypatch) -> list:
    reads = []
    read_text = texts.read_text
    monkeypatch.setattr(texts, "read_text", lambda path, display=None: reads.append(path) or read_text(path, display))
    return reads


def test_a_settled_file_is_not_read_again_while_its_stat_is_the_same(tmp_path, monkeypatch):
    monkeypatch.setattr(texts, "RACY_NS", 20_000_000)
    reads = _counting_reads(monkeypatch)
    path = tmp_path / "facts.yaml"
    path.write_text("value: 1\n", encoding="utf-8")
    time.sleep(0.05)  # settled: unchanged for longer than RACY_NS when read
    kept = KeptTexts()
    first = kept.text(path)
    assert kept.text(path) is first and len(reads) == 1
    kept.next_build()
    assert kept.text(path) is first and len(reads) == 1  # the next build too
    time.sleep(0.05)  # a timestamp tick later: an edit of the same size that puts the modification time back
    info = os.stat(path)
    path.write_text("value: 2\n", encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert kept.text(path) == "value: 2\n" and len(reads) == 2  # the change time moved all the same
    replaced = tmp_path / "new.yaml"
    replaced.write_text("value: 3\n", encoding="utf-8")
    os.replace(replaced, path)  # an editor's save by rename: another inode
    assert kept.text(path) == "value: 3\n"


def test_a_file_changed_just_before_it_was_read_is_read_again(tmp_path, monkeypatch):
    # Within one timestamp tick a file can change again and keep its size and times ("racy git").
    reads = _counting_reads(monkeypatch)
    path = tmp_path / "facts.yaml"
    path.write_text("value: 1\n", encoding="utf-8")
    kept = KeptTexts()
    assert kept.text(path) == "value: 1\n"
    info = os.stat(path)
    path.write_text("value: 2\n", encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert kept.text(path) == "value: 2\n" and len(reads) == 2


def test_a_file_that_cannot_be_read_any_more_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(texts, "RACY_NS", 0)
    path = tmp_path / "facts.yaml"
    path.write_text("value: 1\n", encoding="utf-8")
    kept = KeptTexts()
    kept.text(path)
    path.unlink()
    with pytest.raises(BuildError) as gone:
        kept.text(path, "content/facts.yaml")
    assert str(gone.value).startswith("content/facts.yaml:1: ")
