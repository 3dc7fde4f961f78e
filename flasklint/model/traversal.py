"""The one libcst traversal per Python file: fills the ModuleModel rules query and the FileFacts the index uses.

Rules never walk the whole tree again: the traversal records every call, assignment, function and
class with its scope, and resolves Flask objects (apps, blueprints, routes, registrations) as it
goes. Facts derived from those records (config_facts.py, urls.py) are read off them afterwards.
"""

from __future__ import annotations

import re
from typing import Iterator

import libcst as cst

from flasklint.model.config_facts import collect_config_facts
from flasklint.model.cst_helpers import argument, has_keyword, is_none, literal_string, string_list, subscript_key
from flasklint.model.facts import (
    AppDef,
    AppMount,
    BlueprintDef,
    Registration,
    RouteDef,
    TemplateRef,
    Unresolved,
    UrlForCall,
)
from flasklint.model.imports import ImportTable, dotted_name
from flasklint.model.jinja_facts import collect_jinja_facts
from flasklint.model.module import (
    BLUEPRINT_CLASSES,
    EXTENSION_REGISTRARS,
    FLASK_CLASSES,
    RENDER_TEMPLATE,
    ROUTE_DECORATORS,
    URL_FOR,
    VIEW_BASES,
    VIEW_METHODS,
    AssignInfo,
    CallInfo,
    ClassInfo,
    FunctionInfo,
    ModuleModel,
    Scope,
    view_owners,
)
from flasklint.model.template_loaders import collect_loader_facts
from flasklint.model.walk import LeanVisitor

# werkzeug.wsgi held it before Werkzeug 0.15 (and the package's top level re-exported it).
DISPATCHER_MIDDLEWARE = frozenset(
    {
        "werkzeug.middleware.dispatcher.DispatcherMiddleware",
        "werkzeug.wsgi.DispatcherMiddleware",
        "werkzeug.DispatcherMiddleware",
    }
)


