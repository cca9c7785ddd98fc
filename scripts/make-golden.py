#!/usr/bin/env python3
"""Writes the golden vectors in test/fixtures/golden/ with nothing but Python's standard library.

The CLI tests compare PoolScope against these files, so anyone can regenerate them from Python
itself (`python3 scripts/make-golden.py`) without trusting a line of our TypeScript:

  combinations.json  exact itertools.combinations(elements, k) tuple lists for small cases, and
                     how print() shows each result
  args-digests.json  args files (as the CLI takes them) with the sha256 of
                     json.dumps(results, separators=(',', ':')), results being what
                     Pool.map / Pool.starmap of get_combinations(_n) returns
  seeds.json         random.seed(s); [random.choice((2, 3, 4)) for _ in range(24)]
  notebook.json      what the notebook's map and starmap cells print, for a few thread counts
  itertools.json     exact tuple lists of itertools.permutations, itertools.product(repeat=n) and
                     the itertools documentation's powerset recipe, and the digests of jobs of them
                     as the CLI's --elements/--n/--tasks flags build them
"""
import hashlib
import json
import random
from itertools import chain, combinations, permutations, product
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'golden'
COMPACT = (',', ':')


def get_combinations(elements):
    """The notebook's worker.get_combinations."""
    return tuple(combinations(elements, 2))


def get_combinations_n(elements, n):
    """The notebook's worker.get_combinations_n."""
    return tuple(combinations(elements, n))


def powerset(elements):
    """The itertools documentation's recipe: every subset, shortest first."""
    s = list(elements)
    return tuple(chain.from_iterable(combinations(s, r) for r in range(len(s) + 1)))


# What a task of each workload returns, from its arguments, as the tuple a Pool would hand back.
TUPLE_WORKLOADS = {
    'permutations': lambda elements, n: tuple(permutations(elements, n)),
    'product': lambda elements, n: tuple(product(elements, repeat=n)),
    'powerset': powerset,
}


def write(name, value):
    text = json.dumps(value, indent=1) + '\n'
    (OUT / name).write_text(text)
    print(f'{name}: {len(text)} bytes')


def combination_cases():
    cases = []
    for k in range(0, 8):
        cases.append({'elements': list(range(6)), 'k': k})
    cases += [
        {'elements': ['a', 'b', 'c', 'd'], 'k': 2},
        {'elements': ['a', 'b', 'c', 'd'], 'k': 3},
        {'elements': [1, 1, 2], 'k': 2},
        {'elements': [1, 1, 2], 'k': 1},
        {'elements': [3], 'k': 2},
        {'elements': ['x', 'y', 'x', 'y'], 'k': 2},
        {'elements': [-2, 0, 2, 4, 6], 'k': 4},
        {'elements': list(range(10)), 'k': 3},
    ]
    for case in cases:
        result = get_combinations_n(case['elements'], case['k'])
        case['tuples'] = [list(t) for t in result]
        # What `print(r)` shows for this task's result.
        case['printed'] = str(result)
    return cases


def results_digest(style, args):
    """sha256 of json.dumps(pool_result, separators=(',', ':')), built task by task.

    Equal to hashing json.dumps of the whole result (tuples serialise as lists); identical tasks
    are serialised once so that multi-million-tuple jobs stay cheap in memory.
    """
    hasher = hashlib.sha256()
    cache = {}
    total = 0
    hasher.update(b'[')
    for i, task in enumerate(args):
        key = json.dumps(task)
        if key not in cache:
            result = get_combinations(task) if style == 'map' else get_combinations_n(*task)
            cache[key] = (json.dumps(result, separators=COMPACT).encode('ascii'), len(result))
        text, count = cache[key]
        if i > 0:
            hasher.update(b',')
        hasher.update(text)
        total += count
    hasher.update(b']')
    return hasher.hexdigest(), total


def args_cases():
    r6 = list(range(6))
    cases = [
        {'name': 'notebook-map-4', 'workload': 'combinations', 'style': 'map', 'args': [r6] * 4},
        {
            'name': 'notebook-starmap-6',
            'workload': 'combinations_n',
            'style': 'starmap',
            'args': [[r6, 2], [r6, 3], [r6, 3], [r6, 4], [r6, 2], [r6, 4]],
        },
        {
            'name': 'mixed-strings',
            'workload': 'combinations_n',
            'style': 'starmap',
            'args': [[['a', 'b', 'c', 'd'], 2], [[1, 1, 2], 2], [['x'], 3], [list(range(8)), 0], [['q', 'r'], 1]],
        },
        {
            'name': 'map-varied',
            'workload': 'combinations',
            'style': 'map',
            'args': [list(range(n)) for n in range(1, 12)],
        },
        {
            'name': 'medium-starmap',
            'workload': 'combinations_n',
            'style': 'starmap',
            'args': [[list(range(20)), k] for k in (3, 5, 7, 5, 3, 6)],
        },
        {
            # The large job: 4 x C(30, 7) = 8,143,200 tuples; only the digest is stored.
            'name': 'large-4xC30-7',
            'workload': 'combinations_n',
            'style': 'starmap',
            'large': True,
            'args': [[list(range(30)), 7]] * 4,
        },
    ]
    for case in cases:
        case['digest'], case['tuples'] = results_digest(case['style'], case['args'])
        case['tasks'] = len(case['args'])
    return cases


