from django.conf import settings


def wenming(request):
    return {"DEMO_MODE": settings.DEMO_MODE}
