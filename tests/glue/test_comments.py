"""comments.py: the translatable pieces of code, and code with them replaced (what zh pages show)."""
from linreg_build.comments import messages, strip, translate

CODE = '''def f(x):
    """Square it."""
    # two lines of
    # explanation
    return x * x  # the square
'''


def test_messages_are_blocks_inline_comments_and_docstrings():
    found = [(m.kind, m.msgid) for m in messages(CODE)]
    assert found == [("docstring", "Square it."), ("block", "two lines of\nexplanation"), ("inline", "the square")]


def test_translate_replaces_each_piece_and_keeps_the_code():
    table = {"Square it.": "平方。", "two lines of\nexplanation": "两行\n说明", "the square": "平方"}
    out = translate(CODE, table.get)
    assert out == 'def f(x):\n    """平方。"""\n    # 两行\n    # 说明\n    return x * x  # 平方\n'
    assert strip(out) == strip(CODE) == "def f(x):\n    return x * x"
