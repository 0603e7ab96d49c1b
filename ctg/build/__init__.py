"""Build: load → check → assemble for a run, then the outputs through the content-hash cache and parallel workers."""
