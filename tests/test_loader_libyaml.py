"""loader.py's libyaml fast path: the same Documents, and the same errors, as the pure-Python parser."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from site_builder.content import loader
from site_builder.errors import BuildError

TESTS = Path(__file__).resolve().parent
CORPUS = sorted((TESTS / "fixtures").rglob("*.yaml")) + sorted((TESTS.parent / "content").rglob("*.yaml"))
# Pieces of YAML syntax, traps and odd characters, inserted at random places to make broken or surprising files.
PIECES = [":", "-", '"', "'", "\t", "\n", " ", "&a ", "*a", "<<: *a\n", "[", "]", "{", "}", "#", "!!str ",
          "!!python/object ", "yes", "1_000", "1:30", "2024-13-45", "\x07", "\ufeff", "~", "|", ">", "? ",
          "%YAML 1.1\n", "---\n", "...\n", "é", "\u2028", "\x85", "?"]

pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML without libyaml")


def outcome(text: str, libyaml: bool, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """What parse_yaml makes of ``text``: the data and lines, or the error message."""
    with monkeypatch.context() as m:
        if not libyaml:
            m.setattr(loader, "_CSafeLoader", None)
        try:
            doc = loader.parse_yaml(text, Path("x.yaml"))
        except BuildError as exc:
            return ("error", str(exc))
        return ("ok", repr(doc.data), sorted(doc.lines.items(), key=repr))


def mutations(text: str, rng: random.Random, count: int) -> list[str]:
    found = [text]
    for _ in range(count):
        mutated = text
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(mutated) + 1)
            if mutated and rng.random() < 0.3:
                mutated = mutated[:i] + mutated[i + 1:]
            else:
                mutated = mutated[:i] + rng.choice(PIECES) + mutated[i:]
        found.append(mutated)
    return found


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_libyaml_and_pure_python_agree_on_real_and_broken_files(path, monkeypatch):
    rng = random.Random(path.name)
    for text in mutations(path.read_text(encoding="utf-8"), rng, 80):
        assert outcome(text, True, monkeypatch) == outcome(text, False, monkeypatch), repr(text)


def test_plain_scalar_traps_are_caught_on_the_fast_path_too():
    with pytest.raises(BuildError, match="YAML 1.1 reads 'no' as False"):
        loader.parse_yaml("draft: no\n", Path("x.yaml"))


def test_the_fast_path_is_taken_for_ordinary_files(monkeypatch):
    used = []
    real = loader._CSafeLoader

    def spy(text):
        used.append(text)
        return real(text)

    monkeypatch.setattr(loader, "_CSafeLoader", spy)
    doc = loader.parse_yaml("facts:\n  - id: a\n    value: 1\n", Path("x.yaml"))
    assert doc.data == {"facts": ({"id": "a", "value": 1},)}
    assert used
