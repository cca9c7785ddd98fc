import { apiFromBridge, type OutcomeBridge, type PoolScopeApi } from '../../../shared/protocol'

/**
 * The engine, whichever door the page came through: the Electron preload's `window.poolscope`, or
 * else the web host's WebSocket at `/ws` on the page's own host. The web host has already traded
 * the printed `?token=` (or the launch file's one-time code) for an HttpOnly session cookie and
 * redirected to `/`, so the socket is authorised by that cookie and the page never holds the
 * secret. Only stores call this; components never see the transport.
 */
export async function getApi(): Promise<PoolScopeApi> {
  const bridge = (window as unknown as { poolscope?: OutcomeBridge }).poolscope
  if (bridge) return apiFromBridge(bridge)
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const { connectWebSocket } = await import('./wsClient')
  return connectWebSocket(`${scheme}//${window.location.host}/ws`)
}
