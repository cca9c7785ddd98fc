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

/** Whole nanoseconds from trace microseconds (the writer keeps at most three decimals). */
export const nanos = (us: number): number => Math.round(us * 1000)

/**
 * Checks a trace against the Trace Event Format rules the export promises and returns its task
 * events by task: the process is named, every thread used is named, no time is negative, task
 * slices on one thread never overlap, and each task lies inside its chunk's slice.
 */
export function checkTrace(trace: Trace): Map<number, TraceEvent> {
  const events = trace.traceEvents
  expect(events.some((e) => e.ph === 'M' && e.name === 'process_name')).toBe(true)
  const named = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.tid))
  for (const event of events) {
    if (event.ph === 'M') continue
    expect(named.has(event.tid)).toBe(true)
    expect(event.ts).toBeGreaterThanOrEqual(0)
    if (event.ph === 'X') expect(event.dur).toBeGreaterThanOrEqual(0)
  }
  const tasks = new Map<number, TraceEvent>()
  for (const event of events) {
    if (event.ph !== 'X' || event.cat !== 'task') continue
    const task = Number(event.name.replace('task ', ''))
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
    list.sort((a, b) => nanos(a.ts ?? 0) - nanos(b.ts ?? 0))
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1]
      expect(nanos(list[i].ts ?? 0)).toBeGreaterThanOrEqual(nanos(before.ts ?? 0) + nanos(before.dur ?? 0))
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
      expect(nanos(event.ts ?? 0)).toBeGreaterThanOrEqual(nanos(chunk.ts ?? 0))
      expect(nanos(event.ts ?? 0) + nanos(event.dur ?? 0)).toBeLessThanOrEqual(
        nanos(chunk.ts ?? 0) + nanos(chunk.dur ?? 0)
      )
    }
  }
  return tasks
}
