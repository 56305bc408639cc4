// #/overview/{code}/{yyyy-mm}: the campaign's overview of any unit (city, county, township, village) for a month, and its
// drill-down: KPI cards, charts, the children ranked with the lagging first, the overdue measures oldest first. Live: the
// gateway pushes the unit's progress (server-sent events) whenever anything under it changes, and the page redraws in place.
import { route, go } from "../router.js";
import { api, get, stream, ApiError } from "../api.js";
import { session, levelOf, Level } from "../session.js";
import { h, show, table, link, monthSelect } from "../ui.js";
import { campaignsOf } from "../campaigns.js";
import { dateZh, monthZh, monthParam, parseMonth, todayShanghai, num, percent, label, reportStatus, measureStatus } from "../format.js";
import { chart, base, Chart } from "../charts.js";
import { ledgerButton } from "../ledger.js";

interface PeriodJson { year: number; month: number; }
interface TargetCounts { total?: number; designated?: number; transformed?: number; reopened?: number; byPhase?: { phase: string; targets?: number }[]; }
interface MeasureCounts { total?: number; completed?: number; closed?: number; overdue?: number; completionRate?: number; }
interface ReportCounts { expected?: number; received?: number; onTime?: number; late?: number; missing?: number; pending?: number; accepted?: number; countySummariesExpected?: number; countySummariesReceived?: number; }
interface ChildProgress { unitCode: string; unitName: string; targets?: TargetCounts; measures?: MeasureCounts; reports?: ReportCounts; }
interface MonthProgress { period: PeriodJson; reports?: ReportCounts; measuresClosed?: number; measuresOverdue?: number; measuresCompleted?: number; }
interface Progress {
  unitCode: string; unitName: string; level?: string; period: PeriodJson; asOf?: PeriodJson & { day: number };
  targets?: TargetCounts; measures?: MeasureCounts; reports?: ReportCounts; children?: ChildProgress[]; trend?: MonthProgress[]; version?: string | number;
}
interface Measure { id: string; villageCode: string; villageName?: string; townshipName?: string; description: string; responsiblePersons?: string[]; deadline?: PeriodJson & { day: number }; status?: string; daysOverdue?: number; }
interface ExpectedReport { unitCode: string; unitName?: string; timeliness?: string; status?: string; revision?: number; }
interface Dashboard { progress: Progress; overdueMeasures?: Measure[]; reports?: ExpectedReport[]; parts?: { name: string; available?: boolean; problem?: string }[]; }
interface Target { branch: { villageCode: string; villageName: string; townshipName?: string }; status?: string; }

const childZh: Record<Level, string> = { province: "市", city: "县（市、区）", county: "乡镇", township: "村", village: "" };
const timelinessZh: Record<string, string> = { TIMELINESS_PENDING: "未到期", TIMELINESS_ON_TIME: "按时", TIMELINESS_LATE: "逾期报送", TIMELINESS_MISSING: "未报" };
const targetStatusZh: Record<string, string> = { TARGET_STATUS_DESIGNATED: "整顿中", TARGET_STATUS_TRANSFORMED: "已转化", TARGET_STATUS_REOPENED: "回炉" };

/** The address of a target's page: the village and the campaign year name it (a target is one village in one campaign year). */
export function targetHref(villageCode: string, year: number): string { return `#/target/${villageCode}-${year}`; }

/** Names of units already seen (children rows, pages opened), so breadcrumbs need no extra call when drilling down. */
const names = new Map<string, string>();

route("/overview/:code/:month", async ({ code, month }, signal) => {
  const period = parseMonth(month);
  if (!period || !/^\d{12}$/.test(code)) return go(`/overview/${session.account()!.orgCode}/${monthParam(todayShanghai())}`);
  const dashboard = await get<Dashboard>(`/v1/dashboard/${code}/${period.year}/${period.month}`);
  if (signal.aborted) return;
  const page = new OverviewPage(code, period, dashboard, signal);
  await page.render();
});

