import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The page the browser is started on. Putting the URL on the opener's command line (`xdg-open`,
 * `open`, `cmd`) shows the secret to every local user in the process table; so the secret goes
 * into a file only this user can read, in a private folder, and the command line carries its path.
 * The file holds a one-time code, not the token: once the browser has used it, it is worthless.
 */

/** A written launch file and how to remove it. */
export interface LaunchFile {
  path: string
  remove(): Promise<void>
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** The launch page: an immediate redirect to `url`, with a link for browsers that do not follow it. */
export function launchPage(url: string): string {
  const href = escapeHtml(url)
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="referrer" content="no-referrer">' +
    `<meta http-equiv="refresh" content="0;url=${href}">` +
    '<title>Opening PoolScope…</title></head>' +
    `<body><p><a href="${href}">Open PoolScope</a></p></body></html>\n`
  )
}

/** Writes the launch page into a new folder readable by this user only (0700 folder, 0600 file). */
export async function writeLaunchFile(url: string): Promise<LaunchFile> {
  const dir = await mkdtemp(join(tmpdir(), 'poolscope-open-'))
  const path = join(dir, 'open.html')
  await writeFile(path, launchPage(url), { mode: 0o600, flag: 'wx' })
  return { path, remove: () => rm(dir, { recursive: true, force: true }) }
}
