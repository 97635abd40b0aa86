"""Tests written to kill mutants that survived the mutation run (docs/testing.md)."""

from __future__ import annotations
