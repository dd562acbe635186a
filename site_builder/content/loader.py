"""Read content files into plain data, keeping ``file:line`` for every value.

Nothing here knows what a fact or a chart is: the loader turns bytes into
Python values (dicts, lists, scalars) plus a map from each value's location in
the document to its line, so that later stages can report errors precisely.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import BuildError
from ..files import MAX_CONTENT_BYTES, read_regular, why_unreadable
from .yaml_scalars import ScalarTrap, is_number, plain_scalar, usable_number
from ..frozen import EMPTY, FrozenDict

MAX_FILE_BYTES = MAX_CONTENT_BYTES
MAX_YAML_NODES = 200_000

Loc = tuple[str | int, ...]

_STR_TAG = "tag:yaml.org,2002:str"
_SPECIAL_TAGS = frozenset({"tag:yaml.org,2002:value", "tag:yaml.org,2002:merge"})
_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass(frozen=True)
class Document:
    """Data read from one YAML document, with the line of each location in it.

    ``data`` holds what YAML wrote, frozen: a list is a tuple, a mapping a ``FrozenDict``.
    """

    path: Path
    data: Any
    lines: FrozenDict[Loc, int] = EMPTY
    first_line: int = 1

    def line_of(self, loc: Loc) -> int:
        """The line of ``loc``, or of its nearest enclosing location."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), self.first_line)


@dataclass(frozen=True)
class MarkdownFile:
    """A Markdown file split into its front matter and its body."""

    path: Path
    meta: Document
    body: str
    body_line: int  # line number of the body's first line in the file


