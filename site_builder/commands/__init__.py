"""The commands on top of the build: check, serve, deploy, new.

May import anything below them; nothing below imports a command.
"""
