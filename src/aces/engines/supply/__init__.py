"""Supply-chain engines (ACES section V, artifact side).

``lockfiles`` reads the dependency locks, ``sbom`` turns them into a CycloneDX
1.6 document, ``provenance`` builds in-toto / SLSA statements in DSSE envelopes,
``signing`` holds the Ed25519 keys, ``ledger`` the image tag -> digest record
and ``toolchains`` the pins of compilers, lockfiles and CI actions. Everything
here is pure: the stage 7 checks and the CLI commands do the I/O around it.
"""
