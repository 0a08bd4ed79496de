"""Mentra Council Coordinator desktop side: engine, schema, client, views, export."""
