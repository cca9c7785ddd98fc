// The sandboxed preload: builds the contract's named-method API over IPC and exposes it as
// `window.poolscope`. Nothing else crosses the bridge: no ipcRenderer, no process, no env.
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { createApi, RemoteError } from '../shared/protocol'
import type { CommandOutcome, EngineEvent, Invoke, PoolScopeApi } from '../shared/protocol'

const CHANNEL_PREFIX = 'poolscope:'
const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`

/** Sends one command; an `{ ok: false }` outcome becomes a rejected `RemoteError` with its code. */
const invoke: Invoke = async (name, params) => {
  const outcome = (await ipcRenderer.invoke(`${CHANNEL_PREFIX}${name}`, params)) as CommandOutcome<typeof name>
  if (!outcome.ok) throw new RemoteError(outcome.error)
  return outcome.result
}

/** Forwards engine events to `listener` (never the IPC event itself); returns the unsubscribe. */
function subscribe(listener: (event: EngineEvent) => void): () => void {
  const forward = (_event: IpcRendererEvent, engineEvent: EngineEvent): void => listener(engineEvent)
  ipcRenderer.on(EVENT_CHANNEL, forward)
  return () => {
    ipcRenderer.removeListener(EVENT_CHANNEL, forward)
  }
}

const api: PoolScopeApi = createApi(invoke, subscribe)

contextBridge.exposeInMainWorld('poolscope', api)
