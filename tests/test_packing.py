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

from newscrawl.storage import packing
from newscrawl.storage.packing import ZSTD_MAGIC, DamagedRawPage, pack, unpack

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
    assert unpack(pack(b"")) == b""


def test_a_frame_declaring_more_than_the_one_shot_limit_is_streamed(monkeypatch):
    monkeypatch.setattr(packing, "ONE_SHOT_LIMIT", 100)
    assert unpack(pack(PAGE)) == PAGE
    with pytest.raises(DamagedRawPage):
        unpack(pack(PAGE)[:-20])


# A frame header (RFC 8878, 3.1.1.1): descriptor 0xE0 = an 8-byte content size, a single segment; then 2**60
# bytes declared (a one-shot decompress asks for them at once: MemoryError, not a damaged page).
HUGE = ZSTD_MAGIC + b"\xe0" + (1 << 60).to_bytes(8, "little") + b"\x01\x00\x00" + b"x" * 40


@pytest.mark.parametrize("damage", ["cut", "cut streamed", "bad header", "foreign", "declares 2**60 bytes"])
def test_damaged_bytes_raise_damaged_raw_page(damage):
    data = {"cut": pack(PAGE)[:-20], "cut streamed": streamed(PAGE)[:-20],
            "bad header": pack(PAGE)[:4] + b"\xff" * 6 + pack(PAGE)[10:], "foreign": b"PK\x03\x04zipped",
            "declares 2**60 bytes": HUGE}[damage]
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
