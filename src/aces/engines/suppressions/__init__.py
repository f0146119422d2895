"""No manual exceptions: inline suppressions found in code, and the governed allowlist.

``scanner`` finds the comments and attributes that switch a linter, a
formatter, a type checker, coverage or ACES itself off; ``allowlist`` decides
which of them the policy's ``[[allowlist]]`` names, and which entries expired.
"""
