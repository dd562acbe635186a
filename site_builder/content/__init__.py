"""Loading and validation: files -> documents with line numbers -> model objects.

May import: the top-level base modules (the models, errors, settings and the small helpers: the README's
list). Never compute, render, output, swap, incremental or commands.
"""
