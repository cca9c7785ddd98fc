"""The tuple workloads of bench/tuples.js on Python's multiprocessing.Pool, as the notebook would.

python3 tuple_pool.py PROCESSES RUNS: starts one pool, runs each job once to warm it, then RUNS
rounds of every job (the order rotates each round) and prints one JSON line of wall times in ms.
Each job is Pool.starmap (or map) over tasks that return the whole tuple list, as the notebook's
get_combinations_n does.
"""

import itertools
import json
import multiprocessing as mp
import sys
import time


def combinations_n(elements, n):
    return tuple(itertools.combinations(elements, n))


def permutations(elements, n):
    return tuple(itertools.permutations(elements, n))


def product(elements, n):
    return tuple(itertools.product(elements, repeat=n))


def powerset(elements):
    s = list(elements)
    return tuple(itertools.chain.from_iterable(itertools.combinations(s, r) for r in range(len(s) + 1)))


FUNCTIONS = {'combinations_n': combinations_n, 'permutations': permutations, 'product': product, 'powerset': powerset}


def run(pool, job):
    fn = FUNCTIONS[job['workload']]
    elements = tuple(range(job['elements']))
    t0 = time.perf_counter()
    if job['n'] is None:
        result = pool.map(fn, [elements] * job['tasks'])
    else:
        result = pool.starmap(fn, [(elements, job['n'])] * job['tasks'])
    wall = (time.perf_counter() - t0) * 1000
    tuples = sum(len(r) for r in result)
    assert tuples == job['tuples'], (job, tuples)
    return wall


def main():
    processes, runs = int(sys.argv[1]), int(sys.argv[2])
    jobs = json.loads(sys.stdin.read())
    times = {job['workload']: [] for job in jobs}
    with mp.Pool(processes) as pool:
        for job in jobs:
            run(pool, job)
        for r in range(runs):
            for i in range(len(jobs)):
                job = jobs[(i + r) % len(jobs)]
                times[job['workload']].append(run(pool, job))
    print(json.dumps(times))


if __name__ == '__main__':
    main()
