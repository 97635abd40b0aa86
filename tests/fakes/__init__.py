"""Local HTTP servers standing in for the platforms' servers (the only stand-ins tests use)."""
