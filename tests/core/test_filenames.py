"""Original file names are made safe before they are stored or shown."""

from __future__ import annotations

import pytest

from kiosk.filenames import MAX_FILENAME, UNNAMED, safe_filename


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("front.jpg", "front.jpg"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\身份证.jpg", "身份证.jpg"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("a\x00b\x1b[31m.png", "ab[31m.png"),
        ("line\nbreak\t.pdf", "linebreak.pdf"),
        ("\u2066x\u2069.jpg", "x.jpg"),
        ("", UNNAMED),
        (None, UNNAMED),
        ("/", UNNAMED),
        ("..", UNNAMED),
    ],
)
def test_names_are_sanitised(raw, safe):
    assert safe_filename(raw) == safe


def test_long_names_keep_their_extension():
    name = safe_filename("扫" * 500 + ".jpeg")
    assert len(name) == MAX_FILENAME and name.endswith(".jpeg")
