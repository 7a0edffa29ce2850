"""Raw pages' packing (newscrawl/storage/packing.py): frames of the standard library's zstd API and streamed
frames read as ours do, anything cut or foreign a DamagedRawPage, contexts never shared by two threads."""

from __future__ import annotations

import gzip
import threading

import pytest

try:
    from compression import zstd  # Python 3.14
except ImportError:
    from backports import zstd  # type: ignore[no-redef]  # Scrapy's own requirement

from newscrawl.storage.packing import DamagedRawPage, pack, unpack

PAGE = ("<html><body><div id='articleView'>" + "본문 한 줄입니다. " * 400 + "</div></body></html>").encode()


def streamed(body: bytes) -> bytes:
    """A frame written in pieces: its header carries no content size."""
    compressor = zstd.ZstdCompressor()
    return compressor.compress(body[:1000]) + compressor.compress(body[1000:]) + compressor.flush()


def test_pages_come_back_byte_for_byte_from_every_frame_kind():
    assert unpack(pack(PAGE)) == PAGE
    assert zstd.decompress(pack(PAGE)) == PAGE  # the same format the standard library reads
    assert unpack(zstd.compress(PAGE, 3)) == PAGE  # written by the one-shot API (before this module used zstandard)
    assert unpack(streamed(PAGE)) == PAGE
    assert unpack(gzip.compress(PAGE, 3)) == PAGE  # stored before zstd


@pytest.mark.parametrize("damage", ["cut", "cut streamed", "bad header", "foreign"])
def test_damaged_bytes_raise_damaged_raw_page(damage):
    data = {"cut": pack(PAGE)[:-20], "cut streamed": streamed(PAGE)[:-20],
            "bad header": pack(PAGE)[:4] + b"\xff" * 6 + pack(PAGE)[10:], "foreign": b"PK\x03\x04zipped"}[damage]
    with pytest.raises(DamagedRawPage):
        unpack(data)


def test_threads_pack_and_unpack_at_once():
    pages = [PAGE + str(n).encode() * n for n in range(40)]
    failures: list[int] = []

    def work(offset: int) -> None:
        for _ in range(30):
            for number, page in enumerate(pages[offset::4]):
                if unpack(pack(page)) != page:
                    failures.append(number)

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
