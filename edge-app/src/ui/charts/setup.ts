import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

let done = false;

/**
 * Registers the Chart.js parts the screens use (tree-shaken: no `chart.js/auto`) and turns
 * animation off: live charts redraw several times a second on kiosk-grade hardware.
 */
export function setupCharts(): typeof Chart {
  if (done) return Chart;
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    BarController,
    BarElement,
    LinearScale,
    CategoryScale,
    Decimation,
    Filler,
    Legend,
    Tooltip,
  );
  Chart.defaults.animation = false;
  Chart.defaults.font.size = 15;
  Chart.defaults.color = '#3d444d';
  Chart.defaults.maintainAspectRatio = false;
  done = true;
  return Chart;
}
