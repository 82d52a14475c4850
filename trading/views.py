from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "trading/home.html", {})


class LoginView(auth_views.LoginView):
    # one answer for an unknown name and a wrong password: the form's generic error, same status, same page
    template_name = "registration/login.html"
    redirect_authenticated_user = True
