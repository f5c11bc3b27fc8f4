"""Publishing: who may do what to a story (``roles``), what it needs before it
goes live (``checklist``) and unpublished stories shown by link (``preview``)."""
