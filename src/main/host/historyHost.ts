import { readFile } from 'node:fs/promises'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import type {
  CommandResults,
  EngineEvent,
  ExportFile,
  HistoryChanged,
  SweepResult
} from '../../shared/protocol'
import { redactPaths } from '../../shared/redactPaths'
import { formatBytes } from '../../shared/units'
import type { Engine } from '../engine/engine'
import type { Job } from '../engine/job'
import type { HistoryStore, RecordHeader } from '../history/historyStore'
import { decodeRunRecord, runRecord } from '../history/runRecord'
import { decodeSweepRecord, sweepRecordFacts, sweepRecordName } from '../history/sweepRecord'
import { MAX_EXPORT_BYTES } from './exportJob'

type HistoryCommand = Extract<keyof CommandResults, `history.${string}`>
export type HistoryHandlers = {
  [N in HistoryCommand]: (params: never) => Promise<CommandResults[N]>
}

/** What a save took: for tests and benchmarks. */
export interface SaveReport {
  header: RecordHeader
  /** Wall time from the job's end to the record's rename, ms. */
  wallMs: number
}

/**
 * The host's side of the history: saves every ended job and sweep in the background, and answers the
 * `history.*` commands over a HistoryStore. Without a store (tests, the CLI) there is none of it.
 */
export class HistoryHost {
  /** Saves run one after another, so two large ones never hold two records' columns at once. */
  private saving: Promise<unknown> = Promise.resolve()
  /**
   * Renames, deletes and undos run one after another: a rename rewrites the file a delete moves, so
   * interleaved they could leave a record both listed and deleted.
   */
  private changing: Promise<unknown> = Promise.resolve()
  /** Opens in progress, by record id: a second open of the same record shares the first. */
  private readonly opening = new Map<string, Promise<CommandResults['history.open']>>()
  readonly handlers: HistoryHandlers

  constructor(
    readonly store: HistoryStore,
    private readonly engine: Engine,
    private readonly emit: (event: EngineEvent) => void
  ) {
    this.handlers = {
      'history.list': async () => ({ folder: this.store.folder, ...(await this.store.list()) }),
      'history.open': async ({ id }: { id: string }) => this.openOnce(id),
      'history.openSweep': async ({ id }: { id: string }) => this.openSweep(id),
      'history.rename': ({ id, name }: { id: string; name: string }) =>
        this.oneAtATime(async () => {
          const header = await this.store.rename(id, name)
          this.changed({ change: 'renamed', id })
          return header
        }),
      'history.delete': ({ id }: { id: string }) =>
        this.oneAtATime(async () => {
          await this.store.remove(id)
          this.changed({ change: 'deleted', id })
          return { id }
        }),
      'history.restore': ({ id }: { id: string }) =>
        this.oneAtATime(async () => {
          await this.store.restore(id)
          this.changed({ change: 'restored', id })
          return { id }
        }),
      'history.import': async ({ text }: { text: string }) => {
        const header = await this.store.importText(text)
        this.changed({ change: 'imported', id: header.id })
        return header
      },
      'history.export': async ({ id }: { id: string }) => this.exportRecord(id)
    }
  }

  /**
   * Saves `job` once it has ended and its CPU sampler has taken its last reading, after any save
   * before it: never before `job.finished` has gone out. Resolves with what was saved, or null when
   * the save failed (reported as a `history.changed` event with change `failed`).
   */
  save(job: Job): Promise<SaveReport | null> {
    return this.enqueue(`job ${job.id}`, async () => {
      await job.done
      await job.cpuSettled()
      await nextTurn()
      const began = performance.now()
      const draft = runRecord(job)
      const header = await this.store.saveText('run', draft.name, draft.facts, draft.payload)
      return { header, began }
    })
  }

