import { randomBytes } from 'node:crypto'
import { connect as connectTcp, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { ErrorCodes } from '../../../src/shared/errors'
import { CommandSchemas, isCommandName, type JobSummary } from '../../../src/shared/protocol'
import { encodeWire } from '../../../src/shared/wire/json'
import { decodeRequest, decodeServerMessage } from '../../../src/shared/wire/messages'
import type { EngineHost } from '../../../src/main/host/engineHost'
import {
  connectOpen,
  httpRequest,
  nextFinished,
  nextMessage,
  rawExchange,
  startEngineHarness,
  upgradeHeaders,
  type Harness
} from './harness'

/**
 * A seeded sample of what an attacker or a broken client sends to the web host, over a real
 * EngineHost: mutated WebSocket messages, malformed WebSocket frames, and raw HTTP requests with
 * odd targets, methods and headers. Every one is answered (a typed error, an HTTP error status, or
 * a clean close), none starts a job, and the host then runs a valid job. Set POOLSCOPE_FUZZ_SEED
 * to repeat a failing run.
 */

const SEED = Number(process.env.POOLSCOPE_FUZZ_SEED ?? 0x5eed)
const MESSAGES = 400
const BAD_FRAMES = 120
const HTTP_REQUESTS = 400

/** mulberry32: small, fast and the same on every machine. */
function prng(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (below: number) => Math.floor(next() * below)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]
  const bytes = (length: number) => Buffer.from(Array.from({ length }, () => int(256)))
  return { next, int, pick, bytes }
}
type Rng = ReturnType<typeof prng>

const mapCell = {
  workload: 'combinations',
  style: 'map',
  threads: 2,
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}

/** Valid requests that mutations start from. */
const TEMPLATES = [
  { id: 1, name: 'engine.info', params: {} },
  { id: 2, name: 'job.start', params: { spec: mapCell } },
  { id: 3, name: 'job.plan', params: { spec: mapCell } },
  { id: 4, name: 'job.results', params: { jobId: 'j', offset: 0, limit: 10 } },
  { id: 'five', name: 'job.cancel', params: { jobId: 'j' } },
  { id: 6, name: 'job.tuples', params: { jobId: 'j', task: 0, offset: 0, limit: 5 } }
]

const ODD_VALUES: unknown[] = [
  null,
  -1,
  Number.MAX_VALUE,
  '',
  'x'.repeat(5000),
  [],
  {},
  true,
  2 ** 53,
  '__proto__',
  { $ta: 'i32' }
]
const ODD_KEYS = ['__proto__', 'constructor', '$ta', 'prototype', '', 'toString']

/** One mutated message: text (maybe not JSON at all) or a binary frame. */
function mutateMessage(rng: Rng): { data: string | Buffer; binary: boolean } {
  const template = JSON.stringify(rng.pick(TEMPLATES))
  switch (rng.int(9)) {
    case 0: {
      // Flip a few characters.
      const chars = [...template]
      for (let i = 0; i < 1 + rng.int(4); i++)
        chars[rng.int(chars.length)] = String.fromCharCode(rng.int(128))
      return { data: chars.join(''), binary: false }
    }
    case 1:
      return { data: template.slice(0, rng.int(template.length)), binary: false }
    case 2: {
      const value = JSON.parse(template) as Record<string, unknown>
      const keys = ['id', 'name', 'params']
      value[rng.pick(keys)] = rng.pick(ODD_VALUES)
      return { data: JSON.stringify(value), binary: false }
    }
    case 3: {
      const value = JSON.parse(template) as Record<string, Record<string, unknown>>
      const key = rng.pick(ODD_KEYS)
      const text = JSON.stringify(value).replace(
        '"params":{',
        `"params":{"${key}":${JSON.stringify(rng.pick(ODD_VALUES))},`
      )
      return { data: rng.next() < 0.5 ? text : text.replace('{', `{"${key}":1,`), binary: false }
    }
    case 4:
      return {
        data: template.replace(
          /"name":"[^"]*"/,
          `"name":${JSON.stringify(rng.pick(ODD_KEYS.concat(['job.nope', 'engine.info '])))}`
        ),
        binary: false
      }
    case 5:
      return { data: `${'['.repeat(200 + rng.int(2000))}${']'.repeat(rng.int(50))}`, binary: false }
    case 6:
      return { data: rng.bytes(1 + rng.int(200)), binary: true }
    case 7:
      return { data: rng.bytes(1 + rng.int(200)).toString('latin1'), binary: false }
    default: {
      const spec = JSON.parse(JSON.stringify(mapCell)) as Record<string, unknown>
      const field = rng.pick(['threads', 'workload', 'style', 'inputs', 'keep', 'chunkSize'])
      spec[field] = rng.pick(ODD_VALUES)
      return { data: JSON.stringify({ id: 7, name: 'job.start', params: { spec } }), binary: false }
    }
  }
}

