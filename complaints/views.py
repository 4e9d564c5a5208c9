from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from complaints.models import Complaint, ComplaintPolicy


def home(request: HttpRequest) -> HttpResponse:
    policy = ComplaintPolicy.objects.filter(is_default=True).first()
    return render(request, "complaints/home.html", {"policy": policy})


def policy(request: HttpRequest) -> HttpResponse:
    policy = get_object_or_404(ComplaintPolicy.objects.prefetch_related("targets"), is_default=True)
    return render(request, "complaints/policy.html", {"policy": policy})


def track_case(request: HttpRequest, token: str) -> HttpResponse:
    complaint = get_object_or_404(Complaint, tracking_token=token)
    return render(request, "complaints/track_case.html", {"complaint": complaint})
