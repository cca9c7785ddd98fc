import { defineComponent, h } from 'vue'

/**
 * Stands in for vue-echarts' component: happy-dom has no canvas, so tests assert on the `option`
 * the chart would be given. Use with `vi.mock('vue-echarts', () => import('./chartStub'))`.
 */
const ChartStub = defineComponent({
  name: 'ChartStub',
  props: {
    option: { type: Object, default: null },
    theme: { type: String, default: '' },
    autoresize: { type: Boolean, default: false }
  },
  setup: () => () => h('div', { class: 'chart-stub' })
})

export default ChartStub
