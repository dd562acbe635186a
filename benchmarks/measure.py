"""Measuring a command: wall time, CPU time and peak memory of its whole process tree; page weight.

Peak memory is the largest sum of resident set sizes of the command and all of
its descendants (a build with a process pool counts every worker), sampled from
/proc every few milliseconds. Where /proc is missing it falls back to the largest
single process, from ``getrusage``.
"""
from __future__ import annotations

import gzip
import os
import re
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.01


@dataclass(frozen=True)
class Run:
    """One timed command: seconds of wall and CPU time, peak resident memory in bytes, and its output."""

    wall: float
    cpu: float
    peak_rss: int
    stdout: str


def run_timed(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to completion, measuring it; raises CalledProcessError (with its output) if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak, done), daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, cmd, out)
    # Without /proc, the largest single process so far (ru_maxrss is in kilobytes on Linux).
    return Run(wall, cpu, peak[0] or after.ru_maxrss * 1024, out)


def _sample_tree(pid: int, peak: list[int], done: threading.Event) -> None:
    if not Path("/proc/self/status").exists():
        return
    while not done.is_set():
        peak[0] = max(peak[0], sum(_rss(p) for p in _tree(pid)))
        done.wait(SAMPLE_SECONDS)


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    todo.extend(int(c) for c in children.read().split())
        except OSError:
            continue
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class PageWeight:
    """What a browser without JavaScript fetches for one page, and the lazy chart bundle apart."""

    html: int
    assets: dict[str, int]
    lazy: dict[str, int]
    gzip_total: int

    @property
    def total(self) -> int:
        """HTML plus the CSS, scripts and images it loads, in bytes (uncompressed)."""
        return self.html + sum(self.assets.values())


_ASSET = re.compile(r'<(?:link[^>]*rel="stylesheet"[^>]*href|script[^>]*\bsrc|img[^>]*\bsrc)="([^"]+)"')
_LAZY = re.compile(r'data-vega-bundle="([^"]+)"')


def page_weight(site: Path, page: str) -> PageWeight:
    """The bytes of ``page`` (a path in the built ``site``) and of everything it loads without running scripts."""
    path = site / page
    html = path.read_text(encoding="utf-8")
    assets = {ref: _size(path.parent / ref) for ref in dict.fromkeys(_ASSET.findall(html)) if not _remote(ref)}
    lazy = {ref: _size(path.parent / ref) for ref in dict.fromkeys(_LAZY.findall(html))}
    gz = len(gzip.compress(html.encode(), 9, mtime=0)) + sum(
        len(gzip.compress((path.parent / ref).read_bytes(), 9, mtime=0)) for ref in assets)
    return PageWeight(len(html.encode()), assets, lazy, gz)


def _remote(ref: str) -> bool:
    return ref.startswith(("http:", "https:", "//", "data:"))


def _size(path: Path) -> int:
    return path.resolve().stat().st_size


def folder_bytes(folder: Path) -> tuple[int, int]:
    """The number of files under ``folder`` and their total size in bytes."""
    sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
    return len(sizes), sum(sizes)
