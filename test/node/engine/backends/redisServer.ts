import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createConnection } from 'node:net'

/**
 * A throwaway Redis for the cluster tests: Debian's `redis-server` on a random loopback port, with
 * nothing saved to disk, stopped by the test that started it. Where no redis-server is installed
 * the cluster suites skip, unless CI demands them (`POOLSCOPE_REQUIRE_REDIS=1`, set by .ci/run).
 */

export const REDIS_BINARY = process.env.POOLSCOPE_REDIS_SERVER ?? 'redis-server'

export function redisAvailable(): boolean {
  return spawnSync(REDIS_BINARY, ['--version'], { stdio: 'ignore' }).status === 0
}

export function redisRequired(): boolean {
  return process.env.POOLSCOPE_REQUIRE_REDIS === '1'
}

export interface RedisServer {
  url: string
  port: number
  stop(): Promise<void>
}

/** A loopback port nothing listens on now (a connection to it is refused). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 40000)
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port })
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    if (refused) return port
  }
}

/**
 * Starts a Redis on a free port, trying another when the port was taken between the check and the
 * bind (ports this high are also the OS's ephemeral ports, which other tests' connections use).
 */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(await freePort(), options)
    } catch (err) {
      const clash = err instanceof Error && err.message.includes('Address already in use')
      if (!clash || attempt === 5) throw err
    }
  }
}

export interface RedisOptions {
  /** Serve TLS only (rediss://), with this certificate and key (PEM files). */
  tls?: { cert: string; key: string }
  /** Require this password (Redis's requirepass). */
  password?: string
}

async function startRedisOn(port: number, options: RedisOptions): Promise<RedisServer> {
  const listen = options.tls
    ? [
        ...['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no'],
        ...['--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key]
      ]
    : ['--port', String(port)]
  const auth = options.password === undefined ? [] : ['--requirepass', options.password]
  const proc: ChildProcess = spawn(
    REDIS_BINARY,
    [...listen, ...auth, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start on port ${port}: ${seen}`)),
      10_000
    )
    proc.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      if (seen.includes('Ready to accept connections')) {
        clearTimeout(timer)
        resolve()
      }
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with code ${code}: ${seen}`))
    })
  })
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password === undefined ? '' : `:${options.password}@`}127.0.0.1:${port}`,
    port,
    stop: async () => {
      proc.kill('SIGKILL')
      await exited
    }
  }
}
