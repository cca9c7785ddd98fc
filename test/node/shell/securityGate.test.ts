import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ALLOW_LIST_FILE,
  applyAllowList,
  electronVersion,
  parseAllowList,
  parseFindings
} from '../../../scripts/security-gate.js'
import type { AllowListEntry, Finding } from '../../../scripts/security-gate.js'
import { projectRoot } from '../../paths'

const ROOT = '/repo'
const HEADER = 'issue, severity, confidence, filename, location, sample, description, url'
const WIKI = 'https://github.com/doyensec/electronegativity/wiki/'

/** One CSV row as electronegativity writes it. */
function row(check: string, severity: string, file: string, sample = 'const window = new BrowserWindow({') {
  const quote = (text: string) => `"${text.replace(/"/g, '""')}"`
  return [
    check,
    quote(severity),
    quote('FIRM'),
    quote(file),
    quote('42:17'),
    quote(sample),
    quote('Review'),
    WIKI + check
  ].join(',')
}

function finding(check: string, severity: string, file: string): Finding {
  return { check, severity, confidence: 'FIRM', file, location: '42:17', description: 'Review' }
}

const sandboxEntry: AllowListEntry = {
  check: 'SANDBOX_JS_CHECK',
  file: 'src/main/shell/mainWindow.ts',
  why: 'secureWebPreferences() sets sandbox: true and app.enableSandbox() runs before ready.'
}

describe('reading the electronegativity report', () => {
  it('reads each row as a finding with its file relative to the project', () => {
    const csv = [HEADER, row('SANDBOX_JS_CHECK', 'MEDIUM', '/repo/src/main/shell/mainWindow.ts'), ''].join(
      '\n'
    )
    expect(parseFindings(csv, ROOT)).toEqual([
      finding('SANDBOX_JS_CHECK', 'MEDIUM', 'src/main/shell/mainWindow.ts')
    ])
  })

  it('keeps commas, quotes and line breaks inside a quoted sample', () => {
    const sample = 'lockDownWebContents(contents, { a: "b",\n c })'
    const csv = [HEADER, row('OPEN_EXTERNAL_JS_CHECK', 'MEDIUM', '/repo/src/main/index.ts', sample)].join(
      '\n'
    )
    expect(parseFindings(csv, ROOT).map((item) => item.file)).toEqual(['src/main/index.ts'])
  })

  it('reads a report with the header after the rows, as its unordered writes can leave it', () => {
    const csv = [row('SANDBOX_JS_CHECK', 'MEDIUM', '/repo/src/a.ts'), HEADER].join('\n')
    expect(parseFindings(csv, ROOT)).toHaveLength(1)
  })

  it('refuses a report without the header', () => {
    expect(() => parseFindings(row('SANDBOX_JS_CHECK', 'MEDIUM', '/repo/src/a.ts'), ROOT)).toThrow(
      'the electronegativity report has no CSV header'
    )
  })

  it('refuses a damaged row rather than skipping it', () => {
    const csv = [HEADER, 'SANDBOX_JS_CHECK,"MEDI'].join('\n')
    expect(() => parseFindings(csv, ROOT)).toThrow()
  })

  it('refuses a row with an unknown severity', () => {
    expect(() =>
      parseFindings([HEADER, row('SANDBOX_JS_CHECK', 'SEVERE', '/repo/src/a.ts')].join('\n'), ROOT)
    ).toThrow(/row 1 of the electronegativity report is malformed/)
  })
})

describe('the allow-list', () => {
  it('fails a HIGH or MEDIUM finding that no entry explains', () => {
    const high = finding('CONTEXT_ISOLATION_JS_CHECK', 'HIGH', 'src/main/shell/mainWindow.ts')
    expect(applyAllowList([high], [sandboxEntry]).unexplained).toEqual([high])
  })

  it('passes a finding whose check and file are on the list', () => {
    const medium = finding('SANDBOX_JS_CHECK', 'MEDIUM', 'src/main/shell/mainWindow.ts')
    expect(applyAllowList([medium], [sandboxEntry])).toEqual({
      explained: [medium],
      unexplained: [],
      stale: []
    })
  })

  it('does not let an entry explain the same check in another file', () => {
    const elsewhere = finding('SANDBOX_JS_CHECK', 'MEDIUM', 'src/main/shell/otherWindow.ts')
    expect(applyAllowList([elsewhere], [sandboxEntry]).unexplained).toEqual([elsewhere])
  })

  it('ignores LOW and INFORMATIONAL findings', () => {
    const low = finding('CSP_GLOBAL_CHECK', 'LOW', 'src/renderer/index.html')
    expect(applyAllowList([low], [])).toEqual({ explained: [], unexplained: [], stale: [] })
  })

  it('reports an entry that explains nothing any more as stale', () => {
    expect(applyAllowList([], [sandboxEntry]).stale).toEqual([sandboxEntry])
  })

  it('refuses an entry without a reason of at least a sentence', () => {
    const text = JSON.stringify({ entries: [{ ...sandboxEntry, why: 'fine' }] })
    expect(() => parseAllowList(text)).toThrow(
      'allow-list entry 1 (SANDBOX_JS_CHECK in src/main/shell/mainWindow.ts) must say why it is safe in a sentence'
    )
  })

  it('refuses an entry without a file', () => {
    const text = JSON.stringify({ entries: [{ check: 'SANDBOX_JS_CHECK', why: sandboxEntry.why }] })
    expect(() => parseAllowList(text)).toThrow('allow-list entry 1 has no "file"')
  })

  it('is itself well formed and names only files that exist', () => {
    const entries = parseAllowList(readFileSync(ALLOW_LIST_FILE, 'utf8'))
    expect(entries.length).toBeGreaterThan(0)
    for (const entry of entries) expect(existsSync(join(projectRoot, entry.file))).toBe(true)
  })
})

describe('the Electron version scanned for', () => {
  it('is the exact version in package.json', () => {
    expect(electronVersion({ devDependencies: { electron: '45.5.0' } })).toBe('45.5.0')
  })

  it('refuses a range it cannot pin', () => {
    expect(() => electronVersion({ devDependencies: { electron: 'latest' } })).toThrow(
      'package.json has no exact electron version (latest)'
    )
  })
})
