"""Test helpers shared by the apps' test suites (fixtures for a live server, a browser...)."""
