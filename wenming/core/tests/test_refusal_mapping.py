"""One refusal mapping: services refuse without an HTTP status; pages answer through core.pages,
the API through its one handler, both reading core.refusals. Checked over the source, so a new
view that maps a refusal itself fails here."""

import ast
import importlib
import inspect
import pathlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import wenming
from wenming.core import refusals
from wenming.core.errors import Conflict, DomainError

ROOT = pathlib.Path(wenming.__file__).parent
# The helpers a view answers a refusal through (core.pages and core.refusals).
HELPERS = {"refused", "refusal", "refusal_on_form", "refusal_message", "act", "post_action", "page_status",
           "api_status", "api_code"}


def view_modules():
    """Every module that answers requests: views, pages of a resource, API routers, the phone step."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        name = path.stem
        if name.endswith("views") or name in ("api", "public", "queue", "phone_step") or "views" in parts[:-1]:
            yield path


def _caught(module, handler):
    """The exception classes an except clause names, resolved in the module's namespace."""
    if handler.type is None:
        return []
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    found = []
    for node in names:
        try:
            value = eval(compile(ast.Expression(node), "<except>", "eval"), vars(module))  # our own source
        except NameError:  # imported inside the function: known by its name
            value = tuple(c for c in _domain_errors() if c.__name__ == getattr(node, "id", None))
        found.extend(value if isinstance(value, tuple) else [value])
    return found


def _domain_errors(cls=DomainError):
    yield cls
    for sub in cls.__subclasses__():
        yield from _domain_errors(sub)


def _calls(node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            yield func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def offenders():
    for path in view_modules():
        dotted = ".".join(("wenming", *path.relative_to(ROOT).with_suffix("").parts))
        module = importlib.import_module(dotted)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ExceptHandler):
                refusals_caught = [c for c in _caught(module, node) if isinstance(c, type) and issubclass(c, DomainError)]
                mapped = any(call in HELPERS for stmt in node.body for call in _calls(stmt))
                reraised = all(isinstance(stmt, ast.Raise) for stmt in node.body)
                if refusals_caught and not (mapped or reraised):
                    yield f"{dotted}:{node.lineno} catches {[c.__name__ for c in refusals_caught]} without core.pages"
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance"
                    and any(getattr(arg, "id", getattr(arg, "attr", "")) == "Conflict" for arg in ast.walk(node.args[1]))):
                yield f"{dotted}:{node.lineno} decides a status by isinstance(…, Conflict)"


def test_no_view_maps_a_refusal_itself():
    assert list(view_modules())  # the scan sees the views
    assert list(offenders()) == []


def test_the_mapping_is_written_once():
    sources = {path: path.read_text(encoding="utf-8") for path in ROOT.rglob("*.py") if "tests" not in path.parts}
    assert [p.name for p, text in sources.items() if "ANSWERS: dict[str, Answer]" in text] == ["refusals.py"]
    assert not any("STATUS_OF_REFUSAL" in text for text in sources.values())
    # Domain errors carry a code, never a status.
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and any(getattr(b, "id", getattr(b, "attr", "")) in (
                    "DomainError", "Conflict", "VoteRefused", "PhoneError", "UploadRejected") for b in node.bases):
                assert "self.status" not in ast.get_source_segment(text, node), (path, node.name)


@pytest.mark.parametrize("refusal, page, api", [
    (PermissionDenied("x"), 403, None),
    (ValidationError("x"), 400, None),
    (Conflict("x"), 409, 409),
    (DomainError("x"), 400, 409),
    (DomainError("x", "window_closed"), 409, 403),
    (DomainError("x", "quota_used"), 429, 429),
    (DomainError("x", "too_large"), 413, 413),
])
def test_it_answers_each_kind_of_refusal(refusal, page, api):
    assert refusals.page_status(refusal) == page
    if api is not None:
        assert refusals.api_status(refusal) == api


def test_pages_and_the_api_read_the_same_module():
    from wenming.api import api
    from wenming.core import pages

    assert pages.REFUSALS is refusals.REFUSALS
    assert "refusals.api_status" in inspect.getsource(api.on_domain_error)
