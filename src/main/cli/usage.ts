import { LIMITS } from '../../shared/spec'
import { WORKLOADS } from '../../shared/workloads'

export const MAIN_USAGE = `Usage: poolscope <command> [options]

Commands:
  run        run one job on a worker-thread pool and report its timing (poolscope run --help)
  sweep      run one job at several thread counts, repeated, and fit how it scales (poolscope sweep --help)
  notebook   run the parallel-processing notebook's map and starmap cells on this machine
  web        serve PoolScope to a browser (poolscope web --help)
  agent      run chunks of cluster jobs on this machine's threads (poolscope agent --help)

Options:
  --help     show this help
  --version  show the version

Exit codes: 0 done, 1 failed, 2 bad arguments (nothing was run), 130 interrupted (Ctrl-C).`

/** Each workload's name, parameters, description, what to look for and recipe flags, from its registry entry. */
function workloadHelp(): string {
  const lines: string[] = []
  for (const w of WORKLOADS.values()) {
    lines.push(`  ${w.name}(${w.params.join(', ')})`)
    lines.push(...wrap(w.description, 6))
    lines.push(...wrap(`Look for: ${w.lookFor}`, 6))
    for (const field of w.fields) {
      const flag = `--${field.key} ${field.example}`.padEnd(18)
      lines.push(...wrap(`${field.help} (default ${field.defaultText})`, 26, `    ${flag}  `))
    }
  }
  return lines.join('\n')
}

/** Text wrapped at 100 columns, indented; the first line may start with a label instead. */
function wrap(text: string, indent: number, first = ' '.repeat(indent)): string[] {
  const lines: string[] = []
  let line = first
  for (const word of text.split(' ')) {
    if (line.length + word.length > 100 && line.trim() !== '' && line !== first) {
      lines.push(line.trimEnd())
      line = ' '.repeat(indent)
    }
    line += `${word} `
  }
  lines.push(line.trimEnd())
  return lines
}

export const RUN_USAGE = `Usage: poolscope run [options]

What to run (defaults reproduce the notebook's map cell):
  --workload NAME     one of the workloads below (default combinations)
  --style STYLE       map or starmap (default: map for one parameter, starmap for more)
  --tasks N           number of tasks, 1 to ${LIMITS.maxTasks} (default 2 x threads, as the notebook)
  --seed S            random.seed for tasks that draw from several values; without it a seed is
                      picked and printed
  --args-file FILE    a JSON array of task arguments instead of a recipe, e.g.
                      [[[0,1,2,3,4,5],3], ...] for starmap, [[0,1,2,3,4,5], ...] for map
  --code FILE         for --workload custom: a file holding one JavaScript function, such as
                      (i) => i * i, run in the workers on each task's arguments (task i gets i
                      unless --args-file gives them); it returns a number, a string or an array
                      of tuples of numbers and strings. Its syntax is checked before anything runs;
                      each task has a 10 s timeout unless --task-timeout says otherwise

Workloads and their inputs (each input has the default shown):
${workloadHelp()}

How to run it:
  --threads N         pool size, 1 to ${LIMITS.maxThreads} (default: this machine's hardware threads)
  --backend B         threads (worker threads, the default), processes (child processes, as
                      multiprocessing.Pool uses: the same results, with their start-up and copying)
                      or cluster (PoolScope agents on any machine, through Redis; needs --redis)
  --redis URL         the Redis server of the cluster back end: redis://[user:password@]host:port,
                      or rediss:// for TLS
  --chunksize C       auto (like Pool.map) or tasks per chunk, 1 to ${LIMITS.maxChunkSize}
  --keep K            all, count (count tuples, keep none) or the first N tuples per task (default all)
  --task-timeout MS   stop any task that runs longer than MS milliseconds (its worker is replaced
                      and the task fails); no limit by default

What to report (default: thread and result counts, then the timing summary):
  --print             print each task's result as Python's print(r) does; stdout is then exactly
                      the notebook's output and the timing summary goes to stderr
  --json              print one JSON object: resolved spec, counts, timing, statistics and a
                      SHA-256 digest of json.dumps(results, separators=(',', ':'))
  --output FILE       write the results to FILE as that same JSON
  --trace FILE        write the job's timeline to FILE as a Chrome trace (open it in
                      https://ui.perfetto.dev or chrome://tracing); FILE.json.gz is gzip-compressed
  --timings FILE      write each task's timings to FILE as CSV: task, lane, thread, cpu, start_ms,
                      end_ms, queue_wait_ms, tuples (or value); FILE.csv.gz is gzip-compressed
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

export const SWEEP_USAGE = `Usage: poolscope sweep [run options] [--threads 1,2,4] [--repeat R] [--max-seconds S] [--backend B] [--scaled]