  /**
   * Saves an ended sweep (done, cancelled with its finished points, or failed), after any save
   * before it. Call it once `sweep.finished` has gone out. Resolves as `save` does.
   */
  saveSweep(result: SweepResult): Promise<SaveReport | null> {
    return this.enqueue(`sweep ${result.sweepId}`, async () => {
      await nextTurn()
      const began = performance.now()
      const header = await this.store.save('sweep', sweepRecordName(result), sweepRecordFacts(result), result)
      return { header, began }
    })
  }

  /** Runs saves one after another; a failure is reported as a `history.changed` event. */
  private enqueue(
    what: string,
    write: () => Promise<{ header: RecordHeader; began: number }>
  ): Promise<SaveReport | null> {
    const next = this.saving.then(async () => {
      try {
        const { header, began } = await write()
        this.changed({ change: 'added', id: header.id })
        return { header, wallMs: performance.now() - began }
      } catch (err) {
        // A file system error names the data folder's absolute path: not for a web page.
        const reason = redactPaths(err instanceof Error ? err.message : String(err))
        this.changed({ change: 'failed', id: null, problem: `${what} was not saved in history: ${reason}` })
        return null
      }
    })
    this.saving = next.catch(() => undefined)
    return next
  }

  /** Runs `change` after every rename, delete and undo asked for before it. */
  private oneAtATime<T>(change: () => Promise<T>): Promise<T> {
    const next = this.changing.then(change)
    this.changing = next.catch(() => undefined)
    return next
  }

  /** `open`, once per record at a time. */
  private openOnce(id: string): Promise<CommandResults['history.open']> {
    let opening = this.opening.get(id)
    if (!opening) {
      opening = this.open(id).finally(() => this.opening.delete(id))
      this.opening.set(id, opening)
    }
    return opening
  }

  /** Resolves once every save begun so far has ended. */
  async idle(): Promise<void> {
    await this.saving
  }

  /** Rebuilds a saved run in the engine (once: a run already open is answered with its job). */
  private async open(id: string): Promise<CommandResults['history.open']> {
    const open = this.engine.listJobs().find((job) => job.restoredFrom?.recordId === id)
    if (open) return { jobId: open.id, summary: open.summary() }
    const { header, payload } = await this.store.read(id)
    if (header.kind !== 'run') {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${id} is a ${header.kind}, not a run; open it with history.openSweep`
      )
    }
    const run = await decodeRunRecord(payload)
    const job = await this.engine.restore(run.spec, run.summary, run.state, {
      recordId: id,
      name: header.name,
      savedAt: header.savedAt,
      resultsKept: run.resultsKept,
      note: run.note
    })
    return { jobId: job.id, summary: job.summary() }
  }

  /** A saved sweep's result, as `sweep.finished` carried it, with the record's name and date. */
  private async openSweep(id: string): Promise<CommandResults['history.openSweep']> {
    const { header, payload } = await this.store.read(id)
    if (header.kind !== 'sweep') {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${id} is a ${header.kind}, not a sweep; open it with history.open`
      )
    }
    return { id, name: header.name, savedAt: header.savedAt, result: decodeSweepRecord(payload) }
  }

  /** A record's file as it is, for a download; at most MAX_EXPORT_BYTES, as any export. */
  private async exportRecord(id: string): Promise<ExportFile> {
    const entry = await this.store.entry(id)
    if (entry.bytes > MAX_EXPORT_BYTES) {
      throw new PoolScopeError(
        ErrorCodes.INVALID_COMMAND,
        `record ${id} is ${formatBytes(entry.bytes)}, more than the ${formatBytes(MAX_EXPORT_BYTES)} an export from the app holds; ` +
          `copy its file from the history folder instead`
      )
    }
    const text = await readFile(this.store.fileOf(id), 'utf8')
    return { filename: `${fileSafe(entry.name) || id}.poolscope.json`, mime: 'application/json', text }
  }

  private changed(payload: HistoryChanged): void {
    this.emit({ type: 'history.changed', payload })
  }
}

/** A name as a file name: letters, digits, dot, dash and underscore, at most 80 characters. */
function fileSafe(name: string): string {
  return name
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
}
