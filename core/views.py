from django.http import HttpRequest, HttpResponse


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: answers without touching the database (the baseline of bench/ scripts)."""
    return HttpResponse("ok", content_type="text/plain")
