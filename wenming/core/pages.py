"""How pages answer a change a service refused: 403 for a role (raised), 409 with the reason for
a state that does not allow it, and otherwise the reason as a message on the page it came from.
Services are atomic, so nothing was written in any of these cases."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from wenming.core.errors import Conflict, DomainError
from wenming.core.uploads import UploadRejected

REFUSALS = (ValidationError, DomainError, PermissionDenied, UploadRejected)


def form_errors(form):
    return "；".join(e for errors in form.errors.values() for e in errors)


def refusal_on_form(form, exc, field=None):
    """Put a service's refusal on the form it came from, every typed value kept: a
    ValidationError by field at its fields (unknown ones at the top), anything else at `field`
    or the top. A role refusal stays a 403 (raised). Returns the status to answer with."""
    if isinstance(exc, PermissionDenied):
        raise exc
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(field, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return 409 if isinstance(exc, Conflict) else getattr(exc, "status", 400)


def refused(request, exc, back):
    if isinstance(exc, PermissionDenied):
        raise exc
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if isinstance(exc, Conflict):
        return render(request, "core/refused.html", {"message": text, "back": back}, status=409)
    messages.error(request, text)
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
