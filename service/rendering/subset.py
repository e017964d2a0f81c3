"""The subset of Jinja a template may use, checked on its syntax tree before it is compiled.

Output, if, for, set, lookups, comparisons, logic, `+`, `-`, `~` and a few text filters:
everything a template for a document needs, nothing that reaches Python objects (calls,
names and attributes starting with «_», `self`), switches escaping off (`safe`, `{% autoescape %}`),
reads other templates (include, import, extends) or makes work without bound (`*`, `**`,
recursive loops). The linter reports what lies outside, with its paragraph; `engine.load`
refuses such a template, so one that skipped the linter never renders either.
"""

from __future__ import annotations

from jinja2 import nodes

_ALLOWED_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Getattr,
    nodes.Getitem, nodes.Slice, nodes.If, nodes.For, nodes.Assign, nodes.AssignBlock,
    nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare, nodes.Operand, nodes.Concat,
    nodes.Add, nodes.Sub, nodes.Neg, nodes.Pos, nodes.List, nodes.Tuple, nodes.Dict,
    nodes.Pair, nodes.Keyword, nodes.Filter, nodes.Test,
)  # fmt: skip
ALLOWED_FILTERS = frozenset(
    {"length", "count", "first", "last", "join", "default", "d", "upper", "lower", "title",
     "capitalize", "trim", "e", "escape", "string", "int", "abs", "round"}
)  # fmt: skip
ALLOWED_TESTS = frozenset(
    {"defined", "undefined", "none", "number", "string", "sequence", "mapping", "even", "odd",
     "divisibleby", "eq", "equalto", "ne", "lt", "le", "gt", "ge", "in", "true", "false"}
)  # fmt: skip
_STATEMENTS = {
    nodes.Call: "a call «(…)»",
    nodes.Mul: "«*»",
    nodes.Pow: "«**»",
    nodes.Div: "«/»",
    nodes.FloorDiv: "«//»",
    nodes.Mod: "«%»",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.FilterBlock: "{% filter %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Extends: "{% extends %}",
    nodes.Block: "{% block %}",
    nodes.With: "{% with %}",
    nodes.ScopedEvalContextModifier: "{% autoescape %}",
    nodes.EvalContextModifier: "{% autoescape %}",
}


def outside_the_subset(ast: nodes.Template) -> list[tuple[nodes.Node, str]]:
    """(node, what it is) for every node of `ast` outside the subset, in template order."""
    found = []
    for node in ast.find_all(nodes.Node):
        if isinstance(node, nodes.Name) and (node.name.startswith("_") or node.name == "self"):
            found.append((node, f"the name «{node.name}»"))
        elif isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            found.append((node, f"the attribute «{node.attr}»"))
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            found.append((node, f"the item «{node.arg.value}»"))
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            found.append((node, f"the filter «{node.name}»"))
        elif isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            found.append((node, f"the test «{node.name}»"))
        elif isinstance(node, nodes.For) and node.recursive:
            found.append((node, "a recursive loop"))
        elif not isinstance(node, _ALLOWED_NODES):
            what = next((w for t, w in _STATEMENTS.items() if isinstance(node, t)), None)
            found.append((node, what or f"«{type(node).__name__}»"))
    found.sort(key=lambda item: item[0].lineno or 0)
    return found
