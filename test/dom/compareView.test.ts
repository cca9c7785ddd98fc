import { mount, type VueWrapper } from '@vue/test-utils'
import type { EChartsOption } from 'echarts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import { useJobStore } from '@renderer/stores/job'
import type { HistoryEntry, JobSummary } from '../../src/shared/protocol'
import { createFakeApi, jobStats, summaryOf, planSummary, sweepResult, timelineWindow } from './fakeApi'
import { button, connectedPinia, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

const spec = (threads: number) => ({
  workload: 'combinations',
  style: 'map' as const,
  threads,
  inputs: { kind: 'recipe' as const, elements: [0, 1, 2, 3, 4, 5] }
})

function entry(id: string, name: string, kind: 'run' | 'sweep', savedAt: number): HistoryEntry {
  return { format: 'poolscope-history', kind, id, name, savedAt, version: 1, bytes: 2048, facts: {} }
}

/** Two saved runs of the map cell: one thread in 20 ms, two threads in 12 ms. */
const RUNS: Record<string, { threads: number; wallMs: number; name: string }> = {
  'run-1': { threads: 1, wallMs: 20, name: 'one thread' },
  'run-2': { threads: 2, wallMs: 12, name: 'two threads' }
}

function restored(id: string): JobSummary {
  const run = RUNS[id]
  const plan = planSummary(spec(run.threads))
  return summaryOf(plan, `job-${id}`, {
    threads: run.threads,
    wallMs: run.wallMs,
    restoredFrom: { recordId: id, name: run.name, savedAt: 0, resultsKept: true, note: null }
  })
}

async function mountApp() {
  const api = createFakeApi({
    historyList: vi.fn(async () => ({
      folder: '/tmp/h',
      entries: [
        entry('run-1', 'one thread', 'run', 3000),
        entry('run-2', 'two threads', 'run', 2000),
        entry('sweep-1', 'sweep before', 'sweep', 1000),
        entry('sweep-2', 'sweep after', 'sweep', 500)
      ],
      setAside: []
    })),
    historyOpen: vi.fn(async (id: string) => ({ jobId: `job-${id}`, summary: restored(id) })),
    stats: vi.fn(async (jobId: string) => {
      const run = RUNS[jobId.replace('job-', '')]
      return jobStats(jobId, { threads: run.threads, wallMs: run.wallMs })
    }),
    timeline: vi.fn(async (jobId: string, request?: { from?: number; to?: number }) => {
      const run = RUNS[jobId.replace('job-', '')]
      return {
        ...timelineWindow(jobId, { tasks: 4, lanes: run.threads, now: run.wallMs }),
        from: request?.from ?? 0,
        to: request?.to ?? run.wallMs
      }
    }),
    historyOpenSweep: vi.fn(async (id: string) => ({
      id,
      name: id === 'sweep-1' ? 'sweep before' : 'sweep after',
      savedAt: 0,
      result: sweepResult(id, [
        { threads: 1, samples: [200, 201, 199] },
        { threads: 2, samples: id === 'sweep-1' ? [110, 111, 109] : [150, 151, 149] }
      ])
    }))
  })
  const { pinia } = await connectedPinia(api)
  wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  await button(wrapper, 'History').trigger('click')
  await settle()
  return { wrapper, api }
}

const pick = (w: VueWrapper, name: string) => w.find<HTMLInputElement>(`input[aria-label="Compare ${name}"]`)
const charts = (w: VueWrapper) =>
  w.findAllComponents({ name: 'ChartStub' }).map((c) => c.props('option') as EChartsOption)
const axis = (option: EChartsOption) => {
  const x = option.xAxis as { min: number; max: number }
  return [x.min, x.max]
}
const frame = () => new Promise((resolve) => setTimeout(resolve, 40))

describe('comparing two runs', () => {
  it('picks at most two of one kind in History, then shows both on one axis with their statistics', async () => {
    const { wrapper, api } = await mountApp()
    expect(button(wrapper, 'Compare 2').element.disabled).toBe(true)
    await pick(wrapper, 'one thread').setValue(true)
    expect(wrapper.find('[data-test=compare-picked]').text()).toBe('“one thread” picked: tick one more run.')
    // A sweep does not compare with a run.
    expect(pick(wrapper, 'sweep before').element.disabled).toBe(true)
    expect(pick(wrapper, 'sweep before').element.parentElement!.getAttribute('title')).toBe(
      'Only two runs compare: “one thread” is a run'
    )
    await pick(wrapper, 'two threads').setValue(true)
    // Two picked: nothing else can be.
    expect(pick(wrapper, 'sweep after').element.disabled).toBe(true)
    expect(button(wrapper, 'Compare 2').element.disabled).toBe(false)

    await button(wrapper, 'Compare 2').trigger('click')
    await settle()
    await frame()
    expect(wrapper.find('#history-panel').exists()).toBe(false)
    expect(wrapper.find('.compare-view').exists()).toBe(true)
    // The workspace's own panels give way to the comparison.
    expect(wrapper.find('section[aria-label="Worker timeline"]').exists()).toBe(false)
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close the comparison')

    // Both opened, each asked for the shared range: job zero to the longer wall time (20 ms).
    expect(api.historyOpen).toHaveBeenCalledWith('run-1')
    expect(api.historyOpen).toHaveBeenCalledWith('run-2')
    expect(api.timeline).toHaveBeenCalledWith('job-run-1', expect.objectContaining({ from: 0, to: 20 }))
    expect(api.timeline).toHaveBeenCalledWith('job-run-2', expect.objectContaining({ from: 0, to: 20 }))
    const [a, b] = charts(wrapper)
    expect(axis(a)).toEqual([0, 20])
    expect(axis(b)).toEqual([0, 20])
    // The shorter run's end mark sits at its own wall time on that axis.
    const endOf = (o: EChartsOption) =>
      (
        (o.series as { markLine?: { data: { name: string; xAxis: number }[] } }[])[0].markLine!.data.find(
          (m) => m.name === 'end'
        ) ?? null
      )?.xAxis
    expect([endOf(a), endOf(b)]).toEqual([20, 12])
    expect(wrapper.findAll('[data-test=compare-facts]').map((f) => f.text())).toEqual([
      '1 worker · threads back end · 2 tasks · wall 20.0 ms',
      '2 workers · threads back end · 4 tasks · wall 12.0 ms'
    ])

    // Statistics: wall times, the difference and ratio, the shorter one marked.
    const wall = wrapper.find('[data-test=compare-stats] tr[data-key=wall]')
    expect(wall.findAll('td').map((td) => td.text())).toEqual([
      '20.0 ms',
      '12.0 ms shorter',
      '−8.00 ms',
      '0.600×'
    ])
    expect(wrapper.find('[data-test=compare-verdict]').text()).toBe(
      '“two threads” finished 8.00 ms sooner than “one thread”: 1.67× as fast.'
    )
    expect(wrapper.findAll('[data-test=compare-stats] tbody tr')).toHaveLength(10)
  })

  it('zooms both timelines at once from either one’s keys, and Esc closes', async () => {
    const { wrapper, api } = await mountApp()
    await pick(wrapper, 'one thread').setValue(true)
    await pick(wrapper, 'two threads').setValue(true)
    await button(wrapper, 'Compare 2').trigger('click')
    await settle()
    await frame()
    const boxes = wrapper.findAll('.compare-timeline .chart-box')
    await boxes[1].trigger('keydown', { key: '+' })
    await frame()
    const [a, b] = charts(wrapper)
    expect(axis(a)).toEqual([5, 15])
    expect(axis(b)).toEqual([5, 15])
    // Once input pauses, each asks for its own window of the new range.
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(api.timeline).toHaveBeenCalledWith('job-run-1', expect.objectContaining({ from: 5, to: 15 }))
    expect(api.timeline).toHaveBeenCalledWith('job-run-2', expect.objectContaining({ from: 5, to: 15 }))
    await boxes[0].trigger('keydown', { key: 'ArrowRight' })
    await frame()
    expect(axis(charts(wrapper)[1])).toEqual([7, 17])
    await boxes[0].trigger('keydown', { key: '0' })
    await frame()
    expect(axis(charts(wrapper)[0])).toEqual([0, 20])

    await wrapper.find('.compare-view').trigger('keydown', { key: 'Escape' })
    await settle()
    expect(wrapper.find('.compare-view').exists()).toBe(false)
    expect(wrapper.find('section[aria-label="Worker timeline"]').exists()).toBe(true)
    expect(document.activeElement?.id).toBe('history-toggle')
  })
})

describe('comparing with the current run', () => {
  it('offers it on every other saved run, and compares the shown job without opening it again', async () => {
    const { wrapper, api } = await mountApp()
    useJobStore().show(restored('run-1'))
    await settle()
    const withCurrent = (name: string) =>
      wrapper
        .findAll('button')
        .filter((b) => b.attributes('aria-label') === `Compare ${name} with the current run`)
    expect(withCurrent('one thread')).toHaveLength(0)
    expect(withCurrent('sweep before')).toHaveLength(0)
    await withCurrent('two threads')[0].trigger('click')
    await settle()
    await frame()
    expect(api.historyOpen).toHaveBeenCalledTimes(1)
    expect(api.historyOpen).toHaveBeenCalledWith('run-2')
    expect(api.stats).toHaveBeenCalledWith('job-run-1')
    expect(wrapper.findAll('.compare-run-name').map((n) => n.text())).toEqual(['one thread', 'two threads'])
    expect(axis(charts(wrapper)[1])).toEqual([0, 20])
  })
})

describe('comparing two sweeps', () => {
  it('overlays both speedup curves and shows their serial fractions', async () => {
    const { wrapper, api } = await mountApp()
    await pick(wrapper, 'sweep before').setValue(true)
    expect(pick(wrapper, 'one thread').element.disabled).toBe(true)
    await pick(wrapper, 'sweep after').setValue(true)
    await button(wrapper, 'Compare 2').trigger('click')
    await settle()
    expect(api.historyOpenSweep).toHaveBeenCalledWith('sweep-1')
    expect(api.historyOpenSweep).toHaveBeenCalledWith('sweep-2')
    expect(wrapper.find('#compare-title').text()).toBe('Compare sweeps')
    const [overlay] = charts(wrapper)
    const names = (overlay.series as { name: string }[]).map((s) => s.name)
    expect(names).toContain('“sweep before” · threads')
    expect(names).toContain('“sweep after” · threads')
    const rows = wrapper.findAll('[data-test=compare-fractions] tbody tr').map((r) => r.find('th').text())
    expect(rows).toEqual(['A · sweep before', 'B · sweep after'])
    // Two thread counts: Amdahl's one parameter is exact, and the table says nothing tests it.
    expect(wrapper.find('[data-test=compare-fractions] tbody tr').text()).toContain('exact')
    expect(wrapper.find('.compare-overlay').attributes('aria-label')).toMatch(
      /^Speedup against threads of both sweeps\. “sweep before” · threads: serial fraction 0\.\d{3}; “sweep after” · threads: serial fraction 0\.\d{3}\.$/
    )
  })
})
