// Packages the app with electron-builder's `dir` target, offline, and checks what went into
// app.asar. The Electron binary cannot be downloaded here, so a stand-in Electron distribution
// (an executable `electron`, `version`, licences, one locale, an empty `resources/`) is used: the
// app payload (asar contents, asarUnpack, metadata) is what is checked, not the binary. Fuses are
// flipped only on a real binary, so they are switched off for this check (the release workflow
// flips them; their settings in electron-builder.yml are checked instead). `npm run verify:package`
// builds first; `node scripts/verify-package.js --list` also lists the app files in app.asar.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const asar = require('@electron/asar')
const { build, Platform, Arch } = require('electron-builder')
const { load: loadYaml } = require('js-yaml')

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const config = loadYaml(readFileSync(join(root, 'electron-builder.yml'), 'utf8'))
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')
).version

const REQUIRED_IN_ASAR = [
  'package.json',
  'out/main/index.cjs',
  'out/main/worker.cjs',
  'out/main/processChild.cjs',
  'out/preload/index.cjs',
  'out/renderer/index.html'
]
const WORKER = 'out/main/worker.cjs'

/** The fuses a release must flip; checked in electron-builder.yml since a stand-in has none. */
const REQUIRED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  // The app is served from app://poolscope, so file:// keeps no extra privileges.
  grantFileProtocolExtraPrivileges: false
}

const problems = []
const fail = (message) => problems.push(message)
const listing = process.argv.includes('--list')

function checkFuseConfig() {
  for (const [fuse, value] of Object.entries(REQUIRED_FUSES)) {
    if (config.electronFuses?.[fuse] !== value)
      fail(`electron-builder.yml: electronFuses.${fuse} must be ${value}`)
  }
  if (config.asar !== true)
    fail('electron-builder.yml: asar must be true (the integrity and asar-only fuses need it)')
}

function requireBuild() {
  const missing = ['out/main/index.cjs', 'out/preload/index.cjs', 'out/renderer/index.html'].filter(
    (file) => !existsSync(join(root, file))
  )
  if (missing.length > 0) {
    console.error(`verify-package: build first (npx electron-vite build); missing ${missing.join(', ')}`)
    process.exit(2)
  }
}

/** A folder shaped like an Electron distribution, enough for the `dir` target to copy. */
function standInElectronDist(dir) {
  mkdirSync(join(dir, 'locales'), { recursive: true })
  mkdirSync(join(dir, 'resources'), { recursive: true })
  writeFileSync(join(dir, 'electron'), '#!/bin/sh\necho "stand-in Electron: cannot run" >&2\nexit 1\n')
  chmodSync(join(dir, 'electron'), 0o755)
  writeFileSync(join(dir, 'version'), electronVersion)
  writeFileSync(join(dir, 'LICENSE'), 'stand-in\n')
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>stand-in</title>\n')
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '')
  return dir
}

/** Patterns as written in electron-builder.yml, as a list. */
function unpackPatterns() {
  const value = config.asarUnpack
  if (!value) return []
  return Array.isArray(value) ? value : [value]
}

/** Bare package names that the given bundles in app.asar `require()` (not Node built-ins, not electron). */
function runtimeRequires(bundles, asarFile) {
  const names = new Set()
  for (const bundle of bundles) {
    const text = asar.extractFile(asarFile, bundle).toString('utf8')
    for (const match of text.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
      const specifier = match[1]
      if (specifier.startsWith('node:') || builtinModules.includes(specifier) || specifier === 'electron')
        continue
      const parts = specifier.split('/')
      names.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0])
    }
  }
  return names
}

