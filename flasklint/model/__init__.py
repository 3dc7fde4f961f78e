"""What a Flask project is, extracted statically: per-file facts and the project index."""
