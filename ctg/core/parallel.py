"""Parallel work in processes, results in a stable order; shards of the corpus for CI matrices."""

from __future__ import annotations

import gc
import multiprocessing
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# Then a fresh worker: the memory a worker took for a large document (pandoc's AST, python-docx's
# trees) is given back to the system at once, whatever the corpus; a fork costs a few milliseconds.
TASKS_PER_WORKER = 2


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """fn over items in up to `jobs` processes; results come back in the order of items.

    One item, or one job and no more than TASKS_PER_WORKER items, run here (no process to
    start). Otherwise workers are forked (one at a time with one job): they share the
    parent's imports and read-only data without pickling them. A worker serves at most
    TASKS_PER_WORKER items and is then replaced (memory stays flat on a large corpus).
    multiprocessing.Pool does that with « fork » (ProcessPoolExecutor's max_tasks_per_child
    does not), and replaces each worker as soon as it is done: no worker waits for the others
    between groups of documents, whatever their sizes.
    """
    items = list(items)
    if len(items) <= 1 or (jobs <= 1 and len(items) <= TASKS_PER_WORKER):
        for item in items:
            yield fn(item)
        return
    context = multiprocessing.get_context("fork")
    gc.freeze()  # the parent's objects stay out of the workers' garbage collection: shared pages stay shared
    try:
        with context.Pool(processes=max(1, min(jobs, len(items))), maxtasksperchild=TASKS_PER_WORKER) as pool:
            yield from pool.imap(fn, items, chunksize=1)  # leaving the block (an error) terminates the pool
    finally:
        gc.unfreeze()


def thread_map(fn: Callable[[T], R], items: Iterable[T], jobs: int) -> list[R]:
    """For work that waits on external processes (LibreOffice): threads are enough."""
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        return list(pool.map(fn, items))


def split(items: list[T], n: int) -> list[list[T]]:
    """n contiguous batches of nearly equal size (no empty batch)."""
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return [b for b in out if b]


def deal(items: list[T], n: int) -> list[list[T]]:
    """n batches dealt like cards (item i to batch i mod n): each gets its share of large and small
    items, where contiguous batches may get all the large ones. undeal() puts results back in order."""
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def undeal(batches: list[list[R]]) -> list[R]:
    """The results of deal()'s batches, in the order of the items."""
    out: list = [None] * sum(map(len, batches))
    n = len(batches)
    for i, batch in enumerate(batches):
        out[i::n] = batch
    return out


class ShardError(ValueError):
    pass


def parse_shard(text: str) -> tuple[int, int]:
    """« 2/4 » → (2, 4); shards are numbered from 1."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ShardError(f"« {text} » n'est pas de la forme K/N (par exemple 2/4)") from None
    if n < 1 or not 1 <= k <= n:
        raise ShardError(f"« {text} » : K doit être compris entre 1 et N (par exemple 2/4)")
    return k, n


def shard_of(conventions: list[str], k: int, n: int) -> set[str]:
    """The conventions of shard k of n: every n-th one in sorted order, so shards are balanced and
    deterministic; a convention's avenants go with it (they share its folder in dist/)."""
    return {c for i, c in enumerate(sorted(conventions)) if i % n == k - 1}
