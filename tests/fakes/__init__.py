"""Loopback fakes of networks that have no local reference server, built from their published API specs."""
