from django.urls import path

from api import embed_views

urlpatterns = [
    path("complaint/", embed_views.embed_complaint, name="embed-complaint"),
]
