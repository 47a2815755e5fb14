from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from portal import api, api_views, health, views

handler404 = views.page_not_found

router = DefaultRouter(trailing_slash=True)
router.register("organizations", api_views.OrganizationViewSet, basename="organization")

api_v1 = [
    path("me/", api.me, name="api_me"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include(router.urls)),
    path("", include("datasets.api_urls")),
    path("", include("challenges.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("", include("datasets.interop_urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views.api_key_create, name="api_key_create"),
    path(
        "profile/api-keys/<str:digest_prefix>/revoke/", views.api_key_revoke, name="api_key_revoke"
    ),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create_view, name="organization_create"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<slug:slug>/members/",
        views.organization_members,
        name="organization_members",
    ),
    path(
        "organizations/<slug:slug>/members/<int:user_id>/remove/",
        views.organization_member_remove,
        name="organization_member_remove",
    ),
    path("", include("datasets.urls")),
    path("", include("challenges.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

# Only organization logos are served straight from media storage; every other file goes
# through a view that checks who may see it.
urlpatterns += [
    path("media/logos/<path:name>", views.logo, name="logo"),
]
