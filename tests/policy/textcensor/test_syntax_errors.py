"""Syntax errors point at the line and column a console should underline."""

import pytest

from policy.textcensor import Limits, TextCensorSyntaxError, compile_scripts, parse_script
from policy.textcensor.nodes import And, Near, Not, Or, Piece, Regex, Term


def error_for(source: str, limits: Limits | None = None) -> TextCensorSyntaxError:
    with pytest.raises(TextCensorSyntaxError) as info:
        parse_script(source, limits) if limits else parse_script(source)
    return info.value


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("+5 (merger OR acquisition", 1, 26, "expected ')' to close '(' opened at column 4"),
        ("# c\n\n+5   confidential NEAR/5 (merger", 3, 33, "expected ')' to close '(' opened at column 26"),
        ("+5 merger acquisition", 1, 11, "expected an operator"),
        ("merger", 1, 1, "expected a weight"),
        ("+5", 1, 3, "expected a term, phrase or pattern after the weight"),
        ("+5 merger OR", 1, 13, "found the end of the line"),
        ("+5 merger )", 1, 11, "unexpected ')'"),
        ('+5 "project falcon', 1, 4, 'unterminated phrase: missing closing "'),
        ("+5 'Falcon", 1, 4, "unterminated phrase: missing closing '"),
        ("+5 /abc", 1, 4, "unterminated regular expression"),
        ("+5 /abc/x", 1, 9, "unknown regular expression flag 'x'"),
        ("+5 a NEAR/x b", 1, 6, "expected a number of words after 'NEAR/'"),
        ("+5 a FOLLOWEDBY/ b", 1, 6, "after 'FOLLOWEDBY/'"),
        ("+5 (a AND b) NEAR c", 1, 4, "NEAR needs terms, phrases, patterns or OR-groups"),
        ("+5 a FOLLOWEDBY (b AND NOT c)", 1, 17, "FOLLOWEDBY needs terms"),
        ("+5 a MULT", 1, 10, "expected a multiplier after MULT"),
        ("+5 a MULT -2", 1, 11, "cannot have a sign"),
        ("+5 a CAP x", 1, 10, "expected a cap after CAP"),
        ("+5 a CAP 3 THRESHOLD 4", 1, 12, "THRESHOLD must come after the expression"),
        ("THRESHOLD high", 1, 11, "expected a number after THRESHOLD"),
        ("THRESHOLD 5\n+1 a\nTHRESHOLD 6", 3, 1, "THRESHOLD is set twice"),
        ("+5 * OR b", 1, 4, "at least one literal character"),
        ('+5 ""', 1, 4, "empty phrase"),
        ("+5 ~ cash", 1, 4, "'~' must be followed directly"),
        ("+5 a \\", 1, 6, "escapes nothing"),
        ("+5 //", 1, 4, "empty regular expression"),
        ("+5 /a*/", 1, 4, "matches empty text"),
        ("+1 ok\n+2 (a OR (b", 2, 12, "expected ')' to close '(' opened at column 10"),
    ],
)
def test_error_position_and_message(source: str, line: int, column: int, message: str) -> None:
    error = error_for(source)
    assert (error.line, error.column) == (line, column)
    assert message in error.message
    assert str(error).startswith(f"line {line}, column {column}: ")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", "invalid escape sequence"),
        (r"secret(?=s)", "invalid perl operator"),
        (r"(?<!top)secret", "invalid perl operator"),
        (r"(a+)+$[", "missing ]"),
    ],
)
def test_re2_refuses_backtracking_features(pattern: str, reason: str) -> None:
    error = error_for(f"+1 ok\n+8  /{pattern}/")
    assert (error.line, error.column) == (2, 5)
    assert "regular expression rejected" in error.message
    assert reason in error.message


def test_nested_quantifiers_are_accepted_and_run_in_linear_time() -> None:
    from policy.textcensor import evaluate_one

    text = "a" * 50_000 + "!"
    assert evaluate_one("+1 /(a+)+$/", text).score == 0
    assert evaluate_one("+1 /(a|aa)*b/", text).score == 0


def test_compile_scripts_names_the_broken_script() -> None:
    with pytest.raises(TextCensorSyntaxError) as info:
        compile_scripts({"good": "+1 fine", "bad": "+1 fine\n+2 (oops"})
    assert info.value.script == "bad"
    assert str(info.value) == "bad: line 2, column 9: expected ')' to close '(' opened at column 4"


@pytest.mark.parametrize(
    ("source", "limits", "message"),
    [
        ("+1 " + "a" * 30, Limits(max_term_chars=20), "longer than 20 characters"),
        ("+1 /" + "a" * 30 + "/", Limits(max_regex_chars=20), "regular expression is longer than 20"),
        ("+1 a OR b OR c", Limits(max_terms_per_line=2), "more than 2 terms"),
        ("+1 a\n+1 b\n+1 c", Limits(max_terms_per_script=2), "more than 2 terms"),
        ("+1 a\n+1 b\n+1 c", Limits(max_lines=2), "more than 2 rule lines"),
        ("+1 ((a))", Limits(max_nesting=1), "nested deeper than 1"),
        ("+1 a NEAR/50 b", Limits(max_distance=10), "larger than 10"),
        ("+1 a*b*c*d", Limits(max_wildcards_per_term=2), "more than 2 wildcards"),
        ("+1 /(x{1,1000}){1,1000}/", Limits(), "rejected"),
        ("+1 /[a-z]{200}[0-9]{200}/", Limits(max_regex_program_size=500), "too complex"),
        ("+1 abc", Limits(max_script_chars=3), "longer than 3 characters"),
    ],
)
def test_limits(source: str, limits: Limits, message: str) -> None:
    assert message in error_for(source, limits).message


def test_keywords_are_upper_case_only() -> None:
    assert isinstance(parse_script("+1 black AND white").lines[0].expr, And)
    assert parse_script("+1 and").lines[0].expr == Term(("and",), False, False, 1, 4, "and")
    error = error_for("+1 black and white")
    assert error.column == 10
    assert "put phrases in quotes" in error.message


def test_parse_tree_shape() -> None:
    script = parse_script("+5 a NEAR/3 (b OR 'C') AND NOT /d+/c MULT 2 CAP 9\nTHRESHOLD 7")
    line = script.lines[0]
    assert (line.weight, line.mult, line.cap, script.threshold) == (5, 2, 9, 7)
    assert isinstance(line.expr, And)
    near, negated = line.expr.operands
    assert isinstance(near, Near) and near.distance == 3 and not near.ordered
    assert isinstance(near.right, Or)
    assert near.right.operands[1].case_sensitive
    assert isinstance(negated, Not) and isinstance(negated.operand, Regex)
    assert negated.operand.case_sensitive


def test_term_parts_keep_wildcards_and_escapes() -> None:
    term = parse_script(r'+1 "fal* c\*n?"').lines[0].expr
    assert term.parts == ("fal", Piece.STAR, Piece.GAP, "c*n", Piece.ANY)


def test_quoted_keywords_are_terms() -> None:
    assert parse_script('+1 "AND" OR \\NEAR').lines[0].expr.operands[0].parts == ("AND",)
