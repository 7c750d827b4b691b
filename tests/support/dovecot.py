"""A private Dovecot for the integration tests: own config, free loopback port, one user per test.

Facts that shaped it (measured on this kind of machine): a static passdb accepts any user name
with one password, so each test gets a fresh mailbox by picking a new name; the anvil
auth-penalty socket is disabled so a failed login does not slow every later login; the mail
folder must be traversable by the mail uid.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PASSWORD = "testpass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_dovecot() -> str | None:
    return shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


class Dovecot:
    def __init__(self, root: Path, binary: str):
        self.root = root
        self.binary = binary
        self.port = free_port()
        self.conf = root / "dovecot.conf"

    def _write_config(self) -> None:
        root = self.root
        mail = root / "mail"
        mail.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o755)
        lines = [
            f"instance_name = mailbot-test-{self.port}",
            f"base_dir = {root}/run",
            f"state_dir = {root}/state",
            f"log_path = {root}/dovecot.log",
            "protocols = imap",
            "listen = 127.0.0.1",
            "disable_plaintext_auth = no",
            "ssl = no",
            "mail_location = maildir:~/Maildir",
            "mail_fsync = never",
            "auth_failure_delay = 0",
            "mail_max_userip_connections = 100",
            "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + str(root / "passwd") + "\n}",
            "passdb {\n  driver = static\n  args = password=" + PASSWORD + "\n}",
        ]
        if os.geteuid() == 0:
            mail_uid = 5000
            os.chown(mail, mail_uid, mail_uid)
            lines.append("userdb {\n  driver = static\n  args = uid=5000 gid=5000 home=" + str(mail) + "/%u\n}")
        else:
            import grp
            import pwd

            user = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            lines += [f"default_login_user = {user}", f"default_internal_user = {user}", f"default_internal_group = {group}"]
            lines.append("userdb {\n  driver = static\n  args = home=" + str(mail) + "/%u\n}")
        chroot = "" if os.geteuid() == 0 else "  chroot =\n"
        lines.append(
            "service imap-login {\n" + chroot + f"  inet_listener imap {{\n    port = {self.port}\n  }}\n"
            "  inet_listener imaps {\n    port = 0\n  }\n}"
        )
        lines.append("service anvil {\n" + chroot + "  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}")
        # A user whose password is NOT the static one, for "wrong password" tests.
        (root / "passwd").write_text("locked@test:{PLAIN}right-password\n")
        self.conf.write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        run_dir = self.root / "run"
        if run_dir.exists():
            shutil.rmtree(run_dir)  # a stale socket costs a 5 s stall on the first login
        self._write_config()
        # The master daemonizes and keeps its std streams: never capture them (communicate() would wait forever).
        with open(self.root / "start.log", "ab") as log:
            result = subprocess.run([self.binary, "-c", str(self.conf)], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        if result.returncode != 0:
            raise RuntimeError(f"Dovecot failed to start: {(self.root / 'start.log').read_text()[-2000:]}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not open port {self.port}; see {self.root / 'dovecot.log'}")

    def own_processes(self) -> list[int]:
        """PIDs of this instance's processes (their title carries the instance name, hence the port)."""
        mark = f"dovecot-mailbot-test-{self.port}/".encode()
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if (entry / "cmdline").read_bytes().startswith(mark):
                        pids.append(int(entry.name))
                except OSError:
                    continue
        return pids

    def crash(self) -> None:
        """Stop like a server that goes down: `dovecot stop` leaves the per-connection imap
        processes serving their clients; a real outage does not, so they are killed first."""
        for _ in range(2):
            for pid in self.own_processes():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if _ == 0:
                self.stop()

    def stop(self) -> None:
        subprocess.run([self.binary, "-c", str(self.conf), "stop"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # `stop` returns before the master exits; wait for the port to free up.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.1)
            except OSError:
                return