def seed_cases():
    lengths = (2, 3, 4)
    draws = {}
    for seed in (0, 1, 7, 42, 2023, 123456789, 2**32 + 5, -3):
        random.seed(seed)
        draws[str(seed)] = [random.choice(lengths) for _ in range(24)]
    return {'lengths': list(lengths), 'draws': draws}


def notebook_cases():
    cases = []
    for processes in (1, 2, 3):
        data = tuple(tuple(range(6)) for i in range(processes * 2))
        result = [get_combinations(d) for d in data]
        map_lines = [f'Number of threads: {processes}', f'Number of results: {len(result)}']
        map_lines += [str(r) for r in result]
        cases.append({'threads': processes, 'cell': 'map', 'lines': map_lines})
        for seed in (0, 42):
            random.seed(seed)
            lengths = (2, 3, 4)
            data = tuple((tuple(range(6)), random.choice(lengths)) for i in range(processes * 2))
            result = [get_combinations_n(*d) for d in data]
            lines = [str(data[-1]), f'Number of threads: {processes}', f'Number of results: {len(result)}']
            lines += [str(r) for r in result]
            cases.append({'threads': processes, 'cell': 'starmap', 'seed': seed, 'lines': lines})
    return cases


def digest_of(fn, style, args):
    """sha256 of json.dumps([fn(...) for each task], separators=(',', ':')), and the tuple count."""
    results = [fn(task) if style == 'map' else fn(*task) for task in args]
    text = json.dumps(results, separators=COMPACT).encode('ascii')
    return hashlib.sha256(text).hexdigest(), sum(len(r) for r in results)


def itertools_cases():
    tuple_cases = []
    for workload, elements, n in [
        ('permutations', list(range(4)), 2),
        ('permutations', list(range(4)), 0),
        ('permutations', list(range(3)), 3),
        ('permutations', list(range(3)), 4),
        ('permutations', ['a', 'b', 'c'], 2),
        ('permutations', [1, 1, 2], 2),
        ('product', list(range(3)), 2),
        ('product', ['x', 'y'], 3),
        ('product', list(range(3)), 0),
        ('product', [7], 4),
        ('product', [-1, 0, 1, 'z'], 1),
        ('powerset', list(range(4)), None),
        ('powerset', ['a'], None),
        ('powerset', [2, 2, 'q'], None),
    ]:
        fn = TUPLE_WORKLOADS[workload]
        result = fn(elements) if n is None else fn(elements, n)
        tuple_cases.append(
            {'workload': workload, 'elements': elements, 'n': n, 'tuples': [list(t) for t in result], 'printed': str(result)}
        )
    # Jobs as the CLI builds them from flags: every task gets the same call (one n).
    digest_cases = []
    for workload, style, elements, n, tasks in [
        ('permutations', 'starmap', list(range(5)), 3, 2),
        ('powerset', 'map', list(range(5)), None, 1),
        ('product', 'starmap', list(range(4)), 3, 3),
        ('permutations', 'starmap', list(range(9)), 6, 4),
        ('product', 'starmap', list(range(10)), 5, 2),
        ('powerset', 'map', list(range(16)), None, 3),
    ]:
        args = [elements if n is None else [elements, n]] * tasks
        if style == 'map':
            args = [list(a) for a in args]
        digest, count = digest_of(TUPLE_WORKLOADS[workload], style, args)
        digest_cases.append(
            {'workload': workload, 'style': style, 'elements': f'0..{len(elements) - 1}', 'n': n,
             'tasks': tasks, 'digest': digest, 'tuples': count}
        )
    return {'tuples': tuple_cases, 'digests': digest_cases}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    write('combinations.json', combination_cases())
    write('args-digests.json', args_cases())
    write('seeds.json', seed_cases())
    write('notebook.json', notebook_cases())
    write('itertools.json', itertools_cases())


if __name__ == '__main__':
    main()
