// ECharts is tree-shaken: only what the charts use is registered, once, before any chart mounts.
import { use } from 'echarts/core'
import { CustomChart } from 'echarts/charts'
import { GridComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([CanvasRenderer, CustomChart, GridComponent, MarkLineComponent, TooltipComponent])
