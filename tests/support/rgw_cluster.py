"""Test support shared by the S3 and Lambda suites: a Ceph RADOS Gateway on
loopback, started and stopped with the project's scripts/rgw.sh."""
import os
import random
import socket
import subprocess

RGW_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "rgw.sh")


def free_port_pair(low, high):
    """An even port P in [low, high) with P (gateway) and P+1 (monitor) free.
    Suites use separate ranges so that ctest -j never hands two the same pair."""
    for _ in range(50):
        port = random.randrange(low, high, 2)
        ok = True
        for p in (port, port + 1):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError(f"no free port pair in [{low}, {high})")


def start(cluster_dir, low, high):
    """Starts a gateway; returns (CompletedProcess, env) where env holds
    NAMIX_S3_ENDPOINT and the AWS_* variables rgw.sh printed."""
    started = subprocess.run([RGW_SCRIPT, "start", cluster_dir, str(free_port_pair(low, high))],
                             capture_output=True, text=True, timeout=120)
    env = dict(line.split("=", 1) for line in started.stdout.split() if "=" in line)
    return started, env


def kill(cluster_dir):
    subprocess.run([RGW_SCRIPT, "kill", cluster_dir], capture_output=True, timeout=60)
