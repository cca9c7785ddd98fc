import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import TimelineChart from '@renderer/components/TimelineChart.vue'
import { useJobStore } from '@renderer/stores/job'
import { LIVE_REFRESH_MS, useTimelineStore } from '@renderer/stores/timeline'
import { MAX_TASK_BARS } from '../../src/shared/timeline'
import { createFakeApi, planSummary, summaryOf, timelineWindow, timingBatch } from './fakeApi'
import { connectedPinia, settle } from './helpers'

import ChartStub from './chartStub'

// happy-dom has no canvas: the chart is replaced by a stub that keeps the option it was given.
vi.mock('vue-echarts', () => import('./chartStub'))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

type Option = {
  series: { name: string; data: number[][] }[]
  yAxis: { data: string[] }
  xAxis: { min: number; max: number }
}
const optionOf = (w: VueWrapper) => w.findComponent(ChartStub).props('option') as Option

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 4 }
}

/** Lets requestAnimationFrame callbacks and pending promises run. */
async function frame(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20))
  await settle()
}

describe('timeline chart', () => {
  it('draws empty lanes for every hardware thread and the main thread before any job', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await frame()
    expect(optionOf(wrapper).yAxis.data).toEqual([
      'worker 0',
      'worker 1',
      'main thread',
      "PoolScope's own cost"
    ])
    expect(wrapper.text()).toContain('Each worker gets a lane and each task a bar, once a job has run.')
    // The shared legend names the breakdown's parts.
    expect(wrapper.find('.category-legend').text()).toBe('tasksbookkeepingwaiting for workidle at the end')
  })

  it('asks the host for the whole job twice a second while it runs, and once more when it ends', async () => {
    vi.useFakeTimers()
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => ({ ...timelineWindow(jobId, { tasks: 4 }), running: true }))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_MS * 4 + 10)
    // One on start, then one per period.
    expect(vi.mocked(api.timeline).mock.calls.length).toBeGreaterThanOrEqual(4)
    expect(vi.mocked(api.timeline).mock.calls.length).toBeLessThanOrEqual(6)
    expect(vi.mocked(api.timeline).mock.calls[0]).toEqual([
      'job-1',
      { bins: expect.any(Number), maxTasks: MAX_TASK_BARS }
    ])
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await vi.advanceTimersByTimeAsync(10)
    const calls = vi.mocked(api.timeline).mock.calls.length
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_MS * 4)
    expect(vi.mocked(api.timeline).mock.calls.length).toBe(calls)
    vi.useRealTimers()
    await frame()
    const option = optionOf(wrapper)
    expect(option.series.find((s) => s.name === 'tasks')!.data).toHaveLength(4)
    expect(wrapper.find('[data-test="timeline-caption"]').text()).toBe('4 tasks on 2 workers')
  })

  it('zooms with the keyboard and asks the host for the zoomed window', async () => {
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => timelineWindow(jobId, { tasks: 4, ms: 10 }))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] }, attachTo: document.body })
    await useJobStore().start(spec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    const wall = useTimelineStore().window!.now
    expect(optionOf(wrapper).xAxis.max).toBe(wall)
    const chart = wrapper.find('.chart-box')
    await chart.trigger('keydown', { key: '+' })
    await frame()
    let view = optionOf(wrapper).xAxis
    expect(view.max - view.min).toBeCloseTo(wall / 2, 9)
    await new Promise((resolve) => setTimeout(resolve, 100))
    const last = vi.mocked(api.timeline).mock.calls.at(-1)!
    expect(last[1]).toMatchObject({ from: view.min, to: view.max })
    expect(wrapper.find('[data-test="timeline-caption"]').text()).toMatch(/ · [\d.]+ ms from [\d.]+ ms$/)
    await chart.trigger('keydown', { key: 'ArrowRight' })
    await frame()
    const panned = optionOf(wrapper).xAxis
    expect(panned.min).toBeCloseTo(view.min + (wall / 2) * 0.2, 9)
    await chart.trigger('keydown', { key: '0' })
    await frame()
    view = optionOf(wrapper).xAxis
    expect([view.min, view.max]).toEqual([0, wall])
    // Zooming out past the whole job shows the whole job.
    await chart.trigger('keydown', { key: '-' })
    await frame()
    expect(useTimelineStore().zoomed).toBeNull()
  })

  it('selects the task of a clicked bar and outlines the task selected in Results', async () => {
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => timelineWindow(jobId, { tasks: 4 }))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    const job = useJobStore()
    await job.start(spec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    const tasks = optionOf(wrapper).series.find((s) => s.name === 'tasks')!
    wrapper.findComponent(ChartStub).vm.$emit('click', { seriesName: 'tasks', value: tasks.data[2] })
    await frame()
    expect(job.selectedTask).toBe(2)
    expect(job.revealRequest).toMatchObject({ task: 2 })
    // A click on a lane's segment selects nothing new.
    wrapper.findComponent(ChartStub).vm.$emit('click', { seriesName: 'lanes', value: [0, 1, 0, 3, 0] })
    expect(job.selectedTask).toBe(2)
  })

  it('zooms to a task selected in Results that the window does not show as a bar', async () => {
    const bigSpec = { ...spec, inputs: { ...spec.inputs, tasks: 1000 } }
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => timelineWindow(jobId, { tasks: 4, ms: 100 })),
      timings: vi.fn(async (jobId: string, task: number) => timingBatch(jobId, [[task, 50, 50.1, 1]]))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    const job = useJobStore()
    await job.start(bigSpec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(bigSpec), 'job-1') })
    await frame()
    // Task 2 is drawn: nothing moves.
    job.selectTask(2)
    await frame()
    expect(api.timings).not.toHaveBeenCalled()
    expect(useTimelineStore().zoomed).toBeNull()
    job.selectTask(500)
    await frame()
    expect(api.timings).toHaveBeenCalledWith('job-1', 500, 1)
    const view = optionOf(wrapper).xAxis
    expect(view.min).toBeCloseTo(50.05 - 2, 9)
    expect(view.max).toBeCloseTo(50.05 + 2, 9)
  })

  it('offers the job alone, past the pool start-up, when the pool was started for it', async () => {
    const api = createFakeApi({
      timeline: vi.fn(async (jobId: string) => ({
        ...timelineWindow(jobId, { tasks: 4, ms: 10 }),
        startupMs: 200,
        from: -200
      }))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    const wall = useTimelineStore().window!.now
    expect(optionOf(wrapper).xAxis.min).toBe(-200)
    const jobOnly = wrapper.findAll('button').find((b) => b.text() === 'Job only')!
    await jobOnly.trigger('click')
    await frame()
    expect([optionOf(wrapper).xAxis.min, optionOf(wrapper).xAxis.max]).toEqual([0, wall])
  })

  /** Opens the toolbar's Export menu and returns its entry with this label. */
  async function menuEntry(label: string) {
    const toggle = wrapper!.findAll('button').find((b) => b.text() === 'Export ▾')!
    if (toggle.attributes('aria-expanded') !== 'true') await toggle.trigger('click')
    await settle()
    return wrapper!.findAll('[role=menuitem]').find((b) => b.text() === label)!
  }

  it('exports the finished job’s trace through a download, says what it left out, and why when the host refuses', async () => {
    const api = createFakeApi({
      exportJob: vi
        .fn()
        .mockResolvedValueOnce({
          filename: 'job-1-trace.json',
          mime: 'application/json',
          text: '{"traceEvents":[]}'
        })
        .mockResolvedValueOnce({
          filename: 'job-1-trace.json',
          mime: 'application/json',
          text: '{"traceEvents":[]}',
          leftOut: ['arguments of 3 tasks cut to 120 characters']
        })
        .mockRejectedValueOnce(new Error('the trace of this job (1,000,000 tasks) is over 24.0 MiB'))
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    const job = useJobStore()
    // Nothing to export before a job: the menu's button is off.
    const toggle = () => wrapper!.findAll('button').find((b) => b.text() === 'Export ▾')!
    expect(toggle().attributes('disabled')).toBeDefined()
    await job.start(spec)
    await frame()
    // While it runs, the chart can be saved, but not yet the trace or the timings.
    expect(toggle().attributes('disabled')).toBeUndefined()
    expect((await menuEntry('Export trace')).attributes('disabled')).toBeDefined()
    expect((await menuEntry('Export timings CSV')).attributes('disabled')).toBeDefined()
    expect((await menuEntry('Save PNG')).attributes('disabled')).toBeUndefined()
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    expect((await menuEntry('Export trace')).attributes('disabled')).toBeUndefined()
    const createObjectURL = vi.fn(() => 'blob:trace')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await (await menuEntry('Export trace')).trigger('click')
    await settle()
    expect(api.exportJob).toHaveBeenCalledWith('job-1', 'trace')
    expect(click).toHaveBeenCalledTimes(1)
    expect(job.notice).toBe('Saved job-1-trace.json')
    // Choosing closes the menu.
    expect(wrapper.findAll('[role=menuitem]')).toHaveLength(0)
    await (await menuEntry('Export trace')).trigger('click')
    await settle()
    expect(job.notice).toBe('Saved job-1-trace.json; left out: arguments of 3 tasks cut to 120 characters')
    await (await menuEntry('Export trace')).trigger('click')
    await settle()
    expect(click).toHaveBeenCalledTimes(2)
    expect(job.actionError).toBe('Export failed: the trace of this job (1,000,000 tasks) is over 24.0 MiB')
    click.mockRestore()
    vi.unstubAllGlobals()
  })

  it('exports the timings as CSV', async () => {
    const csv = 'task,lane,thread,cpu,start_ms,end_ms,queue_wait_ms,tuples\n0,0,11,1,0.5,0.75,0.25,3\n'
    const api = createFakeApi({
      exportJob: vi.fn().mockResolvedValue({ filename: 'job-1-timings.csv', mime: 'text/csv', text: csv })
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    const job = useJobStore()
    await job.start(spec)
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await frame()
    let blob: Blob | null = null
    const createObjectURL = vi.fn((made: Blob) => {
      blob = made
      return 'blob:timings'
    })
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await (await menuEntry('Export timings CSV')).trigger('click')
    await settle()
    expect(api.exportJob).toHaveBeenCalledWith('job-1', 'timings')
    expect(await blob!.text()).toBe(csv)
    expect(job.notice).toBe('Saved job-1-timings.csv')
    click.mockRestore()
    vi.unstubAllGlobals()
  })

  it('closes the Export menu on Escape, back on its button', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] }, attachTo: document.body })
    await useJobStore().start(spec)
    await frame()
    const entry = await menuEntry('Save PNG')
    expect(entry.exists()).toBe(true)
    await entry.trigger('keydown', { key: 'Escape' })
    expect(wrapper.findAll('[role=menuitem]')).toHaveLength(0)
    expect(document.activeElement?.textContent?.trim()).toBe('Export ▾')
  })

  it('says the timeline could not be loaded, and keeps going', async () => {
    const api = createFakeApi({
      timeline: vi.fn(async () => {
        throw new Error('no such job: job-1')
      })
    })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await useJobStore().start(spec)
    await frame()
    expect(wrapper.text()).toContain('The timeline could not be loaded: no such job: job-1')
  })
})
