"""`python -m fourp` works as the `fourp` command does."""
from .cli import main

main(prog_name="fourp")
