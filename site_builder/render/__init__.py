"""Render: the Jinja environment, briefing bodies, every output file in memory (feeds, search).

May import: the base modules, content and compute. Never output, swap, incremental or commands
(the build writes what render makes in memory).
"""