class _Extractor(LeanVisitor):
    """The traversal itself. Keep it cheap: it runs on every Python file of the project."""

    def __init__(self, model: ModuleModel) -> None:
        self.model = model
        self.scope = model.module_scope
        self.function: FunctionInfo | None = None
        self.function_stack: list[FunctionInfo | None] = []
        self.class_stack: list[ClassInfo] = []
        self.view_func_names: set[str] = set()
        self.project_view_bases: set[str] = set()
        self.flask_classes = set(FLASK_CLASSES)
        self.blueprint_classes = set(BLUEPRINT_CLASSES)
        self.local_classes: set[str] = set()  # refs of the classes defined in this module
        self._prescan_module(model.tree)

    def _prescan_module(self, tree: cst.Module) -> None:
        """Module-level names are visible in functions defined above their assignment."""
        assigned = self.model.module_scope.assigned
        for statement in _top_level_statements(tree.body):
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                assigned.setdefault(statement.name.value, None)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name):
                                assigned.setdefault(target.target.value, None)
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        assigned.setdefault(small.target.value, None)

    # -- imports ---------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        self._import(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self._import(node)
        return False

    def _import(self, node: cst.Import | cst.ImportFrom) -> None:
        table = self.scope.imports
        before = dict(table.aliases)
        table.add_import(node, self.model.module_name, self.model.is_package)
        new = {k: v for k, v in table.aliases.items() if before.get(k) != v}
        facts = self.model.facts
        if any(v == "flask" or v.startswith("flask.") for v in new.values()):
            facts.imports_flask = True
        for qualified in new.values():
            top = qualified.partition(".")[0]
            if top.startswith("flask_") and top not in facts.extensions:
                facts.extensions.append(top)
        if self.scope.kind == "module":
            facts.imports.update(new)
        if self.scope.kind == "function":
            for name in new:
                self.scope.assigned.pop(name, None)

    # -- scopes ----------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        qualname = self.scope.child_qualname(node.name.value)
        bases = [self._base_name(arg.value) for arg in node.bases]
        if self.scope.kind == "function":
            self.scope.assigned[node.name.value] = None  # `app = LocalFlask(__name__)` in the same function
        scope = Scope("class", qualname, ImportTable(self.scope.imports), parent=self.scope)
        info = ClassInfo(node, qualname, [b for b in bases if b], scope)
        self.model.classes.append(info)
        self._class_fact(node, qualname)
        if any(b in VIEW_BASES or b in self.project_view_bases for b in info.bases):
            self.project_view_bases.add(qualname)
        if any(b in self.flask_classes for b in info.bases):
            self.flask_classes.add(qualname)
        if any(b in self.blueprint_classes for b in info.bases):
            self.blueprint_classes.add(qualname)
        for decorator in node.decorators:
            self._class_route_decorator(decorator.decorator)
        self.class_stack.append(info)
        self.scope = scope
        return True

    def _class_fact(self, node: cst.ClassDef, qualname: str) -> None:
        """`class MyFlask(Flask)` -> facts.classes: the index finds Flask subclasses across modules."""
        bases = [self._base_ref(arg.value) for arg in node.bases if not arg.star]
        known = [b for b in bases if b and b not in ("object", "builtins.object")]
        ref = self._class_ref(qualname)
        self.local_classes.add(ref)
        if known:
            self.model.facts.classes[ref] = known

    def _base_ref(self, node: cst.BaseExpression) -> str | None:
        """A base class as ref_of names objects: imported names qualified, this module's prefixed."""
        qualified = self.model.qualify(node, self.scope)
        if qualified:
            return qualified
        if isinstance(node, cst.Name) and node.value == "object" and not self.scope.binds("object"):
            return "object"
        ref = self.model.ref_of(node, self.scope)
        return None if ref is None or ref.startswith("param:") else ref

    def _class_ref(self, qualname: str) -> str:
        return f"{self.model.module_name}.{qualname}" if self.model.module_name else qualname

    def _class_route_decorator(self, decorator: cst.BaseExpression) -> None:
        """`@ns.route("/x") class Todo(Resource)` (Flask-RESTX, flask-smorest): endpoints the index cannot name."""
        if isinstance(decorator, cst.Call) and isinstance(decorator.func, cst.Attribute):
            if decorator.func.attr.value in ROUTE_DECORATORS:
                owner = self.model.ref_of(decorator.func.value, self.scope)
                self.model.facts.unresolved.append(
                    Unresolved("endpoint", owner, self.model.span(decorator), "class registered by a route decorator")
                )

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.class_stack.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def _base_name(self, node: cst.BaseExpression) -> str | None:
        qualified = self.model.qualify(node, self.scope)
        if qualified:
            return qualified
        name = dotted_name(node)
        return name

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        qualname = self.scope.child_qualname(node.name.value)
        if self.scope.kind in ("module", "function"):
            self.scope.assigned[node.name.value] = None
        scope = Scope("function", qualname, ImportTable(self.scope.imports), parent=self.scope)
        for param in _parameters(node.params):
            scope.params.add(param)
            scope.imports.shadow(param)
        class_info = self.class_stack[-1] if self.class_stack and self.scope.kind == "class" else None
        info = FunctionInfo(node, qualname, scope, class_name=class_info.qualname if class_info else None)
        if class_info is not None and class_info.qualname in self.project_view_bases and info.name in VIEW_METHODS:
            info.is_view = True
        if class_info is not None and info.name == "url_for":  # a Flask subclass building URLs its own way
            self.model.facts.url_builders.append(f"class:{self._class_ref(class_info.qualname)}")
        for decorator in node.decorators:
            self._url_defaults(decorator.decorator)
            self._url_value_preprocessor(decorator.decorator)
        self.model.functions.append(info)
        self.model.function_of[node] = info
        # Decorators are evaluated in the enclosing scope.
        for decorator in node.decorators:
            self._route_decorator(decorator.decorator, info)
        self.function_stack.append(self.function)
        self.function = info
        self.scope = scope
        return True

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.function = self.function_stack.pop()
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True

    # -- assignments -----------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        targets = [t.target for t in node.targets]
        self._assignment(node, targets, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._assignment(node, [node.target], node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.model.assigns.append(AssignInfo(node, [node.target], node.value, self.scope, self.function))

    def _assignment(
        self, node: cst.Assign | cst.AnnAssign, targets: list[cst.BaseExpression], value: cst.BaseExpression | None
    ) -> None:
        self.model.assigns.append(AssignInfo(node, targets, value, self.scope, self.function))
        # Exact type tests here and in visit_Call (libcst's node classes have no subclasses): isinstance
        # against libcst's ABCs runs Python code for each mismatch, and these run for every call and assignment.
        for target in targets:
            target_type, value_type = type(target), type(value)
            for name in _target_names(target):
                if self.scope.kind != "class":
                    self.scope.assigned[name] = value if target_type is cst.Name else None
                    self.scope.imports.shadow(name)
            if target_type is cst.Name and value_type is cst.Call:
                self._constructor(target, value)
            elif target_type is cst.Name and (value_type is cst.Name or value_type is cst.Attribute):
                self._alias(target, value, value)
            elif target_type is cst.Subscript and _is_converter_map(target.value):
                key = literal_string(subscript_key(target))
                if key:
                    self.model.facts.converters.append(key)
            elif (
                target_type is cst.Attribute
                and target.attr.value == "session_interface"
                and value is not None
            ):
                self.model.facts.custom_session_interface = True

    def _constructor(self, target: cst.Name, call: cst.Call) -> None:
        qualified = self.model.qualify(call.func, self.scope) or self._local_class(call.func)
        ref = self.model.ref_of(target, self.scope)
        if ref is None:
            return
        if qualified in self.flask_classes:
            self._app(ref, call, None if qualified in FLASK_CLASSES else self.model.ref_of(call.func, self.scope))
        elif qualified in self.blueprint_classes:
            self._blueprint(ref, call)
        else:
            cls = self._maybe_flask_subclass(call)
            if cls is not None:
                self._app(ref, call, cls)
            self._alias(target, call.func, call)

    def _maybe_flask_subclass(self, call: cst.Call) -> str | None:
        """`app = MyFlask(__name__)` with MyFlask from another module: the ref of a class that may subclass
        Flask (the index keeps the app only if `classes` says it does), else None.

        The call must look like Flask's constructor (`__name__`, a string or `import_name=` first) and name a
        class (a capitalised name: `getLogger(__name__)` is not one); a class defined here without a base
        is not Flask.
        """
        first = argument(call, 0, "import_name")
        if not (literal_string(first) is not None or (isinstance(first, cst.Name) and first.value == "__name__")):
            return None
        cls = self.model.ref_of(call.func, self.scope)
        if cls is None or cls.startswith("param:") or not cls.rpartition(".")[2][:1].isupper():
            return None
        if cls in self.local_classes and cls not in self.model.facts.classes:
            return None
        return cls

    def _alias(self, target: cst.Name, source: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """Remember `app = create_app()` / `application = app` so the index can follow app objects."""
        ref = self.model.ref_of(target, self.scope)
        source_ref = self.model.ref_of(source, self.scope)
        if ref is None or source_ref is None or source_ref.startswith("param:"):
            return
        self.model.facts.aliases[ref] = f"call:{source_ref}" if isinstance(value, cst.Call) else source_ref

    def _local_class(self, func: cst.BaseExpression) -> str | None:
        name = dotted_name(func)
        if name in self.flask_classes or name in self.blueprint_classes:
            return name
        return None

    def _import_name_module(self, node: cst.BaseExpression | None) -> str:
        """`__name__` is this module; a literal names a module; anything else is unknown (this one)."""
        text = literal_string(node)
        return text if text else self.model.module_name

    def _app(self, ref: str, call: cst.Call, cls: str | None) -> None:
        # Flask(import_name, static_url_path, static_folder, static_host, host_matching,
        #       subdomain_matching, template_folder, ...)
        static_folder = argument(call, 2, "static_folder")
        has_static = not is_none(static_folder)
        static_url_path = _static_url_path(argument(call, 1, "static_url_path"), static_folder, "static")
        template_folder: str | None = "templates"
        if has_keyword(call, "template_folder") or _positional_count(call) > 6:
            template_folder = literal_string(argument(call, 6, "template_folder"))
        factory = self.function.qualname if self.function else None
        self.model.constructor_refs[id(call)] = ref
        self.model.facts.apps.append(
            AppDef(
                ref=ref,
                span=self.model.span(call),
                root_module=self._import_name_module(argument(call, 0, "import_name")),
                static_url_path=static_url_path,
                template_folder=template_folder,
                factory=factory,
                has_static=has_static,
                cls=cls,
            )
        )

    def _blueprint(self, ref: str, call: cst.Call) -> None:
        name = literal_string(argument(call, 0, "name"))
        prefix_node = argument(call, 5, "url_prefix")
        prefix = literal_string(prefix_node)
        prefix_known = prefix_node is None or prefix is not None or is_none(prefix_node)
        static_folder = argument(call, 2, "static_folder")
        has_static = static_folder is not None and not is_none(static_folder)
        static_url_path = _static_url_path(argument(call, 3, "static_url_path"), static_folder) if has_static else None
        template_node = argument(call, 4, "template_folder")
        self.model.constructor_refs[id(call)] = ref
        self.model.facts.blueprints.append(
            BlueprintDef(
                ref=ref,
                span=self.model.span(call),
                name=name,
                root_module=self._import_name_module(argument(call, 1, "import_name")),
                url_prefix=prefix,
                url_prefix_known=prefix_known,
                off_host=_off_host(call, subdomain_position=6),
                template_folder=literal_string(template_node),
                static_url_path=static_url_path,
                has_static=has_static,
                url_defaults=_gives_url_defaults(call, 7),
            )
        )

    # -- calls -----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        dotted = dotted_name(node.func)
        qualified = self.scope.imports.qualify_dotted(dotted) if dotted is not None else None
        self.model.calls.append(CallInfo(node, qualified, dotted, self.scope, self.function))
        if qualified in URL_FOR:
            self._url_for(node)
        elif qualified in DISPATCHER_MIDDLEWARE:
            self._dispatcher(node)
        elif qualified in RENDER_TEMPLATE:
            self._render_template(node)
        elif type(node.func) is cst.Attribute:
            method = node.func.attr.value
            if method == "register_blueprint":
                self._registration(node)
            elif method == "add_url_rule":
                self._add_url_rule(node)
            elif method in URL_DEFAULTS_REGISTRARS and node.args:
                self._url_defaults(node.func)
            elif method in URL_VALUE_PREPROCESSOR_REGISTRARS and node.args:
                self._url_value_preprocessor(node.func)
            elif method == "add_resource" and node.args:
                self._add_resource(node)
            elif method in EXTENSION_REGISTRARS and node.args:
                self.model.facts.unresolved.append(
                    Unresolved("endpoint", None, self.model.span(node), f"{dotted or method}() registers views")
                )
            elif method != "url_for" and (endpoint := literal_string(argument(node, None, "endpoint"))):
                # A registrar of the project's own (redash's `api.add_org_resource(R, "/api/queries",
                # endpoint="queries")` on a Flask-RESTful Api subclass): the endpoint may exist, on any blueprint.
                owner = f"extension:{self.model.ref_of(node.func.value, self.scope) or ''}"
                self.model.facts.routes.append(
                    RouteDef(owner=owner, rule=None, endpoint=endpoint, view=None, span=self.model.span(node))
                )

    def _dispatcher(self, node: cst.Call) -> None:
        """`DispatcherMiddleware(app_a, {"/b": app_b})`: app_a answers at the root, app_b under "/b"."""
        mounts = self.model.facts.app_mounts
        default = argument(node, 0, "app")
        if default is not None:
            mounts.append(AppMount(self._wsgi_ref(default), "", self.model.span(default)))
        mapping = argument(node, 1, "mounts")
        if isinstance(mapping, cst.Name):
            mapping = self.model.value_of(mapping.value, self.scope)
        if not isinstance(mapping, cst.Dict):
            return
        for element in mapping.elements:
            prefix = literal_string(element.key) if isinstance(element, cst.DictElement) else None
            if isinstance(element, cst.DictElement) and prefix is not None:
                mounts.append(AppMount(self._wsgi_ref(element.value), prefix, self.model.span(element.value)))

    def _wsgi_ref(self, node: cst.BaseExpression) -> str | None:
        """The app a WSGI value stands for, as aliases name it: `app.wsgi_app` is `app`, `create_app()` is
        "call:<ref>"; None when unknown."""
        if isinstance(node, cst.Attribute) and node.attr.value == "wsgi_app":
            node = node.value
        if isinstance(node, cst.Call):
            ref = self.model.ref_of(node.func, self.scope)
            return f"call:{ref}" if ref is not None and not ref.startswith("param:") else None
        ref = self.model.ref_of(node, self.scope)
        return None if ref is None or ref.startswith("param:") else ref

    def _url_for(self, node: cst.Call) -> None:
        endpoint_node = argument(node, 0, "endpoint")
        endpoint = literal_string(endpoint_node)
        keywords = [a.keyword.value for a in node.args if a.keyword is not None]
        star = any(a.star == "**" for a in node.args)
        span = self.model.span(endpoint_node if endpoint_node is not None else node)
        self.model.facts.url_for_calls.append(UrlForCall(endpoint, span, keywords, star, view_owners(self.function)))

    def _render_template(self, node: cst.Call) -> None:
        """`render_template("x.html", url_for=custom, **ctx)`: the template, the app(s) whose view renders it,
        and the names the call puts into its context (a `url_for` there is not Flask's)."""
        template = argument(node, 0, "template_name_or_list")
        name = literal_string(template)
        context = [a.keyword.value for a in node.args if a.keyword is not None and a.value is not template]
        star = any(a.star == "**" for a in node.args)
        if template is None:
            return
        self.model.facts.template_refs.append(
            TemplateRef(name or "", self.model.span(template), view_owners(self.function), context, star)
        )

    def _url_defaults(self, registrar: cst.BaseExpression) -> None:
        """`@app.url_defaults` / `bp.app_url_defaults(f)`: a callback that may add values to any url_for."""
        if isinstance(registrar, cst.Attribute) and registrar.attr.value in URL_DEFAULTS_REGISTRARS:
            owner = self.model.ref_of(registrar.value, self.scope)
            self.model.facts.url_builders.append(owner or "")

    def _url_value_preprocessor(self, registrar: cst.BaseExpression) -> None:
        """`@bp.url_value_preprocessor` / `app.url_value_preprocessor(f)`: a callback that may pop (or add) the
        values views receive; `app_url_value_preprocessor` runs for every request of the app ("")."""
        if isinstance(registrar, cst.Attribute) and registrar.attr.value in URL_VALUE_PREPROCESSOR_REGISTRARS:
            app_wide = registrar.attr.value.startswith("app_")
            owner = None if app_wide else self.model.ref_of(registrar.value, self.scope)
            self.model.facts.url_value_preprocessors.append(owner or "")

    def _registration(self, node: cst.Call) -> None:
        assert isinstance(node.func, cst.Attribute)
        parent = self.model.ref_of(node.func.value, self.scope)
        child_node = argument(node, 0, "blueprint")
        child = self.model.ref_of(child_node, self.scope) if child_node is not None else None
        if isinstance(child_node, cst.Call):  # `register_blueprint(views.make_blueprint())`: a blueprint factory
            factory = self.model.ref_of(child_node.func, self.scope)
            child = f"call:{factory}" if factory and not factory.startswith("param:") else None
        prefix_node = argument(node, None, "url_prefix")
        prefix = literal_string(prefix_node)
        name_node = argument(node, None, "name")
        registration = Registration(
            parent=parent,
            child=child,
            span=self.model.span(node),
            url_prefix=prefix,
            url_prefix_given=prefix_node is not None and not is_none(prefix_node),
            url_prefix_known=prefix_node is None or prefix is not None or is_none(prefix_node),
            off_host=_off_host(node),
            name=literal_string(name_node),
            url_defaults=_gives_url_defaults(node, None),
        )
        self.model.facts.registrations.append(registration)
        if child is None or (name_node is not None and registration.name is None):
            self.model.facts.unresolved.append(
                Unresolved("blueprint", parent, registration.span, "register_blueprint() of a computed blueprint")
            )

    def _add_url_rule(self, node: cst.Call) -> None:
        assert isinstance(node.func, cst.Attribute)
        owner = self.model.ref_of(node.func.value, self.scope)
        rule_node = argument(node, 0, "rule")
        endpoint_node = argument(node, 1, "endpoint")
        if is_none(endpoint_node):
            endpoint_node = None  # endpoint=None: Flask derives it from the view, as when omitted
        view_node = argument(node, 2, "view_func")
        if isinstance(view_node, cst.Name) and _is_as_view(self.model.value_of(view_node.value, self.scope)):
            # view = V.as_view("v"); app.add_url_rule("/v", view_func=view)
            view_node = self.model.value_of(view_node.value, self.scope)
        endpoint = literal_string(endpoint_node)
        view_name: str | None = None
        if endpoint_node is None and self._names_a_parameter(view_node):
            # def register_view(bp, rule, view_func): bp.add_url_rule(rule, view_func=view_func): a
            # registration helper; the endpoint comes from each caller's view.
            view_node = None
        elif endpoint_node is None and _passes_star_arguments(node):
            view_node = None  # bp.add_url_rule(*args, **options): the endpoint may be among them
        if _is_as_view(view_node):
            assert isinstance(view_node, cst.Call) and isinstance(view_node.func, cst.Attribute)
            view_name = dotted_name(view_node.func.value)
            if endpoint_node is None:
                endpoint = literal_string(argument(view_node, 0, "name"))
        elif isinstance(view_node, cst.Lambda) and endpoint_node is None:
            endpoint = "<lambda>"
        elif view_node is not None:
            name = dotted_name(view_node)
            if name:
                view_name = name
                self.view_func_names.add(name.split(".")[-1])
                if endpoint_node is None:
                    endpoint = name.split(".")[-1]
        span = self.model.span(node)
        if endpoint is None:
            self.model.facts.unresolved.append(Unresolved("endpoint", owner, span, "add_url_rule() with a computed endpoint"))
            return
        self.model.facts.routes.append(
            RouteDef(
                owner=owner,
                rule=None if _off_host(node) else literal_string(rule_node),
                endpoint=endpoint,
                view=view_name,
                span=span,
                methods=string_list(argument(node, None, "methods")),
                defaults=_dict_keys(argument(node, None, "defaults")),
            )
        )

    def _add_resource(self, node: cst.Call) -> None:
        """Flask-RESTful / Flask-RESTX `api.add_resource(Todo, "/todos")`: the endpoint is `endpoint=`, else
        the class name lower-cased (RESTful) or snake-cased (RESTX). The Api may wrap the app or any
        blueprint, so the index records the name as "unplaced" (it may exist under any blueprint).
        """
        assert isinstance(node.func, cst.Attribute)
        span = self.model.span(node)
        owner = f"extension:{self.model.ref_of(node.func.value, self.scope) or ''}"
        endpoint_node = argument(node, None, "endpoint")
        resource = dotted_name(node.args[0].value)
        if endpoint_node is not None:
            endpoint = literal_string(endpoint_node)
            names = [endpoint] if endpoint else []
        else:
            class_name = resource.rpartition(".")[2] if resource else None
            names = sorted({class_name.lower(), _snake_case(class_name)}) if class_name else []
        if not names:
            self.model.facts.unresolved.append(Unresolved("endpoint", None, span, "add_resource() of a computed class"))
        for name in names:
            self.model.facts.routes.append(RouteDef(owner=owner, rule=None, endpoint=name, view=resource, span=span))

    def _names_a_parameter(self, node: cst.BaseExpression | None) -> bool:
        """A bare name bound to a parameter of the enclosing function (its value is the caller's)."""
        return isinstance(node, cst.Name) and (self.model.ref_of(node, self.scope) or "").startswith("param:")

    def _wraps_another_function(self, info: FunctionInfo) -> bool:
        """`@functools.wraps(f)` among the function's decorators: Flask then sees `f.__name__` as its name."""
        for decorator in info.node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call) and self.model.qualify(call.func, self.scope) == "functools.wraps":
                return True
        return False

    def _route_decorator(self, decorator: cst.BaseExpression, info: FunctionInfo) -> None:
        if not (isinstance(decorator, cst.Call) and isinstance(decorator.func, cst.Attribute)):
            return
        method = decorator.func.attr.value
        if method not in ROUTE_DECORATORS:
            return
        rule_node = argument(decorator, 0, "rule")
        rule = literal_string(rule_node)
        owner = self.model.ref_of(decorator.func.value, self.scope)
        endpoint_node = argument(decorator, None, "endpoint")
        if rule_node is None and _passes_star_arguments(decorator) and endpoint_node is None:
            # def route(bp, *args, **kwargs): ... @bp.route(*args, **kwargs): a route helper whose rules and
            # endpoints are its callers' (often with @wraps(f), so the endpoint is the wrapped view's name).
            self.model.facts.unresolved.append(
                Unresolved("endpoint", owner, self.model.span(decorator), "route with forwarded arguments")
            )
            return
        if rule_node is None:
            return
        if rule is not None and rule and not rule.startswith("/"):
            # Flask rejects it on an app, but a blueprint joins it to its url_prefix ("/x" + "other"); and
            # other libraries' `.route("name")` look the same: the endpoint may exist, its rule is not known.
            self.model.facts.unresolved.append(Unresolved("relative_rule", owner, self.model.span(decorator), rule))
            return
        if endpoint_node is None and self._wraps_another_function(info):
            # @bp.route("/x") @wraps(f) def wrapper(...): the endpoint is f.__name__, known only at run time.
            self.model.facts.unresolved.append(
                Unresolved("endpoint", owner, self.model.span(decorator), "route on a functools.wraps wrapper")
            )
            return
        endpoint = literal_string(endpoint_node) if endpoint_node is not None else info.name
        methods = string_list(argument(decorator, None, "methods"))
        if method != "route":
            methods = [method.upper()]
        span = self.model.span(decorator)
        info.is_view = True
        if endpoint is None:
            self.model.facts.unresolved.append(Unresolved("endpoint", owner, span, "route with a computed endpoint"))
            return
        route = RouteDef(
            owner=owner,
            rule=None if _off_host(decorator) else rule,
            endpoint=endpoint,
            view=info.qualname,
            span=span,
            methods=methods,
            defaults=_dict_keys(argument(decorator, None, "defaults")),
            view_span=self.model.span(info.node.name),
        )
        info.routes.append(route)
        self.model.facts.routes.append(route)


URL_DEFAULTS_REGISTRARS = frozenset({"url_defaults", "app_url_defaults"})
URL_VALUE_PREPROCESSOR_REGISTRARS = frozenset({"url_value_preprocessor", "app_url_value_preprocessor"})


def _gives_url_defaults(call: cst.Call, position: int | None) -> bool:
    """`Blueprint(..., url_defaults={...})` / `register_blueprint(bp, url_defaults=...)` (or `**options`, which
    may hold them): values every view of the blueprint receives besides its rule's."""
    given = argument(call, position, "url_defaults")
    return (given is not None and not is_none(given)) or any(arg.star == "**" for arg in call.args)


def _off_host(call: cst.Call, subdomain_position: int | None = None) -> bool:
    """`subdomain=` / `host=` given: the rules answer on another host, so `url_for` builds an external
    URL and a path on the app's own host is not theirs. Their full rules are left unknown."""
    return any(
        node is not None and not is_none(node)
        for node in (argument(call, subdomain_position, "subdomain"), argument(call, None, "host"))
    )


def _top_level_statements(body: object) -> Iterator[cst.CSTNode]:
    """Statements at module level, including those nested in if/try/with blocks (not in defs)."""
    for statement in body:  # type: ignore[attr-defined]
        yield statement
        if isinstance(statement, (cst.If, cst.Try, cst.With)):
            inner = statement.body
            yield from _top_level_statements(inner.body if isinstance(inner, cst.IndentedBlock) else [])
            orelse = getattr(statement, "orelse", None)
            if isinstance(orelse, (cst.Else, cst.If)) and isinstance(orelse.body, cst.IndentedBlock):
                yield from _top_level_statements(orelse.body.body)
            for handler in getattr(statement, "handlers", ()):
                if isinstance(handler.body, cst.IndentedBlock):
                    yield from _top_level_statements(handler.body.body)


def _parameters(params: cst.Parameters) -> Iterator[str]:
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        yield param.name.value
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            yield star.name.value


def _target_names(target: cst.BaseExpression) -> Iterator[str]:
    target_type = type(target)
    if target_type is cst.Name:
        yield target.value
    elif target_type is cst.Tuple or target_type is cst.List:
        for element in target.elements:
            yield from _target_names(element.value)
    elif target_type is cst.StarredElement:
        yield from _target_names(target.value)


def _snake_case(name: str) -> str:
    """flask_restx.utils.camel_to_dash: "TodoList" -> "todo_list"."""
    first = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", first).lower()


def _passes_star_arguments(call: cst.Call) -> bool:
    """`f(*args)` / `f(**options)`: any parameter may be among the forwarded values."""
    return any(arg.star in ("*", "**") for arg in call.args)


def _is_as_view(node: cst.BaseExpression | None) -> bool:
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "as_view"
    )


def _static_url_path(
    explicit: cst.BaseExpression | None, folder: cst.BaseExpression | None, default_folder: str | None = None
) -> str | None:
    """Flask's `static_url_path` property: the explicit value, else "/" + the folder's basename.

    None when it is not a literal (the static endpoint still exists; its rule is unknown).
    """
    if explicit is not None and not is_none(explicit):
        return literal_string(explicit)
    folder_name = literal_string(folder) if folder is not None else default_folder
    if folder_name is None:
        return None
    return ("/" + folder_name.rstrip("/").split("/")[-1]).rstrip("/")


def _positional_count(call: cst.Call) -> int:
    return sum(1 for a in call.args if a.keyword is None and not a.star)


def _dict_keys(node: cst.BaseExpression | None) -> list[str]:
    if isinstance(node, cst.Dict):
        keys = [literal_string(e.key) for e in node.elements if isinstance(e, cst.DictElement)]
        return [k for k in keys if k]
    return []


def _is_converter_map(node: cst.BaseExpression) -> bool:
    name = dotted_name(node)
    return bool(name) and name.endswith("url_map.converters")  # type: ignore[union-attr]


def build_model(path: str, module_name: str, is_package: bool, text: str, tree: cst.Module) -> ModuleModel:
    """Run the single traversal and return the populated model (facts included)."""
    model = ModuleModel(path, module_name, is_package, text, tree)
    extractor = _Extractor(model)
    extractor.walk(tree)
    for info in model.functions:
        if info.name in extractor.view_func_names and info.class_name is None:
            info.is_view = True
    # Derived facts: read off the model built above (no second traversal).
    collect_config_facts(model)
    collect_jinja_facts(model)
    collect_loader_facts(model)
    return model
