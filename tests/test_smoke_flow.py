from tests.phone import Phone


def test_join_yes_help_stop(phone: Phone) -> None:
    reply = phone.text("JOIN")
    assert reply and "YES" in reply and "Msg & data rates may apply" in reply
    welcome = phone.text("yes")
    assert welcome and "Welcome" in welcome
    help_reply = phone.text("HELP")
    assert help_reply and "STOP" in help_reply
    stop = phone.text("STOP")
    assert stop and "unsubscribed" in stop
    assert phone.text("hello?") is None
