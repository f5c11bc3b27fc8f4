class ImportProblem(Exception):
    """Why a file cannot be imported, pointing at the line or field at fault.

    The message is written for the person who sent or uploads the file.
    """

    def __init__(self, message, *, line=None, field=None):
        self.message = message
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self):
        if self.line is not None:
            return f"line {self.line}: {self.message}"
        if self.field is not None:
            return f"field {self.field}: {self.message}"
        return self.message
