"""The facts about the machine a benchmark ran on, printed with every figure.

Ratios are only comparable between runs whose facts match; absolute rates mean nothing alone.
"""

from __future__ import annotations

import os
import platform
import tempfile
from importlib import metadata
from pathlib import Path

PACKAGES = ("cryptography", "argon2-cffi", "Flask", "Werkzeug", "SQLAlchemy", "gunicorn")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_flags() -> str:
    """The flags that decide AES-GCM and SHA-256 speed (hardware AES, SHA, vector AES)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                wanted = ("aes", "pclmulqdq", "vaes", "vpclmulqdq", "sha_ni", "avx2", "avx512f")
                return " ".join(flag for flag in wanted if flag in flags) or "none of interest"
    except OSError:
        pass
    return "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) // 1024} MiB"
    except OSError:
        pass
    return "unknown"


def filesystem_of(path: str) -> str:
    """The filesystem type holding `path` (longest matching mount point in /proc/mounts)."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text(encoding="utf-8").splitlines():
            fields = line.split()
            mount, fstype = fields[1], fields[2]
            if (path == mount or path.startswith(mount.rstrip("/") + "/")) and len(mount) > len(
                best
            ):
                best, kind = mount, fstype
    except (OSError, IndexError):
        pass
    return kind


def busy_note() -> str:
    """A warning when other processes already keep the CPUs busy: then ratios are noisy."""
    if os.getloadavg()[0] > 0.5 * len(os.sched_getaffinity(0)):
        return "  (BUSY: other processes are using the CPUs; figures will be noisy)"
    return ""


def machine_facts() -> dict[str, str]:
    temp = str(Path(tempfile.gettempdir()).resolve())
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return {
        "nproc": f"{len(os.sched_getaffinity(0))} usable of {os.cpu_count()}",
        "cpu": cpu_model(),
        "cpu flags": cpu_flags(),
        "memory": memory_total(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "kernel": platform.release(),
        "temp folder": f"{temp} ({filesystem_of(temp)})",
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()) + busy_note(),
        "packages": ", ".join(versions),
    }


def print_machine_facts() -> None:
    for key, value in machine_facts().items():
        print(f"  {key:<12} {value}")


if __name__ == "__main__":
    print_machine_facts()
