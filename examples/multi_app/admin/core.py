"""The back office's Flask subclass: flasklint knows its instances are apps."""

from flask import Flask


class AdminFlask(Flask):
    """Flask with the back office's defaults."""

    def __init__(self, import_name: str) -> None:
        super().__init__(import_name)
        self.config["TEMPLATES_AUTO_RELOAD"] = True
