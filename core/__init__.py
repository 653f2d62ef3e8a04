"""The floor every package stands on: configuration, database, errors, clock, metrics, HTTP shared pieces."""
