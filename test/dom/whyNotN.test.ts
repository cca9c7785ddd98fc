import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import WhyNotN from '@renderer/components/WhyNotN.vue'
import { planSummary, summaryOf } from './fakeApi'

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}

describe('WhyNotN', () => {
  it('says in one line why the job’s threads were not that many times faster', () => {
    const summary = summaryOf(planSummary(spec), 'job-1', {
      threads: 2,
      wallMs: 1000,
      poolReused: true,
      poolStartupMs: 0,
      laneTime: [
        { tasksMs: 450, stoppedMs: 0, bookkeepingMs: 380, awaitingWorkMs: 150, idleAtEndMs: 20 },
        { tasksMs: 450, stoppedMs: 0, bookkeepingMs: 380, awaitingWorkMs: 150, idleAtEndMs: 20 }
      ]
    })
    const wrapper = mount(WhyNotN, { props: { summary } })
    const line = wrapper.find('p.why-not-n')
    expect(line.text()).toBe(
      'Speedup 0.9× on 2 threads (utilization 45%): most lost time is bookkeeping (38% of thread time) — ' +
        "tasks are so short that the engine's per-task cost rivals them; larger tasks or fewer, bigger " +
        'chunks would help.'
    )
  })

  it('names the pool start-up of a job whose pool was started for it', () => {
    const summary = summaryOf(planSummary(spec), 'job-1', {
      threads: 2,
      poolStartupMs: 12.5,
      poolReused: false
    })
    const wrapper = mount(WhyNotN, { props: { summary } })
    expect(wrapper.text()).toBe(
      'Speedup 1.0× on 2 threads (utilization 50%): most lost time is pool start-up (12.5 ms before the ' +
        "job began) — starting the pool took 31% of the job's wall time; the next run on the same threads " +
        'and back end reuses the warm pool.'
    )
  })

  it('shows nothing without a summary', () => {
    const wrapper = mount(WhyNotN, { props: { summary: null } })
    expect(wrapper.find('p').exists()).toBe(false)
    expect(wrapper.text()).toBe('')
  })

  it('shows nothing while the job runs', () => {
    const summary = summaryOf(planSummary(spec), 'job-1', { status: 'running' })
    const wrapper = mount(WhyNotN, { props: { summary } })
    expect(wrapper.find('p').exists()).toBe(false)
  })

  it('follows a new summary', async () => {
    const wrapper = mount(WhyNotN, { props: { summary: null } })
    await wrapper.setProps({ summary: summaryOf(planSummary(spec), 'job-1', { poolReused: true }) })
    expect(wrapper.find('p.why-not-n').text()).toMatch(
      /^Speedup 1\.0× on 2 threads \(utilization 50%\): most lost time is waiting for work/
    )
  })
})
