"""The commands on top of the build: build (once, unless the last build is current), check, serve, deploy, new.

May import anything below them; nothing below imports a command.
"""