class OverviewPage {
  private progress: Progress;
  private readonly level: Level;
  private readonly charts = new Map<string, Chart>();
  private readonly kpiValues = new Map<string, HTMLElement>();
  private readonly childrenBox = h("div", { class: "table-wrap" });
  private readonly live = h("span", { class: "live", id: "live", "data-state": "connecting" }, "正在连接实时更新…");
  private drawn = false;

  constructor(private readonly code: string, private readonly period: PeriodJson, private readonly dashboard: Dashboard, private readonly signal: AbortSignal) {
    this.progress = dashboard.progress;
    this.level = levelOf(code);
    names.set(code, this.progress.unitName);
    for (const c of this.progress.children ?? []) names.set(c.unitCode, c.unitName);
  }

  async render(): Promise<void> {
    const p = this.progress;
    const chartBoxes = this.chartBoxes();
    show(
      h("section", { id: "overview", "data-unit": this.code },
        await this.crumbs(),
        h("div", { class: "toolbar overview-head" },
          h("h1", {}, `${p.unitName || this.code} · ${monthZh(this.period)}整顿工作总览`),
          this.monthPicker(),
          this.live,
          ledgerButton(this.code),
          p.asOf ? h("span", { class: "muted" }, `统计截至${dateZh(p.asOf)}`) : null),
        this.kpis(),
        h("div", { class: "grid overview-charts" }, chartBoxes.map(([, title, el]) => h("section", { class: "card" }, h("h2", {}, title), el))),
        this.level === "village" ? null : h("section", { class: "card" }, h("h2", {}, this.level === "township" ? "整顿村进度（滞后的在前）" : `下级单位进度（${childZh[this.level]}，滞后的在前）`), this.childrenBox),
        this.level === "township" || this.level === "village" ? await this.targets() : null,
        this.overdue(),
        this.unavailable()));
    this.fillChildren();
    // The charts after the page is in the document: ECharts measures its box.
    for (const [name, , el] of chartBoxes) this.charts.set(name, await chart(el, this.signal));
    if (this.signal.aborted) return;
    const first = this.charts.values().next().value;
    first?.on("finished", () => {
      first.off("finished");
      if (!this.drawn) { this.drawn = true; performance.mark("rectify:chart-drawn"); }
    });
    this.drawCharts();
    void this.watch();
  }

  // --- Breadcrumbs and month ---------------------------------------------------------------------

  /** From the signed-in person's own unit down to this one; never above their own unit. */
  private async crumbs(): Promise<HTMLElement> {
    const own = session.account()!.orgCode;
    const chain: string[] = [];
    for (let c: string | null = this.code; c; c = c === own ? null : parentOf(c)) chain.unshift(c);
    if (chain[0] !== own) chain.splice(0, chain.length, this.code); // outside the person's subtree the server refused already
    await Promise.all(chain.filter(c => !names.has(c)).map(async c => {
      try { names.set(c, (await api<{ name: string }>("organizations", "GetUnit", { code: c })).name); } catch { /* the code stands in */ }
    }));
    const m = monthParam(this.period);
    return h("nav", { class: "crumbs", "aria-label": "位置" }, chain.flatMap((c, i) => [
      i ? " › " : null,
      c === this.code ? h("span", { "data-crumb": c }, names.get(c) ?? c) : link(`#/overview/${c}/${m}`, names.get(c) ?? c, { "data-crumb": c }),
    ]));
  }

  /** The campaign's months up to this month (the trend names them), and any later one up to today. */
  private monthPicker(): HTMLElement {
    const months = (this.progress.trend ?? []).map(t => t.period);
    const today = todayShanghai();
    let last = months.at(-1) ?? this.period;
    while (last.year < today.year || (last.year === today.year && last.month < today.month)) {
      last = last.month === 12 ? { year: last.year + 1, month: 1 } : { year: last.year, month: last.month + 1 };
      months.push(last);
    }
    if (!months.some(p => p.year === this.period.year && p.month === this.period.month)) months.push(this.period);
    return monthSelect(months, this.period, value => go(`/overview/${this.code}/${value}`));
  }

  // --- KPI cards ---------------------------------------------------------------------------------