/** The oracle: would the host accept this message as a well-formed command? Those are not sent. */
function isValidCommand(data: string | Buffer, binary: boolean): boolean {
  if (binary) return false
  try {
    const request = decodeRequest(data)
    return isCommandName(request.name) && CommandSchemas[request.name].safeParse(request.params ?? {}).success
  } catch {
    return false
  }
}

/** A client frame with the given first byte, mask bit and payload (length encoded honestly unless told). */
function frame(first: number, payload: Buffer, masked: boolean, declaredLength?: bigint): Buffer {
  const length = declaredLength ?? BigInt(payload.length)
  let header: Buffer
  if (length < 126n) header = Buffer.from([first, (masked ? 0x80 : 0) | Number(length)])
  else if (length < 65536n)
    header = Buffer.from([first, (masked ? 0x80 : 0) | 126, Number(length >> 8n), Number(length & 0xffn)])
  else {
    header = Buffer.alloc(10)
    header[0] = first
    header[1] = (masked ? 0x80 : 0) | 127
    header.writeBigUInt64BE(length, 2)
  }
  if (!masked) return Buffer.concat([header, payload])
  const mask = randomBytes(4)
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]))
  return Buffer.concat([header, mask, body])
}

/** A frame that breaks the WebSocket protocol in one of several ways. */
function badFrame(rng: Rng): { bytes: Buffer; kind: string } {
  const text = Buffer.from('{"id":1,"name":"engine.info"}')
  switch (rng.int(8)) {
    case 0:
      return { bytes: frame(0x81, text, false), kind: 'unmasked' }
    case 1:
      return {
        bytes: frame(0x80 | rng.pick([3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), text, true),
        kind: 'reserved opcode'
      }
    case 2:
      return { bytes: frame(0x81 | rng.pick([0x10, 0x20, 0x40]), text, true), kind: 'reserved bits' }
    case 3:
      return { bytes: frame(0x89, rng.bytes(126 + rng.int(200)), true), kind: 'oversized control' }
    case 4:
      return { bytes: frame(0x09, Buffer.from('x'), true), kind: 'fragmented control' }
    case 5:
      return { bytes: frame(0x80, text, true), kind: 'continuation without start' }
    case 6:
      return { bytes: frame(0x81, Buffer.from([0xc3, 0x28, 0xff, 0xfe]), true), kind: 'invalid UTF-8' }
    default:
      return { bytes: frame(0x81, rng.bytes(8), true, 2n ** 40n), kind: 'oversized length' }
  }
}

/** Performs the WebSocket handshake by hand; resolves with the raw socket once it is upgraded. */
function rawHandshake(h: Harness<EngineHost>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp(h.web.port, '127.0.0.1')
    let seen = ''
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('latin1')
      if (!seen.includes('\r\n\r\n')) return
      socket.off('data', onData)
      if (seen.startsWith('HTTP/1.1 101')) resolve(socket)
      else reject(new Error(`handshake refused: ${seen.split('\r\n', 1)[0]}`))
    }
    socket.on('data', onData)
    socket.on('error', reject)
    socket.on('connect', () =>
      socket.write(httpRequest(h.web.port, `/ws?token=${h.web.token}`, upgradeHeaders(h.web.port)))
    )
  })
}

/** Writes a frame after the handshake and waits for the server to hang up; returns its close code, if it sent one. */
function sendBadFrame(socket: Socket, bytes: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      const reply = Buffer.concat(chunks)
      resolve(reply.length >= 4 && reply[0] === 0x88 ? reply.readUInt16BE(2) : null)
    })
    socket.write(bytes)
    // A frame that declares more bytes than it sends leaves the server waiting: the client then goes away.
    socket.end()
  })
}

type HttpCase = { bytes: string; how: 'answer' | 'truncated' | 'vanish'; kind: string }

const ODD_TARGETS = [
  'http://[',
  '*',
  'http://127.0.0.1/',
  '/%',
  '/%00',
  '/%zz',
  '/..%2f..%2fetc/passwd',
  'ws',
  '?token=x',
  '/a#b',
  'http://[::1',
  'HTTP://x/'
]
const BAD_METHODS = [
  'FOO',
  'G ET',
  'get',
  'POST',
  'DELETE',
  'PUT',
  'CONNECT',
  'TRACE',
  'PATCH',
  'OPTIONS',
  ''
]

