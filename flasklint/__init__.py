"""flasklint: a static-analysis linter for Flask applications.

The linter never imports or executes the code it analyses: editors open untrusted repositories.
`python -m flasklint` runs this file while the working directory (maybe the analysed project) still
heads `sys.path`: it imports only modules Python has loaded before any `-m` module runs.
"""

import importlib
import importlib.util
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


def _load(name: str) -> types.ModuleType:
    """The real package, imported now if its stand-in still holds its place (which then mirrors it).

    The stand-in then becomes a plain module: the modules that imported it keep it as their `cst`
    or `jinja2`, and read its attributes on every node they look at. A module subclass makes each
    such read a slow generic lookup (CPython specialises attribute reads only on plain modules):
    7 % of a file's analysis."""
    module = sys.modules.get(name)
    if not isinstance(module, _DeferredModule):
        return importlib.import_module(name)
    del sys.modules[name]
    real = importlib.import_module(name)
    module.__dict__.update(real.__dict__)
    module.__dict__["__getattr__"] = _forwarding(real)
    module.__class__ = types.ModuleType
    return real


def _forwarding(real: types.ModuleType) -> "types.FunctionType":
    """A module `__getattr__` (PEP 562): what the real module gains later (a submodule imported
    after it, `libcst.metadata`) is read from it."""

    def __getattr__(attribute: str) -> object:
        return getattr(real, attribute)

    return __getattr__  # type: ignore[return-value]


class _AlreadyLoaded:
    """Hands the import system a module that loading its package has just loaded."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.spec = module.__spec__

    def create_module(self, spec: object) -> types.ModuleType:
        return self.module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # back to its own


class _PackageFirst:
    """`import libcst.matchers` (by any code in the process: another flake8 plugin, a test) while
    libcst is deferred: the package is loaded first, as its own modules expect, instead of the
    submodule alone (which imports `from libcst import ...` half-way and fails)."""

    def find_spec(self, fullname: str, path: object, target: object = None) -> object:
        package = fullname.partition(".")[0]
        if package == fullname or not isinstance(sys.modules.get(package), _DeferredModule):
            return None
        _load(package)
        loaded = sys.modules.get(fullname)
        if loaded is None:
            return None  # the package did not load it: found as usual, in the package's own folder
        spec = importlib.util.spec_from_loader(fullname, _AlreadyLoaded(loaded))
        loaded.__spec__ = spec  # the import system takes a loaded module's spec: it must be this one
        return spec


def _defer_import(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    module = _DeferredModule(name)
    module.__spec__ = spec
    module.__path__ = list(spec.submodule_search_locations or [])
    sys.modules[name] = module


sys.meta_path.insert(0, _PackageFirst())
_defer_import("libcst")
_defer_import("jinja2")
