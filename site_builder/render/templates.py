"""The site's templates: a Jinja environment that records every template it loads while a page renders.

Which templates a page is made from is not listed anywhere: ``extends``,
``include``, ``import`` and the partials the renderer fills a body's
references with all load through ``SiteTemplates.env``, which notes each name
loaded while ``recording`` is on (as Lektor's build state and Hugo's
dependency tracking record what a page read). ``version`` says what each
template's source is in this build, so that whoever keeps a page can tell
whether the templates it was made from are still the same.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import types
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Sequence

import jinja2
import jinja2.meta
import jinja2.runtime
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from .bodies import site_filters
from ..files import MAX_CONTENT_BYTES, read_regular


# What one ``*`` or ``**`` of a template may make: the theme's largest page is 200 KB; "x" * 10**10 is 10 GB,
# made in one step that no time limit can interrupt.
MAX_PRODUCT = 10_000_000


class RecordingEnvironment(SandboxedEnvironment):
    """A Jinja environment that adds the name of every template it loads to the open recordings.

    Sandboxed, as bodies are, and with ``*`` and ``**`` bounded: templates come with a project, and
    a build must end with an error at their line whatever they hold.
    """

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.recordings: list[set[str]] = []

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        """``left * right`` or ``left ** right``, refused when the result would be too large to make."""
        if operator == "*":
            for sized, times in ((left, right), (right, left)):
                if isinstance(sized, (str, bytes, list, tuple)) and isinstance(times, int) \
                        and len(sized) * times > MAX_PRODUCT:
                    raise SecurityError(f"{type(sized).__name__} of {len(sized):,} times {times:,} is too large")
        elif isinstance(left, int) and isinstance(right, int) and right > 0 \
                and left.bit_length() * right > MAX_PRODUCT:
            raise SecurityError(f"{left} ** {right} is too large")
        return super().call_binop(context, operator, left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``obj.attribute`` as the sandbox gives it, without its checks where they cannot refuse anything.

        A page reads hundreds of fields of the model's dataclasses (``f.fact.label``); for an instance of a
        dataclass that is not a class, function, string or other object the sandbox treats specially, its
        checks come down to refusing names that start with ``_``, so such a name goes the sandbox's way and
        every other name is read directly. What is read is checked again when it is used (called, or its
        own attributes read).
        """
        if attribute[:1] != "_" and _plain_dataclass(type(obj)):
            try:
                return getattr(obj, attribute)
            except AttributeError:
                pass  # the sandbox tries obj[attribute], then gives undefined
        return super().getattr(obj, attribute)

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> jinja2.Template:
        # The one place every get_template, select_template, extends, include and import goes through,
        # whether or not the template is already compiled; a name that is not found is recorded too.
        for names in self.recordings:
            names.add(name)
        return super()._load_template(name, globals)


@functools.lru_cache(maxsize=None)
def _plain_dataclass(cls: type) -> bool:
    # Instances of these: the sandbox allows any attribute not starting with "_" (``is_internal_attribute``
    # looks further only into functions, methods, classes, code, frames, tracebacks and generators, and
    # ``wrap_str_format`` only at a string's format methods).
    return dataclasses.is_dataclass(cls) and not issubclass(cls, _SPECIAL)


_SPECIAL = (type, str, types.FunctionType, types.MethodType, types.BuiltinFunctionType, types.CodeType,
            types.TracebackType, types.FrameType, types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType)


class BoundedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading only regular files of at most ``MAX_CONTENT_BYTES`` (else NotReadable).

    Every template's source is read before the content is validated (``start_build``): a sparse
    gigabyte under templates/ took 3 GB of memory there.
    """

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        """The source of ``template``, its file, and whether that file is unchanged since."""
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = os.path.join(folder, *pieces)
            if os.path.isfile(path):
                break
        else:
            raise jinja2.TemplateNotFound(template)
        mtime = os.path.getmtime(path)
        source = read_regular(Path(path), MAX_CONTENT_BYTES).decode(self.encoding)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(path) == mtime
            except OSError:
                return False
        return source, os.path.normpath(path), uptodate


class SiteTemplates:
    """The site's Jinja environment, what each template's source is in this build, and what it reads.

    Made once by whoever renders (and kept by ``briefing serve``, so that Jinja
    keeps its compiled templates); ``start_build`` reads the sources again.
    """

    def __init__(self, env: RecordingEnvironment) -> None:
        self.env = env
        self._versions: dict[str, str] = {}  # template name → digest of its source, as of this build
        self._sources: dict[str, str] = {}  # template name → its source, as of this build
        self._analyses: dict[str, frozenset[str] | None] = {}  # source digest → names it reads
        self._read_by: dict[tuple[str, ...], frozenset[str] | None] = {}  # this build's ``names_read``
        self._versions_of: dict[tuple[str, ...], tuple[tuple[str, str | None], ...]] = {}  # and ``versions``
        self.start_build()

    def start_build(self) -> None:
        """Read every template's source again: they may have been edited since the last build."""
        sources = {}
        for name in self.env.list_templates():
            try:
                sources[name] = self.env.loader.get_source(self.env, name)[0]
            except (jinja2.TemplateNotFound, UnicodeDecodeError, OSError):
                continue  # not a template that can be loaded: loading it reports why, with its name
        if sources != self._sources:
            self.env.cache.clear()  # Jinja reloads on a new mtime; this also catches an edit within the same tick
        self._sources = sources
        self._read_by, self._versions_of = {}, {}
        self._versions = {name: hashlib.blake2b(source.encode(), digest_size=16).hexdigest()
                          for name, source in sources.items()}

    def version(self, name: str) -> str | None:
        """A digest of template ``name``'s source in this build (None: there is no such template)."""
        return self._versions.get(name)

    def versions(self, names: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
        """Each of ``names`` with its ``version``, sorted by name."""
        key = names if isinstance(names, tuple) else tuple(sorted(names))
        if key not in self._versions_of:  # most pages read the same few templates: worked out once a build
            self._versions_of[key] = tuple((name, self._versions.get(name)) for name in sorted(key))
        return self._versions_of[key]

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """A set that collects the name of every template loaded until the block ends."""
        names: set[str] = set()
        self.env.recordings.append(names)
        try:
            yield names
        finally:
            # by identity: list.remove would take the first equal set, perhaps an enclosing recording
            del self.env.recordings[next(i for i, r in enumerate(self.env.recordings) if r is names)]

    def note(self, names: Iterable[str]) -> None:
        """Count ``names`` as loaded, in every open recording: a page kept from the last build read them."""
        for recording in self.env.recordings:
            recording.update(names)

    def names_read(self, templates: tuple[str, ...]) -> frozenset[str] | None:
        """The context names that ``templates`` read (None: one of them cannot be parsed, so any name may be)."""
        if templates not in self._read_by:
            reads = [self._names_read(name) for name in templates]
            self._read_by[templates] = None if None in reads else frozenset().union(*reads)
        return self._read_by[templates]

    def _names_read(self, name: str) -> frozenset[str] | None:
        version = self._versions.get(name)
        if version is None:
            return frozenset()  # not found: rendering reports it
        if version not in self._analyses:
            try:
                tree = self.env.parse(self._sources[name])
                self._analyses[version] = frozenset(jinja2.meta.find_undeclared_variables(tree))
            except jinja2.TemplateError:
                self._analyses[version] = None  # rendering will report it, with its line
        return self._analyses[version]


def site_templates(templates: Path | Sequence[Path]) -> SiteTemplates:
    """The site's templates from ``templates``, one folder or several searched in order (a project's own
    folder before the theme's): autoescaped, strict about undefined names, with the site's filters."""
    folders = [templates] if isinstance(templates, Path) else list(templates)
    env = RecordingEnvironment(
        loader=BoundedLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(site_filters())
    return SiteTemplates(env)
