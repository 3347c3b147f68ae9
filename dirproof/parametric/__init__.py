"""The parametric form of the replication protocol of one partition (issue 16):
proofs for any number of replicas, regions, sessions, log entries and epochs,
in EPR (docs/parametric.md)."""
