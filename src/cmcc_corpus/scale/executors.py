"""Executors: run tasks in this process, in a local process pool, or on a Dask cluster.

Every executor yields results in task order with a bounded number of tasks in flight
(two per worker, plus what the caller asks for to cover its writes), so memory stays
flat however many inputs stream past and `--jobs 2` stores
exactly what `--jobs 1` does. Workers are set up once (context installed, pipelines
built); tasks carry only their inputs and the run's key.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any, Protocol, TypeVar

from .. import heap
from ..errors import CorpusError
from .shard import WorkerContext, ensure_pipelines, install, uninstall

EXECUTORS = ("serial", "processes", "dask")
IN_FLIGHT_PER_WORKER = 2  # enough to keep a worker busy between two results, little to hold
MAX_AHEAD = 32  # extra tasks in flight asked for by a caller that writes in large batches
_WATCH_SECONDS = 0.5
# Dask keeps its last `low-level-log-length` messages and stimuli (default 1000) per worker connection,
# each holding a whole task, shard paths and all: memory that grows with the run up to 1000 shards
# per worker. A short log keeps a LocalCluster's memory flat from the first few hundred shards.
DASK_LOG_LENGTH = 100
_LOG_SETTING = "distributed.admin.low-level-log-length"
# Imported once by the fork server, so each worker starts with them loaded (spaCy is the slow one).
_PRELOAD = ["cmcc_corpus.scale.shard", "cmcc_corpus.extract.run", "cmcc_corpus.extract.service"]

T = TypeVar("T")
R = TypeVar("R")


class WorkerError(CorpusError):
    """A worker died; what the run had not yet committed is not stored (re-run to finish)."""


class SchedulerError(CorpusError):
    """The Dask scheduler named by --scheduler cannot be reached (exit 2)."""

    exit_code = 2


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class Executor(Protocol):
    """Runs `fn(task, key)` for each task and yields the results in task order."""

    def map(self, fn: Callable[[T, str], R], tasks: Iterable[T]) -> Iterator[R]: ...

    def close(self, abort: bool) -> None: ...


@contextmanager
def open_executor(
    kind: str, jobs: int, context: WorkerContext, scheduler: str | None = None, ahead: int = 0
) -> Iterator[Executor]:
    """An executor for one run; on any exception (Ctrl-C included) its workers are stopped.

    `ahead`: tasks to keep in flight beyond two per worker, so that workers go on while this
    process is busy with something long between results (writing a batch of them); at most
    MAX_AHEAD, since their results are held here.
    """
    ahead = max(0, min(ahead, MAX_AHEAD))
    install(context)  # local tasks (stdin, single shards) run here
    try:
        executor: Executor
        if kind == "dask":
            executor = DaskExecutor(jobs, context, scheduler, ahead)
        elif kind == "processes" and jobs > 1:
            executor = PoolExecutor(jobs, context, ahead)
        else:
            executor = SerialExecutor(context)
        try:
            yield executor
        except BaseException:
            executor.close(abort=True)
            raise
        executor.close(abort=False)
    finally:
        uninstall(context.key)


def _ordered(submit: Callable[[T], Any], tasks: Iterable[T], window: int, failed: type[BaseException]) -> Iterator[Any]:
    """Submit tasks keeping at most `window` in flight; results in submission order."""
    pending: deque[Any] = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= window:
            yield _result(pending.popleft(), failed)
    while pending:
        yield _result(pending.popleft(), failed)


def _result(future: Any, failed: type[BaseException]) -> Any:
    try:
        return future.result()
    except failed as exc:
        raise WorkerError(
            f"a worker stopped ({type(exc).__name__}: killed, or out of memory?); articles after the last "
            "committed batch were not stored: re-run to finish (stored ones are skipped), perhaps with fewer --jobs"
        ) from None


def _local(fn: Callable[[T, str], R], task: T, key: str) -> Future[R]:
    """Run a task here, as a finished future (stdin can only be read by this process)."""
    future: Future[R] = Future()
    try:
        future.set_result(fn(task, key))
    except Exception as exc:  # re-raised in order, when its result is taken
        future.set_exception(exc)
    return future


class SerialExecutor:
    """Every task in this process, one after another."""

    def __init__(self, context: WorkerContext) -> None:
        self.key = context.key

    def map(self, fn: Callable[[T, str], R], tasks: Iterable[T]) -> Iterator[R]:
        """Results in task order."""
        for task in tasks:
            yield fn(task, self.key)

    def close(self, abort: bool) -> None:
        """Nothing to stop."""


class PoolExecutor:
    """A local pool of worker processes, started only when there is more than one task."""

    def __init__(self, jobs: int, context: WorkerContext, ahead: int = 0) -> None:
        self.jobs = jobs
        self.context = context
        self.window = IN_FLIGHT_PER_WORKER * jobs + ahead
        self.pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T, str], R], tasks: Iterable[T]) -> Iterator[R]:
        """Results in task order; a single task runs here (starting workers would cost more)."""
        it = iter(tasks)
        head = list(islice(it, 2))
        if len(head) < 2:
            yield from (fn(task, self.context.key) for task in head)
            return
        pool = self._start()

        def submit(task: T) -> Future[R]:
            if getattr(task, "local", False):
                return _local(fn, task, self.context.key)
            with _ctrl_c_after():  # submit may be starting a worker: never cut that in half
                return pool.submit(fn, task, self.context.key)

        yield from _ordered(submit, chain(head, it), self.window, BrokenProcessPool)

    def _start(self) -> ProcessPoolExecutor:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                self.jobs,
                mp_context=start_fork_server(),
                initializer=init_pool_worker,
                initargs=(self.context, os.getpid()),
            )
        return self.pool

    def close(self, abort: bool) -> None:
        """Stop the workers: at once when aborting (Ctrl-C, an error), else after their last task."""
        if self.pool is None:
            return
        if abort:
            # Python 3.11 has no public way to stop busy workers (3.14 adds terminate_workers).
            for process in list(getattr(self.pool, "_processes", {}).values()):
                process.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.pool = None


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold a Ctrl-C back until the block is done, then raise it.

    A worker that is being started reads its set-up from the parent; cut off by Ctrl-C, it
    would print an unpickling traceback on the user's terminal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def start_fork_server() -> multiprocessing.context.BaseContext:
    """The context worker processes start from: a fork server that has imported spaCy and our
    modules, started now if it is not running (starting it before this process loads spaCy
    itself lets the two imports overlap)."""
    # A fork server, not fork: the parent may run threads (progress bar, Dask), and a child
    # forked from a threaded process can deadlock; spawn is the fallback.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
        _start_forkserver_deaf_to_ctrl_c()
    return ctx


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Start the fork server with SIGINT blocked (a blocked mask survives fork and exec): Ctrl-C
    while it imports spaCy would otherwise print its KeyboardInterrupt traceback. In the parent
    a Ctrl-C meanwhile stays pending and is raised once the server is up (ignoring SIGINT
    instead, as this once did, lost it: the ingest ran on to the end)."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be changed there; the server then starts on first use
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def init_pool_worker(context: WorkerContext, parent: int) -> None:
    """Set up a pool worker once: Ctrl-C is the parent's, orphans exit, pipelines are built."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us and rolls its batch back
    if os.name == "posix":  # elsewhere os.kill(pid, 0) is not a harmless probe
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    heap.own()
    install(context)
    ensure_pipelines(context)


