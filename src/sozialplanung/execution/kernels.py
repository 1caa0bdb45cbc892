"""Warm kernels: a few kernels that each execute many notebooks, so the package is imported once per
kernel instead of once per notebook.

A :class:`KernelPool` has one worker thread per kernel. Each worker starts its kernel (in
``notebooks/``, as Jupyter would) for its first notebook and keeps it for the next ones; before each
notebook the kernel's namespace is reset (:mod:`sozialplanung.execution.namespace`), so a notebook
sees what it would see in a kernel of its own, and its executed copy is the same byte for byte (a
test compares both ways). A notebook that fails takes its kernel with it: the next one gets a new
kernel. ``fresh=True`` runs every notebook in a kernel of its own, the plain Papermill way.

Papermill executes the notebook through the ``warm-kernel`` engine registered here: nbclient with
the worker's kernel manager and its client (connection), which it neither shuts down nor
disconnects; the worker does that when it stops.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.util import run_hook
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from traitlets import default

ENGINE_NAME = "warm-kernel"
RESET_CODE = "__import__('sozialplanung.execution.namespace', fromlist=['_']).fresh_namespace()"
"""Run silently before each notebook; binds no name in the namespace it empties."""

Result = TypeVar("Result")


class EncryptedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel talks over encrypted sockets only (CurveZMQ, keys provisioned
    by the manager), warm or fresh. Over plain local TCP any user of the machine could subscribe to
    a kernel's output channel and read everything a notebook prints or shows, its tracebacks
    included, before the publish gate has checked any of it (ipykernel warns of this on every
    start, which put the warning into every build's output)."""

    @default("transport_encryption")
    def _required(self) -> str:
        return "required"


class WarmKernel:
    """One kernel that executes notebooks one after another, each in a fresh namespace.

    Its client (the connection to the kernel) is kept too: a new client waits for the kernel to
    answer and for its output channel to fall quiet, a quarter of a second per notebook."""

    def __init__(self, kernel_name: str) -> None:
        self.manager = EncryptedKernelManager(kernel_name=kernel_name)
        self.client: AsyncKernelClient | None = None

    def close(self) -> None:
        """Shut the kernel down (called in the thread that used it: its sockets belong to that loop)."""
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager.has_kernel:
            try:
                run_sync(self.manager.shutdown_kernel)(now=True)
            except RuntimeError:  # already dead: nothing left to stop
                run_sync(self.manager.cleanup_resources)()


class _ResettingClient(PapermillNotebookClient):
    """Papermill's notebook client on a warm kernel's connection, which empties the kernel's
    namespace before the notebook runs."""

    def __init__(self, nb_man, warm: WarmKernel, **kwargs) -> None:
        super().__init__(nb_man, km=warm.manager, **kwargs)
        self.warm = warm

    async def async_start_new_kernel_client(self):
        if self.warm.client is None:
            self.warm.client = await super().async_start_new_kernel_client()
        else:
            self.kc = self.warm.client
            await run_hook(self.on_notebook_start, notebook=self.nb)
        client = self.kc
        reply = await self.async_wait_for_reply(client.execute(RESET_CODE, silent=True, store_history=False))
        if reply is None or reply["content"]["status"] != "ok":
            content = reply["content"] if reply else {}
            raise RuntimeError(f"The warm kernel could not be reset: {content.get('ename')}: {content.get('evalue')}")
        return client

    # nbclient's synchronous wrapper is bound to the base class's coroutine; bind it to this one.
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class WarmKernelEngine(NBClientEngine):
    """Papermill engine: execute in the given :class:`WarmKernel` instead of starting a kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        kernel: WarmKernel | None = None,
        **kwargs,
    ):
        kwargs.pop("input_path", None)
        client = _ResettingClient(
            nb_man,
            kernel,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class KernelPool:
    """Worker threads that each own a warm kernel (or, with ``fresh``, start one per notebook).

    Use as a context manager; :meth:`submit` a function of the worker's kernel (None when fresh)
    and get a :class:`~concurrent.futures.Future` of its result.
    """

    def __init__(self, kernel_name: str, workers: int | None = None, fresh: bool = False) -> None:
        self.kernel_name = kernel_name
        self.fresh = fresh
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = [
            threading.Thread(target=self._work, name=f"kernel-{number}", daemon=True)
            for number in range(workers or os.cpu_count() or 1)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, job: Callable[[WarmKernel | None], Result]) -> Future[Result]:
        future: Future[Result] = Future()
        self._jobs.put((future, job))
        return future

    def close(self) -> None:
        """Let the workers finish what was submitted, then shut their kernels down."""
        for _ in self._workers:
            self._jobs.put(None)
        for worker in self._workers:
            worker.join()

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _work(self) -> None:
        kernel: WarmKernel | None = None
        try:
            while (item := self._jobs.get()) is not None:
                future, job = item
                if not future.set_running_or_notify_cancel():
                    continue
                if kernel is None and not self.fresh:
                    kernel = WarmKernel(self.kernel_name)
                try:
                    future.set_result(job(kernel))
                except BaseException as exc:
                    future.set_exception(exc)
                    # A failed notebook may leave its kernel in any state (interrupted, dead, half-set).
                    if kernel is not None:
                        kernel.close()
                        kernel = None
        finally:
            if kernel is not None:
                kernel.close()
