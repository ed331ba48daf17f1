"""How pages answer a change a service refused: 403 for a role (raised), 409 with the reason for
a state that does not allow it, and otherwise the reason as a message on the page it came from.
Services are atomic, so nothing was written in any of these cases."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from wenming.core.errors import Conflict
from wenming.core.refusals import REFUSALS, message, page_status

__all__ = ["REFUSALS", "act", "form_errors", "post_action", "refusal", "refusal_message", "refusal_on_form",
           "refused"]


def form_errors(form):
    return "；".join(e for errors in form.errors.values() for e in errors)


def refusal(exc: Exception, forbidden: str = "无权进行此操作") -> tuple[int, str]:
    """(status, message) of a refusal shown on the page it came from; a role refusal with no
    message of its own says `forbidden`."""
    return page_status(exc), message(exc) or (forbidden if isinstance(exc, PermissionDenied) else "")


def refusal_message(request, exc: Exception) -> int:
    """Show the refusal as an error message on the page the person comes back to, a role refusal
    too (for rules about who: another member must approve); returns its status."""
    status, text = refusal(exc)
    messages.error(request, text)
    return status


def refusal_on_form(form, exc, field=None, name_of=lambda key: key, forbidden_on_form=False):
    """Put a service's refusal on the form it came from, every typed value kept: a
    ValidationError by field at its fields (`name_of(key)` in the form; unknown ones at the
    top), anything else at `field` or the top. A role refusal stays a 403 (raised). Returns the
    status to answer with. With `forbidden_on_form` a role refusal is shown at `field` instead
    (a rule about who, such as the two-person rule), answered 403."""
    if isinstance(exc, PermissionDenied) and not forbidden_on_form:
        raise exc
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = name_of(key)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, message(exc))
    return page_status(exc)


def refused(request, exc, back):
    if isinstance(exc, PermissionDenied):
        raise exc
    if isinstance(exc, Conflict):
        return render(request, "core/refused.html", {"message": message(exc), "back": back}, status=page_status(exc))
    messages.error(request, message(exc))
    return redirect(back)


def act(request, call, done, back, then=None):
    """Call the service (`call()`); a refusal comes back to `back` (see `refused`), success goes
    to `then` (default `back`) with the message `done`, or `done(result)` when callable."""
    try:
        result = call()
    except REFUSALS as exc:
        return refused(request, exc, back)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(then or back)


def post_action(request, form, back, act_on, done, invalid=None):
    """Validate the form, then `act` with act_on(cleaned_data), coming back to `back`.
    `invalid` replaces the form's own messages when they would not help."""
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
        return redirect(back)
    return act(request, lambda: act_on(form.cleaned_data), done, back)
