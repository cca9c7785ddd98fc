import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import StatusBar from '@renderer/components/StatusBar.vue'
import { useJobStore } from '@renderer/stores/job'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { createFakeApi, planSummary, summaryOf } from './fakeApi'
import { connectedPinia, settle } from './helpers'

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}
let wrapper: VueWrapper | undefined

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function statusOf(jobSpec: Record<string, unknown>) {
  const api = createFakeApi()
  const { pinia } = await connectedPinia(api)
  wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
  await useJobStore().start(jobSpec)
  await settle()
  const state = () => wrapper!.find('[role=status]').text()
  return { api, state }
}

describe('status bar', () => {
  it('says the engine is ready before any job', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
    expect(wrapper.find('[role=status]').text()).toBe('Ready — Ctrl+Enter runs')
  })

  it('says why not instead of "Ready" while Run cannot run', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
    useJobFormStore().fields.tasks = '0'
    await settle()
    expect(wrapper.find('[role=status]').text()).toBe('Not ready: 1 field to fix')
    useJobFormStore().fields.recipe.elements = ''
    await settle()
    expect(wrapper.find('[role=status]').text()).toBe('Not ready: 2 fields to fix')
    useJobFormStore().fields.tasks = ''
    useJobFormStore().fields.recipe.elements = '0..5'
    await settle()
    expect(wrapper.find('[role=status]').text()).toBe('Ready — Ctrl+Enter runs')
  })

  it('says why a refused Run did nothing, until the fields change', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
    const form = useJobFormStore()
    form.fields.recipe.elements = ''
    form.fields.tasks = '0'
    expect(await form.run()).toBe(false)
    await settle()
    const refusal = wrapper.find('[data-test=refusal]')
    expect(refusal.attributes('role')).toBe('alert')
    expect(refusal.text()).toMatch(/^Not run: elements .+ \(and 1 more field to fix\)$/)
    form.fields.tasks = ''
    await settle()
    expect(wrapper.find('[data-test=refusal]').exists()).toBe(false)
  })

  it('shows what the last command did, such as the file an export saved', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
    useJobStore().reportNotice('Saved job-1-results.json')
    await settle()
    expect(wrapper.find('[data-test=notice]').text()).toBe('Saved job-1-results.json')
  })

  it('names the back end a job runs on, and ran on, for threads', async () => {
    const { api, state } = await statusOf(spec)
    expect(state()).toBe('Running job-1 on threads — Esc cancels')
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await settle()
    expect(state()).toBe('Finished job-1 on threads')
  })

  it('names the back end a job runs on, and ran on, for processes', async () => {
    const processes = { ...spec, backend: 'processes' }
    const { api, state } = await statusOf(processes)
    expect(state()).toBe('Running job-1 on processes — Esc cancels')
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(processes), 'job-1', { status: 'cancelled', partial: true })
    })
    await settle()
    expect(state()).toBe('Cancelled job-1 on processes')
  })
})
