// Who may reach the cluster's Redis: loopback needs nothing, any other host a password in the URL
// (the agent and the coordinator both refuse without one, saying why and how), and rediss:// runs
// over TLS — here end to end: a TLS-only, password-protected redis-server, a `poolscope agent` and
// a `poolscope run` as processes that trust its certificate, and Python's digest.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, redisAccessProblem } from '../../../../src/main/engine/backends/cluster/connection'
import { Engine } from '../../../../src/main/engine/engine'
import { mapCellSpec } from '../../../../src/main/cli/notebookCommand'
import { projectRoot, workerFile } from '../../../paths'
import { golden, runCli, type ArgsCase } from '../../cli/cliHarness'
import { redisAvailable, startRedis, type RedisServer } from './redisServer'

const mapDigest = golden<ArgsCase[]>('args-digests.json').find((c) => c.name === 'notebook-map-4')?.digest
const opensslAvailable = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0

const refusal = (where: string, scheme = 'redis') =>
  `Redis at ${where} is not on this machine, so it must be reached with a password: anyone who can ` +
  `write to its queue can make the agents run PoolScope's kernels. Give Redis an ACL user (ACL SETUSER ` +
  `poolscope on >secret ...) and put it in the URL, ${scheme}://poolscope:secret@${where} (or ` +
  `${scheme}://:secret@${where} for a requirepass password), and prefer rediss:// (TLS) so the ` +
  `password and the chunks do not cross the network in clear`

describe('access to the cluster Redis', () => {
  it('needs nothing on loopback, and a password anywhere else', () => {
    for (const url of [
      'redis://127.0.0.1:6379',
      'redis://localhost:6379',
      'redis://127.3.2.1',
      'redis://[::1]:6379',
      'rediss://127.0.0.1:6380',
      'redis://poolscope:secret@10.0.0.5:6379',
      'redis://:secret@db.example:6379',
      'rediss://poolscope:secret@db.example:6380'
    ]) {
      expect(redisAccessProblem(url), url).toBeNull()
    }
    expect(redisAccessProblem('redis://10.0.0.5:6379')).toBe(refusal('10.0.0.5:6379'))
    expect(redisAccessProblem('rediss://db.example')).toBe(refusal('db.example', 'rediss'))
    // A user without a password is no password; 127.0.0.1 inside another name is not loopback.
    expect(redisAccessProblem('redis://poolscope@db.example:6379')).toBe(refusal('db.example:6379'))
    expect(redisAccessProblem('redis://127.0.0.1.example:6379')).toBe(refusal('127.0.0.1.example:6379'))
    expect(redisAccessProblem('http://127.0.0.1:6379')).toBe(
      'the Redis URL must start with redis:// or rediss:// (got http://)'
    )
  })

  it('refuses to connect without a password off this machine, before any connection is tried', async () => {
    const started = performance.now()
    await expect(connect('redis://192.0.2.1:6379')).rejects.toThrow(refusal('192.0.2.1:6379'))
    // 192.0.2.1 is a documentation address: a connection attempt would hang until its timeout.
    expect(performance.now() - started).toBeLessThan(100)
  })

  it('refuses an agent and a cluster job without a password off this machine, saying how', async () => {
    const agent = await runCli(['agent', '--redis', 'redis://192.0.2.1:6379', '--threads', '1'])
    expect(agent.code).toBe(2)
    expect(agent.stderr).toContain(`--redis: ${refusal('192.0.2.1:6379')}`)
    const engine = new Engine({ workerFile, hardwareThreads: 2 })
    try {
      await expect(
        engine.start({ ...mapCellSpec(2), backend: 'cluster', redis: 'redis://192.0.2.1:6379' })
      ).rejects.toThrow(`could not start a pool of 2 cluster: ${refusal('192.0.2.1:6379')}`)
    } finally {
      await engine.dispose()
    }
  })

  it('connects over TLS for rediss:// (ioredis reads it from the URL)', () => {
    const tls = new Redis('rediss://:secret@db.example:6380', { lazyConnect: true })
    const plain = new Redis('redis://:secret@db.example:6379', { lazyConnect: true })
    try {
      expect(tls.options.tls).toBeDefined()
      expect(plain.options.tls).toBeUndefined()
      expect(tls.options.password).toBe('secret')
    } finally {
      tls.disconnect()
      plain.disconnect()
    }
  })
})

describe.skipIf(!redisAvailable() || !opensslAvailable)(
  'a cluster over TLS with a password (rediss://:secret@…)',
  () => {
    let dir: string
    let redis: RedisServer
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'poolscope-tls-'))
      const made = spawnSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
          ...['-addext', 'subjectAltName=IP:127.0.0.1'],
          ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]
        ],
        { encoding: 'utf8' }
      )
      if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`)
      redis = await startRedis({
        tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
        password: 'secret'
      })
    }, 30_000)
    afterAll(async () => {
      await redis?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    it("runs the notebook's map cell through an agent over TLS with Python's digest", async () => {
      expect(redis.url).toMatch(/^rediss:\/\/:secret@127\.0\.0\.1:\d+$/)
      // Both processes trust the throwaway certificate, as a user's machines would trust theirs.
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }
      const cli = join(projectRoot, 'bin', 'poolscope.js')
      const agent = spawn(
        process.execPath,
        [cli, 'agent', '--redis', redis.url, '--threads', '2', '--name', 'tls-agent', '--allow-code'],
        { env, stdio: ['ignore', 'pipe', 'pipe'] }
      )
      const exited = new Promise<number | null>((resolve) => agent.once('exit', resolve))
      try {
        let said = ''
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the agent did not start: ${said}`)), 20_000)
          agent.stdout.on('data', (chunk: Buffer) => {
            said += chunk.toString()
            if (said.includes('taking chunks from')) {
              clearTimeout(timer)
              resolve()
            }
          })
          agent.stderr.on('data', (chunk: Buffer) => (said += chunk.toString()))
          agent.once('exit', (code) => reject(new Error(`the agent exited with ${code}: ${said}`)))
        })
        // The password is used, never printed.
        expect(said).toContain('taking chunks from rediss://:***@127.0.0.1:')
        expect(said).not.toContain('secret')
        expect(said).toContain('runs custom code too (--allow-code)')
        const run = spawnSync(
          process.execPath,
          [cli, 'run', '--backend', 'cluster', '--redis', redis.url, '--threads', '2', '--json'],
          { env, encoding: 'utf8', timeout: 30_000 }
        )
        expect(run.stderr).toBe('')
        expect(run.status).toBe(0)
        const report = JSON.parse(run.stdout) as { digest: string; spec: { backend: string; redis: string } }
        expect(report.spec.backend).toBe('cluster')
        // The report keeps the URL without its password.
        expect(run.stdout).not.toContain('secret')
        expect(report.spec.redis).toBe(redis.url.replace(':secret@', ':***@'))
        expect(report.digest).toBe(mapDigest)
      } finally {
        agent.kill('SIGINT')
        await exited
      }
    }, 60_000)
  }
)
