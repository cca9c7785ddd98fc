// Builds only the renderer into out/renderer with Vite, for the web host and the browser tests,
// when it is missing or older than its sources. Mirrors the renderer section of
// electron.vite.config.ts (root, plugin, alias, relative base, minify) so both builds agree.
import vue from '@vitejs/plugin-vue'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { pathToFileURL } from 'node:url'
import { build } from 'vite'

const root = resolve(import.meta.dirname, '..')
export const rendererOutDir = join(root, 'out', 'renderer')
const sourceDirs = [join(root, 'src', 'renderer'), join(root, 'src', 'shared')]

function newestMtime(dir) {
  if (!existsSync(dir)) return 0
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** True when out/renderer/index.html exists and is newer than every file under src/renderer and src/shared. */
export function rendererFresh() {
  const index = join(rendererOutDir, 'index.html')
  if (!existsSync(index)) return false
  const built = statSync(index).mtimeMs
  return sourceDirs.every((dir) => newestMtime(dir) <= built)
}

/** Builds the renderer into out/renderer (always). */
export async function buildRenderer() {
  await build({
    configFile: false,
    root: join(root, 'src', 'renderer'),
    base: './',
    logLevel: 'warn',
    plugins: [vue()],
    resolve: { alias: { '@renderer': join(root, 'src', 'renderer', 'src') } },
    build: {
      outDir: rendererOutDir,
      emptyOutDir: true,
      minify: true,
      // ECharts alone is larger than Vite's default warning size; that is expected, not news.
      chunkSizeWarningLimit: 2048,
      rolldownOptions: { input: { index: join(root, 'src', 'renderer', 'index.html') } }
    }
  })
  return rendererOutDir
}

/** Builds the renderer only when out/renderer is missing or stale; returns its folder. */
export async function buildRendererIfStale() {
  if (!rendererFresh()) await buildRenderer()
  return rendererOutDir
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildRenderer()
}
