// The Statistics section: its states (no job, running, measured, cancelled, nothing ran, an error),
// each figure with its explanation, the histogram's option (log axis, outliers), the queue-wait
// table, and the PNG saved from the light option. The chart is stubbed (happy-dom has no canvas).
import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import JobStats from '@renderer/components/JobStats.vue'
import { OUTLIER_COLORS } from '@renderer/charts/histogram'
import { useJobStore } from '@renderer/stores/job'
import { createFakeApi, jobStats, planSummary, summaryOf } from './fakeApi'
import { button, connectedPinia, settle } from './helpers'
import ChartStub from './chartStub'

vi.mock('vue-echarts', () => import('./chartStub'))
const saveChartPng = vi.fn()
vi.mock('@renderer/charts/png', () => ({ saveChartPng: (...args: unknown[]) => saveChartPng(...args) }))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  saveChartPng.mockReset()
})

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 4 }
}

type Option = {
  xAxis: { type: string; min: number; max: number }
  title?: { text: string }
  series: {
    name: string
    data: number[][]
    renderItem: (p: unknown, a: unknown) => unknown
  }[]
}

async function mounted(api = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  wrapper = mount(JobStats, { global: { plugins: [pinia] } })
  return { api, wrapper }
}

async function finish(api: ReturnType<typeof createFakeApi>, status: 'done' | 'cancelled' = 'done') {
  await useJobStore().start(spec)
  api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1', { status }) })
  await settle()
}

