"""The secret scanner engine: rules as data, hyperscan prefilter, ``re`` confirmation.

Plain inputs, plain results: ``load_builtin()`` gives the rule set,
``Matcher(ruleset).find(buffer)`` the confirmed matches of a buffer, and
``scan_file`` / ``scan_paths`` stream files of any size. Secret values never
leave the engine except as a SHA-256 ``key`` and a redacted ``preview``.
"""
