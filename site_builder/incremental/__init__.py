"""The incremental layer: the one store, what each stage's results are kept as, the stamps.

Sits on top of the stages and may import them; no stage imports it (the build injects it).
Never build, cli, progress or commands: those sit on top of it.
"""
