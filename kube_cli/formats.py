"""The output formats a command's ``--format`` offers: their own module, so that a command's options
(``cmd_options``) and ``kube --help`` are built without importing the output code."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
