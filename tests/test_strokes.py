"""Stroke-file parsing: every malformed case is an error naming file and line, or a counted skip."""

import numpy as np
import pytest

from charchallenge.data.strokes import StrokeFileError, parse_drawing_name, parse_stroke_file, parse_stroke_text

GOOD = "START\n1.5,-2,0\n2.5,-3,10\nBREAK\n4,-4,20\n5,-5,30\nBREAK\n"


def test_good_file_parses_into_strokes_of_x_y_t():
    strokes, stats = parse_stroke_text(GOOD)
    assert len(strokes) == 2
    np.testing.assert_array_equal(strokes[0], [[1.5, -2, 0], [2.5, -3, 10]])
    assert strokes[1].dtype == np.float64 and strokes[1].shape == (2, 3)
    assert sum(stats.as_dict().values()) == 0


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("1,2,3\nSTART\n", 1, "before START"),
        ("BREAK\nSTART\n", 1, "before START"),
        ("START\n1,-2,0\nSTART\n", 3, "second START"),
        ("START\n1,abc,0\nBREAK\n", 2, "bad number"),
        ("START\n1,-2\nBREAK\n", 2, "expected 'x,y,t'"),
        ("START\n1,-2,3,4\nBREAK\n", 2, "expected 'x,y,t'"),
        ("START\n1,nan,0\nBREAK\n", 2, "non-finite"),
        ("START\n1,-2,0\nEND\n", 3, "expected 'x,y,t'"),
        ("", 1, "no START"),
    ],
)
def test_malformed_lines_are_errors_naming_file_and_line(text, line, message):
    with pytest.raises(StrokeFileError) as err:
        parse_stroke_text(text, source="a/b.txt")
    assert str(err.value).startswith(f"a/b.txt:{line}:")
    assert message in str(err.value)


def test_counted_skips_and_kept_oddities():
    strokes, stats = parse_stroke_text("START\nBREAK\n1,-1,0\nBREAK\n2,-2,5\n3,-3,6\n")
    counts = stats.as_dict()
    assert counts["empty_stroke"] == 1            # dropped
    assert counts["single_point_stroke"] == 1     # kept: a dot
    assert counts["unterminated_stroke"] == 1     # kept: closed at end of file
    assert [len(s) for s in strokes] == [1, 2]


def test_empty_drawing_is_a_counted_skip():
    strokes, stats = parse_stroke_text("START\n\nBREAK\n")
    assert strokes == [] and stats.as_dict()["empty_drawing"] == 1


def test_binary_file_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"\xff\xfe\x00START")
    with pytest.raises(StrokeFileError, match="x.txt: not a text file"):
        parse_stroke_file(path)


def test_drawing_names():
    assert parse_drawing_name("Latin/character03/0685_12.txt") == ("Latin", 3, 12, "0685")
    with pytest.raises(StrokeFileError, match="characterNN"):
        parse_drawing_name("Latin/letter03/0685_12.txt")
