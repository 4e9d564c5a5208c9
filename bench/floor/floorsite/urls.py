"""The floor's two pages: the form (GET and POST) and the page it redirects to."""

import datetime as dt

from django import forms
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from floorsite.models import Complaint, Event, Promise


class ComplaintForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    description = forms.CharField(widget=forms.Textarea)


def new(request):
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            complaint = Complaint.objects.create(**form.cleaned_data)
            Event.objects.create(complaint=complaint, action="submit")
            Promise.objects.create(
                complaint=complaint,
                kind="acknowledgement",
                limit=timezone.now() + dt.timedelta(hours=48),
            )
        request.session["submitted"] = complaint.pk
        return redirect("thanks")
    return render(request, "form.html", {"form": form})


def thanks(request):
    return HttpResponse(f"Received: {request.session.get('submitted')}")


urlpatterns = [
    path("new/", new, name="new"),
    path("thanks/", thanks, name="thanks"),
]
