import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The Piscina worker is its own entry so it lands at a stable path (out/main/worker.js),
        // and the CLI and web host are entries too so `node out/main/cli.js` needs no Electron.
        input: {
          index: resolve(root, 'src/main/index.ts'),
          worker: resolve(root, 'src/main/worker.ts'),
          cli: resolve(root, 'src/main/cli/main.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload must be one CommonJS file with everything it imports bundled in.
      externalizeDeps: false,
      rollupOptions: {
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
      rollupOptions: { input: { index: resolve(root, 'src/renderer/index.html') } }
    }
  }
})
