"""The Dask worker plugin that installs a run's context (imported only when Dask is used)."""

from __future__ import annotations

import asyncio
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .shard import WorkerContext, ensure_pipelines, install, uninstall


class ContextPlugin(WorkerPlugin):
    """Installs a run's context on every worker, present and future, and builds its pipelines
    once (on a thread, so the worker keeps answering its scheduler meanwhile)."""

    idempotent = True  # registering the same run twice changes nothing

    def __init__(self, context: WorkerContext) -> None:
        self.context = context
        self.name = f"cmcc-corpus-{context.key}"

    async def setup(self, worker: Any) -> None:
        """Called by Dask on each worker."""
        install(self.context)
        await asyncio.get_running_loop().run_in_executor(None, ensure_pipelines, self.context)

    def teardown(self, worker: Any) -> None:
        """Called by Dask when the plugin is removed or the worker closes."""
        uninstall(self.context.key)
