"""What every stage shares: diagnostics, progress, paths, pandoc and its AST, French typography, the assembled-document model."""
