import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  ALLOW_LIST_FILE,
  applyAllowList,
  electronVersion,
  findingsFromIssues,
  parseAllowList
} from '../../../scripts/security-gate.js'
import type { AllowListEntry, Finding } from '../../../scripts/security-gate.js'
import { projectRoot } from '../../paths'

const ROOT = '/repo'

/** One issue as electronegativity's runner returns it. */
function issue(id: string, severity: string, file: string) {
  return {
    id,
    severity: { name: severity, value: 2 },
    confidence: { name: 'FIRM', value: 2 },
    file,
    location: { line: 42, column: 17 },
    sample: 'const window = new BrowserWindow({',
    description: 'Review'
  }
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
  it('reads each issue as a finding with its file relative to the project', () => {
    const issues = [issue('SANDBOX_JS_CHECK', 'MEDIUM', '/repo/src/main/shell/mainWindow.ts')]
    expect(findingsFromIssues(issues, ROOT)).toEqual([
      finding('SANDBOX_JS_CHECK', 'MEDIUM', 'src/main/shell/mainWindow.ts')
    ])
  })

  it('refuses anything but a list of issues', () => {
    expect(() => findingsFromIssues(undefined, ROOT)).toThrow('electronegativity returned no list of issues')
  })

  it('refuses an issue without a check name rather than skipping it', () => {
    expect(() => findingsFromIssues([{ ...issue('X', 'HIGH', '/repo/a.ts'), id: undefined }], ROOT)).toThrow(
      /issue 1 from electronegativity is malformed/
    )
  })

  it('refuses an issue with an unknown severity', () => {
    expect(() => findingsFromIssues([issue('SANDBOX_JS_CHECK', 'SEVERE', '/repo/src/a.ts')], ROOT)).toThrow(
      /issue 1 from electronegativity is malformed/
    )
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
