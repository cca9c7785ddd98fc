// `npm start` and `npm run dev`: the desktop app when Electron can run here (downloading its binary on
// first start), otherwise the web host with one line saying why. See launch-plan.js for the decision.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'
import { probeElectron, runElectronInstaller } from './electron-binary.js'
import { planLaunch } from './launch-plan.js'
import { runChild } from './run-child.js'

const USAGE = `Usage: node scripts/start.js [--dev]

  (no flag)  npm start: build and open the desktop app (electron-vite preview)
  --dev      npm run dev: the desktop app with hot reload (electron-vite dev)
  Where Electron cannot run, both start the web host instead and say why.`

const root = resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

/** 'start' or 'dev' from the command line, or a message when it is wrong. */
function parseStartArgs(argv) {
  if (argv.length === 0) return { mode: 'start' }
  if (argv.length === 1 && argv[0] === '--dev') return { mode: 'dev' }
  if (argv.includes('--help') || argv.includes('-h')) return { help: true }
  return { error: `expected no option or --dev, got ${JSON.stringify(argv.join(' '))}` }
}

/** The installed package's folder, or null when it is not installed. */
function packageDir(name) {
  try {
    return dirname(require.resolve(`${name}/package.json`))
  } catch {
    return null
  }
}

function readTextOrNull(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** This machine as launch-plan.js sees it. */
function thisMachine() {
  const electronDir = packageDir('electron')
  const electronViteDir = packageDir('electron-vite')
  return {
    platform: process.platform,
    env: process.env,
    isRoot: process.getuid?.() === 0,
    nodePath: process.execPath,
    electronDir,
    electronVersion: electronDir
      ? JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version
      : null,
    electronViteBin: electronViteDir && join(electronViteDir, 'bin', 'electron-vite.js'),
    webScript: join(root, 'scripts', 'web.js'),
    exists: existsSync,
    readText: readTextOrNull,
    runInstaller: () => runElectronInstaller(electronDir),
    probe: (executable) => probeElectron(executable),
    log: (line) => console.error(line)
  }
}

const parsed = parseStartArgs(process.argv.slice(2))
if (parsed.help) {
  console.log(USAGE)
} else if (parsed.error) {
  console.error(`start: ${parsed.error}\n\n${USAGE}`)
  process.exitCode = 2
} else {
  const plan = await planLaunch(parsed.mode, thisMachine())
  if (plan.notice) console.error(plan.notice)
  process.exitCode = await runChild(plan.command, plan.args, { env: plan.env })
}
