// 消息: the signed-in person's unit inbox (deadline reminders, returned reports …), unread first; mark read, acknowledge.
import { api } from "../api.js";
import { route, render } from "../router.js";
import { session } from "../session.js";
import { h, show, toast } from "../ui.js";
import { timeZh } from "../format.js";

interface Notification {
  id: string; unitCode: string; kind: string; title: string; text: string; createdAt?: string; readAt?: string;
  acknowledgedAt?: string; acknowledgedBy?: string;
}

const kindZh: Record<string, string> = {
  "measure-due-soon": "措施临期", "measure-overdue": "措施逾期", "measure-escalated": "逾期升级", "report-due-soon": "月报临期",
  "report-missing": "月报未报", "report-missing-digest": "未报汇总", "report-returned": "月报退回", "target-designated": "确定整顿对象",
  "acceptance-failed": "验收未通过", "look-back-due-soon": "回头看临期", "look-back-overdue": "回头看逾期", "channel-failing": "推送渠道故障",
};

route("/inbox", async (_params, signal) => {
  const account = session.account()!;
  const inbox = await api<{ notifications?: Notification[]; unread?: number }>("notifications", "ListNotifications", { unitCode: account.orgCode, page: { pageSize: 200 } });
  if (signal.aborted) return;
  // Unread first, each group newest first (the server's order).
  const all = inbox.notifications ?? [];
  const ordered = [...all.filter(n => !n.readAt), ...all.filter(n => n.readAt)];
  const writes = session.canWrite();
  show(h("section", { class: "inbox-page" },
    h("header", { class: "card" }, h("h2", {}, "消息"), h("p", { class: "muted", "data-unread": inbox.unread ?? 0 }, `未读 ${inbox.unread ?? 0} 条，共 ${all.length} 条`)),
    ordered.length
      ? h("ul", { class: "inbox-list" }, ordered.map(n => item(n, writes)))
      : h("p", { class: "card muted" }, "暂无消息")));
});

function item(n: Notification, writes: boolean): HTMLElement {
  const actions = h("div", { class: "toolbar" });
  if (writes && !n.readAt) actions.append(button("标为已读", () => api("notifications", "MarkRead", { notificationId: n.id }), "已标为已读"));
  if (writes && !n.acknowledgedAt) actions.append(button("确认收到", () => api("notifications", "Acknowledge", { notificationId: n.id }), "已确认"));
  return h("li", { class: `card inbox-item ${n.readAt ? "read" : "unread"}`, "data-notification": n.id },
    h("div", { class: "inbox-head" },
      n.readAt ? null : h("span", { class: "tag unread-dot" }, "未读"),
      h("span", { class: "tag" }, kindZh[n.kind] ?? n.kind),
      h("strong", {}, n.title)),
    h("p", { class: "inbox-text" }, n.text),
    h("p", { class: "muted" }, timeZh(n.createdAt), n.acknowledgedAt ? ` · ${n.acknowledgedBy ?? ""}已确认于${timeZh(n.acknowledgedAt)}` : ""),
    actions);
}

function button(text: string, act: () => Promise<unknown>, done: string): HTMLButtonElement {
  const b = h("button", { type: "button", class: "secondary" }, text);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { await act(); toast(done); await render(); }
    catch (e) { toast(e instanceof Error ? e.message : String(e), "error"); b.disabled = false; }
  });
  return b;
}
