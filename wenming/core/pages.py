"""How pages answer a change a service refused: 403 for a role (raised), 409 with the reason for
a state that does not allow it, and otherwise the reason as a message on the page it came from.
Services are atomic, so nothing was written in any of these cases."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from wenming.core.errors import Conflict
from wenming.core.uploads import UploadRejected

REFUSALS = (ValidationError, Conflict, PermissionDenied, UploadRejected)


def form_errors(form):
    return "；".join(e for errors in form.errors.values() for e in errors)


def refused(request, exc, back):
    if isinstance(exc, PermissionDenied):
        raise exc
    text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    if isinstance(exc, Conflict):
        return render(request, "core/refused.html", {"message": text, "back": back}, status=409)
    messages.error(request, text)
    return redirect(back)


def post_action(request, form, back, act, done, invalid=None):
    """Validate the form, call act(cleaned_data), and come back to `back` with `done` (or the
    refusal). `invalid` replaces the form's own messages when they would not help."""
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
        return redirect(back)
    try:
        result = act(form.cleaned_data)
    except REFUSALS as exc:
        return refused(request, exc, back)
    messages.success(request, done(result) if callable(done) else done)
    return redirect(back)
