"""Native capabilities of ACES, usable as libraries: plain inputs in, plain results out."""
