// What the history bench needs, bundled by bench/history-record.js into out/bench-history/.
export { EngineHost } from '../../src/main/host/engineHost'
export { HistoryStore } from '../../src/main/history/historyStore'