/** One raw HTTP request that is wrong in a known way. */
function badHttp(rng: Rng, port: number, token: string): HttpCase {
  const upgrade = upgradeHeaders(port)
  switch (rng.int(9)) {
    case 0:
      return {
        bytes: httpRequest(port, rng.pick(ODD_TARGETS), rng.next() < 0.5 ? upgrade : {}),
        how: 'answer',
        kind: 'odd target'
      }
    case 1: {
      const path = `/nope/${rng
        .bytes(2000 + rng.int(30_000))
        .toString('hex')
        .slice(0, 1000 + rng.int(20_000))}`
      return { bytes: httpRequest(port, path), how: 'answer', kind: 'long path' }
    }
    case 2: {
      const method = rng.pick(BAD_METHODS)
      return { bytes: httpRequest(port, '/', {}, method), how: 'answer', kind: 'bad method' }
    }
    case 3: {
      const variants = [
        () => httpRequest(port, '/').replace('\r\n\r\n', '\r\nHost: evil.example\r\n\r\n'),
        () => `GET / HTTP/1.1\r\nConnection: close\r\n\r\n`,
        () => httpRequest(port, '/', { Host: `evil.example:${port}` }),
        () => httpRequest(port, '/').replace(/\r\n/g, '\n'),
        () => httpRequest(port, '/', { 'X-Nul': 'a\u0000b' }),
        () => httpRequest(port, '/').replace('\r\n\r\n', '\r\nX-Fold: a\r\n b\r\n\r\n'),
        () => httpRequest(port, '/', { 'X-Huge': 'h'.repeat(17_000 + rng.int(50_000)) }),
        () => httpRequest(port, '/', { 'Content-Length': '5', 'Transfer-Encoding': 'chunked' }),
        () => httpRequest(port, '/', { 'Content-Length': '-1' }),
        () =>
          httpRequest(port, '/').replace(
            '\r\n\r\n',
            `\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: v`).join('\r\n')}\r\n\r\n`
          ),
        () => httpRequest(port, '/', { 'Bad Header': 'x' }),
        () =>
          httpRequest(port, '/').replace(
            'HTTP/1.1',
            rng.pick(['HTTP/9.9', 'HTTP/1', 'HTTPS/1.1', 'http/1.1'])
          )
      ]
      return { bytes: rng.pick(variants)(), how: 'answer', kind: 'bad headers' }
    }
    case 4: {
      const variants: Record<string, string>[] = [
        { ...upgrade, 'Sec-WebSocket-Version': '99' },
        { ...upgrade, 'Sec-WebSocket-Key': '' },
        { ...upgrade, Origin: 'http://evil.example' },
        { ...upgrade, Upgrade: 'h2c' },
        { ...upgrade, Host: `evil.example:${port}` }
      ]
      const target =
        rng.next() < 0.7 ? `/ws?token=${token}` : rng.pick(['/ws', '/ws?token=nope', '/other', '/ws?code=x'])
      const headers = rng.next() < 0.7 ? rng.pick(variants) : upgrade
      const validUpgrade = headers === upgrade && target === `/ws?token=${token}`
      return {
        bytes: httpRequest(port, validUpgrade ? '/ws?token=nope' : target, headers),
        how: 'answer',
        kind: 'bad upgrade'
      }
    }
    case 5:
    case 6: {
      const full = httpRequest(port, `/ws?token=${token}`, upgrade)
      return { bytes: full.slice(0, 1 + rng.int(full.length - 5)), how: 'truncated', kind: 'truncated' }
    }
    case 7: {
      const full = httpRequest(port, '/', upgrade)
      return { bytes: full.slice(0, rng.int(full.length)), how: 'vanish', kind: 'vanished' }
    }
    default: {
      const junk = rng.bytes(1 + rng.int(400)).toString('latin1')
      return { bytes: `${junk}\r\n\r\n`, how: 'answer', kind: 'junk' }
    }
  }
}

describe(`web host fuzz sample (seed ${SEED})`, () => {
  let h: Harness<EngineHost>
  let ws: WebSocket
  let jobEvents = 0
  beforeAll(async () => {
    h = await startEngineHarness({ maxConnections: 64 })
    h.host.onEvent((event) => {
      if (event.type.startsWith('job.')) jobEvents++
    })
    ws = await connectOpen(h.wsUrl, h.origin)
  })
  afterAll(async () => {
    ws?.terminate()
    await h?.close()
  })

  it(`answers ${MESSAGES} invalid mutated messages with typed errors and starts no job`, async () => {
    const rng = prng(SEED)
    const codes = new Set<string>(Object.values(ErrorCodes))
    let sent = 0
    while (sent < MESSAGES) {
      const { data, binary } = mutateMessage(rng)
      if (isValidCommand(data, binary)) continue
      const reply = nextMessage(ws)
      ws.send(data, { binary })
      const message = decodeServerMessage(await reply)
      if (!('outcome' in message) || message.outcome.ok)
        throw new Error(`accepted ${String(data).slice(0, 200)}`)
      expect(codes.has(message.outcome.error.code)).toBe(true)
      expect(typeof message.outcome.error.message).toBe('string')
      expect(message.outcome.error.message).not.toMatch(/\n\s+at |\/work\/|node_modules/)
      sent++
    }
    expect(sent).toBe(MESSAGES)
    const list = decodeServerMessage(
      await (async () => {
        const reply = nextMessage(ws)
        ws.send(encodeWire({ id: 'list', name: 'job.list', params: {} }))
        return reply
      })()
    )
    expect(list).toEqual({ id: 'list', outcome: { ok: true, result: [] } })
    expect(jobEvents).toBe(0)
  })

  it(`closes the connection on each of ${BAD_FRAMES} frames that break the WebSocket protocol`, async () => {
    const rng = prng(SEED + 1)
    const closeCodes = new Map<string, Set<number | null>>()
    for (let i = 0; i < BAD_FRAMES; i++) {
      const { bytes, kind } = badFrame(rng)
      const socket = await rawHandshake(h)
      const code = await sendBadFrame(socket, bytes)
      closeCodes.set(kind, (closeCodes.get(kind) ?? new Set()).add(code))
    }
    // Protocol errors are named in the close frame; the oversized length is refused before its bytes arrive.
    for (const [kind, codes] of closeCodes) {
      for (const code of codes) {
        if (kind === 'oversized length') expect(code).toBe(1009)
        else if (kind === 'invalid UTF-8') expect(code).toBe(1007)
        else expect(code).toBe(1002)
      }
    }
    if (process.env.POOLSCOPE_FUZZ_REPORT)
      console.log(JSON.stringify([...closeCodes].map(([k, v]) => [k, [...v]])))
    expect(closeCodes.size).toBe(8)
    expect(jobEvents).toBe(0)
  })

  it(`answers ${HTTP_REQUESTS} malformed raw HTTP requests with an error status or a clean close`, async () => {
    const rng = prng(SEED + 2)
    const statuses = new Map<string, Set<number | null>>()
    for (let i = 0; i < HTTP_REQUESTS; i++) {
      const request = badHttp(rng, h.web.port, h.web.token)
      const answer = await rawExchange(h.web.port, Buffer.from(request.bytes, 'latin1'), {
        vanish: request.how === 'vanish',
        halfClose: request.how === 'truncated'
      })
      statuses.set(request.kind, (statuses.get(request.kind) ?? new Set()).add(answer.status))
      if (request.how === 'answer') {
        if (answer.status === null || answer.status < 400 || answer.status >= 500) {
          throw new Error(
            `${request.kind}: ${JSON.stringify(request.bytes.slice(0, 200))} got ${answer.status}`
          )
        }
      } else if (request.how === 'truncated' && answer.status !== null) {
        expect([400, 408]).toContain(answer.status)
      }
    }
    if (process.env.POOLSCOPE_FUZZ_REPORT)
      console.log(JSON.stringify([...statuses].map(([k, v]) => [k, [...v]])))
    expect([...statuses.keys()].sort()).toEqual(
      [
        'bad headers',
        'bad method',
        'bad upgrade',
        'junk',
        'long path',
        'odd target',
        'truncated',
        'vanished'
      ].sort()
    )
    expect(jobEvents).toBe(0)
  })

  it('still runs a valid job to the end afterwards', async () => {
    const finished = nextFinished(h.host)
    const reply = nextMessage(ws)
    ws.send(encodeWire({ id: 'go', name: 'job.start', params: { spec: mapCell } }))
    expect(decodeServerMessage(await reply)).toMatchObject({ id: 'go', outcome: { ok: true } })
    const summary: JobSummary = await finished
    expect(summary).toMatchObject({ status: 'done', tasksDone: 4 })
  })
})