def _exit_with(parent: int) -> None:
    """A worker whose parent was killed (kill -9 cannot be caught) must not run on forever.

    The parent is watched by pid: a fork server's workers are not its children, and
    they hold the fork server's own liveness pipe open, so nothing else would tell them.
    """
    while _alive(parent):
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: the signal check above has to do
    return state not in (b"Z", b"X")  # a zombie is dead, just not yet reaped


def _log_length(configured: int | None) -> int | None:
    """The low-level log length for the cluster we start and our client: at most DASK_LOG_LENGTH
    (a user's shorter setting, or None for unbounded, is theirs to keep)."""
    return configured if configured is None or configured <= DASK_LOG_LENGTH else DASK_LOG_LENGTH


class DaskExecutor:
    """Tasks on a Dask cluster: the one at `scheduler`, or a LocalCluster of `jobs` workers."""

    def __init__(self, jobs: int, context: WorkerContext, scheduler: str | None, ahead: int = 0) -> None:
        import dask
        from distributed import Client, LocalCluster

        self.context = context
        self.cluster: Any = None
        self.client: Any = None
        try:
            with dask.config.set({_LOG_SETTING: _log_length(dask.config.get(_LOG_SETTING))}):
                if scheduler:
                    self.client = Client(scheduler, timeout="10s")
                else:
                    self.cluster = LocalCluster(
                        n_workers=jobs,
                        threads_per_worker=1,
                        processes=True,
                        host="127.0.0.1",
                        dashboard_address="127.0.0.1:0",  # any free port, loopback only
                        silence_logs=logging.ERROR,
                    )
                    self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(
                f"cannot reach the Dask scheduler at {scheduler or 'a local cluster'} ({exc}); "
                "is `dask scheduler` running there, and the address tcp://HOST:8786?"
            ) from None
        from .dask_plugin import ContextPlugin

        self.plugin = ContextPlugin(context)
        try:
            self.client.register_plugin(self.plugin)  # every worker installs the run, builds pipelines
            self.window = IN_FLIGHT_PER_WORKER * (sum(self.client.nthreads().values()) or 1) + ahead
        except BaseException:
            self.close(abort=True)
            raise

    def map(self, fn: Callable[[T, str], R], tasks: Iterable[T]) -> Iterator[R]:
        """Results in task order; task keys are deterministic, so a retry replaces its attempt."""
        from distributed import KilledWorker

        key = self.context.key

        def submit(task: T) -> Any:
            if getattr(task, "local", False):
                return _local(fn, task, key)
            name = f"cmcc-{fn.__name__}-{key}-{getattr(task, 'index', id(task))}"
            return self.client.submit(fn, task, key, key=name, pure=False)

        yield from _ordered(submit, tasks, self.window, KilledWorker)

    def close(self, abort: bool) -> None:
        """Forget the run on the workers and disconnect (a LocalCluster is shut down)."""
        try:
            if self.cluster is None and self.client is not None:
                self.client.unregister_worker_plugin(f"cmcc-corpus-{self.context.key}")
        finally:
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()