def read_text(path: Path, display: str | Path | None = None) -> str:
    """Read a content file as UTF-8 text, with newlines normalised to ``\\n``.

    Raises BuildError for files that are too large, not UTF-8, or start with a BOM.
    """
    display = display or path
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise BuildError(display, 1, why_unreadable(exc)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise BuildError(display, 1, "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BuildError(display, line, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Parser(Protocol):
    """What reads and parses for the loader: ``read_text``, ``parse_yaml``, or what a build kept (``kept.py``)."""

    def text(self, path: Path, display: str | Path | None = None) -> str: ...

    def parse(self, text: str, path: Path, first_line: int = 1) -> Document: ...


def load_yaml(path: Path, display: str | Path | None = None, parsed: Parser | None = None) -> Document:
    """Load one YAML file into a Document. Empty files are an error."""
    display = Path(display or path)
    text = parsed.text(path, display) if parsed else read_text(path, display)
    if not text.strip():
        raise BuildError(display, 1, "file is empty")
    return parsed.parse(text, display) if parsed else parse_yaml(text, display)


def parse_yaml(text: str, path: Path, first_line: int = 1) -> Document:
    """Parse YAML text safely into a Document; ``first_line`` offsets line numbers."""
    fast = _parse_with_libyaml(text, path, first_line)
    if fast is not None:
        return fast
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # checks every character, so it can fail too
        node = loader.get_single_node()
        if node is None:
            return Document(path, None, FrozenDict({(): first_line}), first_line)
        builder = _Builder(path, first_line, loader, text)
        data = builder.build(node, ())
        return Document(path, data, FrozenDict(builder.lines), first_line)
    except yaml.MarkedYAMLError as exc:
        mark, message = exc.problem_mark or exc.context_mark, exc.problem or exc.context
        if exc.context_mark and exc.context and re.search(r"end of stream|<stream end>", exc.problem or ""):
            # An unclosed quote or bracket: where it opened is what needs fixing, not the end of the file.
            mark, message = exc.context_mark, f"{exc.problem} {exc.context}"
        line = (_file_line(text, mark) if mark else 0) + first_line
        breaks = list(_OTHER_BREAKS.finditer(text, 0, mark.index + 1)) if mark and mark.index is not None else []
        other_line = text.count("\n", 0, breaks[-1].start()) + first_line if breaks else -1
        if other_line >= line - 1:  # outside quotes YAML ends a line there, unseen in an editor: the mistake
            other = breaks[-1]
            raise BuildError(path, other_line,
                             f"malformed YAML: {message}, after a U+{ord(other[0]):04X} (YAML reads it as a line "
                             "break, editors do not): remove it, or quote the text") from None
        raise BuildError(path, line, f"malformed YAML: {message}{_quote_hint(text, line - first_line)}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise BuildError(path, line, f"malformed YAML: control character U+{exc.character:04X} is not allowed") from None
    except yaml.YAMLError as exc:
        raise BuildError(path, first_line, f"malformed YAML: {exc}") from None
    except RecursionError:
        # PyYAML composes nested collections recursively; refuse what Python's stack cannot hold.
        line = (loader.line if loader else 0) + first_line
        raise BuildError(path, line, "YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


_CALL_IN_DOUBLE_QUOTES = re.compile(r'"[^"\n]*\{\{\s*\w+\("')


def _quote_hint(text: str, index: int) -> str:
    """A hint for the commonest mistake of a front matter: a call's own double quotes inside a double-quoted text."""
    lines = text.split("\n")
    near = lines[max(0, index - 1):index + 1]
    if any(_CALL_IN_DOUBLE_QUOTES.search(line) for line in near):
        return ("; a text holding {{ fact(\"id\") }} must be in single quotes, as its double quotes would end "
                "the text: summary: '{{ fact(\"id\") }} jobs were lost'")
    return ""


def _parse_with_libyaml(text: str, path: Path, first_line: int) -> Document | None:
    """The Document the pure-Python parser gives, from libyaml's parser, several times faster.

    None when the pure-Python parser must decide: without libyaml, for text that
    libyaml reads more leniently (tabs, BOMs, '?' in a flow collection, characters the
    pure parser rejects), or when libyaml finds any problem, so that every
    message stays the same. Both parsers feed the same safe constructor.
    """
    if _CSafeLoader is None or "\t" in text or "\ufeff" in text or "?" in text and ("[" in text or "{" in text) \
            or yaml.reader.Reader.NON_PRINTABLE.search(text):
        return None  # libyaml accepts some tabs, BOMs, '?' in [...] and characters that the pure-Python parser refuses
    loader = _CSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        builder = _Builder(path, first_line, loader, text)
        return Document(path, builder.build(node, ()), FrozenDict(builder.lines), first_line)
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()


_CSafeLoader = getattr(yaml, "CSafeLoader", None)
# PyYAML also breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR; editors and `path:line` count "\n" only.
_OTHER_BREAKS = re.compile("[\u0085\u2028\u2029]")


class _Lines:
    """Lines as an editor counts them ("\n" only), found without rereading the text for every value."""

    def __init__(self, text: str) -> None:
        other = _OTHER_BREAKS.search(text)
        self.first_other = other.start() if other else len(text)
        self.newlines = [m.start() for m in re.finditer("\n", text)] if other else []

    def line(self, mark: yaml.Mark) -> int:
        """The 0-based line of ``mark`` (PyYAML's own count differs after U+2028)."""
        if mark.index is None or mark.index <= self.first_other:
            return mark.line
        return bisect.bisect_left(self.newlines, mark.index)


def _file_line(text: str, mark: yaml.Mark) -> int:
    """The 0-based line of ``mark`` as an editor counts lines (PyYAML's own count differs after U+2028)."""
    return _Lines(text).line(mark)


class _Builder:
    """Builds Python values from a YAML node tree, recording lines and refusing traps."""

    def __init__(self, path: Path, first_line: int, loader: yaml.SafeLoader, text: str) -> None:
        self.path = path
        self.file_lines = _Lines(text)  # the text is searched once, not once for each of its values
        self.first_line = first_line
        self.loader = loader
        self.lines: dict[Loc, int] = {}
        self.count = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        line = self.file_lines.line(node.start_mark) + self.first_line
        if self.count > MAX_YAML_NODES:
            raise BuildError(self.path, line, "document is too large (too many values, or aliases expanding)")
        if id(node) in self.active:
            raise BuildError(self.path, line, "recursive YAML alias")
        self.lines.setdefault(loc, line)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_COLLECTION_TAGS:
            raise BuildError(self.path, line, f"unsupported YAML tag {node.tag!r}")
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            self.active.add(id(node))
            items = tuple(self.build(child, loc + (i,)) for i, child in enumerate(node.value))
            self.active.discard(id(node))
            return items
        return self._scalar(node, line)

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> FrozenDict[Any, Any]:
        self.loader.flatten_mapping(node)
        self.active.add(id(node))
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key_line = self.file_lines.line(key_node.start_mark) + self.first_line
            key = self._scalar(key_node, key_line) \
                if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                shown = repr(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "a list or mapping"
                raise BuildError(self.path, key_line, f"mapping key must be a text or a number, not {shown}")
            if key in result:
                raise BuildError(self.path, key_line, f"duplicate key {key!r}")
            self.lines[loc + (key,)] = key_line
            result[key] = self.build(value_node, loc + (key,))
            self.lines[loc + (key,)] = key_line
        self.active.discard(id(node))
        return FrozenDict(result)

    def _scalar(self, node: yaml.ScalarNode, line: int) -> Any:
        if node.tag in _SPECIAL_TAGS:  # "=" and "<<" as values: YAML 1.1 types PyYAML cannot construct
            raise BuildError(self.path, line, f"YAML 1.1 reads {node.value!r} as a special value (not a text); "
                                              f"quote it (\"{node.value}\") for text")
        implicit = self.loader.resolve(yaml.ScalarNode, node.value, (not node.style, bool(node.style)))
        if node.tag not in (implicit, _STR_TAG):  # !!int "012" would be 10, !!python/name:... code
            raise BuildError(self.path, line, f"unsupported YAML tag {node.tag!r}: write the value without it "
                                              "(quote it for text)")
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # e.g. 2024-13-45, or an integer of 5,000 digits
            raise BuildError(self.path, line, f"cannot read {node.value[:40]!r}: {str(exc).split(';')[0]}") from None
        try:
            if not node.style and node.tag == implicit:  # plain and untagged: where YAML 1.1 surprises
                return plain_scalar(node.value, value)
        except ScalarTrap as exc:
            raise BuildError(self.path, line, str(exc)) from None
        return value


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)


def load_markdown(path: Path, display: str | Path | None = None,
                  parsed: Parser | None = None) -> MarkdownFile:
    """Load a Markdown file with YAML front matter between ``---`` lines."""
    display = Path(display or path)
    text = parsed.text(path, display) if parsed else read_text(path, display)
    front, body, body_line = _split_front_matter(text, display)
    meta = (parsed.parse if parsed else parse_yaml)(front, display, first_line=2)
    if meta.data is None:
        meta = Document(display, EMPTY, FrozenDict({(): 1}), 1)
    return MarkdownFile(display, meta, body, body_line)


def markdown_body(path: Path, display: str | Path | None = None) -> tuple[str, int]:
    """The body of a Markdown file and its first line, as ``load_markdown`` reads them, without parsing the
    front matter (workers drafting bodies ahead of the build read this); raises BuildError."""
    display = Path(display or path)
    _, body, body_line = _split_front_matter(read_text(path, display), display)
    return body, body_line


def _split_front_matter(text: str, display: Path) -> tuple[str, str, int]:
    if not text.strip():
        raise BuildError(display, 1, "file is empty")
    match = _FRONT_MATTER.match(text)
    if not match and re.match(r"---[ \t]*\n", text):
        raise BuildError(display, 1, "the front matter that starts here is never closed by a '---' line")
    if not match:
        raise BuildError(display, 1, "a briefing starts with YAML front matter between '---' lines")
    return match.group(1) or "", text[match.end():], text[: match.end()].count("\n") + 1
