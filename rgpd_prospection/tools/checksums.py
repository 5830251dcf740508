"""File checksums: an extract downloaded twice is recognised by its content."""

import hashlib


def file_checksum(path):
    """SHA-256 of the file at ``path``, read by blocks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
