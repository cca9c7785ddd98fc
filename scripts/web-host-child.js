// The web host as a child process (`node scripts/web.js --no-open`), for the scripts that drive a
// browser against it: the UI benchmark and the README's screenshots.
import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import process from 'node:process'

const root = resolve(import.meta.dirname, '..')

/** Starts the web host and resolves to the URL it printed (with its token) and a stop function. */
export function startWebHostChild() {
  const child = spawn(process.execPath, [join(root, 'scripts', 'web.js'), '--no-open'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolveStart, rejectStart) => {
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /running at (http:\/\/\S+)/.exec(output)
      if (match) {
        resolveStart({
          url: match[1],
          stop: () =>
            new Promise((resolveStop) => {
              child.once('exit', () => resolveStop())
              child.kill('SIGINT')
            })
        })
      }
    })
    child.once('exit', (code) => rejectStart(new Error(`the web host exited early (code ${code})`)))
  })
}
