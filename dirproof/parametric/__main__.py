"""`python -m dirproof.parametric`: the same command as `dirproof prove-any`."""

from dirproof.commands.parametric import main

main()
