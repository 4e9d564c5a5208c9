"""A real IMAP server for the inbound tests: Debian's dovecot on loopback, with one Maildir user."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from imap_tools import MailBoxUnencrypted

from tests.notifications.components import free_port

USER, PASSWORD = "complaints", "inbound-secret"
CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = redress-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
default_internal_user = {login_user}
default_internal_group = {login_group}
default_login_user = {login_user}
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    """Dovecot in the foreground (`dovecot -F`) under a temporary directory.

    Run as root (this sandbox, CI) it drops to `nobody` for logins and mail, as it refuses to
    read mail as root; otherwise everything runs as the current user.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="redress-dovecot-"))
        self._process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.uid, self.gid, self.login_user = nobody.pw_uid, nobody.pw_gid, "nobody"
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.login_user = pwd.getpwuid(self.uid).pw_name
        self.url = f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / USER

    def start(self) -> None:
        self.root.chmod(0o755)
        (self.root / "mail").mkdir()
        os.chown(self.root / "mail", self.uid, self.gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        (self.root / "passwd").chmod(0o644)
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                uid=self.uid,
                gid=self.gid,
                login_user=self.login_user,
                login_group=grp.getgrgid(self.gid).gr_name,
            )
        )
        self._process = subprocess.Popen(
            [shutil.which("dovecot") or "dovecot", "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def mailbox(self) -> MailBoxUnencrypted:
        return MailBoxUnencrypted("127.0.0.1", port=self.port).login(USER, PASSWORD, "INBOX")

    def deliver(self, *messages: bytes) -> None:
        with self.mailbox() as box:
            for raw in messages:
                box.append(raw, "INBOX")

    def empty(self) -> None:
        with self.mailbox() as box:
            uids = box.uids()
            if uids:
                box.delete(uids)

    def unseen(self) -> int:
        with self.mailbox() as box:
            return len(box.uids("UNSEEN"))

    def _wait_until_listening(self) -> None:
        for _attempt in range(100):
            if self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self._process.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start listening")
