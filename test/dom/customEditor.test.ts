import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { EditorView } from '@codemirror/view'
import { diagnosticCount, forEachDiagnostic } from '@codemirror/lint'
import JobForm from '@renderer/components/JobForm.vue'
import StatusBar from '@renderer/components/StatusBar.vue'
import { useHistoryStore } from '@renderer/stores/history'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { usePresetStore } from '@renderer/stores/presets'
import { CODE_CHECK_DELAY_MS, STARTER_CODE } from '@renderer/stores/customCodeModel'
import { jobFileText, readJobFile } from '../../src/shared/jobFile'
import type { EngineInfo, ExportFile } from '../../src/shared/protocol'
import { createFakeApi, fakeCustomCode, fakeInfo, planSummary, summaryOf } from './fakeApi'
import { button, connectedPinia, control, group, messageOf, settle } from './helpers'

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

function infoWith(customCode: typeof fakeCustomCode): EngineInfo {
  return { ...fakeInfo, ...{ customCode } }
}

async function mountForm(api = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  wrapper = mount(JobForm, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { wrapper, api }
}

async function chooseCustom(w: VueWrapper): Promise<void> {
  await w.find('#job-workload').setValue('custom')
  await settle()
}

/** The CodeMirror view inside the form, or null when no editor is shown. */
function editorOf(w: VueWrapper): EditorView | null {
  const dom = w.find('.cm-editor')
  return dom.exists() ? EditorView.findFromDOM(dom.element as HTMLElement) : null
}

/** Replaces the editor's text as typing does (a user transaction, not a change of the model). */
function type(view: EditorView, code: string): void {
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: code },
    userEvent: 'input.type'
  })
}

/** Waits for the pause after typing that shows the code's check. */
async function pause(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, CODE_CHECK_DELAY_MS + 50))
  await settle()
}

function runButton(w: VueWrapper): HTMLButtonElement {
  return button(w, 'Run').element
}

/** A custom job's spec, as a preset or a saved run holds it. */
const CUSTOM_SPEC = {
  workload: 'custom',
  style: 'map' as const,
  inputs: { kind: 'recipe' as const, tasks: 6 },
  backend: 'threads' as const,
  chunkSize: 'auto' as const,
  keep: 'all' as const,
  code: 'function cube(x) {\n  return x * x * x\n}\n',
  taskTimeoutMs: 2500
}

