"""mkdocs hooks (referenced by mkdocs.yml): delegate to ctg.site.plugin.

mkdocs loads this file by path, so the repository root is put on sys.path
first; the plugin module is then shared with build.py's own import.
"""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from ctg.site.plugin import (  # noqa: E402
    on_build_error,
    on_config,
    on_env,
    on_files,
    on_nav,
    on_page_content,
    on_page_context,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_startup,
)

__all__ = ["on_build_error", "on_config", "on_env", "on_files", "on_nav", "on_page_content", "on_page_context", "on_page_markdown",
           "on_post_build", "on_post_page", "on_startup"]
