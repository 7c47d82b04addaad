"""One text reader for every dataset loader: UTF-8 with or without a BOM, any line ending,
and JSON errors that name the file and the line."""

from agent.data._text import read_json, read_json_lines, read_text

__all__ = ["read_json", "read_json_lines", "read_text"]
