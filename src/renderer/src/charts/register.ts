// ECharts is tree-shaken: only what the charts use is registered, once, before any chart mounts.
import { use } from 'echarts/core'
import { CustomChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

// TitleComponent: a chart saved as a PNG carries its title (charts/histogram.ts).
// Line, scatter and the legend: the scaling chart (charts/scaling.ts).
use([
  CanvasRenderer,
  CustomChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
  TooltipComponent
])
