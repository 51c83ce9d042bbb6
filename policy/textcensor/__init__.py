"""TextCensor: the lexical scoring language used by policy rules.

Public API; see docs/textcensor.md for the language and its semantics.
"""

from .censor import CompiledCensor, MessageScan, compile_scripts, evaluate_one
from .defaults import load_default_scripts
from .errors import TextCensorError, TextCensorSyntaxError
from .htmltext import html_to_text
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse_script
from .results import DEFAULT_ZONES, LineHit, ScriptResult, TextcensorInput, Zone

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_ZONES",
    "CompiledCensor",
    "Limits",
    "LineHit",
    "MessageScan",
    "ScriptResult",
    "TextCensorError",
    "TextCensorSyntaxError",
    "TextcensorInput",
    "Zone",
    "compile_scripts",
    "evaluate_one",
    "html_to_text",
    "load_default_scripts",
    "parse_script",
]
