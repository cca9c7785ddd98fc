import { LIMITS } from '../../shared/spec'
import { MAX_K } from '../../shared/workloads'

export const MAIN_USAGE = `Usage: poolscope <command> [options]

Commands:
  run        run one job on a worker-thread pool and report its timing (poolscope run --help)
  notebook   run the parallel-processing notebook's map and starmap cells on this machine
  web        serve PoolScope to a browser (poolscope web --help)

Options:
  --help     show this help
  --version  show the version

Exit codes: 0 done, 1 failed, 2 bad arguments (nothing was run), 130 interrupted (Ctrl-C).`

export const RUN_USAGE = `Usage: poolscope run [options]

What to run (defaults reproduce the notebook's map cell):
  --workload NAME     combinations (get_combinations, pairs) or combinations_n (get_combinations_n)
                      (default combinations)
  --style STYLE       map or starmap (default: map for combinations, starmap for combinations_n)
  --elements E        the tuple every task works on: 0..5 (inclusive), range(6), or a list such as
                      a,b,c (default range(6))
  --tasks N           number of tasks, 1 to ${LIMITS.maxTasks} (default 2 x threads, as the notebook)
  --n N[,N...]        tuple length(s) 0 to ${MAX_K} for combinations_n; with several values each task
                      draws one with Python's random.choice (default 2,3,4)
  --seed S            random.seed for those draws; without it a seed is picked and printed
  --args-file FILE    a JSON array of task arguments instead of the above, e.g.
                      [[[0,1,2,3,4,5],3], ...] for starmap, [[0,1,2,3,4,5], ...] for map

How to run it:
  --threads N         pool size, 1 to ${LIMITS.maxThreads} (default: this machine's hardware threads)
  --backend B         threads (worker threads, the default) or processes (child processes, as
                      multiprocessing.Pool uses: the same results, with their start-up and copying)
  --chunksize C       auto (like Pool.map) or tasks per chunk, 1 to ${LIMITS.maxChunkSize}
  --keep K            all, count (count tuples, keep none) or the first N tuples per task (default all)
  --task-timeout MS   stop any task that runs longer than MS milliseconds (its worker is replaced
                      and the task fails); no limit by default

What to report (default: thread and result counts, then the timing summary):
  --print             print each task's result as Python's print(r) does; stdout is then exactly
                      the notebook's output and the timing summary goes to stderr
  --json              print one JSON object: resolved spec, counts, timing and a SHA-256 digest of
                      json.dumps(results, separators=(',', ':'))
  --output FILE       write the results to FILE as that same JSON
  --help              show this help

Ctrl-C cancels the job and prints what was computed (exit code 130).`

export const NOTEBOOK_USAGE = `Usage: poolscope notebook [options]

Runs the notebook's two cells on a pool of this machine's threads and prints what they printed:
the map cell (get_combinations over 2 x threads copies of range(6)), then the starmap cell
(get_combinations_n with n drawn by random.choice((2, 3, 4)) per task). Pool start-up is
measured apart from the cells, which then run on the warm pool.

  --threads N   pool size, 1 to ${LIMITS.maxThreads} (default: this machine's hardware threads)
  --seed S      random.seed for the starmap cell's draws (default: picked and printed)
  --help        show this help`
