"""Moving stories in and out of Newsroom: contributors' plain-text copy and IPTC ninjs.

``copy`` and ``ninjs`` turn bytes into a :class:`~articles.interchange.store.Story`
(or an article into ninjs); ``store`` writes a story into the database;
``files`` runs one uploaded or named file through both, for the management
commands and the admin's upload form alike.
"""
