import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import { useJobStore } from '@renderer/stores/job'
import { planSummary } from './fakeApi'
import { button, connectedPinia, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function mountApp() {
  const { pinia, api } = await connectedPinia()
  wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { wrapper, api }
}

function press(key: string, init: KeyboardEventInit = {}): void {
  window.dispatchEvent(new KeyboardEvent('keydown', { key, ...init }))
}

describe('app', () => {
  it('shows the machine in the header', async () => {
    const { wrapper } = await mountApp()
    expect(wrapper.find('header').text()).toContain('2 hardware threads')
    expect(wrapper.find('header').text()).toContain('Test CPU @ 3.0GHz')
  })

  it('shows what the engine holds against its memory budget in the status bar', async () => {
    const { wrapper, api } = await mountApp()
    expect(wrapper.find('[data-test=memory]').text()).toBe(
      'memory 30.0 MiB of 64.0 MiB (1 job kept, pool 24.0 MiB)'
    )
    expect(api.memory).toHaveBeenCalledTimes(1)
  })

  it('asks again for the memory figure when a job starts', async () => {
    const { wrapper, api } = await mountApp()
    await button(wrapper, 'Notebook: map cell').trigger('click')
    press('Enter', { ctrlKey: true })
    await settle()
    expect(api.memory).toHaveBeenCalledTimes(2)
  })

  it('runs the job on Ctrl+Enter', async () => {
    const { wrapper, api } = await mountApp()
    await button(wrapper, 'Notebook: map cell').trigger('click')
    press('Enter', { ctrlKey: true })
    await settle()
    expect(api.startJob).toHaveBeenCalledTimes(1)
    expect(useJobStore().status).toBe('running')
  })

  it('runs the job on Cmd+Enter', async () => {
    const { api } = await mountApp()
    press('Enter', { metaKey: true })
    await settle()
    expect(api.startJob).toHaveBeenCalledTimes(1)
  })

  it('cancels the running job on Esc', async () => {
    const { api } = await mountApp()
    press('Enter', { ctrlKey: true })
    await settle()
    press('Escape')
    await settle()
    expect(api.cancelJob).toHaveBeenCalledWith('job-1')
  })

  it('cancels on Esc a job that is still starting, once it has started', async () => {
    const { api } = await mountApp()
    let reply: (value: unknown) => void = () => undefined
    const spec = { workload: 'combinations', style: 'map', inputs: { kind: 'recipe', elements: [0, 1] } }
    vi.mocked(api.startJob).mockImplementationOnce(
      () => new Promise((resolve) => (reply = resolve as (value: unknown) => void))
    )
    press('Enter', { ctrlKey: true })
    await settle()
    expect(useJobStore().status).toBe('starting')
    press('Escape')
    await settle()
    reply({ ...planSummary(spec), jobId: 'job-9' })
    await settle()
    expect(api.cancelJob).toHaveBeenCalledWith('job-9')
  })

  it('does not start a job on a plain Enter', async () => {
    const { api } = await mountApp()
    press('Enter')
    await settle()
    expect(api.startJob).not.toHaveBeenCalled()
  })
})