describe('the Statistics section', () => {
  it('says when statistics appear, before any job and while one runs, without asking the host', async () => {
    const { api, wrapper } = await mounted()
    expect(wrapper.find('[data-test="stats-empty"]').text()).toBe(
      'The statistics of a job appear here once it has run.'
    )
    await useJobStore().start(spec)
    await settle()
    expect(wrapper.find('[data-test="stats-empty"]').text()).toMatch(/^Measured when the job ends/)
    expect(api.stats).not.toHaveBeenCalled()
  })

  it('asks for the ended job’s statistics and shows each figure with what it means', async () => {
    const { api, wrapper } = await mounted()
    await finish(api)
    expect(api.stats).toHaveBeenCalledWith('job-1')
    const figures = wrapper
      .findAll('.stats-figure')
      .map((f) => [f.find('dt').text(), f.find('.stats-value').text(), f.find('.stats-explain').text()])
    expect(figures.map(([name, value]) => [name, value])).toEqual([
      ['Wall time', '250 ms'],
      ['Pool start-up', '35.0 ms'],
      ['Total task time', '400 ms'],
      ['Utilization', '80%'],
      ['Speedup', '1.6×'],
      ['Load imbalance', '1.20'],
      ['Task duration', '2.00 ms median'],
      ['PoolScope’s own cost', '3500 ns per task']
    ])
    // Every figure says what it means.
    for (const [, , explain] of figures) expect(explain.length).toBeGreaterThan(20)
    expect(figures[3][2]).toBe(
      'Task time ÷ (2 threads × wall time): the share of the pool’s time spent in tasks.'
    )
    expect(figures[7][2]).toContain('bookkeeping 2000 ns on the workers, filing 1000 ns and sending 500 ns')
    expect(wrapper.find('[data-test="stats-caption"]').text()).toBe('over 100 tasks on 2 workers')
    expect(wrapper.find('[data-test="stats-scope"]').exists()).toBe(false)
  })

  it('draws the histogram on a log axis with its outliers marked, and names them', async () => {
    const { api, wrapper } = await mounted()
    await finish(api)
    const option = wrapper.findComponent(ChartStub).props('option') as Option
    expect(option.xAxis).toMatchObject({ type: 'log', min: 0.1, max: 40 })
    const series = option.series[0]
    expect(series.data).toEqual([
      [0.1, 0.4, 5, 0, 0],
      [0.4, 1.6, 20, 0, 1],
      [1.6, 6.4, 60, 0, 2],
      [6.4, 25.6, 13, 0, 3],
      [25.6, 40, 2, 2, 4]
    ])
    // The median is marked; the fences lie beyond the axis, so they are not.
    const marks = option.series.find((s) => s.name === 'marks')!
    expect(marks.data).toEqual([[2, 0]])
    const notes = wrapper.findAll('.stats-note').map((n) => n.text())
    expect(notes[0]).toBe(
      '5 bins on a log scale: durations span 2.6 decades. Outliers: 2 slower than 256 ms. ' +
        'Slowest: task 17 (40.0 ms, worker 0), task 64 (30.0 ms, worker 1).'
    )
    expect(notes[1]).toBe('Outlier rule: Tukey’s far-out fences on log durations.')
  })

  it('colours a bin’s outliers apart from its other tasks', async () => {
    const { api, wrapper } = await mounted()
    await finish(api)
    const series = (wrapper.findComponent(ChartStub).props('option') as Option).series[0]
    const last = series.data[4]
    const api2 = {
      value: (dim: number) => last[dim],
      coord: ([x, y]: number[]) => [10 + x * 10, 300 - y * 4]
    }
    const drawn = series.renderItem({ coordSys: { x: 0, y: 0, width: 1000, height: 300 } }, api2) as {
      children: { style: { fill: string }; shape: { height: number } }[]
    }
    // Two tasks, both outliers: the whole bar is the outlier colour, over an empty inlier part.
    expect(drawn.children.map((c) => c.style.fill)).toEqual(['#2f6fde', OUTLIER_COLORS.light])
    expect(drawn.children[0].shape.height).toBe(0)
    expect(drawn.children[1].shape.height).toBe(8)
  })

  it('shows the queue-wait percentiles in a table', async () => {
    const { api, wrapper } = await mounted()
    await finish(api)
    const table = wrapper.find('table.stats-table')
    // One row per percentile: a narrow column keeps every wait on one line.
    const rows = table.findAll('tbody tr').map((tr) => [tr.find('th').text(), tr.find('td').text()])
    expect(rows).toEqual([
      ['p50', '12.0 ms'],
      ['p90', '80.0 ms'],
      ['p99', '120 ms'],
      ['max', '130 ms'],
      ['mean', '30.0 ms']
    ])
    expect(table.find('caption').text()).toMatch(
      /^Queue wait From a task’s chunk being handed .* nearest rank/
    )
  })

  it('saves the histogram as a PNG drawn from its light option, with a title', async () => {
    const { api, wrapper } = await mounted()
    await finish(api)
    await button(wrapper, 'Save PNG of the task durations').trigger('click')
    expect(saveChartPng).toHaveBeenCalledTimes(1)
    const [option, width, height, filename] = saveChartPng.mock.calls[0] as [Option, number, number, string]
    expect([width, height, filename]).toEqual([900, 420, 'job-1-durations.png'])
    expect(option.title?.text).toBe('Task durations · job-1 · 100 tasks')
    expect(useJobStore().notice).toBe('Saved job-1-durations.png')
  })

  it('never shows a nearly idle pool as 0% or 0.0×', async () => {
    const api = createFakeApi({
      stats: vi.fn(async (jobId: string) => jobStats(jobId, { utilization: 0.00312, speedup: 0.00624 }))
    })
    const { wrapper } = await mounted(api)
    await finish(api)
    const values = wrapper.findAll('.stats-value').map((v) => v.text())
    expect(values[3]).toBe('0.31%')
    expect(values[4]).toBe('0.006×')
  })

  it('says a cancelled job’s figures are those of the tasks that ran', async () => {
    const api = createFakeApi({
      stats: vi.fn(async (jobId: string) =>
        jobStats(jobId, { status: 'cancelled', tasksTimed: 12, taskCount: 40, stoppedTaskMs: 7.5 })
      )
    })
    const { wrapper } = await mounted(api)
    await finish(api, 'cancelled')
    expect(wrapper.find('[data-test="stats-scope"]').text()).toBe(
      'The job was cancelled: these are the statistics of the 12 of 40 tasks that ran. ' +
        'Time in tasks a cancel stopped midway (7.50 ms) is not counted.'
    )
  })

  it('says so when no task ran, and shows the host’s refusal', async () => {
    const none = createFakeApi({
      stats: vi.fn(async (jobId: string) =>
        jobStats(jobId, { status: 'cancelled', tasksTimed: 0, durations: null, queueWait: null })
      )
    })
    const first = await mounted(none)
    await finish(none, 'cancelled')
    expect(first.wrapper.find('[data-test="stats-empty"]').text()).toBe(
      'No task ran, so there is nothing to measure.'
    )
    first.wrapper.unmount()

    const refusing = createFakeApi({ stats: vi.fn(async () => Promise.reject(new Error('no job job-1'))) })
    const second = await mounted(refusing)
    await finish(refusing)
    expect(second.wrapper.find('[data-test="stats-empty"]').text()).toBe(
      'The statistics could not be measured: no job job-1'
    )
  })
})
