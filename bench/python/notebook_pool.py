"""Stdlib replica of the parallel-processing notebook, driven by bench/run.js.

The notebook's worker functions (its worker.py) and its multiprocessing.Pool calls, unchanged in
substance. The notebook's get_combinations also prints "Running combinations computation..." in
every call; that print is left out here (set NOTEBOOK_PRINT=1 to put it back) because the bench
compares computation and hand-over, not how fast a terminal scrolls.

Two ways to run it:
  python3 notebook_pool.py serve          one JSON command per stdin line, one JSON reply per line;
                                          keeps one warm pool so bench/run.js can interleave runs
  python3 notebook_pool.py memory [procs] a fresh process that runs the 8.1M-tuple job once and
                                          reports peak memory of itself and its pool workers
"""

import itertools
import json
import multiprocessing as mp
import os
import resource
import sys
import time

PRINT = os.environ.get("NOTEBOOK_PRINT") == "1"


def get_combinations(elements):
    # The notebook's worker.py: all unique pairs of the elements.
    if PRINT:
        print("Running combinations computation...")
    return tuple(itertools.combinations(elements, 2))


def get_combinations_n(elements, n):
    # The notebook's worker.py: all unique n-tuples of the elements.
    return tuple(itertools.combinations(elements, n))


def _ready(_):
    return os.getpid()


def now_ms():
    return time.perf_counter() * 1000.0


def start_pool(processes):
    """A pool plus its start-up cost: constructor alone, and until each worker answered once."""
    t0 = now_ms()
    pool = mp.Pool(processes=processes)
    t1 = now_ms()
    pids = set(pool.map(_ready, range(processes * 4), chunksize=1))
    t2 = now_ms()
    return pool, {"ctorMs": t1 - t0, "readyMs": t2 - t0, "workersSeen": len(pids)}


def big_job(pool, tasks=4, elements=30, n=7):
    data = tuple((tuple(range(elements)), n) for _ in range(tasks))
    t0 = now_ms()
    result = pool.starmap(get_combinations_n, data)
    wall = now_ms() - t0
    tuples = sum(len(r) for r in result)
    first, last = result[0][0], result[-1][-1]
    return result, {"wallMs": wall, "tuples": tuples, "first": list(first), "last": list(last)}


def tiny_job(pool, tasks=100_000):
    data = tuple(tuple(range(3)) for _ in range(tasks))
    t0 = now_ms()
    result = pool.map(get_combinations, data)
    wall = now_ms() - t0
    return {"wallMs": wall, "tasks": len(result), "tuples": sum(len(r) for r in result)}


def notebook_map(pool, processes):
    # In [4] and In [5] of the notebook: twice as many tasks as processes, each range(6).
    data = tuple(tuple(range(6)) for i in range(processes * 2))
    t0 = now_ms()
    result = pool.map(get_combinations, data)
    wall = now_ms() - t0
    return {"wallMs": wall, "tasks": len(result), "tuples": sum(len(r) for r in result)}


def vm_hwm_kib(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def memory(processes):
    pool, startup = start_pool(processes)
    result, info = big_job(pool)
    # Peak of each pool worker, read while it is still alive (VmHWM is the process's high-water mark).
    workers = [vm_hwm_kib(p.pid) for p in pool._pool]
    parent = vm_hwm_kib()
    del result
    pool.close()
    pool.join()
    self_ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children_ru = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "processes": processes,
        "wallMs": info["wallMs"],
        "tuples": info["tuples"],
        "parentHwmKiB": parent,
        "workerHwmKiB": workers,
        "sumHwmKiB": (parent or 0) + sum(w or 0 for w in workers),
        # ru_maxrss of RUSAGE_CHILDREN is the largest single child, not a sum: shown for reference.
        "rusageSelfKiB": self_ru,
        "rusageLargestChildKiB": children_ru,
    }


def serve():
    pool = None
    processes = 0
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        op = cmd["op"]
        try:
            if op == "start":
                if pool is not None:
                    pool.terminate()
                    pool.join()
                processes = cmd["processes"]
                pool, reply = start_pool(processes)
            elif op == "big":
                result, reply = big_job(pool, cmd.get("tasks", 4), cmd.get("elements", 30), cmd.get("n", 7))
                del result
            elif op == "tiny":
                reply = tiny_job(pool, cmd.get("tasks", 100_000))
            elif op == "notebook":
                reply = notebook_map(pool, processes)
            elif op == "stop":
                if pool is not None:
                    pool.close()
                    pool.join()
                    pool = None
                reply = {}
            elif op == "quit":
                if pool is not None:
                    pool.terminate()
                    pool.join()
                out.write(json.dumps({"ok": True}) + "\n")
                out.flush()
                return
            else:
                raise ValueError(f"unknown op {op!r}")
            out.write(json.dumps({"ok": True, **reply}) + "\n")
        except Exception as err:  # reported to the driver, which fails the bench loudly
            out.write(json.dumps({"ok": False, "error": f"{type(err).__name__}: {err}"}) + "\n")
        out.flush()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "serve":
        serve()
    elif mode == "memory":
        procs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
        print(json.dumps(memory(procs)))
    else:
        sys.exit(f"usage: {sys.argv[0]} serve | memory [processes]")
