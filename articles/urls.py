from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<slug:slug>/", views.ArticleDetailView.as_view(), name="article"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("experts/<slug:slug>/", views.ExpertDetailView.as_view(), name="expert"),
]
