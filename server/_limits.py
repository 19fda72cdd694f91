"""Open-file limits: a run of concurrency C holds C sockets in each process, and more."""

from __future__ import annotations

try:
    import resource
except ImportError:  # Windows has no rlimits; its handle limit is far above ours
    resource = None  # type: ignore[assignment]

#: Files a process needs for the largest run: 1,000 client sockets, as many upstream ones, slack.
NEEDED_OPEN_FILES = 4096


def raise_open_file_limit(needed: int = NEEDED_OPEN_FILES) -> int:
    """Raise the soft open-file limit towards ``needed`` as far as the hard limit allows.

    Returns the soft limit in force afterwards (or ``needed`` where there are no limits).
    """
    if resource is None:
        return needed
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY:
        needed = min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
        soft = needed
    return int(soft) if soft != resource.RLIM_INFINITY else needed


#: Files a process of ours holds before a run: pipes, the listening socket, the loop's
#: self-pipe and epoll (measured: 10 in the server, 7 in the upstream), with room to spare.
BASE_OPEN_FILES = 24


def open_files_needed(concurrency: int, calls_upstream: bool) -> int:
    """Files the busiest process of a run holds: the server, with C client sockets and,
    for the styles that call the upstream, C sockets to it (measured at C=50: 60 files
    for async_sleep, 110 for async_http)."""
    return BASE_OPEN_FILES + (2 if calls_upstream else 1) * concurrency


def open_files_allowed() -> int | None:
    """The most open files a process of ours can have (the hard limit), None if unlimited."""
    if resource is None:
        return None
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if hard == resource.RLIM_INFINITY else int(hard)
