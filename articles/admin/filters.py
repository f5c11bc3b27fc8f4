"""The article list's own filters: whose story it is, and where it stands."""

from django.contrib import admin


class MineFilter(admin.SimpleListFilter):
    title = "whose"
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", "Mine (my byline)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.written_by(request.user)
        return queryset


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("embargoed", "Embargoed"),
            ("scheduled", "Scheduled"),
            ("review", "In review"),
            ("draft", "Draft"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "live":
                return queryset.published()
            case "embargoed":
                return queryset.embargoed()
            case "scheduled":
                return queryset.scheduled()
            case "review":
                return queryset.in_review()
            case "draft":
                return queryset.drafts()
        return queryset
