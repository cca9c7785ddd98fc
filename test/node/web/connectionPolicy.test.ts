import { afterEach, describe, expect, it, vi } from 'vitest'
import { EventEmitter } from 'node:events'
import { WebSocket } from 'ws'
import { Heartbeat, sendWithinLimit } from '../../../src/main/web/connectionPolicy'

/** Just enough of a ws socket to watch what the policy does to it. */
class FakeSocket extends EventEmitter {
  readyState: number = WebSocket.OPEN
  bufferedAmount = 0
  readonly sent: (string | Uint8Array)[] = []
  pings = 0
  terminated = false
  send(data: string | Uint8Array) {
    this.sent.push(data)
    this.bufferedAmount += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
  }
  ping() {
    this.pings++
  }
  terminate() {
    this.terminated = true
    this.readyState = WebSocket.CLOSED
    this.emit('close')
  }
}

const asWs = (socket: FakeSocket) => socket as unknown as WebSocket

describe('sendWithinLimit', () => {
  it('sends while the buffer stays within the limit', () => {
    const socket = new FakeSocket()
    expect(sendWithinLimit(asWs(socket), 'x'.repeat(60), 100)).toBe(true)
    expect(sendWithinLimit(asWs(socket), 'y'.repeat(40), 100)).toBe(true)
    expect(socket.sent).toHaveLength(2)
    expect(socket.terminated).toBe(false)
  })

  it('terminates instead of queueing a frame that would push the buffer over the limit', () => {
    const socket = new FakeSocket()
    socket.bufferedAmount = 90
    expect(sendWithinLimit(asWs(socket), new Uint8Array(11), 100)).toBe(false)
    expect(socket.sent).toEqual([])
    expect(socket.terminated).toBe(true)
  })

  it('sends nothing more to a client that was cut off', () => {
    const socket = new FakeSocket()
    socket.bufferedAmount = 100
    sendWithinLimit(asWs(socket), 'a', 100)
    socket.bufferedAmount = 0
    expect(sendWithinLimit(asWs(socket), 'b', 100)).toBe(false)
    expect(socket.sent).toEqual([])
  })
})

describe('Heartbeat', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('pings every interval and terminates a socket that missed a pong', () => {
    vi.useFakeTimers()
    const heartbeat = new Heartbeat(1000)
    const socket = new FakeSocket()
    heartbeat.track(asWs(socket))
    vi.advanceTimersByTime(1000)
    expect(socket.pings).toBe(1)
    expect(socket.terminated).toBe(false)
    vi.advanceTimersByTime(1000)
    expect(socket.terminated).toBe(true)
    heartbeat.stop()
  })

  it('keeps a socket that answers every ping', () => {
    vi.useFakeTimers()
    const heartbeat = new Heartbeat(1000)
    const socket = new FakeSocket()
    heartbeat.track(asWs(socket))
    for (let beat = 0; beat < 5; beat++) {
      vi.advanceTimersByTime(1000)
      socket.emit('pong')
    }
    expect(socket.pings).toBe(5)
    expect(socket.terminated).toBe(false)
    heartbeat.stop()
  })
})
