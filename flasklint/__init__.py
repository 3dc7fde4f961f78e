"""flasklint: a static-analysis linter for Flask applications.

The linter never imports or executes the code it analyses: editors open untrusted repositories.
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
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)
        return getattr(real, attribute)


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


_defer_import("libcst")
_defer_import("jinja2")
