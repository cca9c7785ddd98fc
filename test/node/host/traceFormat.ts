import { expect } from 'vitest'

/** One event of a Chrome trace, as the tests read it. */
export interface TraceEvent {
  name: string
  cat?: string
  ph: string
  ts?: number
  dur?: number
  pid: number
  tid?: number
  args?: Record<string, unknown>
}

export interface Trace {
  traceEvents: TraceEvent[]
  otherData: Record<string, unknown>
}

/** Whole trace ticks (0.1 µs) from trace microseconds (the writer keeps at most one decimal). */
export const ticks = (us: number): number => Math.round(us * 10)

/** A task event's task, or null for any other event. */
export function taskOf(event: TraceEvent): number | null {
  const match = event.ph === 'X' ? /^#(\d+)$/.exec(event.name) : null
  return match ? Number(match[1]) : null
}

/**
 * Checks a trace against the Trace Event Format rules the export promises and returns its task
 * events by task: the process is named, every thread used is named, no time is negative, every
 * duration is at least 0, the slices on one thread nest (each lies inside the one it starts in, or
 * after it: never a partial overlap), no task has two events, each task lies inside its chunk's
 * slice, and every CPU the trace says it sampled (`otherData.cores`) has its counter track.
 */
export function checkTrace(trace: Trace): Map<number, TraceEvent> {
  const events = trace.traceEvents
  expect(events.some((e) => e.ph === 'M' && e.name === 'process_name')).toBe(true)
  const named = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid))
  for (const event of events) {
    if (event.ph === 'M') continue
    // Counters belong to the process; every other event to a named thread.
    if (event.ph === 'C') expect(event.tid).toBeUndefined()
    else expect(named.has(event.tid)).toBe(true)
    expect(event.ts).toBeGreaterThanOrEqual(0)
    if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0)
  }
  checkNesting(events)
  // Every CPU has its track, unless the trace says it has none.
  const noReadings = (trace.otherData.leftOut as string[]).some((text) => /no CPU readings/.test(text))
  const cores = noReadings ? 0 : (trace.otherData.cores as number)
  for (let core = 0; core < cores; core++) {
    const track = events.filter((e) => e.ph === 'C' && e.name === `CPU ${core}`)
    expect(track.length, `counter track of CPU ${core}`).toBeGreaterThan(0)
    for (const point of track) {
      const busy = point.args?.['busy %'] as number
      expect(busy).toBeGreaterThanOrEqual(0)
      expect(busy).toBeLessThanOrEqual(100)
    }
  }
  const tasks = new Map<number, TraceEvent>()
  for (const event of events) {
    const task = taskOf(event)
    if (task === null) continue
    expect(tasks.has(task)).toBe(false)
    tasks.set(task, event)
  }
  const byThread = new Map<number, TraceEvent[]>()
  for (const event of tasks.values()) {
    const list = byThread.get(event.tid ?? -1) ?? []
    list.push(event)
    byThread.set(event.tid ?? -1, list)
  }
  for (const list of byThread.values()) {
    list.sort((a, b) => ticks(a.ts ?? 0) - ticks(b.ts ?? 0))
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]
      expect(ticks(list[i].ts ?? 0)).toBeGreaterThanOrEqual(ticks(before.ts ?? 0) + ticks(before.dur ?? 0))
    }
  }
  for (const chunk of events.filter(
    (e) => e.ph === 'X' && e.cat === 'engine' && e.args?.firstTask !== undefined
  )) {
    const first = chunk.args?.firstTask as number
    const count = chunk.args?.count as number
    for (let task = first; task < first + count; task++) {
      const event = tasks.get(task)
      if (!event) continue
      expect(event.tid).toBe(chunk.tid)
      expect(ticks(event.ts ?? 0)).toBeGreaterThanOrEqual(ticks(chunk.ts ?? 0))
      expect(ticks(event.ts ?? 0) + ticks(event.dur ?? 0)).toBeLessThanOrEqual(
        ticks(chunk.ts ?? 0) + ticks(chunk.dur ?? 0)
      )
    }
  }
  return tasks
}

/**
 * The X slices of each thread nest as a viewer stacks them: in order of start (the longer first
 * when two start together), each slice starts after the enclosing one ends or ends within it.
 */
export function checkNesting(events: TraceEvent[]): void {
  const byThread = new Map<number, TraceEvent[]>()
  for (const event of events) {
    if (event.ph !== 'X') continue
    const list = byThread.get(event.tid ?? -1) ?? []
    list.push(event)
    byThread.set(event.tid ?? -1, list)
  }
  for (const [tid, list] of byThread) {
    list.sort((a, b) => ticks(a.ts ?? 0) - ticks(b.ts ?? 0) || ticks(b.dur ?? 0) - ticks(a.dur ?? 0))
    const open: number[] = [] // ends of the enclosing slices, innermost last
    for (const event of list) {
      const from = ticks(event.ts ?? 0)
      const to = from + ticks(event.dur ?? 0)
      while (open.length > 0 && open[open.length - 1] <= from) open.pop()
      const enclosing = open[open.length - 1]
      if (enclosing !== undefined && to > enclosing) {
        expect.fail(
          `on tid ${tid}, "${event.name}" [${from}, ${to}] partly overlaps a slice ending at ${enclosing}`
        )
      }
      open.push(to)
    }
  }
}
