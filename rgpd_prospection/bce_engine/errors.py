"""Errors raised on bad BCE input."""


class BceFormatError(ValueError):
    """An extract that does not follow the BCE open-data format.

    ``file``, ``line`` (1-based, the header is line 1) and ``column`` locate the
    fault so that an import history can show exactly what to look at.
    """

    def __init__(self, message, file=None, line=None, column=None):
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self):
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message
