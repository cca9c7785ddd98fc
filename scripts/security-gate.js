// The security gate: runs @doyensec/electronegativity on src/ for the Electron version the app ships
// with and fails on any HIGH or MEDIUM finding that the reviewed allow-list
// (security/electronegativity-allowlist.json) does not explain. Electronegativity exits 0 whatever
// it finds, and its CSV report is written by two racing writes (a header that truncates the file
// and rows appended beside it), which left a torn file on a clean CI run; so the gate calls its
// runner in-process and reads the findings as objects, checking each one's shape. `npm run security`.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

const root = resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

/** Where the reviewed allow-list lives. */
export const ALLOW_LIST_FILE = join(root, 'security', 'electronegativity-allowlist.json')
/** Severities that fail the gate unless allow-listed. */
export const BLOCKING_SEVERITIES = new Set(['HIGH', 'MEDIUM'])

const SEVERITIES = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'])
const MIN_REASON_LENGTH = 30

/** A file name from electronegativity as a path relative to the project, with `/` separators. */
export function projectPath(file, projectRoot = root) {
  if (file === 'N/A' || !isAbsolute(file)) return file
  return relative(projectRoot, file).split(sep).join('/')
}

/**
 * The findings electronegativity's runner returns, as `{ check, severity, confidence, file,
 * location, description }`. Throws on an issue of another shape (an unknown severity, no check
 * name), so a changed or damaged report can never pass for a clean one.
 */
export function findingsFromIssues(issues, projectRoot = root) {
  if (!Array.isArray(issues)) throw new Error('electronegativity returned no list of issues')
  return issues.map((issue, index) => {
    const check = issue?.id
    const severity = issue?.severity?.name
    if (typeof check !== 'string' || !/^[A-Z0-9_]+$/.test(check) || !SEVERITIES.has(severity)) {
      throw new Error(
        `issue ${index + 1} from electronegativity is malformed: ${JSON.stringify(issue)?.slice(0, 200)}`
      )
    }
    const { line, column } = issue.location ?? {}
    return {
      check,
      severity,
      confidence: String(issue.confidence?.name ?? 'N/A'),
      file: projectPath(String(issue.file ?? 'N/A'), projectRoot),
      location: `${line}:${column}`,
      description: String(issue.description ?? '')
    }
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

/** Runs electronegativity's runner on `input` for Electron `version`; resolves with its issues. */
async function runElectronegativity(input, version) {
  const run = require('@doyensec/electronegativity')
  const result = await run({
    input,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: [],
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: false,
    isVerbose: false,
    electronUpgrade: undefined,
    electronVersionOverride: version,
    parserPlugins: []
  })
  if (result?.errors?.length > 0) {
    const files = result.errors.map((error) => projectPath(String(error.file))).join(', ')
    throw new Error(`electronegativity could not read ${files}: those files were not checked`)
  }
  return result?.issues
}

function describeFinding(finding) {
  return `${finding.severity} ${finding.check} in ${finding.file}:${finding.location} (${finding.description})`
}

async function main() {
  const version = electronVersion(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
  const findings = findingsFromIssues(await runElectronegativity(join(root, 'src'), version))
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
    await main()
  } catch (err) {
    console.error(`security gate: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 2
  }
}
