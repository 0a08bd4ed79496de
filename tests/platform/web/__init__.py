"""Browser tests of the mentor and mentee web pages (a package, so its conftest never
shadows ``tests/platform/conftest.py`` as the module ``conftest``)."""
