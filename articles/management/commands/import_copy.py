from articles.interchange.commands import ImportCommand


class Command(ImportCommand):
    help = (
        "Import contributors' plain-text copy: headline, dateline and byline, then the "
        "body. Each file is one story, saved as a draft unless --status says otherwise."
    )
    file_format = "copy"
    section_required = True
