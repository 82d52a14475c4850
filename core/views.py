import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core import jobs

# get_object_or_404's message, which names a model class in English
_DJANGO_404 = re.compile(r"No .* matches the given query\.$")


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: answers without touching the database (the baseline of bench/ scripts)."""
    return HttpResponse("ok", content_type="text/plain")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 404 page, with the reason when it is one of ours (a translated `Http404(_(...))`), not
    Django's own English ("No Project matches the given query.", the URL resolver's details)."""
    return render(request, "404.html", {"request_path": request.path, "reason": _our_reason(exception)}, status=404)


def _our_reason(exception: Exception) -> str:
    message = exception.args[0] if isinstance(exception, Http404) and exception.args else None
    if not isinstance(message, str) or _DJANGO_404.match(message):
        return ""
    return message


def confirm_first(request: HttpRequest, *, title: str, consequence: str, confirm_label: str,
                  cancel_url: str) -> HttpResponse | None:
    """An irreversible action is asked once more before it is done, without JavaScript: the first POST answers a
    page that says what will happen, and re-posts the same fields with `confirmed=1`, or goes back by the cancel
    link, having done nothing. None when the POST is the confirmed one."""
    if request.POST.get("confirmed") == "1":
        return None
    fields = [(name, value) for name, values in request.POST.lists() if name not in ("csrfmiddlewaretoken", "confirmed")
              for value in values]
    return render(request, "confirm.html", {"title": title, "consequence": consequence,
                                            "confirm_label": confirm_label, "cancel_url": cancel_url,
                                            "fields": fields})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress of a background job; the page reloads itself until the job has finished."""
    job = jobs.job_for(request.user, pk)
    return render(request, "core/job.html", {"job": job, "url": (job.result or {}).get("url", "")
                                              if isinstance(job.result, dict) else ""})
