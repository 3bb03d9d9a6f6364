# SPDX-License-Identifier: BSD-3-Clause
#
# Process life cycle: clean exit on SIGTERM/SIGINT and SHUTDOWN, the pidfile, the
# log line format and loglevel filtering.
import os
import re
import signal
import time
from datetime import datetime

import pytest

from conftest import roundtrip
from helpers_server import read_until_closed, wait_until

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
LOG_LINE = re.compile(r"(\d+):([XCSM]) (\d{2}) (%s) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) "
                      r"([.\-*#]) (.*)" % MONTHS)
# lines written by the server's main process (Redis also writes a few lines from
# inside its signal handler in another shape: "pid:signal-handler (ts) ...")
MAIN_LINE = re.compile(r"\d+:[XCSM] ")


def log_lines(srv):
    return [ln for ln in srv.log().splitlines() if ln.strip()]


def levels(srv):
    return [LOG_LINE.fullmatch(ln)[10] for ln in log_lines(srv) if LOG_LINE.fullmatch(ln)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_cleanly(server_factory, sig):
    srv = server_factory()
    c = srv.client()
    c.set("k", "v")
    held = srv.connect()
    assert roundtrip(held, ("PING",)) == [b"+PONG\r\n"]
    t0 = time.monotonic()
    srv.proc.send_signal(sig)
    assert srv.proc.wait(10) == 0
    assert time.monotonic() - t0 < 5
    assert read_until_closed(held, timeout=3) == (b"", True)
    held.close()
    c.close()
    log = srv.log()
    assert re.search(r"(?i)shutdown|exit", log), log[-2000:]


def test_shutdown_command_exits_cleanly(server_factory):
    srv = server_factory()
    s = srv.connect()
    s.sendall(b"SHUTDOWN\r\n")
    assert read_until_closed(s, timeout=5) == (b"", True)
    s.close()
    assert srv.proc.wait(10) == 0


def test_pidfile_written_and_removed(server_factory, tmp_path):
    pidfile = str(tmp_path / "loom.pid")
    srv = server_factory(config={"pidfile": pidfile})
    wait_until(lambda: os.path.exists(pidfile), what="the pidfile")
    with open(pidfile) as f:
        assert int(f.read().strip()) == srv.proc.pid
    assert srv.stop() == 0
    assert not os.path.exists(pidfile)


def test_log_line_format(server_factory):
    srv = server_factory()
    srv.client().ping()
    srv.stop()
    lines = log_lines(srv)
    main = [ln for ln in lines if MAIN_LINE.match(ln)]
    assert len(main) >= 2, lines
    now = datetime.now()
    for ln in main:
        m = LOG_LINE.fullmatch(ln)
        assert m, ln
        assert int(m[1]) == srv.proc.pid
        when = datetime.strptime(" ".join(m.group(3, 4, 5)) + " " + ":".join(m.group(6, 7, 8)),
                                 "%d %b %Y %H:%M:%S")
        assert abs((now - when).total_seconds()) < 120, ln


@pytest.mark.loom_only
def test_every_log_line_has_the_format(server_factory):
    srv = server_factory()
    srv.client().ping()
    srv.stop(signal.SIGTERM)
    for ln in log_lines(srv):
        m = LOG_LINE.fullmatch(ln)
        assert m, ln
        assert int(m[1]) == srv.proc.pid


def test_loglevel_warning_hides_notices(server_factory):
    srv = server_factory(config={"loglevel": "warning"})
    srv.client().ping()
    srv.stop()
    lv = levels(srv)
    assert lv and set(lv) == {"#"}


def test_loglevel_notice_is_default(server_factory):
    srv = server_factory()
    c = srv.client(decode_responses=True)
    assert c.config_get("loglevel") == {"loglevel": "notice"}
    srv.stop()
    lv = levels(srv)
    assert "*" in lv
    assert "-" not in lv and "." not in lv


def test_loglevel_verbose_at_run_time(server_factory):
    srv = server_factory()
    c = srv.client()
    assert c.config_set("loglevel", "verbose")
    s = srv.connect()
    roundtrip(s, ("PING",))
    s.close()
    wait_until(lambda: "-" in levels(srv), timeout=3, what="a verbose-level log line")


def test_logfile_is_created_in_place(server):
    assert os.path.exists(server.logfile)
    assert server.log().strip()
