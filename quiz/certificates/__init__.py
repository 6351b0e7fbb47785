"""Completion certificates: issuing, PDF rendering, public verification."""
