import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { useSweepStore } from '@renderer/stores/sweep'
import type { ExportFile } from '../../src/shared/protocol'
import { readJobFile } from '../../src/shared/jobFile'
import { button, connectedPinia, control, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))
const downloadFile = vi.fn<(file: ExportFile) => void>()
vi.mock('@renderer/download', () => ({
  downloadFile: (file: ExportFile) => downloadFile(file),
  copyText: vi.fn()
}))

let wrapper: VueWrapper | undefined
beforeEach(() => downloadFile.mockReset())
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

/** Picks `text` as a file in the Load preset… file picker. */
async function pick(w: VueWrapper, text: string, name = 'busy.poolscope.json'): Promise<void> {
  const input = w.find<HTMLInputElement>('input[aria-label="Load a preset file"]')
  Object.defineProperty(input.element, 'files', {
    value: [new File([text], name, { type: 'application/json' })],
    configurable: true
  })
  await input.trigger('change')
  await settle()
}

/** Sets the form to busy_wait(5 ms) × 8 tasks on 2 threads. */
async function busyWait(w: VueWrapper): Promise<void> {
  await w.find('#job-workload').setValue('busy_wait')
  await control(w, 'Tasks').setValue('8')
  await control(w, 'Threads').setValue('2')
  await settle()
}

describe('presets in the job form', () => {
  it('saves the form’s job as a poolscope-job file and loads it back, running nothing', async () => {
    const { wrapper, api } = await mountApp()
    await busyWait(wrapper)
    const form = useJobFormStore()
    const saved = { ...form.fields, recipe: { ...form.fields.recipe } }
    await button(wrapper, 'Save preset…').trigger('click')
    expect(downloadFile).toHaveBeenCalledTimes(1)
    const file = downloadFile.mock.calls[0][0]
    expect(file.filename).toBe('busy_wait-preset.poolscope.json')
    expect(file.mime).toBe('application/json')
    const read = readJobFile(file.text)
    expect(read).toEqual({ spec: form.spec, sweep: null })
    expect(JSON.parse(file.text)).toMatchObject({ format: 'poolscope-job', version: 1 })
    expect(wrapper.find('[data-test="preset-message"]').text()).toBe('Saved busy_wait-preset.poolscope.json.')

    form.presetMap()
    await settle()
    expect(form.fields.workload).toBe('combinations')
    await pick(wrapper, file.text)
    expect({ ...form.fields, recipe: { ...form.fields.recipe } }).toEqual(saved)
    expect(wrapper.find('[data-test="preset-message"]').text()).toBe(
      'Loaded “busy.poolscope.json”: busy_wait, map, 8 tasks, 2 threads. Nothing ran: press Run when ready.'
    )
    expect(api.startJob).not.toHaveBeenCalled()
    expect(api.startSweep).not.toHaveBeenCalled()
  })

  it('keeps the sweep fields when the sweep setup is open, and loads them back into it', async () => {
    const { wrapper, api } = await mountApp()
    await busyWait(wrapper)
    await button(wrapper, 'Sweep threads…').trigger('click')
    const sweep = useSweepStore()
    sweep.fields.threads = '1, 2'
    sweep.fields.repeat = '2'
    sweep.fields.maxSeconds = '3'
    await settle()
    await button(wrapper, 'Save preset…').trigger('click')
    const text = downloadFile.mock.calls[0][0].text
    expect(readJobFile(text).sweep).toEqual({
      threads: [1, 2],
      backends: ['threads'],
      repeat: 2,
      maxSeconds: 3
    })
    expect(wrapper.find('[data-test="preset-message"]').text()).toBe(
      'Saved busy_wait-preset.poolscope.json (with the sweep settings).'
    )

    sweep.closeSetup()
    Object.assign(sweep.fields, { threads: '1', repeat: '5', maxSeconds: '60' })
    await settle()
    await pick(wrapper, text)
    expect(sweep.open).toBe(true)
    expect({ ...sweep.fields }).toEqual({
      threads: '1, 2',
      backend: 'threads',
      repeat: '2',
      maxSeconds: '3',
      scaled: false
    })
    expect(wrapper.find('[data-test="preset-message"]').text()).toBe(
      'Loaded “busy.poolscope.json”: busy_wait, map, 8 tasks, 2 threads, and a sweep at 1, 2 threads. Nothing ran: press Run or Start sweep when ready.'
    )
    expect(api.startSweep).not.toHaveBeenCalled()
  })

  it('refuses to save a job with fields to fix', async () => {
    const { wrapper } = await mountApp()
    await control(wrapper, 'Tasks').setValue('lots')
    await settle()
    await button(wrapper, 'Save preset…').trigger('click')
    expect(downloadFile).not.toHaveBeenCalled()
    expect(wrapper.find('[data-test="preset-error"]').text()).toBe(
      'Not saved: fix the fields marked in red first (a preset holds a job that can run).'
    )
  })

  it.each([
    [
      'not JSON',
      'hello',
      '“bad.json” is not JSON: a preset is a file that Save preset… (or Save job…) wrote. Nothing was changed.'
    ],
    [
      'a history record',
      '{"header":{"format":"poolscope-history"},"payload":{}}',
      '“bad.json” is not a PoolScope preset: it names no format; expected "poolscope-job". Nothing was changed.'
    ],
    [
      'a newer version',
      '{"format":"poolscope-job","version":9,"spec":{}}',
      '“bad.json” was written by a newer PoolScope (version 9; this one reads up to 1). Nothing was changed.'
    ],
    [
      'an invalid spec',
      '{"format":"poolscope-job","version":1,"spec":{"workload":"busy_wait","style":"map","threads":0,"inputs":{"kind":"recipe","ms":[5]}}}',
      '“bad.json” holds a job that cannot run: spec.threads: threads must be at least 1. Nothing was changed.'
    ],
    [
      'an unknown workload',
      '{"format":"poolscope-job","version":1,"spec":{"workload":"nope","style":"map","inputs":{"kind":"recipe"}}}',
      '“bad.json” asks for workload "nope", which this PoolScope does not run. Nothing was changed.'
    ]
  ])('a file that is %s changes nothing and says why', async (_, text, message) => {
    const { wrapper } = await mountApp()
    await busyWait(wrapper)
    const form = useJobFormStore()
    const before = JSON.stringify(form.fields)
    const sweepBefore = JSON.stringify(useSweepStore().fields)
    await pick(wrapper, text, 'bad.json')
    expect(wrapper.find('[data-test="preset-error"]').text()).toBe(message)
    expect(wrapper.find('[data-test="preset-error"]').attributes('role')).toBe('alert')
    expect(JSON.stringify(form.fields)).toBe(before)
    expect(JSON.stringify(useSweepStore().fields)).toBe(sweepBefore)
  })
})