describe('custom code editor', () => {
  it('shows the editor for the custom workload only, keeping the code across switches', async () => {
    const { wrapper } = await mountForm()
    expect(editorOf(wrapper)).toBeNull()
    expect(wrapper.find('#job-timeout').exists()).toBe(false)

    await chooseCustom(wrapper)
    const view = editorOf(wrapper)!
    expect(view.state.doc.toString()).toBe(STARTER_CODE)
    expect(control(wrapper, 'Task timeout (s)').exists()).toBe(true)
    // Task i gets i: a single argument, so map.
    expect(group(wrapper, 'Call style').find<HTMLInputElement>('input[value=map]').element.checked).toBe(true)

    type(view, 'x => x + 1')
    await pause()
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    expect(editorOf(wrapper)).toBeNull()
    await chooseCustom(wrapper)
    expect(editorOf(wrapper)!.state.doc.toString()).toBe('x => x + 1')
  })

  it('is named by its label, described by its message, and highlights JavaScript', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    const content = wrapper.find('#job-code')
    expect(content.attributes('role')).toBe('textbox')
    expect(content.attributes('aria-multiline')).toBe('true')
    const labelId = content.attributes('aria-labelledby')!
    expect(wrapper.find(`#${labelId}`).text()).toBe('Code')
    const described = content.attributes('aria-describedby')!.split(' ')
    expect(described).toContain('job-code-msg')
    expect(wrapper.find('#job-code-msg').text()).toContain('task i gets i')
    expect(wrapper.find('#job-code-isolation').text()).toBe(`Isolation: ${fakeCustomCode.isolation}`)
    // The token classes styles.css colours, light and dark.
    expect(wrapper.find('.cm-content .tok-keyword').text()).toBe('function')
    expect(wrapper.find('.cm-content .tok-comment').exists()).toBe(true)
  })

  it('points at a syntax error by line and column once typing pauses, and blocks Run', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    await pause()
    expect(runButton(wrapper).disabled).toBe(false)

    const view = editorOf(wrapper)!
    type(view, 'function f(x) {\n  return x +\n}')
    await settle()
    // Mid-typing: Run waits, but nothing is flagged yet.
    expect(runButton(wrapper).disabled).toBe(true)
    expect(wrapper.find('#job-code-msg').classes()).toContain('hint')
    expect(diagnosticCount(view.state)).toBe(0)

    await pause()
    const message = wrapper.find('#job-code-msg')
    expect(message.classes()).toContain('error')
    expect(message.text()).toMatch(/^line 3, column 1: syntax error: Unexpected token$/)
    expect(wrapper.find('#job-code').attributes('aria-invalid')).toBe('true')
    expect(runButton(wrapper).disabled).toBe(true)
    expect(runButton(wrapper).title).toContain('line 3, column 1')
    // The same problem, marked in the editor at line 3, column 1.
    expect(diagnosticCount(view.state)).toBe(1)
    const found: { from: number; message: string }[] = []
    forEachDiagnostic(view.state, (d, from) => found.push({ from, message: d.message }))
    expect(found).toEqual([{ from: view.state.doc.line(3).from, message: 'syntax error: Unexpected token' }])
  })

  it('runs a valid function, sending its code and timeout in the spec', async () => {
    const { wrapper, api } = await mountForm()
    await chooseCustom(wrapper)
    type(editorOf(wrapper)!, '(x) => [[x, String(x)]]')
    await control(wrapper, 'Tasks').setValue('5')
    await control(wrapper, 'Task timeout (s)').setValue('1.5')
    await pause()
    expect(wrapper.find('[data-test=size]').text()).toBe(
      '5 tasks; each result is counted once its task returns'
    )
    expect(runButton(wrapper).disabled).toBe(false)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.startJob).toHaveBeenCalledTimes(1)
    expect(api.startJob).toHaveBeenCalledWith(
      expect.objectContaining({
        workload: 'custom',
        style: 'map',
        inputs: { kind: 'recipe', tasks: 5 },
        code: '(x) => [[x, String(x)]]',
        taskTimeoutMs: 1500
      })
    )
  })

  it('keeps the code when a notebook preset fills the form', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    type(editorOf(wrapper)!, 'x => -x')
    await control(wrapper, 'Task timeout (s)').setValue('3')
    await button(wrapper, 'Notebook: map cell').trigger('click')
    expect(control(wrapper, 'Workload').element.value).toBe('combinations')
    await chooseCustom(wrapper)
    expect(editorOf(wrapper)!.state.doc.toString()).toBe('x => -x')
    expect(control(wrapper, 'Task timeout (s)').element.value).toBe('3')
  })

  it('sends no code for other workloads', async () => {
    const { wrapper, api } = await mountForm()
    await chooseCustom(wrapper)
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    await wrapper.find('form').trigger('submit')
    await settle()
    const spec = vi.mocked(api.startJob).mock.calls[0][0] as Record<string, unknown>
    expect(spec.workload).toBe('busy_wait')
    expect('code' in spec).toBe(false)
    expect('taskTimeoutMs' in spec).toBe(false)
  })

  it('explains a bad task timeout with what is allowed', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    await control(wrapper, 'Task timeout (s)').setValue('-1')
    expect(messageOf(wrapper, 'Task timeout (s)')).toBe(
      'task timeout must be a number of seconds from 0.001 to 86,400, or empty for 10 s'
    )
    expect(runButton(wrapper).disabled).toBe(true)
  })

  it('says plainly when the host does not run custom code, and how to enable it', async () => {
    const info = infoWith({ ...fakeCustomCode, allowed: false })
    const { wrapper } = await mountForm(createFakeApi({ info: vi.fn(async () => info) }))
    await chooseCustom(wrapper)
    await pause()
    const refused = wrapper.find('[data-test=code-refused]')
    expect(refused.text()).toContain('started without --allow-code')
    expect(refused.text()).toContain('npm run web -- --allow-code')
    expect(wrapper.find('#job-code').attributes('aria-describedby')).toContain('job-code-refused')
    expect(runButton(wrapper).disabled).toBe(true)
    expect(runButton(wrapper).title).toContain('--allow-code')
    // Other workloads still run.
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    expect(wrapper.find('[data-test=code-refused]').exists()).toBe(false)
    expect(runButton(wrapper).disabled).toBe(false)
  })

  it('moves a custom job to a back end the host allows, and says so', async () => {
    const info = infoWith({ ...fakeCustomCode, backends: ['processes'] })
    const { wrapper } = await mountForm(createFakeApi({ info: vi.fn(async () => info) }))
    const backends = group(wrapper, 'Back end')
    expect(backends.find<HTMLInputElement>('input[value=threads]').element.checked).toBe(true)
    await chooseCustom(wrapper)
    expect(backends.find<HTMLInputElement>('input[value=processes]').element.checked).toBe(true)
    expect(backends.find<HTMLInputElement>('input[value=threads]').element.disabled).toBe(true)
    expect(wrapper.find('#job-backend-msg').text()).toBe(
      'Switched from threads to processes: this host runs custom code on processes only.'
    )
    await wrapper.find('#job-workload').setValue('busy_wait')
    await settle()
    expect(backends.find<HTMLInputElement>('input[value=threads]').element.disabled).toBe(false)
    expect(wrapper.find('#job-backend-msg').classes()).toContain('hint')
  })

  it('moves a custom job to where the host isolates it, and lets the person move it back', async () => {
    const info = infoWith({ ...fakeCustomCode, preferred: 'processes' })
    const { wrapper } = await mountForm(createFakeApi({ info: vi.fn(async () => info) }))
    const backends = group(wrapper, 'Back end')
    await chooseCustom(wrapper)
    expect(backends.find<HTMLInputElement>('input[value=processes]').element.checked).toBe(true)
    expect(wrapper.find('#job-backend-msg').text()).toBe(
      'Moved to processes: custom code runs isolated there, under Node’s permission model (on threads it runs with this app’s rights).'
    )
    const threads = backends.find<HTMLInputElement>('input[value=threads]')
    expect(threads.element.disabled).toBe(false)
    await threads.setValue(true)
    await settle()
    expect(threads.element.checked).toBe(true)
  })

  it('leaves Tab and Ctrl+Enter to the page: Tab moves on, Ctrl+Enter runs', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    const view = editorOf(wrapper)!
    const seen: KeyboardEvent[] = []
    const onKey = (event: KeyboardEvent) => seen.push(event)
    window.addEventListener('keydown', onKey)
    try {
      view.focus()
      const tab = new KeyboardEvent('keydown', { key: 'Tab', code: 'Tab', bubbles: true, cancelable: true })
      view.contentDOM.dispatchEvent(tab)
      // Not taken by the editor: the browser's default (focus to the next control) stays.
      expect(tab.defaultPrevented).toBe(false)
      expect(view.state.doc.toString()).toBe(STARTER_CODE)

      const enter = new KeyboardEvent('keydown', {
        key: 'Enter',
        code: 'Enter',
        ctrlKey: true,
        bubbles: true,
        cancelable: true
      })
      view.contentDOM.dispatchEvent(enter)
      // No blank line inserted; the event reaches the window, where the app runs the job.
      expect(view.state.doc.toString()).toBe(STARTER_CODE)
      expect(seen).toContain(enter)
    } finally {
      window.removeEventListener('keydown', onKey)
    }
  })

  it('takes focus to the editor from its label and when Run is refused for the code', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    await wrapper.find('#job-code-label').trigger('click')
    expect(document.activeElement).toBe(wrapper.find('#job-code').element)
    button(wrapper, 'Run').element.focus()
    type(editorOf(wrapper)!, 'function (x) { return x }')
    await useJobFormStore().run()
    await settle()
    expect(wrapper.find('#job-code-msg').text()).toMatch(/^line 1, column 10: syntax error/)
    expect(document.activeElement).toBe(wrapper.find('#job-code').element)
  })
})

