"""Giving memory back: a national extract passes gigabytes of short-lived arrays
through the process, and what the allocators keep of them stays in the cron
worker's RSS for every later step.

- Arrow buffers (the CSV parser's, and pandas' strings) come from the system
  allocator: pyarrow's default pool (mimalloc) keeps what it freed, some hundred
  megabytes at national size.
- glibc raises its ``mmap`` threshold each time a large block is freed, up to
  32 MB, after which every chunk-sized array lands in the heap and fragments it.
  The threshold is pinned at its initial 128 KiB, so that large arrays are mapped
  and unmapped, and given back as soon as they are freed. The mapping's cost is
  in the page faults of each new array: measured, it stays within the noise.

Both are settings of the process, made once by ``use_returning_allocators`` when
the engine first reads an extract or a state; nothing else in Odoo uses pyarrow.
"""

import ctypes
import ctypes.util
import gc

import pyarrow as pa

# mallopt parameters (malloc.h)
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
# The heap grows and shrinks by this much more than asked: with the threshold
# pinned, the heap is trimmed at every free otherwise, and refaulted at once.
TOP_PAD = 16 << 20


def _glibc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()
_set = []


def use_returning_allocators():
    """Arrow on the system allocator, glibc's mmap threshold pinned (once)."""
    if _set:
        return
    _set.append(True)
    pa.set_memory_pool(pa.system_memory_pool())
    if _LIBC is not None:
        _LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _LIBC.mallopt(M_TOP_PAD, TOP_PAD)


def release_memory():
    """Free what is unreachable and give the allocators' free pages back to the
    system: called between the steps of an import."""
    use_returning_allocators()
    gc.collect()
    pa.default_memory_pool().release_unused()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
