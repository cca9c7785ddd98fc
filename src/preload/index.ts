// The sandboxed preload: builds the contract's named methods over IPC and exposes them as
// `window.poolscope` (resolving with outcomes; the page unwraps them). Nothing else crosses the bridge: no ipcRenderer, no process, no env.
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { createOutcomeBridge } from '../shared/protocol'
import type { CommandName, CommandOutcome, EngineEvent, OutcomeBridge } from '../shared/protocol'

const CHANNEL_PREFIX = 'poolscope:'
const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`

/**
 * Sends one command and resolves with its outcome as it is: an error outcome is not thrown here,
 * because contextBridge would strip its code; the page unwraps it (apiFromBridge).
 */
async function send(name: CommandName, params: unknown): Promise<CommandOutcome> {
  return (await ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, params)) as CommandOutcome
}

/** Forwards engine events to `listener` (never the IPC event itself); returns the unsubscribe. */
function subscribe(listener: (event: EngineEvent) => void): () => void {
  const forward = (_event: IpcRendererEvent, engineEvent: EngineEvent): void => listener(engineEvent)
  ipcRenderer.on(EVENT_CHANNEL, forward)
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, forward)
  }
}

const bridge: OutcomeBridge = createOutcomeBridge(send, subscribe)

contextBridge.exposeInMainWorld('poolscope', bridge)
