"""`python -m dirproof.bfs ...` is `dirproof bfs ...`."""

import sys

from dirproof.cli import app

if __name__ == "__main__":
    app(["bfs", *sys.argv[1:]], prog_name="dirproof bfs")
