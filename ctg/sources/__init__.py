"""Load: read the Markdown and YAML sources, validate them against their schemas, the registry and official data."""
