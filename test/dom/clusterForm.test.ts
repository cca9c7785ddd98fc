import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import JobForm from '@renderer/components/JobForm.vue'
import { useJobStore } from '@renderer/stores/job'
import { AGENTS_REFRESH_MS } from '@renderer/stores/cluster'
import { defaultFields, fieldsOfSpec } from '@renderer/stores/jobFormModel'
import type { JobSpecInput } from '../../src/shared/spec'
import { RemoteError } from '../../src/shared/protocol'
import { createFakeApi, fakeAgents, type FakeApi } from './fakeApi'
import { button, connectedPinia, control, group, messageOf, settle } from './helpers'

let wrapper: VueWrapper | undefined

async function mountForm(api: FakeApi = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  wrapper = mount(JobForm, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { wrapper, api }
}

/** Chooses the cluster back end and waits for the agents list to be asked for (after the URL settles). */
async function chooseCluster(wrapper: VueWrapper): Promise<void> {
  await group(wrapper, 'Back end').find('input[value=cluster]').setValue(true)
  await vi.advanceTimersByTimeAsync(350)
  await settle()
}

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

describe('job form: the cluster back end', () => {
  it('asks for a Redis URL and lists the agents there with their clock offsets', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper, api } = await mountForm()
    expect(wrapper.find('#job-redis').exists()).toBe(false)
    await chooseCluster(wrapper)
    expect(control(wrapper, 'Redis URL').element.value).toBe('redis://127.0.0.1:6379')
    expect(api.clusterAgents).toHaveBeenCalledWith('redis://127.0.0.1:6379')
    const panel = wrapper.find('[data-test=cluster-agents]')
    expect(panel.find('[data-test=agents-summary]').text()).toBe(
      '2 agents, 3 threads in all · Redis round trip 0.31 ms'
    )
    const rows = panel
      .findAll('tbody tr')
      .map((row) => row.findAll('th, td').map((cell) => cell.text().replace(/\s+/g, ' ')))
    expect(rows).toEqual([
      ['lab-1 lab-1.local · seen just now', '2', '+0.42 ± 0.15', '12'],
      ['lab-2 lab-2.local · seen 1.4 s ago', '1', '−3.10 ± 0.20', '7']
    ])
  })

  it("defaults the threads to the agents' threads and sends the URL with the job", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper, api } = await mountForm()
    await button(wrapper, 'Notebook: map cell').trigger('click')
    await chooseCluster(wrapper)
    expect(messageOf(wrapper, 'Threads')).toBe("of the agents' 3 threads (default all)")
    expect(messageOf(wrapper, 'Tasks')).toBe('default 2 × threads = 6')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.startJob).toHaveBeenCalledWith(
      expect.objectContaining({ backend: 'cluster', redis: 'redis://127.0.0.1:6379', threads: 3 })
    )
  })

  it("takes more threads than this machine's cap: a cluster's lanes are its agents' threads", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper } = await mountForm()
    await chooseCluster(wrapper)
    await control(wrapper, 'Threads').setValue('64')
    expect(control(wrapper, 'Threads').attributes('aria-invalid')).toBe('false')
    await control(wrapper, 'Threads').setValue('300')
    expect(messageOf(wrapper, 'Threads')).toBe('threads must be at most 256')
  })

  it('says what the queue costs the chunks typed, and which chunk size keeps it under 5%', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper } = await mountForm()
    await chooseCluster(wrapper)
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    await control(wrapper, 'Tasks').setValue('400')
    await control(wrapper, 'ms').setValue('1')
    await control(wrapper, 'Chunk size').setValue('1')
    await settle()
    const advice = messageOf(wrapper, 'Chunk size')
    const match =
      /the queue takes about (\d+)% of the work: chunks of (\d+) tasks would keep it under 5%$/.exec(advice)
    expect(match, advice).not.toBeNull()
    // 400 chunks of a 1 ms task, each crossing Redis at about 4 ms: several times the work.
    expect(Number(match![1])).toBeGreaterThan(100)
    await control(wrapper, 'Chunk size').setValue(match![2])
    await settle()
    expect(messageOf(wrapper, 'Chunk size')).toMatch(/the queue takes about [\d.]+% of the work$/)
    const share = Number(/about ([\d.]+)%/.exec(messageOf(wrapper, 'Chunk size'))![1])
    expect(share).toBeLessThanOrEqual(5)
  })

  it('refuses a URL that is not redis:// or rediss:// and does not ask it for agents', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper, api } = await mountForm()
    await chooseCluster(wrapper)
    vi.mocked(api.clusterAgents).mockClear()
    await control(wrapper, 'Redis URL').setValue('http://127.0.0.1:6379')
    await vi.advanceTimersByTimeAsync(AGENTS_REFRESH_MS + 500)
    expect(messageOf(wrapper, 'Redis URL')).toBe(
      'redis must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379'
    )
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
    expect(api.clusterAgents).not.toHaveBeenCalled()
    await control(wrapper, 'Redis URL').setValue('')
    expect(messageOf(wrapper, 'Redis URL')).toBe(
      "redis must be the URL of the agents' Redis server, such as redis://127.0.0.1:6379"
    )
  })

  it('says why when the Redis server cannot be reached', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const api = createFakeApi({
      clusterAgents: vi.fn(async () => {
        throw new RemoteError({
          code: 'POOL_FAILED',
          message: 'cannot reach Redis at redis://127.0.0.1:6379: connect ECONNREFUSED 127.0.0.1:6379',
          path: ['redis']
        })
      })
    })
    const { wrapper } = await mountForm(api)
    await chooseCluster(wrapper)
    expect(wrapper.find('[data-test=agents-error]').text()).toBe(
      'cannot reach Redis at redis://127.0.0.1:6379: connect ECONNREFUSED 127.0.0.1:6379'
    )
  })

  it('says how to start an agent when none is registered', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const api = createFakeApi({
      clusterAgents: vi.fn(async () => ({ ...fakeAgents, agents: [], threads: 0 }))
    })
    const { wrapper } = await mountForm(api)
    await chooseCluster(wrapper)
    expect(wrapper.find('[data-test=agents-none]').text()).toBe(
      'No agent is registered at redis://127.0.0.1:6379: a job started now waits for one. Start one on each machine: poolscope agent --redis redis://127.0.0.1:6379'
    )
    // With no agent the threads fall back to this machine's.
    expect(messageOf(wrapper, 'Threads')).toBe("the cluster's lanes (default: all the agents' threads)")
  })

  it('refreshes the list every few seconds, and not while a job runs', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper, api } = await mountForm()
    await chooseCluster(wrapper)
    const calls = (): number => vi.mocked(api.clusterAgents).mock.calls.length
    const before = calls()
    await vi.advanceTimersByTimeAsync(AGENTS_REFRESH_MS * 2 + 100)
    expect(calls()).toBe(before + 2)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(useJobStore().running).toBe(true)
    const during = calls()
    await vi.advanceTimersByTimeAsync(AGENTS_REFRESH_MS * 3)
    expect(calls()).toBe(during)
  })

  it('stops asking once another back end is chosen', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const { wrapper, api } = await mountForm()
    await chooseCluster(wrapper)
    await group(wrapper, 'Back end').find('input[value=threads]').setValue(true)
    await settle()
    const after = vi.mocked(api.clusterAgents).mock.calls.length
    await vi.advanceTimersByTimeAsync(AGENTS_REFRESH_MS * 3)
    expect(vi.mocked(api.clusterAgents).mock.calls.length).toBe(after)
    expect(wrapper.find('[data-test=cluster-agents]').exists()).toBe(false)
  })
})

describe('a saved cluster run loaded into the form', () => {
  const saved = (redis: string): JobSpecInput => ({
    workload: 'combinations',
    style: 'map',
    inputs: { kind: 'recipe', elements: [0, 1, 2] },
    backend: 'cluster',
    redis
  })

  it('keeps the URL typed for the same server, password and all, over the saved one whose password is hidden', () => {
    const typed = { ...defaultFields(), redis: 'redis://poolscope:secret@lab:6379' }
    expect(fieldsOfSpec(saved('redis://poolscope:***@lab:6379'), typed)?.redis).toBe(
      'redis://poolscope:secret@lab:6379'
    )
  })

  it('takes the saved URL for another server, or one without a password', () => {
    const typed = { ...defaultFields(), redis: 'redis://poolscope:secret@lab:6379' }
    expect(fieldsOfSpec(saved('redis://poolscope:***@other:6379'), typed)?.redis).toBe(
      'redis://poolscope:***@other:6379'
    )
    expect(fieldsOfSpec(saved('redis://127.0.0.1:7000'), typed)?.redis).toBe('redis://127.0.0.1:7000')
  })
})