function checkAsar(resources) {
  const asarFile = join(resources, 'app.asar')
  if (!existsSync(asarFile)) {
    fail('app.asar was not produced')
    return
  }
  const entries = asar
    .listPackage(asarFile, { isPack: false })
    .map((entry) => entry.replace(/\\/g, '/').replace(/^\//, ''))
  const files = new Set(entries)
  if (listing) console.log(entries.filter((entry) => !entry.startsWith('node_modules/')).join('\n'))

  for (const file of REQUIRED_IN_ASAR) if (!files.has(file)) fail(`app.asar lacks ${file}`)

  const packedPkg = JSON.parse(asar.extractFile(asarFile, 'package.json').toString('utf8'))
  const main = packedPkg.main?.replace(/^\.\//, '')
  if (main !== 'out/main/index.cjs')
    fail(`package.json main is ${packedPkg.main}, expected ./out/main/index.cjs`)
  if (packedPkg.devDependencies) fail('the packaged package.json still lists devDependencies')

  for (const entry of entries) {
    if (/^(src|test|bench|scripts|docs|build|\.github|\.ci)(\/|$)/.test(entry))
      fail(`app.asar holds ${entry}`)
    if (/^out\/node(\/|$)/.test(entry)) fail(`app.asar holds the Node-only bundle ${entry}`)
    if (entry.endsWith('.map')) fail(`app.asar holds the source map ${entry}`)
  }
  const topModules = new Set()
  for (const entry of entries) {
    const parts = entry.split('/')
    if (parts[0] !== 'node_modules' || parts.length < 2) continue
    if (!parts[1].startsWith('@')) topModules.add(parts[1])
    else if (parts.length >= 3) topModules.add(`${parts[1]}/${parts[2]}`)
  }
  for (const dev of Object.keys(pkg.devDependencies ?? {})) {
    if (topModules.has(dev)) fail(`app.asar holds the devDependency ${dev}`)
  }
  // Every package the main bundles require at run time must have been packed.
  for (const dep of runtimeRequires(
    entries.filter((entry) => /^out\/main\/.*\.cjs$/.test(entry)),
    asarFile
  )) {
    if (!topModules.has(dep)) fail(`out/main requires ${dep}, but app.asar has no node_modules/${dep}`)
  }

  // The worker: unpacked exactly when electron-builder.yml says so.
  const unpackedWorker = join(resources, 'app.asar.unpacked', WORKER)
  const wantUnpacked = unpackPatterns().some((pattern) => pattern.includes('worker'))
  if (wantUnpacked && !existsSync(unpackedWorker))
    fail(`asarUnpack names the worker but ${WORKER} is not unpacked`)
  if (!wantUnpacked && existsSync(unpackedWorker))
    fail(`${WORKER} is unpacked although asarUnpack does not name it`)
  const workerText = files.has(WORKER) ? asar.extractFile(asarFile, WORKER).toString('utf8') : ''
  if (!wantUnpacked && !/module\.exports|exports\.default/.test(workerText)) {
    fail(`${WORKER} is not CommonJS: Piscina could only import() it, which fails inside app.asar`)
  }

  const size = statSync(asarFile).size
  console.log(
    `app.asar: ${entries.length} entries, ${(size / 1024 / 1024).toFixed(1)} MiB; ` +
      `node_modules: ${[...topModules].sort().join(', ') || 'none'}; ` +
      `worker ${wantUnpacked ? 'unpacked' : 'inside app.asar'}`
  )
}

async function main() {
  requireBuild()
  checkFuseConfig()
  const work = mkdtempSync(join(tmpdir(), 'poolscope-package-'))
  try {
    const electronDist = standInElectronDist(join(work, 'electron-dist'))
    const output = join(work, 'release')
    await build({
      projectDir: root,
      targets: Platform.LINUX.createTarget('dir', Arch.x64),
      publish: 'never',
      config: {
        ...config,
        electronDist,
        electronVersion,
        // Fuses need the real binary; the release workflow flips them.
        electronFuses: null,
        directories: { ...config.directories, output }
      }
    })
    const appDir = join(output, 'linux-unpacked')
    const resources = join(appDir, 'resources')
    if (existsSync(join(resources, 'default_app.asar'))) fail('resources/default_app.asar must not ship')
    checkAsar(resources)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  if (problems.length > 0) {
    console.error(`verify-package: FAILED\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    process.exit(1)
  }
  console.log('verify-package: OK')
}

await main()
