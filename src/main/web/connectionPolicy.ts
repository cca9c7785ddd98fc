import { WebSocket } from 'ws'

/**
 * How the web host treats its WebSocket clients once they are in: a bounded send buffer per client
 * and a heartbeat that finds peers which have silently gone away.
 */

/** The byte size of a frame's payload. */
function byteSize(data: string | Uint8Array): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
}

/**
 * Sends `data` unless that would leave more than `maxBufferedBytes` waiting for this client. A
 * client over its limit is terminated, not closed: a polite close frame would queue behind the
 * very backlog it is meant to end, and hold that memory until the close times out. A terminated
 * client receives nothing more (its state is no longer OPEN). Returns whether the data was queued.
 */
export function sendWithinLimit(ws: WebSocket, data: string | Uint8Array, maxBufferedBytes: number): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false
  if (ws.bufferedAmount + byteSize(data) > maxBufferedBytes) {
    ws.terminate()
    return false
  }
  ws.send(data)
  return true
}

/** True when a frame alone is larger than a client may have waiting: it can never be sent. */
export function exceedsLimit(data: string | Uint8Array, maxBufferedBytes: number): boolean {
  return byteSize(data) > maxBufferedBytes
}

/**
 * Pings every tracked socket each interval and terminates one that has not answered the previous
 * ping: a peer whose machine slept or whose network vanished never sends a close frame.
 */
export class Heartbeat {
  private readonly awaitingPong = new Map<WebSocket, boolean>()
  private readonly timer: NodeJS.Timeout

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.beat(), intervalMs)
    this.timer.unref()
  }

  /** Starts watching a socket; it is forgotten when it closes. */
  track(ws: WebSocket): void {
    this.awaitingPong.set(ws, false)
    ws.on('pong', () => this.awaitingPong.set(ws, false))
    ws.once('close', () => this.awaitingPong.delete(ws))
  }

  stop(): void {
    clearInterval(this.timer)
    this.awaitingPong.clear()
  }

  private beat(): void {
    for (const [ws, awaiting] of this.awaitingPong) {
      if (awaiting) {
        this.awaitingPong.delete(ws)
        ws.terminate()
        continue
      }
      this.awaitingPong.set(ws, true)
      ws.ping()
    }
  }
}
