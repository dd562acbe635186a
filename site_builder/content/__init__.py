"""Loading and validation: files -> documents with line numbers -> model objects.

May import: the top-level base modules (errors, model, values, periods, files, time_limit,
formatting, html_tokens, settings). Never compute, render, incremental or commands.
"""
