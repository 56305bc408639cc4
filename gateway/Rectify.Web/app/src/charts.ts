// A small helper over Apache ECharts (served locally at /lib/echarts.common.min.js, pinned in package-lock.json):
// the script is loaded once, on the first page that draws a chart; charts use ECharts' Chinese locale and system fonts.

/** The few ECharts calls the pages use. */
export interface Chart {
  setOption(option: object, notMerge?: boolean): void;
  resize(): void;
  dispose(): void;
  on(event: string, handler: () => void): void;
  off(event: string): void;
}
interface ECharts { init(el: HTMLElement, theme: string | null, options: { locale: string; renderer: string }): Chart; }

let loading: Promise<ECharts> | null = null;

/** Adds the script element once (CSP: script-src 'self'), and resolves with the global it defines. */
export function loadECharts(): Promise<ECharts> {
  loading ??= new Promise<ECharts>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/lib/echarts.common.min.js";
    script.onload = () => resolve((window as unknown as { echarts: ECharts }).echarts);
    script.onerror = () => { loading = null; reject(new Error("图表组件加载失败")); };
    document.head.append(script);
  });
  return loading;
}

export const chartFont = getComputedStyle(document.documentElement).getPropertyValue("--font").trim() || "sans-serif";

/** Draws into the element; charts follow the window's size until the signal says the page is gone. */
export async function chart(el: HTMLElement, signal: AbortSignal): Promise<Chart> {
  const echarts = await loadECharts();
  const c = echarts.init(el, null, { locale: "ZH", renderer: "canvas" });
  const resize = () => c.resize();
  window.addEventListener("resize", resize);
  signal.addEventListener("abort", () => { window.removeEventListener("resize", resize); c.dispose(); }, { once: true });
  return c;
}

/** Options every chart shares: no animation (a dashboard should show its figures at once), Chinese-capable fonts. */
export function base(): Record<string, unknown> {
  return {
    animation: false,
    textStyle: { fontFamily: chartFont },
    tooltip: { trigger: "item" },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
  };
}
