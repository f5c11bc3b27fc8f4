"""The quick form's form: one box for an entry's text, the rest folded away.

Every rule is checked before anything is written: the coverage is open, the
entry's author is one of the story's bylines (and a reporter posts as
themselves), the text is not empty once cleaned, a picture passed the upload
checks (``SafeImageField``) and says what it shows, a quote names its expert.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone

from ..models import Author, Expert, LiveEntry
from ..models.live import entry_html, typed_text
from ..publishing import roles as workflow


class LiveEntryForm(forms.ModelForm):
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "autofocus": True,
                "placeholder": "What happened? Ctrl+Enter (⌘+Enter) posts.",
                "enterkeyhint": "send",
            }
        ),
        help_text="A blank line starts a new paragraph. Links and <strong>bold</strong> "
        "or <em>italic</em> words are kept.",
        required=False,  # an empty box gets the message below, not Django's
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = LiveEntry
        fields = [
            "text",
            "author",
            "headline",
            "is_key_event",
            "is_pinned",
            "picture",
            "picture_alt",
            "picture_caption",
            "expert",
            "quote_text",
        ]

    def __init__(self, *args, coverage, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.coverage, self.user = coverage, user
        article = coverage.article
        bylined = Author.objects.filter(bylines__article=article).order_by(
            "bylines__position", "bylines__pk"
        )
        author = self.fields["author"]
        author.queryset = bylined if workflow.is_editor(user) else bylined.filter(user=user)
        author.empty_label = None
        author.error_messages["invalid_choice"] = (
            "That person has no byline on this story: only its bylines post entries."
        )
        self.own_author = bylined.filter(user=user).first()
        if not workflow.is_editor(user):
            author.required = False  # a reporter posts as themselves, whatever is sent
        if self.own_author is not None and not self.instance.pk:
            self.initial.setdefault("author", self.own_author.pk)
        if not workflow.can_run_live_coverage(user):
            del self.fields["is_pinned"]
        self.fields["expert"].queryset = Expert.objects.order_by("name")
        self.fields["expert"].label = "Expert quoted"
        if self.instance.pk:
            self.initial["text"] = typed_text(self.instance.text)
            self.initial["version"] = self.instance.version

    def _get_validation_exclusions(self):
        # One pinned entry a story: pinning this one unpins the other on save,
        # so the constraint is not a reason to refuse the form.
        return {*super()._get_validation_exclusions(), "is_pinned"}

    def clean_author(self):
        author = self.cleaned_data.get("author")
        if author is None and not self.fields["author"].required:
            # A reporter's entry is theirs; one they edit keeps its author.
            return self.instance.author if self.instance.pk else self.own_author
        return author

    def clean_text(self):
        html = entry_html(self.cleaned_data.get("text"))
        if not html:
            raise ValidationError("Write the update before posting it.", code="empty")
        return html

    def clean(self):
        cleaned = super().clean()
        if not self.coverage.is_open:
            ended = formats.date_format(timezone.localtime(self.coverage.ended_at), "H:i, j F")
            raise ValidationError(
                f"This live coverage ended at {ended}: no entries can be added or changed. "
                "An editor can reopen it on the story's page in the admin.",
                code="closed",
            )
        picture = cleaned.get("picture")
        if picture and not cleaned.get("picture_alt"):
            self.add_error(
                "picture_alt", "Say what the picture shows, for readers who cannot see it."
            )
        expert, quote = cleaned.get("expert"), cleaned.get("quote_text")
        if expert and not quote:
            self.add_error("quote_text", "Type what the expert said, or leave the expert empty.")
        if quote and not expert:
            self.add_error("expert", "Choose who said it.")
        return cleaned

    def save(self, commit=True):
        entry = super().save(commit=False)
        entry.article = self.coverage.article
        if entry.pk is None:
            entry.created_by = self.user
            entry.posted_at = timezone.now()
        elif self.has_changed():
            entry.edited_at = timezone.now()
        if self.cleaned_data.get("version") is not None:
            entry.version = self.cleaned_data["version"]
        if commit:
            if entry.is_pinned:
                # One pinned entry a story (a constraint): pinning this unpins the other.
                LiveEntry.objects.filter(article=entry.article, is_pinned=True).exclude(
                    pk=entry.pk
                ).update(is_pinned=False)
            entry.save()
        return entry
