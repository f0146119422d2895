"""The ArqonBus ruleset: one small module per rule, each a pure function of schema indexes."""
