from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/complaints/", views.ComplaintsView.as_view(), name="api-complaints"),
    path("v1/complaints/<str:reference>/", views.ComplaintView.as_view(), name="api-complaint"),
    path(
        "v1/complaints/<str:reference>/messages/",
        views.ComplaintMessagesView.as_view(),
        name="api-complaint-messages",
    ),
    path("v1/categories/", views.CategoriesView.as_view(), name="api-categories"),
    path("v1/embeds/", views.EmbedsView.as_view(), name="api-embeds"),
]
