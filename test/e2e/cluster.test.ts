import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { killWhileHolding, startAgentProcess, type AgentProcess } from '../node/engine/backends/agentProcess'
import { redisAvailable, startRedis, type RedisServer } from '../node/engine/backends/redisServer'
import { findChromium, startBrowserStack, type BrowserStack } from './browser'

/**
 * The cluster back end in real Chromium, as the README's two-agent walkthrough sets it up: a Redis
 * server and two `poolscope agent` processes of one thread each. A person chooses the cluster, sees
 * both agents listed with their clock offsets, runs the notebook's map cell and finds both agents'
 * lanes on one timeline; then an agent is killed with SIGKILL mid-job and the job still ends with
 * every task done and the retried chunk marked. (Skipped without Chromium or redis-server;
 * browser.test.ts and the cluster node tests fail instead when they are required.)
 * `POOLSCOPE_SHOTS=<dir>` also saves screenshots.
 */

const executable = findChromium()
const UI_TIMEOUT = 30_000
const shots = process.env.POOLSCOPE_SHOTS

describe.skipIf(executable === null || !redisAvailable())(
  'the cluster back end in a real browser, with two agent processes',
  () => {
    let stack: BrowserStack
    let redis: RedisServer
    const agents: AgentProcess[] = []
    let page: Page

    beforeAll(async () => {
      redis = await startRedis()
      agents.push(
        ...(await Promise.all(['agent-a', 'agent-b'].map((name) => startAgentProcess(redis.url, name))))
      )
      stack = await startBrowserStack(executable!)
    }, 60_000)
    afterEach(async () => {
      await page?.close()
    })
    afterAll(async () => {
      await stack?.close()
      for (const agent of agents) agent.proc.kill('SIGKILL')
      await Promise.all(agents.map((agent) => agent.exited))
      await redis?.stop()
    })

    /** Opens the app on a preset (or the form as it is), then chooses the cluster at this test's Redis. */
    async function openOnCluster(scheme: 'light' | 'dark', width: number, height: number): Promise<void> {
      page = await stack.openApp()
      await page.emulateMedia({ colorScheme: scheme })
      await page.setViewportSize({ width, height })
      const preset = page.getByRole('button', { name: 'Notebook: map cell' })
      await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
      await preset.click()
      await page.getByRole('radio', { name: 'cluster' }).check()
      await page.getByLabel('Redis URL').fill(redis.url)
    }

    it('lists both agents, runs the map cell on them and shows their lanes on one timeline', async () => {
      await openOnCluster('light', 1280, 800)
      const rows = page.locator('[data-test=cluster-agents] tbody tr')
      await expect.poll(() => rows.count(), { timeout: UI_TIMEOUT }).toBe(2)
      const live = agents.filter((agent) => agent.proc.exitCode === null).map((agent) => agent.name)
      expect(await rows.locator('th').allInnerTexts()).toEqual(
        live.map((name) => expect.stringContaining(name))
      )
      await expect
        .poll(() => page.locator('[data-test=agents-summary]').innerText(), { timeout: UI_TIMEOUT })
        .toMatch(/^2 agents, 2 threads in all · Redis round trip \d+\.\d\d ms$/)
      expect(await page.locator('#job-threads-msg').innerText()).toBe(
        "of the agents' 2 threads (default all)"
      )
      if (shots) {
        mkdirSync(shots, { recursive: true })
        await page.screenshot({ path: join(shots, 'cluster-form-light-1280x800.png') })
      }

      await page.getByRole('button', { name: 'Run', exact: true }).click()
      const notebook = page.locator('[data-test=notebook]')
      await notebook.waitFor({ timeout: UI_TIMEOUT })
      // Two agents of one thread: four tasks of C(6,2) = 15 pairs, as the notebook printed them.
      expect(await notebook.innerText()).toBe('Number of threads: 2\nNumber of results: 4')
      expect(await page.locator('[data-test=tuples]').innerText()).toBe('60')
      expect(await page.locator('[data-test=backend]').innerText()).toBe('2 agent threads on 2 agents')
      expect(await page.locator('.lane-time-name').allInnerTexts()).toEqual([
        'agent-a · worker 0',
        'agent-b · worker 1'
      ])
      const hosts = page.locator('[data-test=timeline-hosts]')
      await expect
        .poll(() => hosts.innerText(), { timeout: UI_TIMEOUT })
        .toContain('agent-a worker 0 · clock ')
      expect(await hosts.innerText()).toMatch(
        /agent-a worker 0 · clock [+−]\d+\.\d\d ms ± \d+\.\d\d\s+agent-b worker 1 · clock [+−]\d+\.\d\d ms ± \d+\.\d\d/
      )
      expect(await page.locator('[data-test=timeline-retried]').count()).toBe(0)
      // The cores view is this machine's: it grades nothing for a job that ran on agents.
      await page
        .locator('.cores-note', { hasText: 'This job ran on its agents' })
        .waitFor({ timeout: UI_TIMEOUT })
      expect(await page.locator('[data-test=cores-grade]').count()).toBe(0)
      if (shots) {
        await page.locator('.timeline').scrollIntoViewIfNeeded()
        await page.screenshot({ path: join(shots, 'cluster-finished-light-1280x800.png') })
      }
    })

    it('sweeps the thread counts on the agents', async () => {
      await openOnCluster('light', 1280, 800)
      await expect
        .poll(() => page.locator('[data-test=cluster-agents] tbody tr').count(), { timeout: UI_TIMEOUT })
        .toBe(2)
      await page.getByLabel('Workload').selectOption('busy_wait')
      await page.locator('#job-tasks').fill('8')
      await page.locator('#job-ms').fill('20')
      await page.getByRole('button', { name: 'Sweep threads…' }).click()
      // Opened from a cluster job, the setup sweeps on the cluster.
      expect(await page.getByRole('radio', { name: 'cluster' }).last().isChecked()).toBe(true)
      await page.locator('#sweep-threads').fill('1, 2')
      await page.locator('#sweep-repeat').fill('2')
      await page.locator('#sweep-seconds').fill('2')
      const start = page.getByRole('button', { name: 'Start sweep' })
      await expect.poll(() => start.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
      await start.click()
      await page.locator('[data-test="sweep-status"]', { hasText: 'Finished' }).waitFor({ timeout: 60_000 })
      const rows = page.locator('[data-test="scaling-points"] tr[data-point]')
      expect(await rows.count()).toBe(2)
      expect((await rows.nth(1).locator('td').first().innerText()).trim()).toBe('2')
      if (shots) {
        await page.locator('.scaling .chart-box').scrollIntoViewIfNeeded()
        await page.screenshot({ path: join(shots, 'cluster-sweep-light-1280x800.png') })
      }
    }, 90_000)

    it('waits for an agent at a Redis with none, says so, and Cancel ends the job', async () => {
      const empty = await startRedis()
      try {
        page = await stack.openApp()
        await page.emulateMedia({ colorScheme: 'dark' })
        await page.setViewportSize({ width: 1920, height: 1080 })
        const preset = page.getByRole('button', { name: 'Notebook: map cell' })
        await expect.poll(() => preset.isEnabled(), { timeout: UI_TIMEOUT }).toBe(true)
        await preset.click()
        await page.getByRole('radio', { name: 'cluster' }).check()
        await page.getByLabel('Redis URL').fill(empty.url)
        await page.locator('[data-test=agents-none]').waitFor({ timeout: UI_TIMEOUT })
        await page.getByRole('button', { name: 'Run', exact: true }).click()
        const waiting = page.locator('[data-test=waiting]')
        await waiting.waitFor({ timeout: UI_TIMEOUT })
        expect(await waiting.innerText()).toBe(
          `waiting for a PoolScope agent: none is registered at ${empty.url}; start one with ` +
            `poolscope agent --redis ${empty.url} — Cancel (Esc) stops the job.`
        )
        if (shots) await page.screenshot({ path: join(shots, 'cluster-waiting-dark-1920x1080.png') })
        await page.keyboard.press('Escape')
        await page.locator('.badge', { hasText: 'Cancelled' }).waitFor({ timeout: UI_TIMEOUT })
        expect(await waiting.count()).toBe(0)
      } finally {
        await empty.stop()
      }
    })

    it('ends with every task done and the retried chunk marked when an agent is killed mid-job', async () => {
      await openOnCluster('dark', 1024, 640)
      await expect
        .poll(() => page.locator('[data-test=cluster-agents] tbody tr').count(), { timeout: UI_TIMEOUT })
        .toBe(2)
      // 24 tasks of all 7-combinations of range(32), 3,365,856 each, counted, one task a chunk.
      await page.getByLabel('Workload').selectOption('combinations_n')
      await page.locator('#job-elements').fill('0..31')
      await page.locator('#job-n').fill('7')
      await page.locator('#job-tasks').fill('24')
      await page.locator('#job-chunk').fill('1')
      await page.getByRole('radio', { name: 'count only' }).check()
      await page.getByRole('button', { name: 'Run', exact: true }).click()

      await killWhileHolding(agents[1], redis.port, UI_TIMEOUT)

      const notebook = page.locator('[data-test=notebook]')
      await notebook.waitFor({ timeout: 60_000 })
      expect(await notebook.innerText()).toBe('Number of threads: 2\nNumber of results: 24')
      expect(await page.locator('[data-test=tasks]').innerText()).toBe('24 / 24')
      expect(await page.locator('[data-test=tuples]').innerText()).toBe('80,780,544')
      const retried = page.locator('[data-test=timeline-retried]')
      await expect
        .poll(() => retried.innerText(), { timeout: UI_TIMEOUT })
        .toBe('↻ 1 chunk ran again after the agent that first had it went silent')
      if (shots) {
        await page.locator('.timeline').scrollIntoViewIfNeeded()
        await page.screenshot({ path: join(shots, 'cluster-retry-dark-1024x640.png') })
      }
    }, 90_000)
  }
)
