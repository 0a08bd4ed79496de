"""Mentra platform API service: the council system of record."""
