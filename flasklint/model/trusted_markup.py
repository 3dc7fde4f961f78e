"""`Markup(...)` calls that trust data as HTML: request data, or a string interpolated from data.

`Markup(s)` marks `s` as safe HTML: nothing escapes it afterwards (not Jinja's autoescaping, not
`escape()`). Its own `%`, `.format()` and `+` escape what they add, so `Markup("<b>{}</b>").format(x)`
is safe where `Markup(f"<b>{x}</b>")` is not. A call is found when its argument (following local
names) carries request data for the "html" purpose (dataflow.py: `escape()` makes it clean), or is
built, right in the call, by interpolation of a field read from data (`model.phone_number`,
`self.name`: built_strings.py's `reads_field`). Bare parameters are left to the callers (a helper
is also checked once per same-module call passing it request data), and locals to the code that
built them: Flask code often assembles HTML fragments in locals before marking the whole safe.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from flasklint.model.built_strings import interpolation_holes, reads_field
from flasklint.model.cst_helpers import argument
from flasklint.model.dataflow import MARKUP_CLASSES, TaintAnalysis, Taints, dataflow_for, request_values
from flasklint.model.module import ModuleModel
from flasklint.records import dataclass


@dataclass(frozen=True)
class TrustedMarkup:
    """`call` is `Markup(argument)` trusting data: request data (`taints`) or other data (`data_holes`)."""

    call: cst.Call
    argument: cst.BaseExpression
    taints: Taints  # request data the argument carries (empty: only other data)
    holes: tuple[cst.BaseExpression, ...]  # the values interpolated into it (empty: not interpolated)
    data_holes: tuple[cst.BaseExpression, ...]  # those of them that are fields read from data
    analysis: TaintAnalysis  # the function on its own


def trusted_markups(model: ModuleModel) -> Iterator[TrustedMarkup]:
    """Each `Markup(...)` call inside a function whose argument is request data or interpolated data."""
    dataflow = dataflow_for(model)
    for call_info in model.calls_to(*MARKUP_CLASSES):
        function = call_info.function
        value = argument(call_info.node, 0, "base")
        if function is None or value is None:
            continue
        try:
            taints = request_values(dataflow.analyses(function, "html"), value)
            analysis = dataflow.analysis(function, "html")
            holes = tuple(interpolation_holes(analysis, value) or ())
            fields = () if isinstance(value, cst.Name) else holes  # spliced right here, not into a local first
            data_holes = tuple(h for h in fields if reads_field(analysis, h))
        except RecursionError:
            continue  # an expression nested too deeply to follow: skip this call, not the file
        if taints or data_holes:
            yield TrustedMarkup(call_info.node, value, taints, holes, data_holes, analysis)
