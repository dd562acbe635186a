"""versions.py: the one code version, and the libraries' versions read without importlib.metadata."""
from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from site_builder.incremental import versions


def test_every_output_library_has_the_version_importlib_metadata_gives():
    found = versions.installed_versions(versions.OUTPUT_LIBRARIES)
    assert found == {name: importlib.metadata.version(name) for name in versions.OUTPUT_LIBRARIES}


def _dist(folder: Path, item: str, version: str | None) -> None:
    (folder / item).mkdir(parents=True)
    if version is not None:
        (folder / item / "METADATA").write_text(f"Metadata-Version: 2.1\nName: x\nVersion: {version}\n\nVersion: no\n",
                                                encoding="utf-8")


def test_the_first_dist_info_on_the_path_counts_as_importlib_metadata_finds_it(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Vl_Convert_Python-1.9.0.post1.dist-info", "1.9.0.post1")
    _dist(second, "vl_convert_python-2.0.dist-info", "2.0")
    _dist(second, "markdown-3.0.dist-info", "3.0")
    path = [str(tmp_path / "missing"), str(first), str(second)]
    names = ("vl-convert-python", "markdown", "babel")
    assert versions.installed_versions(names, path) == {"vl-convert-python": "1.9.0.post1", "markdown": "3.0"}


def test_a_library_that_could_be_found_some_other_way_is_left_to_importlib_metadata(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    _dist(first, "Markdown.egg-info", None)  # an egg's metadata, read differently: importlib.metadata decides
    _dist(first, "jinja2-3.1.dist-info", None)  # no METADATA: no version to read
    _dist(second, "markdown-3.0.dist-info", "3.0")
    _dist(second, "jinja2-3.2.dist-info", "3.2")
    _dist(second, "babel-2.0.dist-info", "2.0")
    assert versions.installed_versions(("markdown", "jinja2", "babel"), [str(first), str(second)]) == {"babel": "2.0"}
    archive = tmp_path / "libs.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip: importlib.metadata would look inside
    assert versions.installed_versions(("babel",), [str(archive), str(second)]) == {}


def test_what_is_left_out_is_asked_of_importlib_metadata(monkeypatch):
    expected = ", ".join(f"{name} {importlib.metadata.version(name)}" for name in versions.OUTPUT_LIBRARIES)
    assert versions._library_versions.__wrapped__() == expected
    monkeypatch.setattr(versions, "installed_versions", lambda names: {})
    assert versions._library_versions.__wrapped__() == expected


def test_the_code_version_is_read_without_importing_importlib_metadata():
    script = ("import sys; from site_builder.incremental.versions import code_version; code_version(); "
              "print('importlib.metadata' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
