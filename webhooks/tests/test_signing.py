"""Standard Webhooks signing and verification, held to the spec's published test vector."""

import time

import pytest
from standardwebhooks.webhooks import Webhook

from webhooks import signing

# The test vector published with the `standardwebhooks` reference libraries.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(**overrides):
    headers = {
        "webhook-id": MSG_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": SIGNATURE,
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}


def test_signing_the_published_vector_gives_the_published_signature():
    assert signing.sign(SECRET, MSG_ID, TIMESTAMP, BODY) == SIGNATURE


def test_the_published_vector_verifies():
    assert signing.verify(SECRET, _headers(), BODY, now=TIMESTAMP) == MSG_ID


def test_header_names_are_matched_without_regard_to_case():
    headers = {k.title(): v for k, v in _headers().items()}
    assert signing.verify(SECRET, headers, BODY, now=TIMESTAMP) == MSG_ID


@pytest.mark.parametrize("offset", [-300, 300])
def test_a_timestamp_exactly_at_the_tolerance_is_accepted(offset):
    assert signing.verify(SECRET, _headers(), BODY, now=TIMESTAMP - offset) == MSG_ID


@pytest.mark.parametrize(("offset", "word"), [(301, "old"), (-301, "ahead")])
def test_a_timestamp_301_seconds_off_is_refused(offset, word):
    with pytest.raises(signing.TimestampOutOfRange, match=word):
        signing.verify(SECRET, _headers(), BODY, now=TIMESTAMP + offset)


def test_a_timestamp_that_is_not_a_number_is_refused():
    with pytest.raises(signing.TimestampOutOfRange):
        signing.verify(SECRET, _headers(**{"webhook-timestamp": "soon"}), BODY, now=TIMESTAMP)


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(name):
    with pytest.raises(signing.MissingHeaders, match=name):
        signing.verify(SECRET, _headers(**{name: None}), BODY, now=TIMESTAMP)


def test_a_wrong_secret_is_refused():
    with pytest.raises(signing.BadSignature):
        signing.verify(signing.generate_secret(), _headers(), BODY, now=TIMESTAMP)


def test_a_changed_body_is_refused():
    with pytest.raises(signing.BadSignature):
        signing.verify(SECRET, _headers(), b'{"test": 2432232315}', now=TIMESTAMP)


def test_a_changed_id_is_refused():
    with pytest.raises(signing.BadSignature):
        signing.verify(SECRET, _headers(**{"webhook-id": "msg_other"}), BODY, now=TIMESTAMP)


def test_one_good_signature_among_several_is_enough():
    header = f"v1,Zm9vYmFy v2,whatever not-even-a-pair {SIGNATURE}"
    headers = _headers(**{"webhook-signature": header})
    assert signing.verify(SECRET, headers, BODY, now=TIMESTAMP) == MSG_ID


def test_only_v1_signatures_count():
    headers = _headers(**{"webhook-signature": SIGNATURE.replace("v1,", "v2,")})
    with pytest.raises(signing.BadSignature):
        signing.verify(SECRET, headers, BODY, now=TIMESTAMP)


def test_every_refusal_is_a_verification_error():
    for cls in (signing.MissingHeaders, signing.TimestampOutOfRange, signing.BadSignature):
        assert issubclass(cls, signing.VerificationError)


def test_generated_secrets_hold_24_random_bytes_and_differ():
    first, second = signing.generate_secret(), signing.generate_secret()
    assert first.startswith("whsec_") and first != second
    assert len(signing.secret_bytes(first)) == 24


def test_our_signatures_verify_with_the_reference_library():
    secret = signing.generate_secret()
    body = '{"type":"webhook.test","data":{}}'
    # The reference library checks the timestamp against the real clock, so sign "now".
    headers = signing.signed_headers(secret, "msg_abc", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"type": "webhook.test", "data": {}}