  private kpiList(): [string, string, string, boolean][] {
    const p = this.progress, t = p.targets ?? {}, m = p.measures ?? {}, r = p.reports ?? {};
    return [
      ["targets.total", "整顿对象", num(t.total), false],
      ["targets.transformed", "已转化", num(t.transformed), false],
      ["targets.reopened", "回炉", num(t.reopened), (t.reopened ?? 0) > 0],
      ["measures.total", "整改措施", num(m.total), false],
      ["measures.closed", "已销号", num(m.closed), false],
      ["measures.completed", "已完成待销号", num(m.completed), false],
      ["measures.overdue", "逾期措施", num(m.overdue), (m.overdue ?? 0) > 0],
      ["measures.completionRate", "完成率", percent(m.completionRate), false],
      ["reports.expected", "应报月报", num(r.expected), false],
      ["reports.received", "已报", num(r.received), false],
      ["reports.onTime", "按时报送", num(r.onTime), false],
      ["reports.late", "逾期报送", num(r.late), (r.late ?? 0) > 0],
      ["reports.missing", "未报", num(r.missing), (r.missing ?? 0) > 0],
      ["reports.pending", "未到期", num(r.pending), false],
      ["reports.accepted", "已通过", num(r.accepted), false],
    ];
  }

  private kpis(): HTMLElement {
    return h("div", { class: "kpis", id: "kpis" }, this.kpiList().map(([key, name, value, alert]) => {
      const v = h("div", { class: "value" }, value);
      this.kpiValues.set(key, v);
      return h("div", { class: alert ? "kpi alert" : "kpi", "data-kpi": key }, v, h("div", { class: "name" }, name));
    }));
  }

  private updateKpis(): void {
    for (const [key, , value, alert] of this.kpiList()) {
      const v = this.kpiValues.get(key);
      if (!v) continue;
      v.textContent = value;
      v.parentElement?.classList.toggle("alert", alert);
    }
  }

  // --- Charts ------------------------------------------------------------------------------------

  private chartBoxes(): [string, string, HTMLElement][] {
    const box = (name: string) => h("div", { class: "chart", "data-chart": name });
    const boxes: [string, string, HTMLElement][] = [
      ["phases", "整顿对象所处阶段", box("phases")],
      ["measures", "整改措施状态", box("measures")],
      ["reports", "本月月报报送", box("reports")],
    ];
    if (this.level !== "village") boxes.push(["children", `${childZh[this.level]}整改完成率（滞后的在前）`, h("div", { class: "chart chart-tall", "data-chart": "children" })]);
    boxes.push(["trend", "整顿期各月趋势", box("trend")]);
    return boxes;
  }

