"""The doctrine: the clauses of the ACES spec, their IDs and the traceability matrix."""
