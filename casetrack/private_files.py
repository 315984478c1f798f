"""Write files only their owner can read (0600): attachments, uploads, backups, exports, the secret key.

They hold personal information (ID scans, names, phones) or secrets; a file created 0644 by the default umask
is readable by every account on a shared township computer. The mode is set as the file is created, so there
is no moment at which another account could open it, and again on an existing file that is overwritten.
"""

import os
from pathlib import Path

PRIVATE = 0o600


def private_open(path: Path | str, mode: str = "wb", **text_options):
    """Open a file for writing, created (or truncated) with mode 0600 whatever the umask; text_options (encoding,
    newline) as open() takes them, for a text mode."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    descriptor = os.open(path, flags, PRIVATE)
    try:
        os.fchmod(descriptor, PRIVATE)  # an existing file keeps its old mode through os.open
    except OSError:  # not every file system has modes (a FAT USB disk)
        pass
    if "b" not in mode:
        text_options.setdefault("encoding", "utf-8")
    return os.fdopen(descriptor, mode, **text_options)


def make_private(path: Path | str) -> None:
    """Make a file another library wrote readable by its owner only."""
    try:
        os.chmod(path, PRIVATE)
    except OSError:
        pass
