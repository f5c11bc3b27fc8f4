from articles.interchange.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import IPTC ninjs 2.x files, one story each. A story imported before (same ninjs "
        "uri) is updated while still unpublished here, and otherwise left alone."
    )
    file_format = "ninjs"
