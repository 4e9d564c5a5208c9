"""Files are judged by their content against a short allow-list, never by their name."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from complaints.uploads import check_upload, clean_name, sniff
from tests.publicsite import png_bytes, upload


def image_bytes(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buffer, format=kind)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "application/pdf"),
        (image_bytes("PNG"), "image/png"),
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("GIF"), "image/gif"),
        (image_bytes("WEBP"), "image/webp"),
        ("Grüße, I called on Monday.\n".encode(), "text/plain"),
        (b"date,amount\n2024-03-01,9.99\n2024-03-02,9.99\n", "text/csv"),
        (
            b"From: rosa@example.com\nSubject: Refund\nDate: Fri, 1 Mar 2024 10:00:00 +0000\n\nHi",
            "message/rfc822",
        ),
    ],
)
def test_it_recognises_each_allowed_type_by_content(content, expected):
    assert sniff(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",
        b"\x7fELF\x02\x01\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"\x89PNG\r\n\x1a\nnot a png",
        b"latin-1 caf\xe9",
        b"text with a bell \x07",
    ],
)
def test_it_refuses_what_is_not_on_the_allow_list(content):
    assert sniff(content) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("/absolute/path/receipt.png", "receipt.png"),
        ("line\nbreak\x00.txt", "linebreak.txt"),
        ("..", "file"),
        ("", "file"),
    ],
)
def test_it_keeps_only_a_plain_file_name(name, expected):
    assert clean_name(name) == expected


def test_it_returns_the_size_and_checksum_of_an_accepted_file():
    checked = check_upload(upload("receipt.png", png_bytes()))
    assert checked.content_type == "image/png"
    assert checked.size == len(png_bytes())
    assert len(checked.sha256) == 64


def test_it_names_the_file_it_refuses():
    with pytest.raises(ValidationError, match="setup.pdf"):
        check_upload(upload("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00"))
