"""A loopback TCP proxy to one upstream address that a test can cut and restore: cutting
resets every open connection (RST, as a peer that vanished) and resets each new one as
soon as it is accepted, until restored. The fault tests put it between graphsvc and the
shared Neo4j to take the database away from one graphsvc process only."""

from __future__ import annotations

import queue
import selectors
import socket
import struct
import threading

_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST, not FIN


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
    except OSError:
        pass
    sock.close()


class CuttableProxy:
    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self.accepted = 0  # connections forwarded upstream
        self.resets = 0  # connections reset by a cut, open or new
        self._cut = False
        self._peer: dict[socket.socket, socket.socket] = {}
        self._out: dict[socket.socket, bytearray] = {}
        self._commands: queue.Queue = queue.Queue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.listener, selectors.EVENT_READ, "accept")
        self._sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        # One thread owns every socket, so a cut closes each one where no recv() can hold it open.
        self._thread = threading.Thread(target=self._loop, name="tcpproxy", daemon=True)
        self._thread.start()

    # -- the test's side ------------------------------------------------------------------
    def cut(self) -> None:
        self._command("cut")

    def restore(self) -> None:
        self._command("restore")

    def close(self) -> None:
        self._command("close")
        self._thread.join(5)

    def _command(self, name: str) -> None:
        done = threading.Event()
        self._commands.put((name, done))
        self._wake_w.send(b"x")
        assert done.wait(10), f"the proxy did not carry out {name!r}"

    # -- the proxy's thread ---------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            for key, mask in self._sel.select():
                if key.data == "wake":
                    if not self._obey():
                        return
                elif key.data == "accept":
                    self._accept()
                elif key.fileobj in self._peer:  # not dropped earlier in this batch
                    if mask & selectors.EVENT_READ:
                        self._read(key.fileobj)
                    if mask & selectors.EVENT_WRITE and key.fileobj in self._peer:
                        self._flush(key.fileobj)

    def _obey(self) -> bool:
        self._wake_r.recv(1024)
        while not self._commands.empty():
            name, done = self._commands.get_nowait()
            if name in ("cut", "close"):
                self._cut = True
                for sock in list(self._peer):
                    if sock in self._peer:
                        self.resets += 1
                        self._drop(sock, reset=True)
            if name == "restore":
                self._cut = False
            if name == "close":
                self._sel.close()
                self.listener.close()
                self._wake_r.close()
                self._wake_w.close()
                done.set()
                return False
            done.set()
        return True

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except BlockingIOError:
                return
            if self._cut:
                self.resets += 1
                _reset(conn)
                continue
            try:
                up = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                _reset(conn)
                continue
            self.accepted += 1
            for sock, other in ((conn, up), (up, conn)):
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._peer[sock] = other
                self._out[sock] = bytearray()
                self._sel.register(sock, selectors.EVENT_READ)

    def _read(self, sock: socket.socket) -> None:
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            self._drop(sock, reset=True)
            return
        if not data:  # an orderly close on one side closes the other once its data is out
            peer = self._peer[sock]
            try:
                peer.setblocking(True)
                peer.settimeout(1)
                peer.sendall(self._out[peer])
            except OSError:
                pass
            self._drop(sock, reset=False)
            return
        peer = self._peer[sock]
        self._out[peer] += data
        self._flush(peer)

    def _flush(self, sock: socket.socket) -> None:
        buf = self._out[sock]
        if buf:
            try:
                del buf[:sock.send(buf)]
            except BlockingIOError:
                pass
            except OSError:
                self._drop(sock, reset=True)
                return
        self._sel.modify(sock, selectors.EVENT_READ | (selectors.EVENT_WRITE if buf else 0))

    def _drop(self, sock: socket.socket, reset: bool) -> None:
        """Close a connection and its other end."""
        for s in (sock, self._peer[sock]):
            self._sel.unregister(s)
            del self._peer[s], self._out[s]
            if reset:
                _reset(s)
            else:
                s.close()
