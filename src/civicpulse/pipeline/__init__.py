"""The pipeline: source -> pseudonymiser -> analysers -> detectors -> store and sinks."""
