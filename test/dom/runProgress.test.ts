import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import RunProgress from '@renderer/components/RunProgress.vue'
import { useJobStore } from '@renderer/stores/job'
import type { JobSummary } from '../../src/shared/protocol'
import { createFakeApi, planSummary, summaryOf } from './fakeApi'
import { connectedPinia, settle } from './helpers'

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}
let wrapper: VueWrapper | undefined

async function progressPanel() {
  const api = createFakeApi()
  const { pinia } = await connectedPinia(api)
  wrapper = mount(RunProgress, { global: { plugins: [pinia] } })
  await useJobStore().start(spec)
  await settle()
  return { wrapper, api }
}

async function finish(overrides: Partial<JobSummary>) {
  const { wrapper, api } = await progressPanel()
  api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1', overrides) })
  await settle()
  return wrapper
}

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

describe('run progress', () => {
  it('tells the user how to start when nothing has run', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(RunProgress, { global: { plugins: [pinia] } })
    expect(wrapper.text()).toContain('Pick a preset or set up a job, then press Run.')
  })

  it('shows tasks done out of the total and tuples produced while running', async () => {
    const { wrapper, api } = await progressPanel()
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'job-1',
        tasksDone: 3,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 45,
        tuplesTotal: 60,
        elapsedMs: 300
      }
    })
    await settle()
    expect(wrapper.find('[data-test=tasks]').text()).toBe('3 / 4')
    expect(wrapper.find('[data-test=tuples]').text()).toBe('45')
    expect(wrapper.find('[role=progressbar]').attributes('aria-valuenow')).toBe('75')
    // 3 tasks in 300 ms leaves 1 task: about 100 ms to go.
    expect(wrapper.text()).toContain('ETA100 ms')
  })

  it('follows tuples while no task of a few long ones has finished, with an ETA', async () => {
    const { wrapper, api } = await progressPanel()
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'job-1',
        tasksDone: 0,
        tasksFailed: 0,
        tasksTotal: 4,
        tuplesDone: 15,
        tuplesTotal: 60,
        elapsedMs: 300
      }
    })
    await settle()
    expect(wrapper.find('[data-test=percent]').text()).toBe('25%')
    expect(wrapper.find('[role=progressbar]').attributes('aria-valuenow')).toBe('25')
    // A quarter of the tuples in 300 ms: about 900 ms to go.
    expect(wrapper.text()).toContain('ETA900 ms')
  })

  it('counts failed tasks apart from done ones, never past the total', async () => {
    const { wrapper, api } = await progressPanel()
    api.emit({
      type: 'job.progress',
      payload: {
        jobId: 'job-1',
        tasksDone: 1,
        tasksFailed: 3,
        tasksTotal: 4,
        tuplesDone: 15,
        tuplesTotal: 60,
        elapsedMs: 300
      }
    })
    await settle()
    expect(wrapper.find('[data-test=tasks]').text()).toBe('4 / 4 (3 failed)')
    expect(wrapper.find('[data-test=percent]').text()).toBe('100%')
  })

  it('prints the notebook lines when the job is done', async () => {
    const wrapper = await finish({})
    expect(wrapper.find('[data-test=notebook]').text()).toBe('Number of threads: 2\nNumber of results: 4')
    expect(wrapper.text()).toContain('pool start-up 12.5 ms')
    expect(wrapper.text()).toContain('Wall time 40 ms')
  })

  it('says why a job was cancelled', async () => {
    const wrapper = await finish({
      status: 'cancelled',
      partial: true,
      tasksDone: 2,
      message: 'Cancelled after 2 of 4 tasks; results are partial.'
    })
    expect(wrapper.find('.badge').text()).toBe('Cancelled')
    expect(wrapper.find('[role=alert]').text()).toBe('Cancelled after 2 of 4 tasks; results are partial.')
  })

  it('counts only completed tasks in the notebook lines of a cancelled job', async () => {
    const wrapper = await finish({ status: 'cancelled', partial: true, tasksDone: 2 })
    expect(wrapper.find('[data-test=notebook]').text()).toBe(
      'Number of threads: 2\nNumber of results: 2 of 4 (cancelled)'
    )
  })

  it('shows the tuples a cancelled job’s stopped tasks computed, as computed and not kept', async () => {
    const wrapper = await finish({
      status: 'cancelled',
      partial: true,
      tasksDone: 0,
      tasksStopped: 2,
      tuplesProduced: 28_000_000,
      tuplesOfStoppedTasks: 28_000_000,
      tuplesKept: 0
    })
    expect(wrapper.find('[data-test=tuples]').text()).toBe('28,000,000')
    expect(wrapper.find('[data-test=stopped]').text()).toBe(
      '· 28,000,000 tuples computed by 2 stopped tasks, not kept'
    )
  })

  it('says which back end ran the job: worker threads', async () => {
    const wrapper = await finish({})
    expect(wrapper.find('[data-test=backend]').text()).toBe('2 worker threads')
    expect(wrapper.find('[data-test=copied]').exists()).toBe(false)
  })

  it('says a job ran on child processes, whose start-up is in the pool start-up and whose results were copied back', async () => {
    const processesSpec = { ...spec, backend: 'processes' }
    const api = createFakeApi()
    const { pinia } = await connectedPinia(api)
    wrapper = mount(RunProgress, { global: { plugins: [pinia] } })
    await useJobStore().start(processesSpec)
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(processesSpec), 'job-1', { poolStartupMs: 312.4 })
    })
    await settle()
    expect(wrapper.find('[data-test=backend]').text()).toBe('2 child processes')
    const facts = wrapper.find('[data-test=facts]').text().replace(/\s+/g, ' ')
    expect(facts).toContain(
      'Wall time 40 ms on 2 child processes · pool start-up 312.4 ms (starting the child processes)'
    )
    expect(wrapper.find('[data-test=copied]').text()).toBe(
      '· results copied back from the child processes, within the wall time'
    )
  })

  describe('a values job (count_primes: one count per task)', () => {
    const primesSpec = {
      workload: 'count_primes',
      style: 'starmap',
      inputs: { kind: 'recipe', tasks: 8, span: [0, 1_000_000] }
    }

    async function primesPanel() {
      const api = createFakeApi()
      const { pinia } = await connectedPinia(api)
      wrapper = mount(RunProgress, { global: { plugins: [pinia] } })
      await useJobStore().start(primesSpec)
      await settle()
      return { wrapper, api }
    }

    const labels = (w: VueWrapper) => w.findAll('dt').map((dt) => dt.text())

    it('counts values, not tuples, while running, and its throughput in tasks alone', async () => {
      const { wrapper, api } = await primesPanel()
      api.emit({
        type: 'job.progress',
        payload: {
          jobId: 'job-1',
          tasksDone: 3,
          tasksFailed: 0,
          tasksTotal: 8,
          tuplesDone: 3,
          tuplesTotal: 8,
          elapsedMs: 1000
        }
      })
      await settle()
      expect(labels(wrapper)).toEqual(['Tasks', 'Done', 'Values', 'Elapsed', 'ETA', 'Throughput'])
      expect(wrapper.find('[data-test=tuples]').text()).toBe('3')
      expect(wrapper.find('[data-test=throughput]').text()).toBe('3.00/s tasks')
      expect(wrapper.text()).not.toContain('tuples')
    })

    it('reports the values kept when done, and nothing in tuples', async () => {
      const { wrapper, api } = await primesPanel()
      api.emit({
        type: 'job.finished',
        payload: summaryOf(planSummary(primesSpec), 'job-1', { tuplesPerSecond: 200, tasksPerSecond: 200 })
      })
      await settle()
      expect(wrapper.find('[data-test=notebook]').text()).toBe('Number of threads: 2\nNumber of results: 8')
      const facts = wrapper.find('[data-test=facts]').text().replace(/\s+/g, ' ')
      expect(facts).toContain('· 8 values kept')
      expect(facts).toContain('on 2 worker threads')
      expect(wrapper.text()).not.toMatch(/tuple/i)
    })

    it('says how many tasks a cancel stopped midway, without counting tuples they never make', async () => {
      const { wrapper, api } = await primesPanel()
      api.emit({
        type: 'job.finished',
        payload: summaryOf(planSummary(primesSpec), 'job-1', {
          status: 'cancelled',
          partial: true,
          tasksDone: 3,
          tasksStopped: 2,
          tuplesProduced: 3,
          tuplesOfStoppedTasks: 0,
          tuplesKept: 3
        })
      })
      await settle()
      expect(wrapper.find('[data-test=stopped]').text()).toBe('· 2 tasks stopped midway, not kept')
      expect(wrapper.find('[data-test=facts]').text().replace(/\s+/g, ' ')).toContain('· 3 values kept')
    })
  })

  it('counts the failed tasks of a failed job in its notebook lines', async () => {
    const wrapper = await finish({ status: 'failed', partial: true, tasksDone: 1, tasksFailed: 3 })
    expect(wrapper.find('[data-test=notebook]').text()).toBe(
      'Number of threads: 2\nNumber of results: 1 of 4 (3 failed)'
    )
  })

  it('lists failed tasks with their messages', async () => {
    const wrapper = await finish({
      status: 'failed',
      partial: true,
      tasksDone: 3,
      tasksFailed: 1,
      message: 'A worker died; 1 task failed.',
      failures: [{ task: 2, message: 'worker exited with code 1' }]
    })
    expect(wrapper.find('.failures summary').text()).toBe('1 failed task')
    expect(wrapper.find('.failures li').text()).toBe('task #2 — worker exited with code 1')
  })
})
