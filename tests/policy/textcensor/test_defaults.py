"""The shipped default scripts parse, catch the obvious and leave business mail alone."""

import pytest

from policy.textcensor import (
    CompiledCensor,
    ScriptResult,
    TextcensorInput,
    compile_scripts,
    load_default_scripts,
)

BUSINESS_EMAIL = """Hi Sarah,

Thanks for the call this morning. As discussed, please find attached the
revised proposal for the Q3 network upgrade, including the updated price
quote and delivery schedule. The assessment from our engineers is that the
class of switches in Scunthorpe and Middlesex will need replacing first;
Dick from procurement will confirm the shipment dates by Friday.

Could you review the contract terms in section 4 and let me know if legal
has any questions? We would like approval before the deadline next week so
the kick-off meeting can go ahead on the 14th. Our cocktail reception at the
partner summit is on the 20th - do join us.

Kind regards,
Tom Baker
Account Manager

This email and any attachments are confidential and intended solely for the
addressee. If you have received this email in error please notify the sender.
"""


@pytest.fixture(scope="module")
def censor() -> CompiledCensor:
    return compile_scripts(load_default_scripts())


def evaluate(censor: CompiledCensor, text: str) -> dict[str, ScriptResult]:
    return censor.evaluate(TextcensorInput(body=text))


def test_default_scripts_are_shipped_and_parse() -> None:
    scripts = load_default_scripts()
    assert set(scripts) == {"profanity", "confidential", "offensive"}
    assert all(len(source.splitlines()) > 10 for source in scripts.values())
    compile_scripts(scripts)


def test_ordinary_business_email_triggers_nothing(censor: CompiledCensor) -> None:
    results = censor.evaluate(TextcensorInput(subject="Revised proposal for Q3", body=BUSINESS_EMAIL))
    assert {name: result.triggered for name, result in results.items()} == {
        "profanity": False,
        "confidential": False,
        "offensive": False,
    }
    assert results["profanity"].score == 0
    assert results["offensive"].score == 0


@pytest.mark.parametrize(
    "text",
    [
        "This is fucking ridiculous",
        "what the f*ck",
        "F**K this",
        "total bullshit",
        "you are an asshole",
        "sh!t happens",
        "f.u.c.k off",
        "damn, crap, this is bloody annoying",
    ],
)
def test_profanity_is_caught(censor: CompiledCensor, text: str) -> None:
    assert evaluate(censor, text)["profanity"].triggered


@pytest.mark.parametrize("text", ["what the hell", "Scunthorpe assessment of cocktail class", "Dick Smith"])
def test_mild_or_innocent_words_alone_do_not_trigger_profanity(censor: CompiledCensor, text: str) -> None:
    assert not evaluate(censor, text)["profanity"].triggered


@pytest.mark.parametrize(
    "text",
    [
        "STRICTLY CONFIDENTIAL - board pack attached",
        "Internal use only: roadmap",
        "The merger with Acme is still undisclosed, keep it quiet",
        "Employee SSN 123-45-6789",
        "Card 4111 1111 1111 1111 exp 12/29",
        "Strictly confidential: pay to IBAN GB82 WEST 1234 5698 7654 32",
        "the password is hunter2",
    ],
)
def test_confidential_content_is_caught(censor: CompiledCensor, text: str) -> None:
    assert evaluate(censor, text)["confidential"].triggered


def test_an_invoice_with_bank_details_is_not_held(censor: CompiledCensor) -> None:
    text = "Invoice 4711 is attached. Please pay to IBAN GB82 WEST 1234 5698 7654 32 within 30 days."
    result = evaluate(censor, text)["confidential"]
    assert result.score == 8
    assert not result.triggered


def test_a_press_release_about_a_merger_is_not_held(censor: CompiledCensor) -> None:
    text = "For immediate release: press release on the completed merger, publicly available on our site."
    assert not evaluate(censor, text)["confidential"].triggered


@pytest.mark.parametrize(
    "text",
    [
        "I will kill you",
        "I know where you live and you will regret this",
        "send nudes",
        "go back to your country",
        "you stupid idiot, shut up. moron",
    ],
)
def test_offensive_content_is_caught(censor: CompiledCensor, text: str) -> None:
    assert evaluate(censor, text)["offensive"].triggered


@pytest.mark.parametrize(
    "text",
    [
        "that was a stupid mistake on my part",
        "I'll shoot you an email, thanks for your kind words",
        "this could hurt your chances; you beat us to it",
        "we need to kill your old process before the upgrade, or else it will lock",
    ],
)
def test_everyday_phrases_do_not_trigger_offensive(censor: CompiledCensor, text: str) -> None:
    assert not evaluate(censor, text)["offensive"].triggered
