"""`genie bench`: load, latency and fault benchmarks of the real HTTP service and the engine."""
