"""sections.py on small fixtures: markers cut a snippet into sections, and a marker out of place is an
error naming the file and line (reliability probe 4b: a missing [end:] once showed 60 unrelated lines)."""
import pytest

from linreg_build.sections import SectionError, run_sections, section_code, split_sections

GOOD = "import math\n# --8<-- [start:a]\nx = 1\nprint(x)\n# --8<-- [end:a]\ny = 2\n# --8<-- [start:b]\n    print(y)\n# --8<-- [end:b]\n"


def test_sections_and_their_first_lines():
    assert split_sections(GOOD, "f.py") == [(None, 1, "import math\n"), ("a", 3, "x = 1\nprint(x)\n"),
                                            (None, 6, "y = 2\n"), ("b", 8, "    print(y)\n")]
    assert section_code("f.py:b", GOOD) == "print(y)"  # dedented


@pytest.mark.parametrize("source,line,says", [
    ("# --8<-- [start:a]\nx = 1\n", 1, "section 'a' is never closed"),
    ("# --8<-- [start:a]\n# --8<-- [start:b]\n# --8<-- [end:b]\n", 2, "inside section 'a'"),
    ("x = 1\n# --8<-- [end:a]\n", 2, "without a [start:a]"),
    ("# --8<-- [start:a]\nx = 1\n# --8<-- [end:b]\n", 3, "closes section 'a'"),
    ("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n# --8<-- [end:a]\n", 3, "appears twice"),
    ("if True:\n    # --8<-- [start:a]\n    x = 1\n    # --8<-- [end:a]\n", 2, "not indented"),
])
def test_a_misplaced_marker_names_the_file_and_line(source, line, says):
    with pytest.raises(SectionError) as error:
        split_sections(source, "f.py")
    assert str(error.value).startswith(f"snippets/f.py, line {line}: ") and says in str(error.value)


def test_a_missing_section_is_named():
    with pytest.raises(KeyError, match="snippets/f.py has no section 'c'"):
        section_code("f.py:c", GOOD)


def test_run_sections_runs_the_text_given_and_its_modules_from_texts(tmp_path, capsys):
    """The run executes the texts it was given (what its key was computed from), not the files."""
    (tmp_path / "main.py").write_text("raise SystemExit('the file on disk ran')\n")
    (tmp_path / "helper.py").write_text("VALUE = 'disk'\n")
    texts = {"main.py": "from helper import VALUE\n# --8<-- [start:s]\nprint(VALUE)\n# --8<-- [end:s]\n",
             "helper.py": "VALUE = 'text'\n"}
    namespace, outputs = run_sections(tmp_path / "main.py", [], texts)
    assert outputs == {"s": "text\n"}
    import sys
    sys.modules.pop("helper", None)
