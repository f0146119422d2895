"""The offline dependency audit: lockfile parsers, an OSV database, range matching, CVSS scores.

Plain inputs in, plain results out: the lockfile parsers take a path and its
text and return the locked packages with the line of each entry
(``lockfiles.parse_lockfile``); ``database.load_database`` reads OSV records
from a directory of JSON files and per-ecosystem ``all.zip`` exports and
indexes them by (ecosystem, package name); ``matching.audit`` returns the
advisories that affect each package with its severity (``severity``). Nothing
here reads the policy, runs a process or touches the network except
``fetch`` (used only by ``aces vulndb update``).
"""
