import { apiFromBridge, type OutcomeBridge, type PoolScopeApi } from '../../../shared/protocol'

/**
 * The engine, whichever door the page came through: the Electron preload's `window.poolscope`, or
 * else the web host's WebSocket at `/ws` on the page's own host, with the `?token=` the page was
 * opened with. Only stores call this; components never see the transport.
 */
export async function getApi(): Promise<PoolScopeApi> {
  const bridge = (window as unknown as { poolscope?: OutcomeBridge }).poolscope
  if (bridge) return apiFromBridge(bridge)
  const token = new URLSearchParams(window.location.search).get('token')
  if (!token) {
    throw new Error('this page needs the ?token= from the address the web host printed; open that address')
  }
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const { connectWebSocket } = await import('./wsClient')
  return connectWebSocket(`${scheme}//${window.location.host}/ws`, token)
}
