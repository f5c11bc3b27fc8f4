"""Pictures: uploads accepted by what they contain (``uploads``) and the
renditions readers get instead of the original (``renditions``)."""
