/** A finding of electronegativity, with its file relative to the project. */
export interface Finding {
  check: string
  severity: string
  confidence: string
  file: string
  location: string
  description: string
}
/** One reviewed false positive: every blocking finding of `check` in `file` is explained by `why`. */
export interface AllowListEntry {
  check: string
  file: string
  why: string
}
export const ALLOW_LIST_FILE: string
export const BLOCKING_SEVERITIES: ReadonlySet<string>
export function projectPath(file: string, projectRoot?: string): string
export function findingsFromIssues(issues: unknown, projectRoot?: string): Finding[]
export function parseAllowList(jsonText: string): AllowListEntry[]
export function applyAllowList(
  findings: Finding[],
  allowList: AllowListEntry[]
): { explained: Finding[]; unexplained: Finding[]; stale: AllowListEntry[] }
export function electronVersion(packageJson: {
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}): string
