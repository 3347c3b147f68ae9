"""dirproof.pg: a PostgreSQL harness that writes dirproof event logs
(docs/conformance.md). Needs PostgreSQL's server binaries and the psycopg
driver (`pip install -e '.[pg]'`); nothing else in dirproof imports it."""
