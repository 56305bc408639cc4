// Chinese formats: dates as 2026年11月25日, months as 2026年10月, numbers with zh-CN grouping, the domain's labels.
export interface Ymd { year: number; month: number; day?: number; }

export function dateZh(d: Ymd | string | null | undefined): string {
  if (!d) return "—";
  if (typeof d === "string") {
    // A protobuf Timestamp (RFC 3339, UTC): shown on the Asia/Shanghai calendar.
    const t = new Date(d);
    const parts = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "numeric", day: "numeric" }).formatToParts(t);
    const get = (type: string) => parts.find(p => p.type === type)?.value ?? "";
    return `${get("year")}年${get("month")}月${get("day")}日`;
  }
  return d.day ? `${d.year}年${d.month}月${d.day}日` : `${d.year}年${d.month}月`;
}

export function timeZh(rfc3339: string | null | undefined): string {
  if (!rfc3339) return "—";
  const t = new Date(rfc3339);
  const hm = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false }).format(t);
  return `${dateZh(rfc3339)} ${hm}`;
}

/** A date input's value (yyyy-mm-dd) ⇄ a Date message. */
export function dateOf(value: string): Ymd | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
}
export function dateValue(d: Ymd | undefined): string {
  return d?.day ? `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}` : "";
}

export function monthZh(p: { year: number; month: number }): string { return `${p.year}年${p.month}月`; }

/** "2026-10" ⇄ { year, month }: the month in a page's address. */
export function parseMonth(s: string | undefined): { year: number; month: number } | null {
  const m = /^(\d{4})-(\d{1,2})$/.exec(s ?? "");
  return m ? { year: Number(m[1]), month: Number(m[2]) } : null;
}
export function monthParam(p: { year: number; month: number }): string { return `${p.year}-${String(p.month).padStart(2, "0")}`; }

/** Today on the Asia/Shanghai calendar. */
export function todayShanghai(): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "numeric", day: "numeric" }).formatToParts(new Date());
  const get = (type: string) => Number(parts.find(p => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day") };
}

export function num(n: number | string | null | undefined): string { return Number(n ?? 0).toLocaleString("zh-CN"); }
export function percent(rate: number | null | undefined): string { return `${(Number(rate ?? 0) * 100).toFixed(1)}%`; }

export const measureStatus: Record<string, string> = {
  MEASURE_STATUS_NOT_STARTED: "未开始", MEASURE_STATUS_IN_PROGRESS: "推进中", MEASURE_STATUS_COMPLETED: "已完成待销号",
  MEASURE_STATUS_CLOSED: "已销号", MEASURE_STATUS_REOPENED: "回炉",
};
export const reportStatus: Record<string, string> = {
  REPORT_STATUS_UNSPECIFIED: "未报送", REPORT_STATUS_DRAFT: "草稿", REPORT_STATUS_SUBMITTED: "已报送", REPORT_STATUS_ACCEPTED: "已通过", REPORT_STATUS_RETURNED: "已退回",
};
export const roleName: Record<string, string> = {
  ROLE_VIEWER: "查看", ROLE_OFFICER: "经办", ROLE_REVIEWER: "审核", ROLE_ADMIN: "管理员",
};
export function label(map: Record<string, string>, key: string | undefined): string { return (key && map[key]) || key || "—"; }
