"""swap.py: a build killed (SIGKILL) at any moment of writing the site leaves a whole site, old or new,
and the next build cleans up or restores what the killed one left behind."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from site_builder.commands.build_command import build_site
from site_builder.swap import exchange, recover_interrupted_swap, staging_folder, swap_in
from conftest import SOURCE_DATE_EPOCH, replace_in_file, snapshot

# Code run in the build's process before ``briefing build``: it patches one step so that the process
# kills itself (SIGKILL: no cleanup, no finally) right before or after it.
KILL = textwrap.dedent("""
    import os, pathlib, signal, sys
    import site_builder.output as output, site_builder.swap as swap
    from site_builder.cli import main

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def after(module, name):
        original = getattr(module, name)
        def patched(*args, **kwargs):
            result = original(*args, **kwargs)
            die()
        setattr(module, name, patched)

    moment = os.environ["KILL_AT"]
    if moment == "while-staging":  # some files of the new site written, others not
        written = []
        original_write = pathlib.Path.write_bytes
        def write_bytes(self, data):
            written.extend([self] if "._site.new-" in str(self) else [])
            if len(written) == 3:
                die()
            return original_write(self, data)
        pathlib.Path.write_bytes = write_bytes
    elif moment == "before-swap":  # the new site complete beside the old
        output.swap_in = lambda staging, out: die()
    elif moment == "after-exchange":  # the two folders exchanged, the old one not yet removed
        after(swap, "exchange")
    elif moment == "while-removing-old":  # half of the old site removed
        original_rmtree = swap.shutil.rmtree
        def rmtree(path, ignore_errors=False):
            if "._site." not in str(path):
                return original_rmtree(path, ignore_errors=ignore_errors)
            files = sorted(p for p in pathlib.Path(path).rglob("*") if p.is_file())
            for p in files[: len(files) // 2]:
                p.unlink()
            die()
        swap.shutil.rmtree = rmtree
    elif moment == "fallback-set-aside":  # no atomic exchange here: killed between the two renames
        swap.exchange = lambda first, second: False
        after(swap, "set_aside")
    sys.exit(main(sys.argv[1:]))
""")

MOMENTS = ["while-staging", "before-swap", "after-exchange", "while-removing-old", "fallback-set-aside"]


def killed_build(root, moment):
    """Run ``briefing build`` in a new process that kills itself at ``moment``."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, "KILL_AT": moment, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", KILL, "build", "--quiet", "--root", str(root)], env=env,
                          capture_output=True, text=True, timeout=120)


def leftovers(parent, name="_site"):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_build_killed_at_any_moment_leaves_a_whole_site_and_the_next_build_recovers(make_project, moment):
    project = make_project()
    build_site(project)
    old = snapshot(project.out)
    replace_in_file(project, "content/facts/widgets.yaml", "value: 1100000", "value: 1200000")

    done = killed_build(project.root, moment)

    assert done.returncode == -9, done.stderr
    assert leftovers(project.root)
    if moment == "fallback-set-aside":
        assert not project.out.exists()  # the one moment the fallback leaves no site: the next build restores it
        recover_interrupted_swap(project.out)
        assert snapshot(project.out) == old and leftovers(project.root) == []
    now = snapshot(project.out)

    build_site(project)

    assert leftovers(project.root) == []
    new = snapshot(project.out)
    assert b"1.2 million" in new["briefings/widget-outlook/index.html"]
    assert now == (old if moment in ("while-staging", "before-swap", "fallback-set-aside") else new)


def test_exchange_swaps_two_folders_in_one_step(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    (first / "one").write_text("1")
    (second / "two").write_text("2")
    if not exchange(first, second):
        pytest.skip("this system or file system has no atomic exchange (the fallback is tested above)")
    assert [p.name for p in first.iterdir()] == ["two"] and [p.name for p in second.iterdir()] == ["one"]


def test_recovery_leaves_alone_the_folders_of_a_build_still_running(tmp_path):
    out = tmp_path / "_site"
    out.mkdir()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        busy = tmp_path / f"._site.new-{running.pid}-abc"
        busy.mkdir()
        dead = staging_folder(out)
        dead.rename(tmp_path / "._site.new-999999999-xyz")  # no such process
        (tmp_path / "._site.new-notes").mkdir()  # not a name swap.py makes
        assert recover_interrupted_swap(out) == ["._site.new-999999999-xyz"]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["._site.new-notes", busy.name, "_site"])
    finally:
        running.kill()
        running.wait()


def test_swap_in_without_an_old_site_renames_the_new_one(tmp_path):
    out = tmp_path / "_site"
    staging = staging_folder(out)
    (staging / "index.html").write_text("new")
    swap_in(staging, out)
    assert (out / "index.html").read_text() == "new" and leftovers(tmp_path) == []


@pytest.mark.parametrize("moment", [None, "fallback-set-aside", "after-exchange"])
def test_a_site_folder_that_is_a_link_stays_a_link_to_the_new_site(make_project, tmp_path, moment):
    """``_site -> /srv/www/site``: the folder linked to is replaced, beside itself; the link was swapped before,
    left stranded beside the new folder as ``._site.new-*`` (pointing at the old site) and never cleaned up."""
    project = make_project()
    build_site(project)
    published = tmp_path / "srv" / "site"
    published.parent.mkdir()
    project.out.rename(published)
    project.out.symlink_to(published, target_is_directory=True)
    replace_in_file(project, "content/facts/widgets.yaml", "value: 1100000", "value: 1200000")

    if moment:
        assert killed_build(project.root, moment).returncode == -9
        assert leftovers(published.parent, "site") and leftovers(project.root) == []
    build_site(project)

    assert project.out.is_symlink() and project.out.resolve() == published
    assert b"1.2 million" in snapshot(published)["briefings/widget-outlook/index.html"]
    assert leftovers(project.root) == [] and leftovers(published.parent, "site") == []
