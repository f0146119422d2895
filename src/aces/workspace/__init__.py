"""The repository under check: its files, languages and the Change."""
