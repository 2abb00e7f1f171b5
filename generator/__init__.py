"""Synthetic source systems for ripple, deterministic under --seed."""
