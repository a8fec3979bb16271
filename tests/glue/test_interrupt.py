"""Reliability probe 3 and 10: one Ctrl-C stops a build's snippets within about two seconds, leaves no
process behind (the snippets, the fork server, its resource tracker) and starts nothing queued.
The interrupt goes to the build's process alone, the hard case (a terminal signals the whole group)."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from linreg_build import runner
    folder = Path(sys.argv[1])
    runner.SNIPPETS, runner.RUNS = folder, folder / "runs"
    runner.PRELOAD = ["linreg_build.runner"]
    runner.page_snippets = lambda: sorted(folder.glob("*.py"))
    runner.run_everything(runner.read_sources())
""")
SLEEPER = "import os, time\n# --8<-- [start:a]\nopen({pids!r}, 'a').write(f'{{os.getpid()}}\\n')\ntime.sleep(600)\n# --8<-- [end:a]\n"
QUEUED = "# --8<-- [start:a]\nopen({started!r}, 'w').write('started')\n# --8<-- [end:a]\n"


def test_one_interrupt_stops_everything_at_once(tmp_path):
    pids, started = tmp_path / "pids", tmp_path / "queued-started"
    for name in ("a.py", "b.py"):  # two workers: both sleep, the third waits in the queue
        (tmp_path / name).write_text(SLEEPER.format(pids=str(pids)))
    (tmp_path / "c.py").write_text(QUEUED.format(started=str(started)))
    build = subprocess.Popen([sys.executable, "-c", BUILD.format(root=ROOT), str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while (not pids.exists() or pids.read_text().count("\n") < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    family = psutil.Process(build.pid).children(recursive=True)
    assert len(family) >= 4, "the fork server, its resource tracker and two snippets run"
    build.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    output, _ = build.communicate(timeout=30)
    assert time.monotonic() - t0 < 5, output  # about half a second on a quiet machine
    assert "KeyboardInterrupt" in output
    time.sleep(0.5)
    left = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not left, [p.cmdline() for p in left]
    assert not started.exists(), "a queued snippet started after the interrupt"
