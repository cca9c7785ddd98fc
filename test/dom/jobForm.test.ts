import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import JobForm from '@renderer/components/JobForm.vue'
import { useJobStore } from '@renderer/stores/job'
import { RemoteError } from '../../src/shared/protocol'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { createFakeApi, fakeInfo, planSummary, summaryOf } from './fakeApi'
import { button, connectedPinia, control, group, messageOf, settle } from './helpers'

let wrapper: VueWrapper | undefined

async function mountForm(api = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  wrapper = mount(JobForm, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { wrapper, api, pinia }
}

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

describe('job form', () => {
  it('shows every control under its visible label', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    for (const label of ['Workload', 'Elements', 'Tasks', 'n', 'Seed', 'Threads', 'Chunk size']) {
      expect(control(wrapper, label).exists(), label).toBe(true)
    }
    expect(group(wrapper, 'Call style').findAll('input[type=radio]')).toHaveLength(2)
    expect(group(wrapper, 'Keep results').findAll('input[type=radio]')).toHaveLength(3)
  })

  it('labels the default task count as twice the machine threads', async () => {
    const { wrapper } = await mountForm()
    expect(messageOf(wrapper, 'Tasks')).toBe('default 2 × threads = 4')
    expect(messageOf(wrapper, 'Threads')).toContain('of 2 hardware threads')
  })

  it('recomputes the default tasks from the threads typed in', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Threads').setValue('8')
    expect(messageOf(wrapper, 'Tasks')).toBe('default 2 × threads = 16')
  })

  it('shows the one-line description of the chosen workload and what to look for', async () => {
    const { wrapper } = await mountForm()
    const { description, lookFor } = fakeInfo.workloads[0]
    expect(messageOf(wrapper, 'Workload')).toBe(`${description} Look for: ${lookFor}`)
  })

  it('fills the map cell preset and sizes it exactly before running', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Elements').setValue('a,b')
    await button(wrapper, 'Notebook: map cell').trigger('click')
    expect(control(wrapper, 'Workload').element.value).toBe('combinations')
    expect(group(wrapper, 'Call style').find<HTMLInputElement>('input[value=map]').element.checked).toBe(true)
    expect(control(wrapper, 'Elements').element.value).toBe('0..5')
    expect(control(wrapper, 'Tasks').element.value).toBe('')
    expect(wrapper.find('[data-test=size]').text()).toBe('C(6,2) × 4 = 60 tuples')
  })

  it('fills the starmap cell preset with n drawn from 2,3,4 and a seed', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    expect(control(wrapper, 'Workload').element.value).toBe('combinations_n')
    expect(group(wrapper, 'Call style').find<HTMLInputElement>('input[value=starmap]').element.checked).toBe(
      true
    )
    expect(control(wrapper, 'Elements').element.value).toBe('0..5')
    expect(control(wrapper, 'n').element.value).toBe('2,3,4')
    expect(control(wrapper, 'Seed').element.value).toBe('2023')
    // Four tasks, each C(6,k) for a k drawn with the seed: the sum is exact and positive.
    expect(wrapper.find('[data-test=size]').text()).toMatch(
      /^C\(6,\d\) × \d( \+ C\(6,\d\) × \d)* = \d+ tuples$/
    )
    expect(button(wrapper, 'Run').element.disabled).toBe(false)
  })

  it('explains bad elements next to the field and disables Run', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Elements').setValue('1,,2')
    expect(messageOf(wrapper, 'Elements')).toContain('elements have an empty item')
    expect(messageOf(wrapper, 'Elements')).toContain('0..5')
    expect(control(wrapper, 'Elements').attributes('aria-invalid')).toBe('true')
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('refuses zero tasks with the allowed minimum', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Tasks').setValue('0')
    expect(messageOf(wrapper, 'Tasks')).toBe('tasks must be at least 1')
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('flags zero tasks on its own while Elements is invalid too', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Elements').setValue('1,,2')
    await control(wrapper, 'Tasks').setValue('0')
    expect(messageOf(wrapper, 'Tasks')).toBe('tasks must be at least 1')
    expect(control(wrapper, 'Tasks').attributes('aria-invalid')).toBe('true')
    expect(messageOf(wrapper, 'Elements')).toContain('elements have an empty item')
  })

  it('flags fractional tasks on their own while Elements is invalid too', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Elements').setValue('')
    await control(wrapper, 'Tasks').setValue('1.5')
    expect(messageOf(wrapper, 'Tasks')).toBe(
      'tasks must be a whole number from 1 to 10,000,000, or empty for 2 × threads'
    )
    expect(control(wrapper, 'Tasks').attributes('aria-invalid')).toBe('true')
  })

  it('flags negative threads and chunk sizes on their own while Elements is invalid too', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Elements').setValue('1,,2')
    await control(wrapper, 'Threads').setValue('-3')
    await control(wrapper, 'Chunk size').setValue('0')
    expect(messageOf(wrapper, 'Threads')).toBe('threads must be at least 1')
    expect(messageOf(wrapper, 'Chunk size')).toBe('chunk size must be at least 1')
  })

  it('refuses tasks that are not a whole number', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Tasks').setValue('2.5')
    expect(messageOf(wrapper, 'Tasks')).toBe(
      'tasks must be a whole number from 1 to 10,000,000, or empty for 2 × threads'
    )
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('refuses more threads than the engine allows', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Threads').setValue('8')
    expect(messageOf(wrapper, 'Threads')).toBe('of 2 hardware threads (default all, at most 8)')
    await control(wrapper, 'Threads').setValue('9')
    expect(messageOf(wrapper, 'Threads')).toMatch(
      /^threads must be at most 8 on this machine \(4 × its 2 hardware threads, at least 8\)/
    )
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('refuses a negative n and says what is allowed', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await control(wrapper, 'n').setValue('-1')
    expect(messageOf(wrapper, 'n')).toBe('n must be a whole number from 0 to 64 (got -1)')
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('refuses a bad chunk size', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Chunk size').setValue('0')
    expect(messageOf(wrapper, 'Chunk size')).toBe('chunk size must be at least 1')
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('tells the user to pick starmap when a two-argument workload is called with map', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await group(wrapper, 'Call style').find('input[value=map]').setValue()
    expect(group(wrapper, 'Call style').find('.msg.error').text()).toContain('use the starmap call style')
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('refuses a job whose kept results exceed the budget and offers count only', async () => {
    const { wrapper } = await mountForm()
    // C(200,4) = 64,684,950 tuples × 4 bytes × 4 tasks ≈ 987 MiB, over the 64 MiB budget.
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await control(wrapper, 'Elements').setValue('range(200)')
    await control(wrapper, 'n').setValue('4')
    const refusal = wrapper.find('[data-test=over-budget]')
    expect(refusal.text()).toBe(
      'This job would hold 1011.0 MiB (987.0 MiB of kept tuples, 236 B of timings and per-task tables ' +
        'for 4 tasks, 2.96 KiB of arguments, 24.0 MiB for 2 pool threads), over the 64.0 MiB memory budget; ' +
        'keep count only, or keep the first N tuples per task.'
    )
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('accepts the same large job once only counts are kept', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await control(wrapper, 'Elements').setValue('range(200)')
    await control(wrapper, 'n').setValue('4')
    await group(wrapper, 'Keep results').find('input[value=count]').setValue()
    expect(wrapper.find('[data-test=over-budget]').exists()).toBe(false)
    expect(button(wrapper, 'Run').element.disabled).toBe(false)
  })

  it('warns before a job of more than ten million tuples', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await control(wrapper, 'Elements').setValue('range(200)')
    await control(wrapper, 'n').setValue('4')
    await group(wrapper, 'Keep results').find('input[value=count]').setValue()
    expect(wrapper.find('.msg.warning').text()).toContain('258,739,800 tuples')
  })

  it('warns before a job estimated at over ten seconds: busy_wait(3000) × 8 on 2 threads', async () => {
    const { wrapper } = await mountForm()
    await wrapper.find('#job-workload').setValue('busy_wait')
    await control(wrapper, 'ms').setValue('3000')
    await control(wrapper, 'Tasks').setValue('8')
    await control(wrapper, 'Threads').setValue('2')
    await settle()
    expect(wrapper.find('.msg.warning').text()).toBe(
      'A large job: 8 values, estimated at about 12 s on 2 threads, may take a while. Esc cancels and keeps what is done.'
    )
    await control(wrapper, 'ms').setValue('1000')
    expect(wrapper.find('.msg.warning').exists()).toBe(false)
  })

  it('drops the large-job warning once that job has ended, until the fields change', async () => {
    const { wrapper, api } = await mountForm()
    await wrapper.find('#job-workload').setValue('busy_wait')
    await control(wrapper, 'ms').setValue('3000')
    await control(wrapper, 'Tasks').setValue('8')
    await control(wrapper, 'Threads').setValue('2')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('.msg.warning').exists()).toBe(true)
    const [spec] = vi.mocked(api.startJob).mock.calls[0]
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await settle()
    expect(wrapper.find('.msg.warning').exists()).toBe(false)
    await control(wrapper, 'ms').setValue('4000')
    expect(wrapper.find('.msg.warning').text()).toContain('about 16 s')
  })

  it('counts one task on one thread in the singular', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Tasks').setValue('1')
    await control(wrapper, 'Threads').setValue('1')
    expect(wrapper.find('[data-test=size-note]').text()).toBe('1 task on 1 thread, chunks of 1')
  })

  it('moves focus to Cancel when a job starts, and back to Run when it ends', async () => {
    const { wrapper, api } = await mountForm()
    const run = button(wrapper, 'Run').element
    run.focus()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(document.activeElement).toBe(button(wrapper, 'Cancel').element)
    const [spec] = vi.mocked(api.startJob).mock.calls[0]
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(spec), 'job-1', { status: 'cancelled' })
    })
    await settle()
    expect(document.activeElement).toBe(run)
  })

  it('leaves focus where it is when a job ends while someone types', async () => {
    const { wrapper, api } = await mountForm()
    await wrapper.find('form').trigger('submit')
    await settle()
    control(wrapper, 'Chunk size').element.focus()
    const [spec] = vi.mocked(api.startJob).mock.calls[0]
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await settle()
    expect(document.activeElement).toBe(control(wrapper, 'Chunk size').element)
  })

  it('takes focus to the first field to fix when Run is refused, and says why', async () => {
    const { wrapper, api } = await mountForm()
    await control(wrapper, 'Elements').setValue('')
    await control(wrapper, 'Tasks').setValue('0')
    control(wrapper, 'Tasks').element.focus()
    expect(await useJobFormStore().run()).toBe(false)
    await settle()
    expect(api.startJob).not.toHaveBeenCalled()
    expect(document.activeElement).toBe(control(wrapper, 'Elements').element)
    expect(useJobFormStore().refusal).toBe(
      `Not run: ${messageOf(wrapper, 'Elements')} (and 1 more field to fix)`
    )
  })

  it('names the buttons by their visible labels and gives their shortcuts apart', async () => {
    const { wrapper } = await mountForm()
    const run = button(wrapper, 'Run')
    expect(run.attributes('aria-label')).toBeUndefined()
    expect(run.text()).toBe('Run')
    expect(run.attributes('aria-keyshortcuts')).toBe('Control+Enter Meta+Enter')
    expect(run.attributes('data-shortcut')).toBe('Ctrl+Enter')
    const cancel = button(wrapper, 'Cancel')
    expect(cancel.attributes('aria-label')).toBeUndefined()
    expect(cancel.attributes('data-shortcut')).toBe('Esc')
  })

  it('names what count only keeps by the workload: tuples, or values', async () => {
    const { wrapper } = await mountForm()
    expect(wrapper.find('#job-keep-msg').text()).toBe('count only keeps no tuples, only how many')
    await wrapper.find('#job-workload').setValue('count_primes')
    expect(wrapper.find('#job-keep-msg').text()).toBe('count only keeps no values, only how many')
  })

  it('asks the host to size a job too large to plan on every keystroke', async () => {
    vi.useFakeTimers()
    const api = createFakeApi()
    const { wrapper } = await mountForm(api)
    await control(wrapper, 'Tasks').setValue('1000000')
    expect(wrapper.text()).toContain('Sizing the job…')
    await vi.advanceTimersByTimeAsync(300)
    expect(api.planJob).toHaveBeenCalledTimes(1)
    expect(wrapper.find('[data-test=size]').text()).toBe('1,000,000 tasks = 15,000,000 tuples')
  })

  it.each([
    [
      'Tasks',
      ['inputs', 'tasks'],
      'inputs.tasks: the host refused this many tasks',
      'the host refused this many tasks'
    ],
    ['Threads', ['threads'], 'threads must be at most 8 on this machine', null],
    ['Elements', ['inputs', 'elements'], 'task 0: element 7 is not allowed here', null]
  ])(
    'shows a host-side error under %s by its path %j, without the path it starts with',
    async (label, path, message, shown) => {
      vi.useFakeTimers()
      const api = createFakeApi()
      vi.mocked(api.planJob).mockRejectedValueOnce(new RemoteError({ code: 'INVALID_SPEC', message, path }))
      const { wrapper } = await mountForm(api)
      await control(wrapper, 'Tasks').setValue('1000000')
      await vi.advanceTimersByTimeAsync(300)
      expect(api.planJob).toHaveBeenCalledTimes(1)
      expect(messageOf(wrapper, label)).toBe(shown ?? message)
    }
  )

  it('starts the job with the spec the form shows', async () => {
    const { wrapper, api } = await mountForm()
    await button(wrapper, 'Notebook: map cell').trigger('click')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.startJob).toHaveBeenCalledWith({
      workload: 'combinations',
      style: 'map',
      inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] },
      backend: 'threads',
      chunkSize: 'auto',
      keep: 'all'
    })
    expect(useJobStore().status).toBe('running')
  })

  it('shows the chosen workload’s own fields: count_primes has a Span and no Elements, n or Seed', async () => {
    const { wrapper, api } = await mountForm()
    await wrapper.find('#job-workload').setValue('count_primes')
    await settle()
    const labels = wrapper.findAll('label').map((label) => label.text().trim())
    expect(labels).toContain('Span')
    expect(labels).not.toContain('Elements')
    expect(labels).not.toContain('n')
    expect(labels).not.toContain('Seed')
    // Two parameters: the form moves to starmap by itself, and sizes the job in values.
    expect(group(wrapper, 'Call style').find<HTMLInputElement>('input[value=starmap]').element.checked).toBe(
      true
    )
    expect(wrapper.find('[data-test=size]').text()).toBe('4 tasks = 4 values')
    await control(wrapper, 'Span').setValue('0:100')
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.startJob).toHaveBeenCalledWith(
      expect.objectContaining({ workload: 'count_primes', inputs: { kind: 'recipe', span: [0, 100] } })
    )
  })

  it('explains a bad span next to its field, with what is allowed', async () => {
    const { wrapper } = await mountForm()
    await wrapper.find('#job-workload').setValue('count_primes')
    await control(wrapper, 'Span').setValue('100:10')
    expect(messageOf(wrapper, 'Span')).toBe('span must have lo ≤ hi')
    await control(wrapper, 'Span').setValue('ten')
    expect(messageOf(wrapper, 'Span')).toMatch(/^span must be lo:hi, two whole numbers/)
    expect(button(wrapper, 'Run').element.disabled).toBe(true)
  })

  it('offers the seed only when tasks draw from several durations, and keeps typed text across workloads', async () => {
    const { wrapper } = await mountForm()
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    expect(wrapper.findAll('label').some((label) => label.text().trim() === 'Seed')).toBe(false)
    await control(wrapper, 'ms').setValue('1,5,20')
    expect(control(wrapper, 'Seed').exists()).toBe(true)
    await wrapper.find('#job-workload').setValue('combinations')
    await wrapper.find('#job-workload').setValue('sleep')
    expect(control(wrapper, 'ms').element.value).toBe('1,5,20')
  })

  it('offers the processes back end only where the engine can run it, saying why not', async () => {
    const reason = 'child processes are not available in the packaged desktop app; use threads (or the CLI)'
    const api = createFakeApi({
      info: vi.fn(async () => ({
        ...fakeInfo,
        backends: [
          { name: 'threads' as const, available: true, reason: null },
          { name: 'processes' as const, available: false, reason }
        ]
      }))
    })
    const { wrapper } = await mountForm(api)
    const processes = group(wrapper, 'Back end').find<HTMLInputElement>('input[value=processes]')
    expect(processes.element.disabled).toBe(true)
    expect(group(wrapper, 'Back end').text()).toContain(reason)
    // Where it can run, it is offered and its cost is named.
    const { wrapper: other } = await mountForm()
    const offered = group(other, 'Back end').find<HTMLInputElement>('input[value=processes]')
    expect(offered.element.disabled).toBe(false)
    await offered.setValue()
    expect(group(other, 'Back end').text()).toContain('start-up and copying cost more')
  })
})
