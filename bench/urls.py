from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("Hello, world")


@login_required
def signed_in(request):
    """The floor under any signed-in page: the session read and the user loaded, nothing else."""
    return HttpResponse(f"Hello, {request.user.pk}")


urlpatterns = [path("bench/hello/", hello), path("bench/signed-in/", signed_in), path("", include("wenming.urls"))]
