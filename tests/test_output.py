"""output.py: the site is replaced all at once or not at all, and never replaces what is not a site."""
from __future__ import annotations

import json

import os
import subprocess
import sys

import pytest

from site_builder import output
from site_builder.errors import BuildError
from site_builder.output import (
    RECORD, check_output_folder, check_output_folder_ahead, update_site, with_record, write_site,
)

SITE = {".nojekyll": b"", "index.html": b"<p>home</p>", "a/b/page.html": b"<p>page</p>", "static/x.css": b"p{}"}


def leftovers(parent):
    """Staging or retired folders that a write left behind."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("._site."))


def test_first_write_creates_exactly_the_files(tmp_path, files_of):
    out = tmp_path / "_site"
    changed = write_site(SITE, out)
    assert sorted(changed) == sorted([*SITE, RECORD])
    assert files_of(out) == with_record(SITE)
    assert leftovers(tmp_path) == []


def test_unchanged_files_keep_their_inode_and_mtime(tmp_path):
    out = tmp_path / "_site"
    write_site(SITE, out)
    before = {rel: (out / rel).stat() for rel in SITE}
    changed = write_site({**SITE, "index.html": b"<p>new home</p>"}, out)
    assert changed == ["index.html"]
    for rel, stat in before.items():
        now = (out / rel).stat()
        same = (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
        assert same is (rel != "index.html"), rel
    assert (out / "index.html").read_bytes() == b"<p>new home</p>"


def test_files_no_longer_built_are_removed(tmp_path, files_of):
    out = tmp_path / "_site"
    write_site(SITE, out)
    smaller = {k: v for k, v in SITE.items() if not k.startswith("a/")}
    write_site(smaller, out)
    assert files_of(out) == with_record(smaller)
    assert not (out / "a").exists()


def test_a_failure_mid_write_leaves_the_old_site_intact(tmp_path, files_of):
    out = tmp_path / "_site"
    write_site(SITE, out)
    inode = out.stat().st_ino
    broken = {**SITE, "index.html": b"<p>changed</p>", "m/broken.html": None, "z.html": b"never"}
    with pytest.raises(TypeError):
        write_site(broken, out)  # writing None fails after some files were staged
    assert files_of(out) == with_record(SITE)
    assert out.stat().st_ino == inode
    assert leftovers(tmp_path) == []


def test_symlinked_old_files_are_rewritten_not_linked(tmp_path):
    out = tmp_path / "_site"
    write_site(SITE, out)
    outside = tmp_path / "outside.html"
    outside.write_bytes(SITE["index.html"])
    (out / "index.html").unlink()
    (out / "index.html").symlink_to(outside)
    assert write_site(SITE, out) == ["index.html"]
    assert not (out / "index.html").is_symlink()


# --- updating the site in place (briefing serve) ----------------------------------------------

BIGGER = {**SITE, **{f"p/{i}.html": f"<p>{i}</p>".encode() for i in range(10)}}


def updated(out, last=None, **changes):
    """``update_site`` of BIGGER with ``changes`` (path with ``__`` for ``/`` → bytes, or None to drop the file)."""
    files = {rel: data for rel, data in {**BIGGER, **{k.replace("__", "/"): v for k, v in changes.items()}}.items()
             if data is not None}
    return update_site(files, out, last)


def test_an_update_writes_only_the_changed_files_and_removes_the_dropped(tmp_path, files_of):
    out = tmp_path / "_site"
    changed, record = updated(out)
    assert sorted(changed) == sorted([*BIGGER, RECORD])
    folder, before = out.stat().st_ino, {rel: (out / rel).stat().st_ino for rel in BIGGER}
    changed, record = updated(out, record, **{"index.html": b"<p>new</p>", "a__b__page.html": None,
                                              "new__deep__file.txt": b"new"})
    assert changed == [RECORD, "index.html", "new/deep/file.txt"]  # the record lists the new file
    assert files_of(out) == with_record({**{k: v for k, v in BIGGER.items() if k != "a/b/page.html"},
                                         "index.html": b"<p>new</p>", "new/deep/file.txt": b"new"})
    assert not (out / "a").exists()  # emptied folders go too
    assert out.stat().st_ino == folder  # updated in place, not swapped
    assert (out / "static/x.css").stat().st_ino == before["static/x.css"]
    assert sorted(p.name for p in out.rglob("*") if p.name.endswith(".new")) == []
    assert updated(out, record, **{"index.html": b"<p>new</p>", "a__b__page.html": None,
                                   "new__deep__file.txt": b"new"})[0] == []


def test_an_update_puts_back_what_someone_else_changed_in_the_folder(tmp_path, files_of):
    out = tmp_path / "_site"
    _, record = updated(out)
    (out / "static/x.css").write_bytes(b"edited by hand")
    (out / "stray.html").write_bytes(b"not ours")
    (out / "index.html").unlink()
    changed, _ = updated(out, record)
    assert changed == ["index.html", "static/x.css"]
    assert files_of(out) == with_record(BIGGER)


def test_an_update_that_cannot_write_leaves_the_site_as_it_was(tmp_path, files_of, monkeypatch):
    out = tmp_path / "_site"
    _, record = updated(out)
    writes = []

    def failing_write(self, data):
        writes.append(self.name)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        return original(self, data)

    from pathlib import Path
    original = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(BuildError, match="No space left on device"):
        updated(out, record, **{"index.html": b"<p>new</p>", "static__x.css": b"p{color:red}"})
    monkeypatch.undo()
    assert writes == [".index.html.%d.new" % os.getpid(), ".x.css.%d.new" % os.getpid()]
    assert files_of(out) == with_record(BIGGER)  # the first file was written beside its target, and removed again
    assert [p.name for p in out.rglob("*.new")] == []


def test_an_update_of_most_files_or_a_file_replacing_a_folder_swaps_the_whole_site(tmp_path, files_of):
    out = tmp_path / "_site"
    _, record = updated(out)
    folder = out.stat().st_ino
    most = {f"p/{i}.html": b"changed" for i in range(8)}
    changed, record = update_site({**BIGGER, **most}, out, record)
    assert out.stat().st_ino != folder and sorted(changed) == sorted(most)
    folder = out.stat().st_ino
    files = {**BIGGER, **most, "x": b"4"}
    _, record = update_site(files, out, record)  # one new file: updated in place
    assert out.stat().st_ino == folder and files_of(out) == with_record(files)
    files = {k: v for k, v in files.items() if k != "a/b/page.html"} | {"a/b": b"a file where a folder was"}
    changed, _ = update_site(files, out, record)
    assert files_of(out) == with_record(files) and "a/b" in changed


# --- which folders may be replaced -----------------------------------------------------------

@pytest.fixture
def root(tmp_path):
    root = tmp_path / "project"
    for folder in ("content", "templates", "static"):
        (root / folder).mkdir(parents=True)
    return root


@pytest.mark.parametrize("out", [".", "..", "content", "content/site", "templates/out", "static/x"])
def test_refuses_the_project_its_parents_and_its_source_folders(root, out):
    with pytest.raises(BuildError) as caught:
        check_output_folder(root / out, root)
    assert caught.value.problem.line == 1
    assert "output folder cannot" in caught.value.problem.message


PAGES_FROM_OTHER_TOOLS = {  # what Sphinx or MkDocs leave for GitHub Pages, and other folders that are not ours
    "notes": {"notes.txt": "precious"},
    "sphinx-pages": {".nojekyll": "", "index.html": "<p>docs</p>", "CNAME": "docs.example.org", "notes.txt": "x"},
    "marker-only": {".nojekyll": ""},
    "record-not-json": {RECORD: "{not json", "index.html": "x"},
    "record-of-another-tool": {RECORD: '{"generator": "other", "files": ["index.html"]}', "index.html": "x"},
    "record-as-folder": {f"{RECORD}/x": "", "index.html": "x"},
}


@pytest.mark.parametrize("kind", sorted(PAGES_FROM_OTHER_TOOLS))
def test_refuses_a_folder_that_briefing_did_not_write(root, kind, files_of):
    other = root / "docs"
    for rel, text in PAGES_FROM_OTHER_TOOLS[kind].items():
        (other / rel).parent.mkdir(parents=True, exist_ok=True)
        (other / rel).write_text(text)
    before = files_of(other)
    with pytest.raises(BuildError) as caught:
        check_output_folder(other, root)
    assert f"no {RECORD}" in caught.value.problem.message
    assert files_of(other) == before


def test_refuses_a_built_site_to_which_someone_added_files(root, files_of):
    out = root / "_site"
    write_site(SITE, out)
    (out / "CNAME").write_text("docs.example.org")
    (out / "a/notes.txt").write_text("mine")
    with pytest.raises(BuildError) as caught:
        check_output_folder(out, root)
    assert "did not write (CNAME, a/notes.txt)" in caught.value.problem.message


def test_refuses_a_file(root):
    (root / "out").write_text("x")
    with pytest.raises(BuildError):
        check_output_folder(root / "out", root)


@pytest.mark.parametrize("prepare", ["missing", "empty", "built", "built-then-edited"])
def test_accepts_new_empty_or_previously_built_folders(root, prepare):
    out = root / "_site"
    if prepare == "empty":
        out.mkdir()
    if prepare.startswith("built"):
        write_site(SITE, out)
    if prepare == "built-then-edited":
        (out / "index.html").write_text("edited by hand")
        (out / "a/b/page.html").unlink()
    check_output_folder(out, root)
    check_output_folder(root.parent / "elsewhere", root)


def test_checked_ahead_lists_in_another_process_what_check_output_folder_lists(root, monkeypatch):
    out = root / "_site"
    assert check_output_folder_ahead(out, root)() == {}  # no folder yet
    write_site(SITE, out)
    children, in_process = [], []
    run, folder_listing = subprocess.run, output.folder_listing
    monkeypatch.setattr(subprocess, "run", lambda command, **kw: children.append(command) or run(command, **kw))
    monkeypatch.setattr(output, "folder_listing", lambda out: in_process.append(out) or folder_listing(out))
    on_disk = check_output_folder_ahead(out, root)()
    assert len(children) == 1 and in_process == []
    assert on_disk == check_output_folder(out, root) and set(on_disk) == {*SITE, RECORD}
    monkeypatch.setattr(sys, "executable", str(root / "no-python"))  # no child: listed in this process instead
    assert check_output_folder_ahead(out, root)() == on_disk and len(in_process) == 2


def test_checked_ahead_refuses_what_check_output_folder_refuses(root):
    with pytest.raises(BuildError, match="cannot be the project folder"):
        check_output_folder_ahead(root, root)  # where the folder is: at once
    (root / "out").write_text("x")
    with pytest.raises(BuildError, match="is not a folder"):
        check_output_folder_ahead(root / "out", root)
    out = root / "_site"
    write_site(SITE, out)
    (out / "CNAME").write_text("docs.example.org")
    checked = check_output_folder_ahead(out, root)  # what it holds: when the build is about to write
    with pytest.raises(BuildError) as caught:
        checked()
    assert "did not write (CNAME)" in caught.value.problem.message


def test_hard_links_fall_back_to_copies(tmp_path, monkeypatch, files_of):
    out = tmp_path / "_site"
    write_site(SITE, out)

    def no_links(src, dst):
        raise OSError("no hard links here")
    monkeypatch.setattr(os, "link", no_links)
    assert sorted(write_site(SITE, out)) == sorted([*SITE, RECORD])
    assert files_of(out) == with_record(SITE)


def test_site_folder_is_readable_by_everyone_not_private_like_a_temp_dir(tmp_path):
    out = tmp_path / "_site"
    write_site({"index.html": b"x", ".nojekyll": b""}, out)
    assert out.stat().st_mode & 0o777 == 0o755


def test_unwritable_output_location_is_a_located_error_not_a_traceback(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(BuildError) as caught:
        write_site({"index.html": b"x"}, blocker / "_site")
    assert "cannot write the output folder" in str(caught.value)


def test_replace_file_writes_whole_files_and_leaves_no_temporary_file(tmp_path):
    from site_builder.output import replace_file

    target = tmp_path / "cache" / "entry.json"
    replace_file(target, "first “text”")
    assert target.read_text(encoding="utf-8") == "first “text”"
    replace_file(target, b"\x89PNG bytes")
    assert target.read_bytes() == b"\x89PNG bytes"
    assert [p.name for p in target.parent.iterdir()] == ["entry.json"]


def test_the_record_is_made_again_only_when_the_files_it_lists_change(tmp_path):
    out = tmp_path / "_site"
    files = {"index.html": b"<p>one</p>", "a/b.html": b"b"}
    _, record = update_site(files, out, None)
    listed = record.files[RECORD]
    _, record = update_site({**files, "index.html": b"<p>two</p>"}, out, record)  # same files, new bytes
    assert record.files[RECORD] is listed and (out / RECORD).read_bytes() == listed
    _, record = update_site({**files, "c.html": b"c"}, out, record)  # a new file: listed
    assert json.loads((out / RECORD).read_bytes())["files"] == [RECORD, "a/b.html", "c.html", "index.html"]
    assert record.files[RECORD] == with_record({**files, "c.html": b"c"})[RECORD]
