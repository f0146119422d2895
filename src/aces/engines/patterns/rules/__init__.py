"""Package data: the forbidden-pattern rules of each language, one TOML file each."""
