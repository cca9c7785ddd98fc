import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron'
import { ErrorCodes } from '../../shared/errors'
import { CommandSchemas, isCommandName } from '../../shared/protocol'
import { describeZodError } from '../../shared/spec'
import type { CommandName, CommandOutcome, EngineEvent } from '../../shared/protocol'
import { toRendererError } from './rendererErrors'

/**
 * The one gate for IPC from the renderer. Every command of the contract gets one `invoke` channel,
 * `poolscope:<name>`; each call is answered only when it comes from the app's own window, from its
 * main frame, showing the app's own page. Anything else gets a `{ ok: false }` outcome and never
 * reaches the engine. Errors leave as `{ code, message }` only, without stacks or file paths.
 */

/** Prefix of every PoolScope IPC channel. */
export const CHANNEL_PREFIX = 'poolscope:'
/** The channel on which engine events are pushed to the window. */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`

/** The channel that carries one command. */
export function commandChannel(name: CommandName): string {
  return `${CHANNEL_PREFIX}${name}`
}

/** The part of the EngineHost the gate uses (the real host in the app, a fake in tests). */
export interface CommandHost {
  call(name: unknown, params: unknown): Promise<CommandOutcome>
  onEvent(listener: (event: EngineEvent) => void): () => void
}

/** The part of a BrowserWindow the gate trusts. */
export interface TrustedWindow {
  isDestroyed(): boolean
  readonly webContents: Pick<WebContents, 'id' | 'mainFrame' | 'send' | 'isDestroyed'>
}

export interface IpcGateOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>
  host: CommandHost
  /** The app's window as it is now (it may be closed and re-created on macOS). */
  getWindow: () => TrustedWindow | null
  /** True for URLs of the app's own page; a main frame showing anything else is refused. */
  isAppUrl: (url: string) => boolean
}

/** What the gate reads from an IPC event. */
export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>

/** Why a sender was refused, for the error message; `null` when it is the app's own main frame. */
export function refuseSender(
  event: SenderEvent,
  window: TrustedWindow | null,
  isAppUrl: (url: string) => boolean
): string | null {
  if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return 'the app window is closed'
  const contents = window.webContents
  if (event.sender !== contents || event.sender.id !== contents.id) return 'it came from another web page'
  const frame: WebFrameMain | null = event.senderFrame
  if (!frame || frame !== contents.mainFrame) return 'it came from a frame other than the main frame'
  if (!isAppUrl(frame.url)) return 'the window is not showing PoolScope'
  return null
}

function refused(code: keyof typeof ErrorCodes, message: string): CommandOutcome {
  return { ok: false, error: { code: ErrorCodes[code], message } }
}

/** The gate: `dispatch` checks one call; `bind` attaches it to `ipcMain` and forwards events. */
export interface IpcGate {
  /**
   * Answers one call as the channel handler does: refuses foreign senders, unknown names (own keys
   * of `CommandSchemas` only) and malformed parameters without calling the host; never rejects.
   */
  dispatch(event: SenderEvent, name: unknown, args: readonly unknown[]): Promise<CommandOutcome>
  /** Binds every command to `ipcMain.handle` and pushes engine events; returns the unbind function. */
  bind(): () => void
}

/** Creates the gate over a host and the app's window. */
export function createIpcGate(options: IpcGateOptions): IpcGate {
  const { ipcMain, host, getWindow, isAppUrl } = options

  async function dispatch(
    event: SenderEvent,
    name: unknown,
    args: readonly unknown[]
  ): Promise<CommandOutcome> {
    const shown = typeof name === 'string' ? name.slice(0, 60) : `(${typeof name})`
    const why = refuseSender(event, getWindow(), isAppUrl)
    if (why) return refused('INVALID_COMMAND', `Command ${shown} was refused: ${why}.`)
    if (!isCommandName(name)) {
      return refused(
        'UNKNOWN_COMMAND',
        `Unknown command ${shown}; known commands: ${Object.keys(CommandSchemas).join(', ')}.`
      )
    }
    if (args.length !== 1) {
      return refused(
        'INVALID_COMMAND',
        `Command ${name} takes exactly one parameters object, got ${args.length} arguments.`
      )
    }
    const parsed = CommandSchemas[name].safeParse(args[0])
    if (!parsed.success) {
      return refused(
        'INVALID_COMMAND',
        `Command ${name} has invalid parameters: ${describeZodError(parsed.error)}.`
      )
    }
    try {
      // The host validates again with the same schema, so it is given the caller's value as sent.
      const outcome = await host.call(name, args[0])
      return outcome.ok ? outcome : { ok: false, error: toRendererError(outcome.error) }
    } catch {
      return refused('INTERNAL', `Command ${name} failed unexpectedly.`)
    }
  }

  function bind(): () => void {
    const names = Object.keys(CommandSchemas).filter(isCommandName)
    for (const name of names) {
      ipcMain.handle(commandChannel(name), (event, ...args: unknown[]) => dispatch(event, name, args))
    }
    const unsubscribe = host.onEvent((event) => {
      const window = getWindow()
      if (!window || window.isDestroyed() || window.webContents.isDestroyed()) return
      window.webContents.send(EVENT_CHANNEL, event)
    })
    return () => {
      unsubscribe()
      for (const name of names) ipcMain.removeHandler(commandChannel(name))
    }
  }

  return { dispatch, bind }
}
