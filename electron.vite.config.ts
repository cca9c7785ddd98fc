import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      // electron-vite 6 (Vite 8) reads `rolldownOptions`; it overwrites a user `rollupOptions`.
      rolldownOptions: {
        // The Piscina worker is its own entry so it lands at a stable path (out/main/worker.cjs),
        // and the CLI is an entry too so `node out/main/cli.cjs` needs no Electron.
        input: {
          index: resolve(root, 'src/main/index.ts'),
          worker: resolve(root, 'src/main/worker.ts'),
          // The processes back end's child entry, found beside worker.cjs.
          processChild: resolve(root, 'src/main/engine/backends/processes/child.ts'),
          cli: resolve(root, 'src/main/cli/main.ts')
        },
        // CommonJS with .cjs names although package.json says "type": "module": Piscina loads a
        // CJS worker with require(), which Electron's asar support handles inside app.asar; its
        // ESM import() fallback does not (piscina#519, electron#38957).
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload must be one CommonJS file with everything it imports bundled in.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    resolve: { alias: { '@renderer': resolve(root, 'src/renderer/src') } },
    plugins: [vue()],
    build: {
      minify: true,
      rolldownOptions: { input: { index: resolve(root, 'src/renderer/index.html') } }
    }
  }
})
