// The security gate: runs @doyensec/electronegativity on src/ for the Electron version the app ships
// with, reads the CSV it writes, and fails on any HIGH or MEDIUM finding that the reviewed
// allow-list (security/electronegativity-allowlist.json) does not explain. Electronegativity itself
// exits 0 whatever it finds, and it writes its CSV header and rows in two unordered writes, so the
// file is parsed strictly: anything that does not read as findings fails the gate rather than
// passing it. `npm run security`.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

/** Where the reviewed allow-list lives. */
export const ALLOW_LIST_FILE = join(root, 'security', 'electronegativity-allowlist.json')
/** Severities that fail the gate unless allow-listed. */
export const BLOCKING_SEVERITIES = new Set(['HIGH', 'MEDIUM'])

const CSV_HEADER = 'issue, severity, confidence, filename, location, sample, description, url'
const SEVERITIES = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'])
const MIN_REASON_LENGTH = 30

/**
 * Splits CSV text into rows of fields: double-quoted fields may hold commas, newlines and `""`.
 * Throws on an unterminated quote.
 */
export function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(field)
      field = ''
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += char
  }
  if (quoted) throw new Error('the CSV ends inside a quoted field')
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows
}

/** A file name from electronegativity as a path relative to the project, with `/` separators. */
export function projectPath(file, projectRoot = root) {
  if (file === 'N/A' || !isAbsolute(file)) return file
  return relative(projectRoot, file).split(sep).join('/')
}

/**
 * The findings in electronegativity's CSV: `{ check, severity, confidence, file, location,
 * description }`. Throws when the text is not that CSV (no header, a row of the wrong shape, an
 * unknown severity), so a damaged report can never pass for a clean one.
 */
export function parseFindings(csvText, projectRoot = root) {
  const rows = parseCsv(csvText).filter((fields) => fields.some((field) => field.trim() !== ''))
  const headers = rows.filter((fields) => fields.join(',') === CSV_HEADER)
  if (headers.length !== 1) throw new Error('the electronegativity report has no CSV header')
  return rows
    .filter((fields) => !headers.includes(fields))
    .map((fields, index) => {
      const [check, severity, confidence, file, location, , description] = fields
      if (fields.length !== 8 || !/^[A-Z0-9_]+$/.test(check) || !SEVERITIES.has(severity)) {
        throw new Error(`row ${index + 1} of the electronegativity report is malformed: ${fields.join(',')}`)
      }
      return { check, severity, confidence, file: projectPath(file, projectRoot), location, description }
    })
}

/**
 * Reads and checks the allow-list: an object whose `entries` each name a `check`, a `file` (relative
 * to the project) and a reason `why` it is safe of at least a sentence. Throws on anything else.
 */
export function parseAllowList(jsonText) {
  const list = JSON.parse(jsonText)
  if (!list || !Array.isArray(list.entries)) throw new Error('the allow-list has no "entries" array')
  return list.entries.map((entry, index) => {
    const where = `allow-list entry ${index + 1}`
    for (const key of ['check', 'file', 'why']) {
      if (typeof entry?.[key] !== 'string' || entry[key].trim() === '')
        throw new Error(`${where} has no "${key}"`)
    }
    if (entry.why.trim().length < MIN_REASON_LENGTH)
      throw new Error(`${where} (${entry.check} in ${entry.file}) must say why it is safe in a sentence`)
    return { check: entry.check, file: entry.file, why: entry.why }
  })
}

/**
 * Sorts the blocking findings into those the allow-list explains (same check, same file) and those
 * it does not; also returns the entries that explain nothing any more (`stale`), which must go.
 */
export function applyAllowList(findings, allowList) {
  const explains = (entry, finding) => entry.check === finding.check && entry.file === finding.file
  const blocking = findings.filter((finding) => BLOCKING_SEVERITIES.has(finding.severity))
  return {
    explained: blocking.filter((finding) => allowList.some((entry) => explains(entry, finding))),
    unexplained: blocking.filter((finding) => !allowList.some((entry) => explains(entry, finding))),
    stale: allowList.filter((entry) => !blocking.some((finding) => explains(entry, finding)))
  }
}

/** The exact Electron version the app is built with, from package.json. */
export function electronVersion(packageJson) {
  const declared = packageJson.devDependencies?.electron ?? packageJson.dependencies?.electron
  const version = typeof declared === 'string' ? declared.replace(/^[\^~=v]+/, '') : ''
  if (!/^\d+\.\d+\.\d+/.test(version))
    throw new Error(`package.json has no exact electron version (${declared})`)
  return version
}

/** Runs electronegativity on `input` and returns its CSV report as text. */
function runElectronegativity(input, version) {
  const packageDir = dirname(require.resolve('@doyensec/electronegativity/package.json'))
  const { bin } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'))
  const cli = join(packageDir, typeof bin === 'string' ? bin : bin.electronegativity)
  const work = mkdtempSync(join(tmpdir(), 'poolscope-electronegativity-'))
  try {
    const output = join(work, 'findings.csv')
    const run = spawnSync(process.execPath, [cli, '-i', input, '-e', version, '-o', output, '-v', 'false'], {
      cwd: root,
      encoding: 'utf8'
    })
    if (run.status !== 0) throw new Error(`electronegativity exited with ${run.status}: ${run.stderr}`)
    return readFileSync(output, 'utf8')
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

function describeFinding(finding) {
  return `${finding.severity} ${finding.check} in ${finding.file}:${finding.location} (${finding.description})`
}

function main() {
  const version = electronVersion(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
  const findings = parseFindings(runElectronegativity(join(root, 'src'), version))
  const allowList = parseAllowList(readFileSync(ALLOW_LIST_FILE, 'utf8'))
  const { explained, unexplained, stale } = applyAllowList(findings, allowList)

  console.log(
    `electronegativity (Electron ${version}): ${findings.length} findings, ` +
      `${explained.length + unexplained.length} HIGH or MEDIUM, ${explained.length} explained by the allow-list`
  )
  for (const finding of unexplained) console.error(`not allow-listed: ${describeFinding(finding)}`)
  for (const entry of stale)
    console.error(`stale allow-list entry (nothing to explain): ${entry.check} in ${entry.file}`)
  if (unexplained.length > 0 || stale.length > 0) {
    console.error(
      'Fix each finding in code, or, if it is a false positive, add it to ' +
        `${relative(root, ALLOW_LIST_FILE)} with the reason it is safe; remove stale entries.`
    )
    process.exitCode = 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main()
  } catch (err) {
    console.error(`security gate: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 2
  }
}