  private drawCharts(): void {
    const p = this.progress, m = p.measures ?? {}, r = p.reports ?? {};
    const set = (name: string, option: object) => this.charts.get(name)?.setOption({ ...base(), ...option }, true);
    const phases = p.targets?.byPhase ?? [];
    set("phases", {
      xAxis: { type: "category", data: phases.map(x => x.phase), axisLabel: { interval: 0, rotate: phases.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: "村数", data: phases.map(x => x.targets ?? 0), itemStyle: { color: "#b71c1c" }, label: { show: true, position: "top" } }],
    });
    const open = Math.max(0, (m.total ?? 0) - (m.closed ?? 0) - (m.completed ?? 0) - (m.overdue ?? 0));
    set("measures", pie("措施", [["已销号", m.closed ?? 0, "#2e7d32"], ["已完成待销号", m.completed ?? 0, "#81c784"], ["推进中", open, "#90a4ae"], ["逾期", m.overdue ?? 0, "#b71c1c"]]));
    set("reports", pie("月报", [["按时", r.onTime ?? 0, "#2e7d32"], ["逾期报送", r.late ?? 0, "#e65100"], ["未报", r.missing ?? 0, "#b71c1c"], ["未到期", r.pending ?? 0, "#90a4ae"]]));
    const ranked = this.ranked();
    set("children", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: ranked.map(c => c.unitName) },
      series: [{ type: "bar", name: "完成率", data: ranked.map(c => Math.round((c.measures?.completionRate ?? 0) * 1000) / 10), itemStyle: { color: "#e65100" }, label: { show: true, position: "right", formatter: "{c}%" } }],
    });
    const trend = p.trend ?? [];
    set("trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: trend.map(t => `${t.period.month}月`) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "line", name: "已销号", data: trend.map(t => t.measuresClosed ?? 0), itemStyle: { color: "#2e7d32" } },
        { type: "line", name: "待销号", data: trend.map(t => t.measuresCompleted ?? 0), itemStyle: { color: "#81c784" } },
        { type: "line", name: "逾期", data: trend.map(t => t.measuresOverdue ?? 0), itemStyle: { color: "#b71c1c" } },
        { type: "line", name: "已报月报", data: trend.map(t => t.reports?.received ?? 0), itemStyle: { color: "#1d4ed8" } },
      ],
    });
  }

  /** Children with the lagging first: the lowest completion rate, then the most overdue measures. */
  private ranked(): ChildProgress[] {
    // A township's villages that are not targets have nothing to rank.
    const children = (this.progress.children ?? []).filter(c => this.level !== "township" || (c.targets?.total ?? 0) > 0 || (c.measures?.total ?? 0) > 0);
    return children.sort((a, b) =>
      (a.measures?.completionRate ?? 0) - (b.measures?.completionRate ?? 0) || (b.measures?.overdue ?? 0) - (a.measures?.overdue ?? 0) || a.unitCode.localeCompare(b.unitCode));
  }

  // --- Tables ------------------------------------------------------------------------------------

  private fillChildren(): void {
    if (this.level === "village") return;
    const m = monthParam(this.period);
    const reports = new Map((this.dashboard.reports ?? []).map(r => [r.unitCode, r]));
    const ranked = this.ranked();
    // 排名 by progress (1 = the furthest along), listed with the lagging first.
    const byProgress = [...ranked].reverse();
    const rows = ranked.map(c => {
      const mc = c.measures ?? {}, rc = c.reports ?? {};
      const report = reports.get(c.unitCode);
      const reportCell = report
        ? h("span", { class: `tag ${reportTag(report)}` }, report.status && report.status !== "REPORT_STATUS_UNSPECIFIED" ? `${label(reportStatus, report.status)}·${label(timelinessZh, report.timeliness)}` : label(timelinessZh, report.timeliness))
        : `${num(rc.received)}/${num(rc.expected)}`;
      return [
        String(byProgress.indexOf(c) + 1),
        link(`#/overview/${c.unitCode}/${m}`, c.unitName, { "data-child": c.unitCode }),
        num(c.targets?.total),
        `${num((mc.closed ?? 0) + (mc.completed ?? 0))}/${num(mc.total)}`,
        percent(mc.completionRate),
        (mc.overdue ?? 0) > 0 ? h("span", { class: "tag overdue" }, num(mc.overdue)) : "0",
        reportCell,
      ];
    });
    this.childrenBox.replaceChildren(table(["排名", "单位", "整顿对象", "措施完成/总数", "完成率", "逾期", "本月月报"], rows, { id: "children" }));
  }

  /** A township's or village's targets of the period's campaign year, each linking to its page. */
  private async targets(): Promise<HTMLElement> {
    const box = h("section", { class: "card", id: "targets" }, h("h2", {}, `${this.period.year}年度整顿对象`));
    try {
      const campaign = (await campaignsOf(this.code)).find(c => c.year === this.period.year);
      if (!campaign) { box.append(h("p", { class: "muted" }, "本年度尚无整顿对象")); return box; }
      const prefix = this.level === "village" ? this.code : this.code.slice(0, 9);
      const targets = ((await api<{ targets?: Target[] }>("assessment", "ListTargets", { campaignId: campaign.id })).targets ?? [])
        .filter(t => t.branch.villageCode.startsWith(prefix));
      box.append(h("div", { class: "table-wrap" }, table(["村", "乡镇", "状态", ""], targets.map(t => [
        t.branch.villageName, t.branch.townshipName ?? "", label(targetStatusZh, t.status),
        link(targetHref(t.branch.villageCode, campaign.year), "查看整顿对象", { "data-target": t.branch.villageCode }),
      ]))));
    } catch (e) {
      box.append(h("p", { class: "muted" }, e instanceof Error ? e.message : String(e)));
    }
    return box;
  }

  private overdue(): HTMLElement {
    const rows = (this.dashboard.overdueMeasures ?? []).map(x => [
      x.villageName ?? x.villageCode,
      link(`#/measure/${x.id}`, x.description, { "data-measure": x.id }),
      (x.responsiblePersons ?? []).join("、"),
      dateZh(x.deadline),
      h("span", { class: "tag overdue" }, `${num(x.daysOverdue)}天`),
      label(measureStatus, x.status),
    ]);
    return h("section", { class: "card" }, h("h2", {}, "逾期整改措施（逾期最久的在前）"), h("div", { class: "table-wrap" }, table(["村", "措施", "责任人", "完成时限", "逾期", "状态"], rows, { id: "overdue" })));
  }

  private unavailable(): HTMLElement | null {
    const missing = (this.dashboard.parts ?? []).filter(x => !x.available);
    return missing.length ? h("p", { class: "muted", id: "parts" }, `部分数据暂不可用：${missing.map(x => (x.name === "reports" ? "月报列表" : "逾期措施")).join("、")}`) : null;
  }

  // --- Live --------------------------------------------------------------------------------------

  /** Reads the unit's pushed progress until the page is left; reconnects after a dropped stream. */
  private async watch(): Promise<void> {
    const path = `/v1/progress/${this.code}/${this.period.year}/${this.period.month}/events`;
    let delay = 1000;
    while (!this.signal.aborted) {
      try {
        await stream(path, data => { delay = 1000; this.apply(JSON.parse(data) as Progress); }, this.signal);
      } catch (e) {
        if (this.signal.aborted) return;
        // An expired token: a fresh one, then reconnect.
        if (e instanceof ApiError && e.httpStatus === 401 && !(await session.refresh())) { go("/login"); return; }
        if (e instanceof ApiError && e.httpStatus === 403) { this.setLive("off", "无权接收实时更新"); return; }
      }
      if (this.signal.aborted) return;
      this.setLive("off", "实时连接中断，正在重连…");
      await new Promise(r => setTimeout(r, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  private apply(progress: Progress): void {
    const changed = String(progress.version ?? "") !== String(this.progress.version ?? "");
    this.progress = progress;
    const time = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).format(new Date());
    this.setLive("on", `● 实时 · 更新于${time}`);
    if (!changed) return;
    this.updateKpis();
    this.fillChildren();
    const first = this.charts.values().next().value;
    first?.on("finished", () => { first.off("finished"); performance.mark("rectify:live-update"); });
    this.drawCharts();
  }

  private setLive(state: "on" | "off", text: string): void {
    this.live.dataset.state = state;
    this.live.classList.toggle("off", state === "off");
    this.live.textContent = text;
  }
}

function pie(name: string, parts: [string, number, string][]): object {
  const empty = parts.every(([, value]) => value === 0);
  return {
    // All zero: say so rather than draw equal slices.
    title: empty ? { text: "暂无数据", left: "center", top: "middle", textStyle: { fontSize: 14, color: "#6b7280", fontWeight: "normal" } } : undefined,
    legend: { bottom: 0 },
    series: [{
      type: "pie", name, radius: ["40%", "68%"], center: ["50%", "45%"], stillShowZeroSum: false,
      label: { formatter: "{b}\n{c}" },
      // A zero slice has no label: its leader line would point at nothing.
      data: parts.map(([n, value, color]) => ({ name: n, value, itemStyle: { color }, label: { show: value > 0 }, labelLine: { show: value > 0 } })),
    }],
  };
}

function reportTag(r: ExpectedReport): string {
  if (r.status === "REPORT_STATUS_ACCEPTED") return "accepted";
  if (r.status === "REPORT_STATUS_RETURNED" || r.timeliness === "TIMELINESS_MISSING") return "returned";
  return "";
}

/** The unit above: village → township → county → city → province. */
function parentOf(code: string): string | null {
  switch (levelOf(code)) {
    case "village": return `${code.slice(0, 9)}000`;
    case "township": return `${code.slice(0, 6)}000000`;
    case "county": return `${code.slice(0, 4)}00000000`;
    case "city": return `${code.slice(0, 2)}0000000000`;
    default: return null;
  }
}

