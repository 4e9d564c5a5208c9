"""Demo data for `make run` and the tests: it drives every app's services, so it sits on top."""
