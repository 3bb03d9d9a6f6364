# SPDX-License-Identifier: BSD-3-Clause
#
# Shared helpers for the server/protocol/admin integration tests (test_protocol,
# test_network, test_server_cmds, test_config, test_info, test_client_cmd,
# test_lifecycle, test_cli): polling with deadlines, raw-socket reads that tell a
# closed connection from a quiet one, INFO parsing that keeps values as text, a
# redis-py client without reply callbacks, and running the server binary directly
# (to see its own defaults, or when a test expects it to fail at start-up).
import os
import shutil
import socket
import subprocess
import tempfile
import time

from conftest import encode, free_port, read_reply, server_binary


def wait_until(predicate, timeout=5.0, interval=0.02, what="condition"):
    """Polls predicate() until it returns a true value (which is returned) or the
    deadline passes (AssertionError naming `what`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def read_until_closed(sock, timeout=3.0, quiet=None):
    """Reads from sock until the peer closes it (returns (data, True)) or until
    `timeout` passes, or `quiet` seconds pass without new data once some data
    arrived (returns (data, False))."""
    data = b""
    deadline = time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if now >= deadline:
            return data, False
        wait = deadline - now
        if quiet is not None and data:
            wait = min(wait, quiet)
        sock.settimeout(wait)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            if quiet is not None and data:
                return data, False
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk


def send_bad(server, payload, timeout=3.0):
    """Opens a fresh connection, sends payload, and returns (reply, closed)."""
    s = server.connect()
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_until_closed(s, timeout=timeout)
    finally:
        s.close()


def parse_info(text):
    """INFO text -> {field: value-as-string}; section headers are dropped."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    out = {}
    for line in text.split("\r\n"):
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        out[key] = value
    return out


def info_text(server, *sections):
    """The raw text of INFO [sections...], read over a raw socket."""
    s = server.connect()
    try:
        s.sendall(encode("INFO", *sections))
        raw, _ = read_reply(s)
    finally:
        s.close()
    assert raw.startswith(b"$"), raw[:100]
    header, _, body = raw.partition(b"\r\n")
    return body[:int(header[1:])].decode("utf-8", "replace")


def info_fields(server, *sections):
    return parse_info(info_text(server, *sections))


def info_int(client, section, name):
    return int(client.info(section)[name])


def used_memory(client):
    return int(client.info("memory")["used_memory"])


def run_failing_server(args, conf_text=None, timeout=10.0):
    """Runs the server binary with args (a config file first when conf_text is
    given) expecting it to exit by itself; returns (returncode, output, conf_path)
    (the file is removed by then: conf_path is for matching the output).
    Kills it and fails when it is still running after `timeout`."""
    conf_path = None
    tmpdir = None
    if conf_text is not None:
        tmpdir = tempfile.mkdtemp(prefix="loom-badconf-")
        conf_path = os.path.join(tmpdir, "bad.conf")
        with open(conf_path, "w") as f:
            f.write(conf_text)
        args = [conf_path] + list(args)
    proc = subprocess.Popen([server_binary()] + list(args), cwd=tmpdir,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError(f"server {args} kept running; it should have refused to start")
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return proc.returncode, out.decode("utf-8", "replace"), conf_path


def plain_client(server, **kwargs):
    """A redis-py client without per-command reply callbacks: execute_command()
    returns the RESP reply as parsed (bytes, ints, lists, None), nothing more."""
    c = server.client(**kwargs)
    c.response_callbacks.clear()
    return c


class BareServer:
    """The server binary started with only the arguments given (plus --port, --dir
    and --logfile): for checking defaults that conftest's Server always overrides
    (bind, save, enable-debug-command)."""

    def __init__(self, *args, timeout=10.0):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="loom-bare-")
        self.logfile = os.path.join(self.dir, "server.log")
        cmd = [server_binary(), "--port", str(self.port), "--dir", self.dir,
               "--logfile", self.logfile] + list(args)
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
                raise RuntimeError("server exited with %d" % self.proc.returncode)
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("server did not start")
                time.sleep(0.02)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
