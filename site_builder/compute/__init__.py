"""Compute: facts and their derivations and checks, chart points, specs and drawings, page plans.

May import: the base modules and content. Never render, output, swap, incremental or commands.
"""
