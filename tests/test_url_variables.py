"""url_variables: which values url_for must pass, rule by rule, as Werkzeug's `Rule.suitable_for` decides."""

from __future__ import annotations

from flasklint.model.app_scope import Endpoint
from flasklint.model.url_variables import missing_variables, required_variables, rule_variables, variables_to_fill


def endpoint(rule: str | None, defaults: tuple[str, ...] = ()) -> Endpoint:
    return Endpoint("x", rule, "app.py", (1, 0, 1, 1), defaults=defaults)


def test_rule_variables_in_order_each_once() -> None:
    assert rule_variables("/<lang>/user/<int:id>/<path:rest>") == ("lang", "id", "rest")
    assert rule_variables("/about") == ()


def test_defaults_are_not_required_and_an_unknown_rule_is_unknown() -> None:
    assert required_variables(endpoint("/feed/<fmt>/<int:page>", defaults=("page",))) == ("fmt",)
    assert required_variables(endpoint(None)) is None


def test_missing_only_when_no_rule_can_be_built() -> None:
    two_rules = [endpoint("/users/", defaults=("page",)), endpoint("/users/<int:page>")]
    assert missing_variables(two_rules, set()) is None
    needy = [endpoint("/u/<int:id>"), endpoint("/u/<slug>/<int:id>"), endpoint("/u/<int:id>")]
    assert missing_variables(needy, {"page"}) == [("/u/<int:id>", ("id",)), ("/u/<slug>/<int:id>", ("slug", "id"))]
    assert missing_variables(needy, {"id"}) is None
    assert missing_variables([endpoint("/u/<int:id>"), endpoint(None)], set()) is None


def test_variables_to_fill_are_the_easiest_rules() -> None:
    assert variables_to_fill([endpoint("/u/<slug>/<int:id>"), endpoint("/u/<int:id>")]) == ("id",)
    assert variables_to_fill([endpoint("/u/<int:id>"), endpoint("/u/", defaults=("id",))]) == ()
    assert variables_to_fill([endpoint("/u/<int:id>"), endpoint(None)]) == ()
