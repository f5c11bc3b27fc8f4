"""Publishing: who may do what to a story (``roles``), what it needs before it
goes live (``checklist``), how it moves between draft, review and published
(``transitions``) and unpublished stories shown by link (``preview``)."""
