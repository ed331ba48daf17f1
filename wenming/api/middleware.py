import json

from django.http import JsonResponse

from wenming.core.apiutils import error_body


class ApiErrorShapeMiddleware:
    """Gives the API's 404 (unknown path) and 405 (wrong method) the API's error shape;
    those answers come from Django's resolver and ninja's method dispatch, not our handlers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            try:
                if "error" in json.loads(response.content):
                    return response
            except ValueError:
                pass
        shaped = JsonResponse(error_body(response.status_code), status=response.status_code,
                              json_dumps_params={"ensure_ascii": False})
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