describe('code that came with a preset or a saved run', () => {
  function presetFile(): File {
    return new File([jobFileText(CUSTOM_SPEC)], 'cube.poolscope.json', { type: 'application/json' })
  }

  it('shows a preset’s code and runs it only after Confirm code', async () => {
    const { wrapper, api } = await mountForm()
    expect(await usePresetStore().load(presetFile())).toBe(true)
    // Long enough for the host to size the job: only the confirmation holds Run back.
    await pause()
    expect(editorOf(wrapper)!.state.doc.toString()).toBe(CUSTOM_SPEC.code)
    expect(control(wrapper, 'Task timeout (s)').element.value).toBe('2.5')
    expect(control(wrapper, 'Tasks').element.value).toBe('6')
    expect(wrapper.find('#job-code-confirm').text()).toBe(
      'This preset carries code. Read it, then press Confirm code to allow running it.'
    )
    expect(wrapper.find('[data-test=preset-message]').text()).toContain('press Confirm code, then Run')
    expect(runButton(wrapper).disabled).toBe(true)
    expect(runButton(wrapper).title).toContain('Confirm code')
    await useJobFormStore().run()
    expect(api.startJob).not.toHaveBeenCalled()

    await button(wrapper, 'Confirm code').trigger('click')
    expect(wrapper.find('[data-test=code-confirm]').exists()).toBe(false)
    expect(runButton(wrapper).disabled).toBe(false)
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(api.startJob).toHaveBeenCalledWith(expect.objectContaining({ code: CUSTOM_SPEC.code }))
  })

  it('counts an edit of one’s own as confirming', async () => {
    const { wrapper } = await mountForm()
    await usePresetStore().load(presetFile())
    await pause()
    expect(runButton(wrapper).disabled).toBe(true)
    type(editorOf(wrapper)!, 'function cube(x) {\n  return x ** 3\n}\n')
    await pause()
    expect(wrapper.find('[data-test=code-confirm]').exists()).toBe(false)
    expect(runButton(wrapper).disabled).toBe(false)
  })

  it('keeps loaded code unconfirmed when another workload’s preset is loaded over it', async () => {
    const { wrapper } = await mountForm()
    await usePresetStore().load(presetFile())
    const other = jobFileText({
      workload: 'busy_wait',
      style: 'map',
      inputs: { kind: 'recipe', ms: [2], tasks: 4 }
    })
    expect(await usePresetStore().load(new File([other], 'busy.poolscope.json'))).toBe(true)
    await chooseCustom(wrapper)
    await pause()
    expect(editorOf(wrapper)!.state.doc.toString()).toBe(CUSTOM_SPEC.code)
    expect(wrapper.find('[data-test=code-confirm]').exists()).toBe(true)
    expect(runButton(wrapper).disabled).toBe(true)
  })

  it('refuses a custom preset that carries no code, changing nothing', async () => {
    const { wrapper } = await mountForm()
    const { code: _code, ...noCode } = CUSTOM_SPEC
    const file = new File([jobFileText(noCode)], 'empty.poolscope.json')
    expect(await usePresetStore().load(file)).toBe(false)
    await settle()
    expect(wrapper.find('[data-test=preset-error]').text()).toBe(
      '“empty.poolscope.json” asks for the custom workload but carries no code: a custom preset holds its function in "code". Nothing was changed.'
    )
    expect(control(wrapper, 'Workload').element.value).toBe('combinations')
  })

  it('saves a custom job’s code in its preset', async () => {
    const { wrapper } = await mountForm()
    await chooseCustom(wrapper)
    type(editorOf(wrapper)!, 'i => i % 7')
    await pause()
    await button(wrapper, 'Save preset…').trigger('click')
    expect(downloadFile).toHaveBeenCalledTimes(1)
    const saved = readJobFile(downloadFile.mock.calls[0][0].text)
    expect(saved.spec.workload).toBe('custom')
    expect(saved.spec.code).toBe('i => i % 7')
  })

  it('holds a re-run of a saved run with code in the form until it is confirmed', async () => {
    const plan = planSummary(CUSTOM_SPEC)
    const api = createFakeApi({
      historyOpen: vi.fn(async () => ({
        jobId: 'job-restored',
        summary: summaryOf(plan, 'job-restored', { spec: plan.spec })
      })) as never
    })
    const { wrapper } = await mountForm(api)
    expect(await useHistoryStore().rerun('run-cube')).toBe(false)
    await settle()
    expect(api.startJob).not.toHaveBeenCalled()
    expect(editorOf(wrapper)!.state.doc.toString()).toBe(CUSTOM_SPEC.code)
    expect(wrapper.find('#job-code-confirm').text()).toBe(
      'This run carries code. Read it, then press Confirm code to allow running it.'
    )
    expect(runButton(wrapper).disabled).toBe(true)
  })
})

describe('the status bar', () => {
  async function statusWith(customCode: typeof fakeCustomCode): Promise<VueWrapper> {
    const info = infoWith(customCode)
    const { pinia } = await connectedPinia(createFakeApi({ info: vi.fn(async () => info) }))
    wrapper = mount(StatusBar, { global: { plugins: [pinia] } })
    return wrapper
  }

  it('says a host that refuses custom code is why a custom job is not ready', async () => {
    const bar = await statusWith({ ...fakeCustomCode, allowed: false })
    useJobFormStore().selectWorkload('custom')
    await pause()
    expect(bar.text()).toContain('Not ready: this host runs no custom code')
  })

  it('says loaded code waits for confirmation, until it is confirmed', async () => {
    const bar = await statusWith(fakeCustomCode)
    const form = useJobFormStore()
    form.loadSpec(CUSTOM_SPEC, 'preset')
    await pause()
    expect(bar.text()).toContain('Not ready: confirm the code')
    form.confirmCode()
    await settle()
    expect(bar.text()).not.toContain('Not ready')
  })
})
