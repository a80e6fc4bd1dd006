"""E-mail delivery against a real SMTP server on loopback (aiosmtpd): each team gets only its own list."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import date

import pytest
from click.testing import CliRunner

pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

from pipeline.cli import cli  # noqa: E402
from pipeline.deliver import (  # noqa: E402
    DeliveryError, SmtpSettings, build_candidates, recipients, send_reports, smtp_settings,
)
from pipeline.report import write_reports  # noqa: E402
from pipeline.store import Store  # noqa: E402
from tests.candidates_fixtures import write_inputs  # noqa: E402

AS_OF = date(2025, 3, 1)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login, auth_data.password))
            return AuthResult(success=auth_data.password == b"s3cret")
        return AuthResult(success=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), authenticator=inbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def _reports(tmp_path):
    db, reg, book = write_inputs(tmp_path)
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=AS_OF, embeddings=False)
    return run, write_reports(run.lists, tmp_path / "out", as_of=AS_OF)


def test_each_team_receives_only_its_own_list(tmp_path, smtp_server):
    inbox, port = smtp_server
    run, reports = _reports(tmp_path)
    to = recipients(run.counterparties)
    assert to == {"Commercial": ["amy@example.com", "raj@example.com"], "Enterprise East": ["priya@example.com"]}
    deliveries = send_reports(reports, run.lists, to, SmtpSettings("127.0.0.1", port, sender="cw@example.com"),
                              as_of=AS_OF)
    assert [(d.team, d.recipients, d.sent, d.error) for d in deliveries] == [
        ("Commercial", ("amy@example.com", "raj@example.com"), True, None),
        ("Enterprise East", ("priya@example.com",), True, None),
    ]
    assert len(inbox.messages) == 2
    by_subject = {m["Subject"].strip(): (frm, rcpt, m) for frm, rcpt, m in inbox.messages}  # folded: leading space
    assert sorted(by_subject) == ["Renegotiation candidates for Commercial as of 2025-03-01: 2 items",
                                  "Renegotiation candidates for Enterprise East as of 2025-03-01: 5 items"]
    for team in ("Commercial", "Enterprise East"):
        frm, rcpt, msg = by_subject[next(s for s in by_subject if f"for {team} as" in s)]
        t = reports.team(team)
        assert frm == "cw@example.com" and rcpt == to[team]
        attachments = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
        assert attachments == {f"{t.slug}-candidates.csv": t.csv.read_text(), f"{t.slug}-candidates.html": t.html.read_text()}
        raw = msg.as_string()
        for cp in run.counterparties:
            short = cp.name.split(",")[0]
            if cp.account_team == team:
                assert short in raw
            else:
                assert short not in raw and all(d not in raw for d in cp.documents), (team, cp.name)


def test_login_with_user_and_password(tmp_path, smtp_server):
    inbox, port = smtp_server
    run, reports = _reports(tmp_path)
    ok = send_reports(reports, run.lists, recipients(run.counterparties),
                      SmtpSettings("127.0.0.1", port, "bot", "s3cret", "bot@example.com"), as_of=AS_OF)
    assert all(d.sent for d in ok) and inbox.logins == [(b"bot", b"s3cret")]
    bad = send_reports(reports, run.lists, recipients(run.counterparties),
                       SmtpSettings("127.0.0.1", port, "bot", "wrong", "bot@example.com", timeout=2), as_of=AS_OF)
    assert [d.sent for d in bad] == [False, False] and "SMTP session failed" in bad[0].error
    assert len(inbox.messages) == 2


def test_cli_send_uses_the_environment(tmp_path, smtp_server, monkeypatch):
    inbox, port = smtp_server
    db, reg, book = write_inputs(tmp_path)
    monkeypatch.setenv("CLAUSEWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAUSEWISE_SMTP_PORT", str(port))
    monkeypatch.setenv("CLAUSEWISE_SMTP_FROM", "clausewise@example.com")
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert "sent Commercial to amy@example.com, raj@example.com" in result.output
    assert sorted(rcpt for _, rcpt, _ in [(f, tuple(r), m) for f, r, m in inbox.messages]) == [
        ("amy@example.com", "raj@example.com"), ("priya@example.com",)]
    assert {frm for frm, _, _ in inbox.messages} == {"clausewise@example.com"}


def test_cli_send_failure_exits_1_and_keeps_the_reports(tmp_path, monkeypatch):
    db, reg, book = write_inputs(tmp_path)
    monkeypatch.setenv("CLAUSEWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAUSEWISE_SMTP_PORT", str(_free_port()))  # nobody listens
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1, result.output
    assert "not sent Commercial: cannot connect to 127.0.0.1" in result.output
    assert (tmp_path / "out" / "commercial" / "candidates.csv").exists()


def test_cli_send_without_a_host_exits_2(tmp_path, monkeypatch):
    db, reg, book = write_inputs(tmp_path)
    monkeypatch.delenv("CLAUSEWISE_SMTP_HOST", raising=False)
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2 and "no SMTP host: set CLAUSEWISE_SMTP_HOST" in result.output
    assert not (tmp_path / "out").exists()


def test_smtp_settings_from_config_and_environment():
    config = {"smtp": {"host": "mail.internal", "port": 2525, "user": "bot", "password": "pw", "from": "a@b.c"}}
    assert smtp_settings(config, env={}) == SmtpSettings("mail.internal", 2525, "bot", "pw", "a@b.c", False)
    env = {"CLAUSEWISE_SMTP_HOST": "relay", "CLAUSEWISE_SMTP_STARTTLS": "yes", "CLAUSEWISE_SMTP_PORT": ""}
    assert smtp_settings({"smtp": {"host": "x"}}, env=env) == SmtpSettings("relay", 587, None, None,
                                                                           "clausewise@localhost", True)
    assert "pw" not in repr(smtp_settings(config, env={}))
    for env, message in [({}, "no SMTP host"), ({"CLAUSEWISE_SMTP_HOST": "h", "CLAUSEWISE_SMTP_PORT": "x"}, "PORT"),
                         ({"CLAUSEWISE_SMTP_HOST": "h", "CLAUSEWISE_SMTP_STARTTLS": "maybe"}, "STARTTLS"),
                         ({"CLAUSEWISE_SMTP_HOST": "h", "CLAUSEWISE_SMTP_PASSWORD": "p"}, "USER is not")]:
        with pytest.raises(DeliveryError, match=message):
            smtp_settings(None, env=env)


def test_recipients_from_config_override_owners(tmp_path):
    run, _ = _reports(tmp_path)
    config = {"recipients": {"Commercial": "team-commercial@example.com"}}
    assert recipients(run.counterparties, config) == {"Commercial": ["team-commercial@example.com"],
                                                      "Enterprise East": ["priya@example.com"]}
    with pytest.raises(DeliveryError, match="recipients.Commercial"):
        recipients(run.counterparties, {"recipients": {"Commercial": ["not an address"]}})


def test_every_owner_the_register_names_receives_the_teams_list(tmp_path):
    """Regression: a counterparty on two rows with two owners kept only the first row's, so the second owner was never
    mailed."""
    from tests.candidates_fixtures import REGISTER_HEADER

    register = "\n".join([
        REGISTER_HEADER,
        '"Harbor Group, Inc.",Enterprise East,priya@example.com,harbor-msa,8000000,30,4,5,3,strategic,2018-01-01,',
        '"Harbor Group, Inc.",Enterprise East,lee@example.com,keystone-license,8000000,30,4,5,3,strategic,2018-01-01,',
    ]) + "\n"
    db, reg, book = write_inputs(tmp_path, register=register)
    with Store(db) as store:
        run = build_candidates(store, reg, book, as_of=AS_OF, embeddings=False)
    assert recipients(run.counterparties, {}) == {"Enterprise East": ["lee@example.com", "priya@example.com"]}


class Refusing(Inbox):
    """Takes mail for everyone but ``*@bad.example``, which it refuses as a real server does (550)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.endswith("@bad.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_server():
    inbox = Refusing()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def test_a_recipient_the_server_refuses_is_named_and_the_delivery_fails(tmp_path, refusing_server):
    """Regression: smtplib returns the recipients it was refused rather than raising while one is accepted; they were
    ignored, so a 550 for one of three owners was reported as "sent … to" all three, exit 0."""
    inbox, port = refusing_server
    run, reports = _reports(tmp_path)
    to = {"Commercial": ["amy@example.com", "raj@bad.example"], "Enterprise East": ["x@bad.example", "y@bad.example"]}
    deliveries = send_reports(reports, run.lists, to, SmtpSettings("127.0.0.1", port), as_of=AS_OF)
    assert [(d.team, d.recipients, d.sent, d.error, d.refused, d.accepted) for d in deliveries] == [
        ("Commercial", ("amy@example.com", "raj@bad.example"), False,
         "the server refused raj@bad.example (550 5.1.1 mailbox unavailable); sent to amy@example.com only",
         (("raj@bad.example", "550 5.1.1 mailbox unavailable"),), ("amy@example.com",)),
        # every recipient refused: smtplib raises, with a dict that used to be printed as is
        ("Enterprise East", ("x@bad.example", "y@bad.example"), False,
         "the server refused every recipient: x@bad.example (550 5.1.1 mailbox unavailable); "
         "y@bad.example (550 5.1.1 mailbox unavailable)",
         (("x@bad.example", "550 5.1.1 mailbox unavailable"), ("y@bad.example", "550 5.1.1 mailbox unavailable")), ()),
    ]
    assert [rcpt for _, rcpt, _ in inbox.messages] == [["amy@example.com"]]


def test_cli_send_exits_1_when_the_server_refuses_a_recipient(tmp_path, refusing_server, monkeypatch):
    inbox, port = refusing_server
    db, reg, book = write_inputs(tmp_path)
    (tmp_path / "delivery.yaml").write_text("recipients:\n  Commercial: [amy@example.com, raj@bad.example]\n")
    monkeypatch.setenv("CLAUSEWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAUSEWISE_SMTP_PORT", str(port))
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings", "--delivery-config", str(tmp_path / "delivery.yaml")]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 1, result.output
    assert ("not sent Commercial: the server refused raj@bad.example (550 5.1.1 mailbox unavailable); sent to "
            "amy@example.com only") in " ".join(result.output.split())
    assert "sent Enterprise East to priya@example.com" in result.output


def test_a_misspelt_team_under_recipients_is_an_error_with_a_suggestion(tmp_path, smtp_server, monkeypatch):
    """Regression: `recipients: {Enterprise Est: [...]}` was ignored without a word, so the real team's list went to
    the register's owners and the configured address got nothing."""
    run, _ = _reports(tmp_path)
    with pytest.raises(DeliveryError) as e:
        recipients(run.counterparties, {"recipients": {"Enterprise Est": ["boss@example.com"]}})
    assert str(e.value) == ("recipients.Enterprise Est: no such team in the register; did you mean 'Enterprise East'? "
                            "(its teams: Commercial, Enterprise East)")
    inbox, port = smtp_server
    (tmp_path / "cli").mkdir()
    db, reg, book = write_inputs(tmp_path / "cli")
    (tmp_path / "delivery.yaml").write_text("recipients:\n  Enterprise Est: [boss@example.com]\n")
    monkeypatch.setenv("CLAUSEWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAUSEWISE_SMTP_PORT", str(port))
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings", "--delivery-config", str(tmp_path / "delivery.yaml")]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2 and "did you mean 'Enterprise East'?" in result.output
    assert inbox.messages == []


def test_recipients_name_a_team_in_any_letter_case_or_spacing(tmp_path, smtp_server, monkeypatch):
    """Regression: `recipients: {enterprise east: [...]}` named no team, because the register spells it "Enterprise
    East": the run stopped with "no such team" and nothing was sent; a misspelling in other capitals ("ENTERPRISE
    EST", "emea sales" for "EMEA Sales") got no "did you mean" either, the suggestion comparing letter case."""
    run, _ = _reports(tmp_path)
    config = {"recipients": {"enterprise  east": ["boss@example.com"], " COMMERCIAL": "sales@example.com"}}
    assert recipients(run.counterparties, config) == {"Commercial": ["sales@example.com"],
                                                      "Enterprise East": ["boss@example.com"]}
    with pytest.raises(DeliveryError) as e:
        recipients(run.counterparties, {"recipients": {"ENTERPRISE EST": ["boss@example.com"]}})
    assert str(e.value) == ("recipients.ENTERPRISE EST: no such team in the register; did you mean 'Enterprise East'? "
                            "(its teams: Commercial, Enterprise East)")
    with pytest.raises(DeliveryError) as e:
        recipients(run.counterparties, {"recipients": {"Enterprise East": ["a@example.com"],
                                                       "enterprise-east": ["b@example.com"]}})
    assert str(e.value) == ("recipients.Enterprise East and recipients.enterprise-east both name the team "
                            "'Enterprise East'; list its addresses once")

    inbox, port = smtp_server
    (tmp_path / "cli").mkdir()
    db, reg, book = write_inputs(tmp_path / "cli")
    (tmp_path / "delivery.yaml").write_text("recipients:\n  enterprise east: [boss@example.com]\n")
    monkeypatch.setenv("CLAUSEWISE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLAUSEWISE_SMTP_PORT", str(port))
    argv = ["candidates", "--db", str(db), "--register", str(reg), "--playbook", str(book), "--as-of", "2025-03-01",
            "--out", str(tmp_path / "out"), "--send", "--no-embeddings", "--delivery-config", str(tmp_path / "delivery.yaml")]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert "sent Enterprise East to boss@example.com" in result.output
    assert sorted(tuple(rcpt) for _, rcpt, _ in inbox.messages) == [("amy@example.com", "raj@example.com"),
                                                                     ("boss@example.com",)]