Runs one job (the same flags as poolscope run: --workload, its inputs, --tasks, --seed, --args-file,
--chunksize, --keep, --task-timeout, --redis, --json) at several thread counts, repeated, and reports each
count's median time with its 95% confidence interval, the speedup, efficiency and Karp-Flatt metric,
and Amdahl's (with --scaled, Gustafson's) and the Universal Scalability Law's fits with predicted
speedups.

  --threads LIST      thread counts to measure, e.g. 1,2,4; must include 1, each from 1 to ${LIMITS.maxThreads}
                      (default 1, 2, 4 ... up to twice this machine's hardware threads)
  --backend B         threads, processes, both (threads and processes) or cluster (default threads);
                      cluster runs each count as a cluster job with that many lanes on the agents at
                      --redis URL (start them first: poolscope agent --help)
  --repeat R          measured runs per thread count at least, 1 to 100 (default 5); more follow until
                      the median's 95% interval is within +-5%, up to 30 runs or the time limit
  --max-seconds S     no extra round starts after S seconds (default 60); the R runs always complete
  --seed S            seeds the tasks' draws (as in run) and the shuffled order of the runs
  --keep K            keep results as run does; without it a sweep counts results and keeps none
  --scaled            grow the tasks with the threads (Gustafson): --tasks is what the smallest thread
                      count runs, and each count runs that many per thread (tasks / smallest count,
                      rounded up); speedup is then throughput (work per second) over 1 thread's, and
                      Gustafson's law is fitted instead of Amdahl's. Workloads whose tasks split one
                      range (count_primes) cannot be scaled

How it measures: every round runs each thread count once in a shuffled order (never one count as a
block); each run is preceded, whenever the pool is started for it, by one unmeasured warm-up run
(pool start-up is never timed); an outlier (modified z-score over 3.5) is re-run once. Each run
records the load average, the CPU frequency where readable, and whether other programs kept the
CPUs busy; runs under 100 ms are flagged with a task count that would reach 100 ms.

What to report (default: a table and the fit lines):
  --json              print one JSON object: points (with hyperfine's mean, stddev, median, min, max
                      and times, in seconds), fit (serial fraction, USL parameters, predicted
                      speedups, verdicts) and the machine
  --help              show this help

Ctrl-C cancels the run in progress and prints the finished points (exit code 130).`

export const AGENT_USAGE = `Usage: poolscope agent --redis URL [--threads N] [--name NAME] [--allow-code]

Runs chunks of cluster jobs (poolscope run --backend cluster --redis URL) on this machine's worker
threads, with the same kernels as the threads back end, until Ctrl-C. Start one on each machine.

  --redis URL     the Redis server the jobs' chunks go through: redis://[user:password@]host:port,
                  or rediss:// for TLS. A Redis not on this machine needs a password in the URL.
                  Anyone who can write to it can run PoolScope's kernels here
  --threads N     worker threads, 1 to ${LIMITS.maxThreads} (default: this machine's hardware threads)
  --name NAME     how this agent is named on the timeline (default: host name and process id)
  --allow-code    also run custom code (jobs with --code), on threads of its own with a 256 MB heap
                  each and the job's task timeout; not isolated otherwise: such code can do
                  whatever this user can (files, network, processes). Without it, never`
