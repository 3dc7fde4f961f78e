"""flasklint: a static-analysis linter for Flask applications.

The linter never imports or executes the code it analyses: editors open untrusted repositories.
`python -m flasklint` runs this file while the working directory (maybe the analysed project) still
heads `sys.path`: it imports only modules Python has loaded before any `-m` module runs.
"""

import _thread
import importlib
import sys
import types

__version__ = "0.1.0"


class _DeferredModule(types.ModuleType):
    """Stands in for a heavy dependency until one of its attributes is first used.

    A warm run finds every file's facts in the cache and needs neither libcst nor Jinja; importing
    them costs about 100 ms, more than the rest of such a run. (importlib's LazyLoader does not
    help: the `import` statement itself reads `__spec__`, which loads the module.)
    """

    def __getattr__(self, attribute: str) -> object:
        return getattr(_load(self.__name__), attribute)


_converting = _thread.RLock()  # one stand-in made its package at a time


def _load(name: str) -> types.ModuleType:
    """The package its stand-in holds the place of: the stand-in itself, made the package.

    It becomes a plain module: the modules that imported it keep it as their `cst` or `jinja2` and
    read its attributes on every node they look at; a module subclass makes each such read a slow
    generic lookup (CPython specialises attribute reads only on plain modules): 7 % of a file's
    analysis. Its `__init__` does not run: each name it imports from a submodule is imported when
    first read (`_exports_on_first_read`), so a run that never reads `libcst.MetadataWrapper` or
    `jinja2.FileSystemLoader` never imports `libcst.metadata` or Jinja's loaders and bytecode caches
    (about a tenth of each package's import, paid by every cold run)."""
    from flasklint import method_code_cache

    method_code_cache.install()  # before libcst's node classes are made (their methods' code is kept)
    with _converting:
        module = sys.modules.get(name)
        if not isinstance(module, _DeferredModule):
            return importlib.import_module(name)
        spec = module.__spec__
        # Everything is in place before the class changes: a thread that reads an attribute meanwhile
        # (the language server analyses in threads) either waits here or finds the module complete.
        module.__getattr__ = _exports_on_first_read(module, _exports(spec.origin, name))  # type: ignore[attr-defined]
        module.__file__, module.__loader__, module.__package__ = spec.origin, spec.loader, name
        # Loaded, as the import system marks a module it has finished loading: C code importing the
        # package (libcst's parser asks for it to build each node) reads this flag, and its absence
        # costs an exception each time (4.8 % of a project's analysis).
        spec._initializing = False  # type: ignore[attr-defined]
        module.__class__ = types.ModuleType
        return module


def _exports(init_path: str, package: str) -> dict[str, tuple[str, str]]:
    """{name: (submodule, its name there)} for each top-level `from SUBMODULE import NAME [as NAME]`
    of a package's `__init__`; what it defines otherwise (in a `try:`, by assignment) is not listed."""
    import importlib.util
    import re

    with open(init_path, encoding="utf-8") as init:
        text = init.read()
    exports = {}
    for source, names in re.findall(r"^from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", text, re.M):
        for name in re.sub(r"#[^\n]*", "", names).strip("()").split(","):
            words = name.split()
            if len(words) in (1, 3) and words[0] != "*":
                exports[words[-1]] = (importlib.util.resolve_name(source, package), words[0])
    return exports


def _exports_on_first_read(package: types.ModuleType, exports: dict[str, tuple[str, str]]) -> "types.FunctionType":
    """The package's module `__getattr__` (PEP 562), asked for a name it does not hold yet: a listed
    export is imported from its submodule and kept; a submodule's name imports it (as `from . import
    nodes` in the package's own modules expects); any other name runs the package's `__init__` once
    (which defines everything, its imports already done), as importing the package would have.
    Threads may ask at once (the language server's): each import is the import system's to lock."""
    whole_init = _thread.RLock()
    init_ran: list[bool] = []

    import importlib.util

    def __getattr__(attribute: str) -> object:
        submodule = f"{package.__name__}.{attribute}"
        if attribute in exports:
            source, original = exports[attribute]
            value = getattr(importlib.import_module(source), original)
        elif submodule in sys.modules or importlib.util.find_spec(submodule) is not None:
            value = importlib.import_module(submodule)
        else:
            with whole_init:
                if not init_ran:
                    init_ran.append(True)
                    package.__spec__.loader.exec_module(package)  # type: ignore[union-attr]
            try:
                value = package.__dict__[attribute]
            except KeyError:
                raise AttributeError(f"module {package.__name__!r} has no attribute {attribute!r}") from None
        setattr(package, attribute, value)
        return value

    return __getattr__  # type: ignore[return-value]


class _PackageFirst:
    """`import libcst.matchers` (by any code in the process: another flake8 plugin, a test) while
    libcst is deferred: the package is made ready first, as its own modules expect (they read
    `from libcst import ...` half-way), then the submodule is found as usual, in its folder."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> None:
        package = fullname.partition(".")[0]
        if package != fullname and isinstance(sys.modules.get(package), _DeferredModule):
            _load(package)


def _defer_import(name: str) -> None:
    if name in sys.modules:
        return
    spec = _top_level_spec(name)
    if spec is None:
        return
    module = _DeferredModule(name)
    module.__spec__ = spec
    module.__path__ = list(spec.submodule_search_locations or [])
    sys.modules[name] = module


def _top_level_spec(name: str) -> "importlib.machinery.ModuleSpec | None":
    """`importlib.util.find_spec(name)` for a top-level name not imported yet: the first spec a finder
    of `sys.meta_path` gives. (importlib.util is ~1.5 ms of every run, `--version` and warm ones too.)"""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        spec = find_spec(name, None) if find_spec is not None else None
        if spec is not None:
            return spec
    return None


sys.meta_path.insert(0, _PackageFirst())
_defer_import("libcst")
_defer_import("jinja2")
