import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import CoresChart from '@renderer/components/CoresChart.vue'
import { CORE_COLORS } from '@renderer/charts/cores'
import { saveChartPng } from '@renderer/charts/png'
import { useJobStore } from '@renderer/stores/job'
import { LIVE_REFRESH_MS, useTimelineStore } from '@renderer/stores/timeline'
import { cpuSamples, createFakeApi, fakeInfo, planSummary, summaryOf, timelineWindow } from './fakeApi'
import { connectedPinia, settle } from './helpers'

import ChartStub from './chartStub'

// happy-dom has no canvas: the chart is replaced by a stub that keeps the option it was given, and
// the PNG is not drawn (its caller's arguments are what is checked).
vi.mock('vue-echarts', () => import('./chartStub'))
vi.mock('@renderer/charts/png', () => ({ saveChartPng: vi.fn() }))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
  vi.mocked(saveChartPng).mockClear()
})

type Series = {
  name: string
  data: number[][]
  markLine?: { data: { xAxis?: number; yAxis?: number; name: string }[] }
}
type Option = {
  series: Series[]
  yAxis: [{ max: number }, { data: string[] }]
  xAxis: { min: number; max: number }[]
}
const optionOf = (w: VueWrapper) => w.findComponent(ChartStub).props('option') as Option | null

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 4 }
}

async function frame(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20))
  await settle()
}

/** A finished job of four 100 ms tasks on two workers, its cores as `cpuSamples` has them. */
async function finishedJob(overrides: Parameters<typeof createFakeApi>[0] = {}) {
  const api = createFakeApi({
    timeline: vi.fn(async (jobId: string) => timelineWindow(jobId, { tasks: 4, ms: 100 })),
    ...overrides
  })
  const { pinia } = await connectedPinia(api)
  wrapper = mount(CoresChart, { global: { plugins: [pinia] }, attachTo: document.body })
  await useJobStore().start(spec)
  api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
  await frame()
  await frame()
  return api
}

