// ECharts is tree-shaken: only what the charts use is registered, once, before any chart mounts.
import { use } from 'echarts/core'
import { CustomChart } from 'echarts/charts'
import { GridComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

// TitleComponent: a chart saved as a PNG carries its title (charts/histogram.ts).
use([CanvasRenderer, CustomChart, GridComponent, MarkLineComponent, TitleComponent, TooltipComponent])
