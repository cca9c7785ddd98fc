import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { getApi } from './api'
import { useJobStore } from './stores/job'
import './styles.css'

const pinia = createPinia()
createApp(App).use(pinia).mount('#app')

const job = useJobStore(pinia)
getApi()
  .then((api) => job.connect(api))
  .catch((err: unknown) =>
    job.fail(`Could not reach the engine: ${err instanceof Error ? err.message : String(err)}`)
  )
