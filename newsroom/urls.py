from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "The desk"

urlpatterns = [
    path(settings.NEWSROOM_ADMIN_URL, admin.site.urls),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A 500 page that needs neither the database nor context processors: whatever
# broke the request may be what they would need.
handler500 = "newsroom.views.server_error"
