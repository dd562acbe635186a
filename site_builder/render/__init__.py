"""Render: the Jinja environment, briefing bodies, every output file in memory (feeds, search).

May import: the base modules, content and compute. Never incremental or commands.
"""
