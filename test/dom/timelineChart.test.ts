import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import TimelineChart from '@renderer/components/TimelineChart.vue'
import { useJobStore } from '@renderer/stores/job'
import { createFakeApi, hostBins, planSummary, summaryOf, timingBatch } from './fakeApi'
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

describe('timeline chart', () => {
  it('draws empty lanes for every hardware thread and asks for a run while there are no timings', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await settle()
    const option = wrapper.findComponent(ChartStub).props('option') as {
      series: { data: unknown[] }[]
      yAxis: { data: string[] }
    }
    expect(option.series[0].data).toEqual([])
    expect(option.yAxis.data).toEqual(['worker 0', 'worker 1'])
    expect(wrapper.text()).toContain('Each worker gets a lane and each task a bar, once a job has run.')
  })

  it('passes the chart one bar per streamed task', async () => {
    vi.useFakeTimers()
    const api = createFakeApi()
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    await useJobStore().start({
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [0, 1, 2] }
    })
    api.emit({
      type: 'job.timings',
      payload: timingBatch('job-1', [
        [0, 0, 2, 0],
        [1, 0, 3, 1]
      ])
    })
    await vi.advanceTimersByTimeAsync(400)
    await settle()
    const option = wrapper.findComponent(ChartStub).props('option') as { series: { data: number[][] }[] }
    expect(option.series[0].data).toEqual([
      [0, 2, 0, 0, 0],
      [0, 3, 1, 1, 1]
    ])
    expect(wrapper.text()).toContain('2 tasks on 2 workers')
  })

  describe('with no bars to draw', () => {
    // busy_wait(2000) on 4 tasks: two chunks of two tasks on two threads.
    // Chunks of two: automatic chunks would give each long task its own.
    const longSpec = {
      workload: 'busy_wait',
      style: 'map',
      chunkSize: 2,
      inputs: { kind: 'recipe', tasks: 4, ms: [2000] }
    }

    it('says tasks are done and their bars come with their chunk, while no chunk has returned', async () => {
      const api = createFakeApi()
      const { pinia } = await connectedPinia(api)
      wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
      await useJobStore().start(longSpec)
      await settle()
      expect(wrapper.text()).toContain('Waiting for the first tasks to finish…')
      api.emit({
        type: 'job.progress',
        payload: {
          jobId: 'job-1',
          tasksDone: 1,
          tasksFailed: 0,
          tasksTotal: 4,
          tuplesDone: 1,
          tuplesTotal: 4,
          elapsedMs: 2100
        }
      })
      await settle()
      expect(wrapper.text()).toContain('1 task done; its bar arrives when its chunk of 2 tasks returns.')
      api.emit({
        type: 'job.progress',
        payload: {
          jobId: 'job-1',
          tasksDone: 2,
          tasksFailed: 1,
          tasksTotal: 4,
          tuplesDone: 2,
          tuplesTotal: 4,
          elapsedMs: 2200
        }
      })
      await settle()
      expect(wrapper.text()).toContain('3 tasks done; their bars arrive as their chunks of 2 tasks return.')
    })

    it('says why a job cancelled before any task ended has no bars, instead of asking for a run', async () => {
      const api = createFakeApi()
      const { pinia } = await connectedPinia(api)
      wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
      await useJobStore().start(longSpec)
      api.emit({
        type: 'job.finished',
        payload: summaryOf(planSummary(longSpec), 'job-1', {
          status: 'cancelled',
          partial: true,
          tasksDone: 0,
          tasksStopped: 2,
          tuplesProduced: 0,
          tuplesKept: 0
        })
      })
      await settle()
      expect(wrapper.text()).toContain(
        'No task ran to its end: the 2 stopped midway have no bars (their time is under "Where each worker\'s time went").'
      )
      expect(wrapper.text()).not.toContain('once a job has run')
    })
  })

  it('draws a big job as busy-time bins from its first batch, then the host’s bins of every task', async () => {
    vi.useFakeTimers()
    const api = createFakeApi({ busyBins: vi.fn(async (jobId: string) => hostBins(jobId, 100_000)) })
    const { pinia } = await connectedPinia(api)
    wrapper = mount(TimelineChart, { global: { plugins: [pinia] } })
    const spec = {
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [0, 1, 2], tasks: 100_000 }
    }
    await useJobStore().start(spec)
    api.emit({
      type: 'job.timings',
      payload: timingBatch('job-1', [
        [0, 0, 2, 0],
        [1, 0, 3, 1]
      ])
    })
    await vi.advanceTimersByTimeAsync(400)
    await settle()
    type Option = { series: { name: string; data: number[][] }[] }
    let option = wrapper.findComponent(ChartStub).props('option') as Option
    expect(option.series[0].name).toBe('busy time')
    // Two tasks of 2 and 3 ms, in bins a power of two wide: each bin fully busy with one task.
    const bins = option.series[0].data
    expect(bins.every(([, , , busy, tasks]) => busy === 1 && tasks === 1)).toBe(true)
    expect(new Set(bins.map((bin) => bin[2]))).toEqual(new Set([0, 1]))
    expect(Math.max(...bins.map((bin) => bin[1]))).toBe(3)
    expect(wrapper.text()).toContain('2 tasks on 2 workers · merged into busy-time bins')

    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await vi.advanceTimersByTimeAsync(400)
    await settle()
    expect(api.timings).not.toHaveBeenCalled()
    option = wrapper.findComponent(ChartStub).props('option') as Option
    expect(option.series[0].data.reduce((sum, bin) => sum + bin[4], 0)).toBeGreaterThanOrEqual(100_000)
    expect(wrapper.text()).toContain('100,000 tasks on 2 workers · merged into busy-time bins')
  })
})
