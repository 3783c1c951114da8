"""Peak memory and CPU time of a server process (and any children it spawned), from /proc.

Read just before shutdown, so the figures cover the whole session: VmHWM is the kernel's own
high-water mark of resident memory, and utime+stime are the CPU ticks the process has used.
A server launched through a wrapper (a shell script, `env node`, ...) may run its real work in
a child, so live descendants are summed in; a child that already exited is not counted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class ProcStats:
    peak_rss_kib: int
    cpu_seconds: float
    pids: list[int]


def parse_stat(text: str) -> tuple[int, int, int]:
    """(ppid, utime, stime) from a /proc/<pid>/stat line.

    The command name (field 2) is in parentheses and may itself contain spaces and ')', so the
    fields are counted from the *last* ')'.
    """
    close = text.rfind(")")
    if close < 0:
        raise ValueError("no ')' in stat line")
    fields = text[close + 1 :].split()
    # fields[0] is state (field 3); ppid is field 4, utime field 14, stime field 15.
    if len(fields) < 13:
        raise ValueError(f"stat line has {len(fields)} fields after the name")
    return int(fields[1]), int(fields[11]), int(fields[12])


def parse_vmhwm_kib(status_text: str) -> int | None:
    """The `VmHWM:` value in KiB from a /proc/<pid>/status text, or None if absent."""
    for line in status_text.splitlines():
        if line.startswith("VmHWM:"):
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                return int(parts[1])
    return None


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def descendants(root: int, proc_dir: str = "/proc") -> list[int]:
    """`root` and every live process below it (one scan of /proc)."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir(proc_dir)
    except OSError:
        return [root]
    for name in entries:
        if not name.isdigit():
            continue
        text = _read(f"{proc_dir}/{name}/stat")
        if text is None:
            continue
        try:
            ppid, _, _ = parse_stat(text)
        except ValueError:
            continue
        children.setdefault(ppid, []).append(int(name))
    found, stack = [], [root]
    while stack and len(found) < 10_000:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def sample(root: int, proc_dir: str = "/proc") -> ProcStats | None:
    """Peak RSS and CPU time of `root` and its live descendants; None if `root` is gone."""
    total_kib, ticks, seen = 0, 0, []
    for pid in descendants(root, proc_dir):
        stat = _read(f"{proc_dir}/{pid}/stat")
        status = _read(f"{proc_dir}/{pid}/status")
        if stat is None or status is None:
            continue
        try:
            _, utime, stime = parse_stat(stat)
        except ValueError:
            continue
        ticks += utime + stime
        total_kib += parse_vmhwm_kib(status) or 0
        seen.append(pid)
    if root not in seen:
        return None
    return ProcStats(peak_rss_kib=total_kib, cpu_seconds=ticks / CLOCK_TICKS, pids=seen)
