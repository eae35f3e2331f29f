#!/usr/bin/env python3
"""changed_records.py OLD NEW: writes to stdout the FASTA records of NEW
(header line through the line before the next header, byte for byte) that
are not records of OLD: what a release update really changed. OLD's records
are kept as 8-byte hashes, so a 10 GB release needs about 2 GB of memory."""
import hashlib
import sys


def records(path):
    with open(path, 'rb', buffering=1 << 22) as f:
        buf = []
        for line in f:
            if line.startswith(b'>') and buf:
                yield b''.join(buf)
                buf = []
            buf.append(line)
        if buf:
            yield b''.join(buf)


def key(record):
    return int.from_bytes(hashlib.blake2b(record, digest_size=8).digest(), 'little')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    old = {key(r) for r in records(sys.argv[1])}
    out = sys.stdout.buffer
    for r in records(sys.argv[2]):
        if key(r) not in old:
            out.write(r)


if __name__ == '__main__':
    main()