describe('cores chart', () => {
  it('says what it will show before any job, and draws nothing', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(CoresChart, { global: { plugins: [pinia] } })
    await frame()
    expect(wrapper.text()).toContain('Each core’s load over the job appears here once a job has run.')
    expect(wrapper.findComponent(ChartStub).exists()).toBe(false)
    expect(wrapper.find('button').attributes('disabled')).toBeDefined()
  })

  it('draws every core of a finished job on the timeline’s view, with its caption, grade and legend', async () => {
    const api = await finishedJob()
    expect(api.cpu).toHaveBeenCalledWith('job-1')
    const option = optionOf(wrapper!)!
    expect(option.yAxis[1].data).toEqual(['cpu 0', 'cpu 1'])
    const view = useTimelineStore().view!
    for (const axis of option.xAxis) expect([axis.min, axis.max]).toEqual([view.from, view.to])
    // Worker 0 on core 0 for the first two samples.
    expect(option.series.find((s) => s.name === 'workers')!.data).toEqual([[-0.1, 200, 0, 0]])
    const active = option.series.find((s) => s.name === 'active')!
    expect(active.markLine!.data.map((mark) => mark.name)).toEqual(['start', 'end', '2 physical cores'])
    expect(wrapper!.find('[data-test="cores-caption"]').text()).toBe(
      '2 logical CPUs · 2 physical cores (from the CPU topology) · sampled every 100 ms'
    )
    // The summary's lanes were 20 ms each in tasks over a 40 ms job: one worker of two cores.
    const grade = wrapper!.find('[data-test="cores-grade"]')
    expect(grade.find('strong').text()).toBe(
      '1.00 workers in a task on average over the job: 50% of the 2 physical cores — poor.'
    )
    expect(grade.find('strong').classes()).toContain('poor')
    expect(grade.text()).toContain('up to 50% of the physical cores is poor, 51–85% OK, 86–100% ideal')
    const legend = wrapper!.findAll('[data-part]').map((item) => item.text())
    expect(legend).toEqual([
      'the job’s tasks',
      'the job’s tasks, core not known',
      'other load (not the job’s tasks)'
    ])
    expect(wrapper!.find('.chart-box').attributes('aria-label')).toContain(
      'plus and minus zoom, arrow keys pan'
    )
  })

  it('asks for the cores twice a second while the job runs, and until the reading after its end is in', async () => {
    vi.useFakeTimers()
    let ended = false
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => ({ ...timelineWindow(jobId, { tasks: 4 }), running: !ended })),
      // The first two answers after the end stop before it (40 ms): the last reading is still to come.
      cpu: vi.fn(async (jobId: string) => {
        const full = cpuSamples(jobId)
        const short = ended && vi.mocked(api.cpu).mock.calls.length < calls + 3
        return short || !ended ? { ...full, at: Float64Array.of(10, 20, 30), busy: full.busy } : full
      })
    })
    let calls = 0
    const { pinia } = await connectedPinia(api)
    wrapper = mount(CoresChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_MS * 4 + 10)
    expect(vi.mocked(api.cpu).mock.calls.length).toBeGreaterThanOrEqual(4)
    expect(vi.mocked(api.cpu).mock.calls.length).toBeLessThanOrEqual(6)
    ended = true
    calls = vi.mocked(api.cpu).mock.calls.length
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await vi.advanceTimersByTimeAsync(2000)
    // Two follow-ups got the short samples, the third the full ones, and then no more were asked.
    expect(vi.mocked(api.cpu).mock.calls.length).toBe(calls + 3)
  })

  it('zooms and pans the timeline’s view from its keys: both views share one time axis', async () => {
    await finishedJob()
    const timeline = useTimelineStore()
    const wall = timeline.window!.now
    await wrapper!.find('.chart-box').trigger('keydown', { key: '+' })
    await frame()
    expect(timeline.zoomed).not.toBeNull()
    const axes = optionOf(wrapper!)!.xAxis
    for (const axis of axes) expect(axis.max - axis.min).toBeCloseTo(wall / 2, 9)
    await wrapper!.find('.chart-box').trigger('keydown', { key: '0' })
    await frame()
    expect(timeline.zoomed).toBeNull()
  })

  it('saves the chart as a PNG from its light-theme option', async () => {
    await finishedJob()
    const save = wrapper!.findAll('button').find((b) => b.text() === 'Save PNG')!
    expect(save.attributes('disabled')).toBeUndefined()
    await save.trigger('click')
    expect(saveChartPng).toHaveBeenCalledTimes(1)
    const [option, , height, filename] = vi.mocked(saveChartPng).mock.calls[0]
    expect(filename).toBe('job-1-cores.png')
    expect(height).toBeGreaterThan(150)
    // Drawn light whatever the theme: the row background is the light cell colour.
    const cells = (option as unknown as Option).series.find((s) => s.name === 'cores')!
    expect(cells.data).toHaveLength(2)
    expect(JSON.stringify(option)).not.toContain(CORE_COLORS.dark.cell)
    expect(useJobStore().notice).toBe('Saved job-1-cores.png')
  })

  it('groups many cores into rows and says so; off Linux, says the workers’ cores are unknown', async () => {
    const many = (jobId: string) => {
      const s = cpuSamples(jobId)
      const cores = 64
      return {
        ...s,
        cores,
        busy: new Float32Array(cores * 3).fill(0.5),
        workers: new Float32Array(cores * 3),
        laneCore: Int16Array.of(0, 0, -1, 63, 63, -1)
      }
    }
    const api = createFakeApi({
      info: vi.fn(async () => ({ ...fakeInfo, platform: 'darwin' })),
      cpu: vi.fn(async (id: string) => many(id))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(CoresChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    await frame()
    const rows = optionOf(wrapper)!.yAxis[1].data
    expect(rows).toHaveLength(32)
    expect(rows[0]).toBe('cpu 0–1')
    expect(rows[31]).toBe('cpu 62–63')
    expect(wrapper.text()).toContain(
      '64 CPUs do not fit one to a row: each row is 2 neighbouring CPUs (32 rows), showing their average.'
    )
    expect(wrapper.text()).toContain('The core of each worker is unknown on this platform')
  })

  it('says when a running job has no sample yet', async () => {
    const api = createFakeApi({
      cpu: vi.fn(async (jobId: string) => ({
        ...cpuSamples(jobId),
        at: new Float64Array(0),
        busy: new Float32Array(0),
        workers: new Float32Array(0),
        laneCore: new Int16Array(0),
        unplaced: new Float32Array(0)
      }))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(CoresChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    await frame()
    expect(wrapper.text()).toContain('The first sample comes 100 ms into the job.')
  })
})
